#!/usr/bin/env bash
# Dashboard weight and first paint (issue 17, item 8): builds the site of the vendored corpus (tests/corpus,
# maintainers view) with a Release build, prints each page type's size, then `sentinel-bench first-paint`:
# home, a library page, its problem list and a problem page at 1400 and 390 px in headless Chromium (offline,
# cold context per visit), medians of first contentful paint, load and "every chart drawn", against the
# baseline of the same pages loading the full plotly.js (what the site shipped before), in the same run.
# Ends with: first_paint_max_ms=<n> charts_drawn_max_ms=<n> home_bytes=<n> baseline_first_paint_max_ms=<n> ...
#
#   scripts/bench-dashboard.sh [--runs N]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS=5
while [[ $# -gt 0 ]]; do
    case "$1" in
        --runs) RUNS="${2:-}"; shift 2 ;;
        -h|--help) sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "usage: scripts/bench-dashboard.sh [--runs N]" >&2; exit 1 ;;
    esac
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "bench-dashboard: --runs must be a positive integer, got '$RUNS'" >&2; exit 1; }
WORK="$(mktemp -d "${TMPDIR:-/tmp}/sentinel-bench-dashboard.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
echo "bench-dashboard: building Release" >&2
for project in src/Sentinel.Cli tests/Sentinel.Bench; do
    dotnet build -c Release "$ROOT/$project" -v q -nologo >"$WORK/build.log" 2>&1 \
        || { cat "$WORK/build.log" >&2; echo "bench-dashboard: build of $project failed" >&2; exit 3; }
done
DLL="$ROOT/src/Sentinel.Cli/bin/Release/net10.0/sentinel.dll"
BENCH="$ROOT/tests/Sentinel.Bench/bin/Release/net10.0/sentinel-bench.dll"
# The corpus has hostile bundles under bad/: exit 2 (some input quarantined) is expected.
dotnet "$DLL" run "$ROOT/tests/corpus" --lake "$WORK/lake" --out "$WORK/site" >"$WORK/run.log" 2>&1 || [[ $? -eq 2 ]] \
    || { tail -20 "$WORK/run.log" >&2; echo "bench-dashboard: sentinel run failed" >&2; exit 3; }
echo "Site of tests/corpus (maintainers view); bytes per page type, HTML + its chart script + CSS + site.js (+ plotly.js when it has charts):"
css=$(stat -c %s "$WORK/site/assets/site.css"); js=$(stat -c %s "$WORK/site/assets/site.js"); plotly=$(stat -c %s "$WORK/site/assets/plotly-basic.min.js")
for page in index.html libraries/molsysmt.html problems/molsysmt.html; do
    html=$(stat -c %s "$WORK/site/$page"); charts=0
    chart="$WORK/site/charts/${page%.html}.js"; [[ -f "$chart" ]] && charts=$(stat -c %s "$chart")
    total=$((html + charts + css + js)); [[ "$charts" -gt 0 ]] && total=$((total + plotly))
    printf '  %-28s html %8d  charts %7d  total %9d\n' "$page" "$html" "$charts" "$total"
done
dotnet "$BENCH" first-paint --site "$WORK/site" --runs "$RUNS"
