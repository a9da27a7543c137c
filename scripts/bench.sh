#!/usr/bin/env bash
# Ingest benchmark (first cut; the full scale-set harness with the DuckDB-native baseline is tracked
# by the benchmark issue). Builds a directory bundle of N events resampled from a real corpus run
# (fresh timestamps, so every event is distinct), ingests it into an empty lake with the Release
# build, and prints events/s, MB/s and peak RSS, median of --runs runs.
#
#   scripts/bench.sh [--events N] [--runs R]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EVENTS=200000
RUNS=3
while [[ $# -gt 0 ]]; do
    case "$1" in
        --events) EVENTS="$2"; shift 2 ;;
        --runs) RUNS="$2"; shift 2 ;;
        *) echo "usage: scripts/bench.sh [--events N] [--runs R]" >&2; exit 1 ;;
    esac
done
CORPUS="${SENTINEL_CORPUS:-$ROOT/../shared/corpus}"
[[ -f "$CORPUS/expected.json" ]] || { echo "corpus not found at $CORPUS (set SENTINEL_CORPUS)" >&2; exit 1; }
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

dotnet build -c Release "$ROOT/src/Sentinel.Cli" -v q -nologo >/dev/null
DLL="$ROOT/src/Sentinel.Cli/bin/Release/net10.0/sentinel.dll"

python3 - "$CORPUS/m09_molsysmt-0.10.1_debug_mgarcia" "$WORK/bundle" "$EVENTS" <<'PY'
import json, os, sys, datetime
src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(out)
events = [json.loads(l) for l in open(os.path.join(src, "events.jsonl")) if l.strip()]
start = datetime.datetime(2026, 10, 1, tzinfo=datetime.timezone.utc)
with open(os.path.join(out, "events.jsonl"), "w") as f:
    for i in range(n):
        e = dict(events[i % len(events)])
        e["timestamp"] = (start + datetime.timedelta(microseconds=10 * i)).isoformat()
        f.write(json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n")
with open(os.path.join(src, "bundle.json")) as f, open(os.path.join(out, "bundle.json"), "w") as g:
    g.write(f.read())
PY
MB=$(python3 -c "import os;print(round(os.path.getsize('$WORK/bundle/events.jsonl')/1048576,1))")

results=()
for r in $(seq 1 "$RUNS"); do
    rm -rf "$WORK/lake"
    /usr/bin/time -f "%e %M" -o "$WORK/time" dotnet "$DLL" ingest "$WORK/bundle" --lake "$WORK/lake" --json >/dev/null 2>"$WORK/err" \
        || { cat "$WORK/err" >&2; exit 3; }
    read -r secs rss_kb < "$WORK/time"
    results+=("$secs $rss_kb")
    echo "run $r: ${secs}s, peak RSS $((rss_kb / 1024)) MB" >&2
done
median=$(printf '%s\n' "${results[@]}" | sort -n | awk -v n="$RUNS" 'NR==int((n+1)/2)')
read -r secs rss_kb <<<"$median"
eps=$(python3 -c "print(round($EVENTS/$secs))")
mbs=$(python3 -c "print(round($MB/$secs,1))")
printf '| events | input MB | seconds (median of %s) | events/s | MB/s | peak RSS MB |\n|---|---|---|---|---|---|\n| %s | %s | %s | %s | %s | %s |\n' \
    "$RUNS" "$EVENTS" "$MB" "$secs" "$eps" "$mbs" "$((rss_kb / 1024))"
echo "ingest_events_per_s=$eps ingest_mb_per_s=$mbs ingest_peak_rss_mb=$((rss_kb / 1024))"
