#!/usr/bin/env bash
# The daily job of .github/workflows/dashboard.yml, run locally: ingest an inbox of uploads (default:
# a copy of samples/bundles), move them to inbox/.done/, honour deletion requests, aggregate, build the PUBLIC dashboard and write
# the Markdown health report the workflow puts in its job summary. Same commands, same order.
#
#   scripts/cron-local.sh [WORKDIR]        (default: a new temporary folder)
#
# Environment: SENTINEL (the command to run; default `dotnet run --project src/Sentinel.Cli --`),
# INBOX (uploads to copy into the inbox; default samples/bundles), SENTINEL_CONFIG (default
# samples/sentinel.yml, which registers the sample libraries: the public dashboard needs registered ones).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="${1:-$(mktemp -d)}"
INBOX="${INBOX:-$ROOT/samples/bundles}"
export SENTINEL_CONFIG="${SENTINEL_CONFIG:-$ROOT/samples/sentinel.yml}"
read -r -a SENTINEL_CMD <<< "${SENTINEL:-dotnet run --project $ROOT/src/Sentinel.Cli --}"
sentinel() { "${SENTINEL_CMD[@]}" "$@"; }

export SENTINEL_LAKE="$WORK/data/lake"
mkdir -p "$WORK/data/inbox" "$WORK/data/lake"
cp -R "$INBOX"/. "$WORK/data/inbox/"
cd "$WORK"

# --- the steps of dashboard.yml ------------------------------------------------------------------
status=0
sentinel ingest --inbox data/inbox --json > ingest.json || status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 2 ]; then exit "$status"; fi
sentinel forget --inbox data/inbox
sentinel aggregate
sentinel dashboard --out site --audience public --generated-at "$(date -u +%FT%TZ)"
sentinel report --format markdown >> summary.md
# --------------------------------------------------------------------------------------------------

echo "cron-local: site $WORK/site/index.html, job summary $WORK/summary.md, lake $SENTINEL_LAKE" >&2
