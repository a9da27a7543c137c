#!/usr/bin/env bash
# Aggregate benchmark. Ingests the corpus into a seed lake, resamples it into a synthetic lake of
# --events events in --bundles bundles (`sentinel-bench gen-lake`, one committed ingest), then, per
# run, on a fresh copy of that lake: times `sentinel aggregate --full`, appends one small ingest of 1%
# more events (a daily cron's new data) and times the incremental `sentinel aggregate`. Prints
# seconds and peak RSS (medians of --runs runs) against the targets. See docs/benchmarks.md.
#
#   scripts/bench-aggregate.sh [--events N] [--bundles B] [--runs R]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EVENTS=10000000
BUNDLES=2000
RUNS=3
SEED=1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --events) EVENTS="$2"; shift 2 ;;
        --bundles) BUNDLES="$2"; shift 2 ;;
        --runs) RUNS="$2"; shift 2 ;;
        *) echo "usage: scripts/bench-aggregate.sh [--events N] [--bundles B] [--runs R]" >&2; exit 1 ;;
    esac
done
APPEND=$((EVENTS / 100))
(( APPEND > 0 )) || { echo "--events must be at least 100 (the appended ingest is 1% of it)" >&2; exit 1; }
CORPUS="${SENTINEL_CORPUS:-$ROOT/tests/corpus}"
[[ -f "$CORPUS/expected.json" ]] || { echo "corpus not found at $CORPUS (set SENTINEL_CORPUS)" >&2; exit 1; }
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# No ./sentinel.yml from wherever this is started: defaults only, so runs compare.
cd "$WORK"

for project in src/Sentinel.Cli tests/Sentinel.Bench; do
    dotnet build -c Release "$ROOT/$project" -v q -nologo >"$WORK/build.log" 2>&1 \
        || { cat "$WORK/build.log" >&2; echo "build of $project failed" >&2; exit 3; }
done
DLL="$ROOT/src/Sentinel.Cli/bin/Release/net10.0/sentinel.dll"
BENCH="$ROOT/tests/Sentinel.Bench/bin/Release/net10.0/sentinel-bench.dll"

if ! dotnet "$DLL" aggregate --help >/dev/null 2>"$WORK/err"; then
    cat "$WORK/err" >&2
    echo "bench-aggregate: \`sentinel aggregate --help\` failed: this build has no aggregate command, nothing to time" >&2
    exit 3
fi

# Seed lake: the corpus's bad/ inputs are quarantined, so ingest exits 2 by design.
rc=0
dotnet "$DLL" ingest "$CORPUS" --lake "$WORK/seed" --json >/dev/null 2>"$WORK/err" || rc=$?
if [[ $rc -ne 0 && $rc -ne 2 ]]; then
    cat "$WORK/err" >&2
    echo "seed ingest failed (exit $rc)" >&2
    exit 3
fi

/usr/bin/time -f "%e %M" -o "$WORK/time" dotnet "$BENCH" gen-lake --seed-lake "$WORK/seed" --out "$WORK/lake" \
    --events "$EVENTS" --bundles "$BUNDLES" --seed "$SEED" 2>"$WORK/err" || { cat "$WORK/err" >&2; exit 3; }
read -r gen_s gen_kb < "$WORK/time"
echo "$(tail -n 1 "$WORK/err") (peak RSS $((gen_kb / 1024)) MB, $(du -sm "$WORK/lake" | cut -f1) MB on disk)" >&2

# One timed `sentinel aggregate`; appends "seconds rss_kb" to the named results file.
timed_aggregate() {
    local results="$1"; shift
    /usr/bin/time -f "%e %M" -o "$WORK/time" dotnet "$DLL" aggregate "$@" >/dev/null 2>"$WORK/err" \
        || { cat "$WORK/err" >&2; echo "sentinel aggregate $* failed" >&2; exit 3; }
    cat "$WORK/time" >> "$results"
}

: > "$WORK/full"; : > "$WORK/incremental"; : > "$WORK/noop"; : > "$WORK/dashboard"
for r in $(seq 1 "$RUNS"); do
    rm -rf "$WORK/run"
    cp -r "$WORK/lake" "$WORK/run"
    timed_aggregate "$WORK/full" --full --lake "$WORK/run"
    # The dashboard right after the full aggregate (the daily job's last step).
    rm -rf "$WORK/site"
    /usr/bin/time -f "%e %M" -o "$WORK/time" dotnet "$DLL" dashboard --lake "$WORK/run" --out "$WORK/site" --format json >"$WORK/site.json" 2>"$WORK/err" \
        || { cat "$WORK/err" >&2; echo "sentinel dashboard failed" >&2; exit 3; }
    echo "$(cat "$WORK/time") $(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['pages'], d['bytes'], d['largest_page_data_bytes'])" "$WORK/site.json")" >> "$WORK/dashboard"
    dotnet "$BENCH" gen-lake --seed-lake "$WORK/seed" --out "$WORK/run" --append-events "$APPEND" --seed "$SEED" 2>"$WORK/err" \
        || { cat "$WORK/err" >&2; exit 3; }
    timed_aggregate "$WORK/incremental" --lake "$WORK/run"
    # The fixed floor: the same command with nothing new to fold in (process start, DuckDB, summaries).
    timed_aggregate "$WORK/noop" --lake "$WORK/run"
    read -r fs fk < <(tail -n 1 "$WORK/full")
    read -r is ik < <(tail -n 1 "$WORK/incremental")
    echo "run $r: full ${fs}s, peak RSS $((fk / 1024)) MB; +$APPEND events, incremental ${is}s, peak RSS $((ik / 1024)) MB" >&2
done

python3 - "$WORK/full" "$WORK/incremental" "$EVENTS" "$BUNDLES" "$APPEND" "$RUNS" "$WORK/noop" "$WORK/dashboard" <<'PY'
import statistics, sys
full = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
inc = [tuple(map(float, l.split())) for l in open(sys.argv[2]) if l.strip()]
noop = [tuple(map(float, l.split())) for l in open(sys.argv[7]) if l.strip()]
events, bundles, append, runs = sys.argv[3:7]
fs = statistics.median(s for s, _ in full)
fm = round(statistics.median(k for _, k in full) / 1024)
is_ = statistics.median(s for s, _ in inc)
im = round(statistics.median(k for _, k in inc) / 1024)
ratio = is_ / fs if fs > 0 else float("nan")
ok = lambda good: "ok" if good else "MISSED"
print(f"{events} events in {bundles} bundles, incremental = +{append} events in one new ingest; medians of {runs} runs")
print("| measure | value | target | |")
print("|---|---|---|---|")
print(f"| full aggregate, seconds | {fs:.2f} | ≤ 15 | {ok(fs <= 15)} |")
print(f"| full aggregate, peak RSS MB | {fm} | ≤ 1024 | {ok(fm <= 1024)} |")
print(f"| incremental aggregate, seconds | {is_:.2f} | | |")
print(f"| incremental aggregate, peak RSS MB | {im} | ≤ 1024 | {ok(im <= 1024)} |")
print(f"| incremental / full | {ratio:.3f} | ≤ 0.10 | {ok(ratio <= 0.10)} |")
ns = statistics.median(s for s, _ in noop)
print(f"| aggregate with nothing new (fixed floor), seconds | {ns:.2f} | | |")
print(f"| marginal cost of the new ingest (incremental - floor) / full | {max(is_ - ns, 0) / fs:.3f} | | |")
dash = [tuple(map(float, l.split())) for l in open(sys.argv[8]) if l.strip()]
ds = statistics.median(d[0] for d in dash)
dm = round(statistics.median(d[1] for d in dash) / 1024)
pages, size, largest = dash[-1][2], dash[-1][3], dash[-1][4]
print(f"| dashboard after aggregation, seconds | {ds:.2f} | ≤ 5 | {ok(ds <= 5)} |")
print(f"| dashboard, peak RSS MB | {dm} | | |")
print(f"| dashboard: pages, site MB, largest page data KB | {int(pages)}, {size / 1048576:.1f}, {largest / 1024:.1f} | data ≤ 300 KB per page | {ok(largest <= 300 * 1024)} |")
print(f"aggregate_full_s={fs:.2f} aggregate_full_rss_mb={fm} aggregate_incremental_s={is_:.2f} incremental_vs_full={ratio:.3f} aggregate_noop_s={ns:.2f} dashboard_s={ds:.2f}")
PY
