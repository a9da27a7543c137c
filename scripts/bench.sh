#!/usr/bin/env bash
# Scale-set benchmark: ingest against the DuckDB-native baseline, then aggregate and dashboard, all on
# the same files in one invocation. Generates N events in B bundles resampled from the real corpus
# (`sentinel-bench gen-bundles`: json, directory, zip and tar.gz bundles, plus the same events as
# NDJSON for DuckDB), then per run: (a) `sentinel ingest` of the scale set into an empty lake,
# (b) DuckDB's own COPY (SELECT * FROM read_json(...)) TO ... (FORMAT parquet) over the same events,
# (c) `sentinel aggregate --full` on that lake, (d) `sentinel dashboard` on it, and, for one large
# single-run bundle (one directory bundle whose events.jsonl holds M MiB, `gen-bundles
# --single-run-mb`), (e) its ingest and (f) DuckDB's COPY of the same events. Prints seconds,
# events/s, MB/s and peak RSS per step (medians of --runs runs), the ingest / DuckDB throughput ratios
# and the targets, and ends with one line:
#   ingest_vs_duckdb=<ratio vs the plain read_ndjson COPY, or "refused" when DuckDB's default call cannot read the set> ingest_vs_duckdb_union=<ratio> ingest_events_per_s=<n> ingest_peak_rss_mb=<n> single_run_mb=<M> single_events=<n> single_ingest_s=<s> single_events_per_s=<n> single_peak_rss_mb=<n> single_vs_duckdb=<ratio>
# (the single_* fields only when --single-run-mb is not 0), followed, unless --distinct 0, by
#   distinct_problems=<n> distinct_ingest_s=<s> distinct_ingest_peak_rss_mb=<n> distinct_aggregate_s=<s> distinct_aggregate_peak_rss_mb=<n>
# for the cardinality bomb of issue 14: ONE zip upload whose N events are each their own problem
# (`sentinel-bench gen-distinct`), ingested into an empty lake and aggregated once (goal: both ≤ 400 MB).
# See docs/benchmarks.md.
#
#   scripts/bench.sh [--events N] [--bundles B] [--runs R] [--seed S] [--single-run-mb M] [--distinct N] [--record FILE]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EVENTS=1000000
BUNDLES=200
RUNS=3
SEED=1
SINGLE_MB=130
DISTINCT=1000000
RECORD=""
usage() { echo "usage: scripts/bench.sh [--events N] [--bundles B] [--runs R] [--seed S] [--single-run-mb M] [--distinct N] [--record FILE]" >&2; exit 1; }
while [[ $# -gt 0 ]]; do
    case "$1" in
        --events) EVENTS="${2:-}"; shift 2 || usage ;;
        --bundles) BUNDLES="${2:-}"; shift 2 || usage ;;
        --runs) RUNS="${2:-}"; shift 2 || usage ;;
        --seed) SEED="${2:-}"; shift 2 || usage ;;
        --single-run-mb) SINGLE_MB="${2:-}"; shift 2 || usage ;;
        --distinct) DISTINCT="${2:-}"; shift 2 || usage ;;
        --record) RECORD="${2:-}"; shift 2 || usage ;;
        -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) usage ;;
    esac
done
for v in EVENTS BUNDLES RUNS; do
    [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || { echo "bench: --${v,,} must be a positive integer, got '${!v}'" >&2; exit 1; }
done
[[ "$SEED" =~ ^[0-9]+$ ]] || { echo "bench: --seed must be a non-negative integer, got '$SEED'" >&2; exit 1; }
[[ "$DISTINCT" =~ ^[0-9]+$ ]] || { echo "bench: --distinct must be a non-negative integer (0: no cardinality bomb), got '$DISTINCT'" >&2; exit 1; }
[[ "$SINGLE_MB" =~ ^[0-9]+$ ]] || { echo "bench: --single-run-mb must be a non-negative integer (0: no single-run bundle), got '$SINGLE_MB'" >&2; exit 1; }
(( BUNDLES <= EVENTS )) || { echo "bench: --bundles ($BUNDLES) must not exceed --events ($EVENTS)" >&2; exit 1; }
[[ -z "$RECORD" ]] || RECORD="$(cd "$(dirname "$RECORD")" && pwd)/$(basename "$RECORD")"

CORPUS="${SENTINEL_CORPUS:-$ROOT/tests/corpus}"
if [[ ! -d "$CORPUS" ]]; then
    echo "bench: corpus not found at $CORPUS: set SENTINEL_CORPUS to a folder of real smonitor bundles (default tests/corpus)" >&2
    exit 1
fi
CORPUS="$(cd "$CORPUS" && pwd)"
[[ -x /usr/bin/time ]] || { echo "bench: /usr/bin/time is needed for peak RSS (apt-get install time)" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/sentinel-bench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
# No ./sentinel.yml from wherever this is started: defaults only, so runs compare.
cd "$WORK"

echo "bench: building Release" >&2
for project in src/Sentinel.Cli tests/Sentinel.Bench; do
    dotnet build -c Release "$ROOT/$project" -v q -nologo >"$WORK/build.log" 2>&1 \
        || { cat "$WORK/build.log" >&2; echo "bench: build of $project failed" >&2; exit 3; }
done
DLL="$ROOT/src/Sentinel.Cli/bin/Release/net10.0/sentinel.dll"
BENCH="$ROOT/tests/Sentinel.Bench/bin/Release/net10.0/sentinel-bench.dll"
for command in ingest aggregate dashboard; do
    dotnet "$DLL" "$command" --help >/dev/null 2>"$WORK/err" \
        || { cat "$WORK/err" >&2; echo "bench: \`sentinel $command --help\` failed: this build cannot run step $command" >&2; exit 3; }
done

# The scale set, generated once; every run and every step reads these same files.
echo "bench: generating $EVENTS events in $BUNDLES bundles from $CORPUS" >&2
/usr/bin/time -f "%e %M" -o "$WORK/time" dotnet "$BENCH" gen-bundles --corpus "$CORPUS" --out "$WORK/set" \
    --ndjson "$WORK/set.ndjson" --events "$EVENTS" --bundles "$BUNDLES" --seed "$SEED" 2>"$WORK/err" \
    || { cat "$WORK/err" >&2; echo "bench: gen-bundles failed" >&2; exit 3; }
GEN_LINE="$(grep '^gen-bundles:' "$WORK/err" | tail -n 1)"
echo "bench: $GEN_LINE (peak RSS $(( $(cut -d' ' -f2 "$WORK/time") / 1024 )) MB)" >&2
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }
EVENT_BYTES="$(field event_bytes "$GEN_LINE")"
BUNDLE_BYTES="$(field bundle_bytes "$GEN_LINE")"

# The large single-run upload of issue 9: one directory bundle, one run, M MiB of events.jsonl.
SINGLE_EVENTS=0
SINGLE_BYTES=0
if (( SINGLE_MB > 0 )); then
    echo "bench: generating one single-run directory bundle of $SINGLE_MB MiB of events" >&2
    dotnet "$BENCH" gen-bundles --corpus "$CORPUS" --out "$WORK/single" --ndjson "$WORK/single.ndjson" \
        --single-run-mb "$SINGLE_MB" --seed "$SEED" 2>"$WORK/err" \
        || { cat "$WORK/err" >&2; echo "bench: gen-bundles --single-run-mb failed" >&2; exit 3; }
    SINGLE_LINE="$(grep '^gen-bundles:' "$WORK/err" | tail -n 1)"
    echo "bench: $SINGLE_LINE" >&2
    SINGLE_EVENTS="$(field events "$SINGLE_LINE")"
    SINGLE_BYTES="$(field event_bytes "$SINGLE_LINE")"
fi

# One timed step: "seconds rss_kb" appended to $WORK/<name>; stdout of the command in $WORK/<name>.out.
timed() {
    local name="$1"; shift
    if ! /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >"$WORK/$name.out" 2>"$WORK/err"; then
        tail -n 20 "$WORK/err" >&2
        echo "bench: step $name failed: $*" >&2
        exit 3
    fi
    cat "$WORK/time" >> "$WORK/$name"
}

# Peak RSS in MB from /usr/bin/time's KB ("-" for a refused step's nan).
mb() { if [[ "$1" == nan ]]; then echo "-"; else echo $(( $1 / 1024 )); fi; }

# A baseline step that may refuse the input (DuckDB's default read_ndjson infers one schema from a sample and
# refuses files whose objects have keys it did not see): "nan nan" and its first error line in $WORK/<name>.error.
timed_baseline() {
    local name="$1"; shift
    if /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >"$WORK/$name.out" 2>"$WORK/err"; then
        cat "$WORK/time" >> "$WORK/$name"
    else
        echo "nan nan" >> "$WORK/$name"
        grep -m1 -v '^bench' "$WORK/err" | sed -e "s#$WORK/##g" -e 's/^sentinel-bench: //' | cut -c1-200 > "$WORK/$name.error"
        echo "bench: step $name: DuckDB refused the input: $(cat "$WORK/$name.error")" >&2
    fi
}

: > "$WORK/ingest"; : > "$WORK/duckdb"; : > "$WORK/duckdb_union"; : > "$WORK/aggregate"; : > "$WORK/dashboard"; : > "$WORK/single_ingest"; : > "$WORK/single_duckdb"; : > "$WORK/single_duckdb_union"
for r in $(seq 1 "$RUNS"); do
    rm -rf "$WORK/lake" "$WORK/site" "$WORK/baseline.parquet"
    timed ingest dotnet "$DLL" ingest "$WORK/set" --lake "$WORK/lake" --json
    written="$(python3 -c "import json,sys; print(json.load(open(sys.argv[1])).get('events_written', -1))" "$WORK/ingest.out")"
    [[ "$written" == "$EVENTS" ]] || echo "bench: warning: ingest wrote $written events of $EVENTS" >&2
    timed_baseline duckdb dotnet "$BENCH" duckdb-baseline --input "$WORK/set.ndjson" --out "$WORK/baseline.parquet" --reader plain
    if [[ ! -s "$WORK/duckdb.error" ]]; then
        copied="$(field events "$(grep '^duckdb-baseline:' "$WORK/err" | tail -n 1)")"
        [[ "$copied" == "$EVENTS" ]] || echo "bench: warning: DuckDB copied $copied events of $EVENTS" >&2
    fi
    rm -f "$WORK/baseline.parquet"
    timed duckdb_union dotnet "$BENCH" duckdb-baseline --input "$WORK/set.ndjson" --out "$WORK/baseline.parquet" --reader union
    rm -f "$WORK/baseline.parquet"
    timed aggregate dotnet "$DLL" aggregate --full --lake "$WORK/lake"
    timed dashboard dotnet "$DLL" dashboard --lake "$WORK/lake" --out "$WORK/site" --format json
    read -r is ik < <(tail -n 1 "$WORK/ingest")
    read -r ds dk < <(tail -n 1 "$WORK/duckdb")
    read -r as ak < <(tail -n 1 "$WORK/aggregate")
    read -r bs bk < <(tail -n 1 "$WORK/dashboard")
    echo "bench: run $r/$RUNS: ingest ${is}s ($((ik / 1024)) MB), DuckDB ${ds}s ($(mb "$dk") MB), aggregate --full ${as}s ($((ak / 1024)) MB), dashboard ${bs}s ($((bk / 1024)) MB)" >&2
    if (( SINGLE_MB > 0 )); then
        rm -rf "$WORK/single-lake"
        timed single_ingest dotnet "$DLL" ingest "$WORK/single" --lake "$WORK/single-lake" --json
        written="$(python3 -c "import json,sys; print(json.load(open(sys.argv[1])).get('events_written', -1))" "$WORK/single_ingest.out")"
        [[ "$written" == "$SINGLE_EVENTS" ]] || echo "bench: warning: single-run ingest wrote $written events of $SINGLE_EVENTS" >&2
        timed_baseline single_duckdb dotnet "$BENCH" duckdb-baseline --input "$WORK/single.ndjson" --out "$WORK/baseline.parquet" --reader plain
        rm -f "$WORK/baseline.parquet"
        timed single_duckdb_union dotnet "$BENCH" duckdb-baseline --input "$WORK/single.ndjson" --out "$WORK/baseline.parquet" --reader union
        rm -rf "$WORK/single-lake" "$WORK/baseline.parquet"
        read -r ss sk < <(tail -n 1 "$WORK/single_ingest")
        read -r ts tk < <(tail -n 1 "$WORK/single_duckdb")
        echo "bench: run $r/$RUNS: single-run bundle: ingest ${ss}s ($((sk / 1024)) MB), DuckDB ${ts}s ($(mb "$tk") MB)" >&2
    fi
done

# The cardinality bomb (issue 14), once: peak RSS is what it measures, and the caps make it cheap.
: > "$WORK/distinct_ingest"; : > "$WORK/distinct_aggregate"
if (( DISTINCT > 0 )); then
    dotnet "$BENCH" gen-distinct --out "$WORK/bomb/bomb.zip" --problems "$DISTINCT" 2>"$WORK/err" \
        || { cat "$WORK/err" >&2; echo "bench: gen-distinct failed" >&2; exit 3; }
    echo "bench: $(grep '^gen-distinct:' "$WORK/err" | tail -n 1)" >&2
    rm -rf "$WORK/bomb-lake"
    timed distinct_ingest dotnet "$DLL" ingest "$WORK/bomb" --lake "$WORK/bomb-lake" --json
    timed distinct_aggregate dotnet "$DLL" aggregate --full --lake "$WORK/bomb-lake"
    read -r xs xk < <(tail -n 1 "$WORK/distinct_ingest")
    read -r ys yk < <(tail -n 1 "$WORK/distinct_aggregate")
    echo "bench: cardinality bomb ($DISTINCT distinct problems): ingest ${xs}s ($((xk / 1024)) MB), aggregate --full ${ys}s ($((yk / 1024)) MB); $(python3 -c "import json,sys; r=json.load(open(sys.argv[1])).get('redactions', {}); print('folded: ' + ', '.join(f'{k}={v}' for k, v in sorted(r.items()) if k.startswith('folded.')))" "$WORK/distinct_ingest.out")" >&2
    rm -rf "$WORK/bomb-lake" "$WORK/bomb"
fi

python3 - "$WORK" "$EVENTS" "$BUNDLES" "$RUNS" "$SEED" "$EVENT_BYTES" "$BUNDLE_BYTES" "$(nproc)" "$SINGLE_MB" "$SINGLE_EVENTS" "$SINGLE_BYTES" "$DISTINCT" > "$WORK/report.md" <<'PY'
import statistics, sys
work, events, bundles, runs, seed, event_bytes, bundle_bytes, cores, single_mb, single_events, single_bytes, distinct = sys.argv[1:13]
distinct = int(distinct)
events, event_bytes, bundle_bytes = int(events), int(event_bytes), int(bundle_bytes)
single_mb, single_events, single_bytes = int(single_mb), int(single_events), int(single_bytes)
mb = event_bytes / 1048576

import math, os

def load(name):
    return [tuple(map(float, l.split())) for l in open(f"{work}/{name}") if l.strip()]

def refused(name):
    path = f"{work}/{name}.error"
    return open(path).read().strip() if os.path.exists(path) and os.path.getsize(path) > 0 else None

names = ("ingest", "duckdb", "duckdb_union", "aggregate", "dashboard") + (("single_ingest", "single_duckdb", "single_duckdb_union") if single_mb else ())
steps = {name: load(name) for name in names}
def median_of(rows):
    rows = [r for r in rows if not math.isnan(r[0])]
    return (statistics.median(s for s, _ in rows), round(statistics.median(k for _, k in rows) / 1024)) if rows else (math.nan, 0)
med = {name: median_of(rows) for name, rows in steps.items()}
# Throughput ratio on the same events = DuckDB seconds / ingest seconds, paired per run (both ran
# back to back, so a load spike on this shared machine hits both), median over runs.
def pair(a, b):
    ratios = [d[0] / i[0] for i, d in zip(steps[a], steps[b]) if not math.isnan(d[0])]
    return statistics.median(ratios) if ratios else math.nan
ratio = pair("ingest", "duckdb")
ratio_union = pair("ingest", "duckdb_union")
ok = lambda good: "ok" if good else "MISSED"
ingest_s, ingest_mb = med["ingest"]
eps = round(events / ingest_s)

print(f"Scale set: {events:,} events in {bundles} bundles (json, directory, zip, tar.gz in turn; seed {seed}), "
      f"{mb:,.1f} MB of events as NDJSON, {bundle_bytes / 1048576:,.1f} MB on disk. "
      f"Medians of {runs} run(s) on {cores} cores; seconds and peak RSS from /usr/bin/time, .NET start-up included. "
      f"events/s and MB/s are the scale set's events and NDJSON MB over each step's seconds.")
print()
print("| step | seconds | events/s | MB/s | peak RSS MB | target | |")
print("|---|---|---|---|---|---|---|")
rows = [
    ("ingest", "(a) `sentinel ingest` of the scale set into an empty lake"),
    ("duckdb", "(b) DuckDB-native, plain: `COPY (SELECT * FROM read_ndjson(…)) TO … (FORMAT parquet)`"),
    ("duckdb_union", "(b′) DuckDB-native with `read_json(…, union_by_name = true)` (the earlier baseline)"),
    ("aggregate", "(c) `sentinel aggregate --full`"),
    ("dashboard", "(d) `sentinel dashboard`"),
]
for name, label in rows:
    s, m = med[name]
    if math.isnan(s):
        print(f"| {label} | refused the input: {refused(name).replace('|', '/')} | | | | | |")
        continue
    target = f"| peak RSS ≤ 400 MB | {ok(m <= 400)} " if name == "ingest" else "| | "
    print(f"| {label} | {s:.2f} | {events / s:,.0f} | {mb / s:,.1f} | {m} {target}|")
if math.isnan(ratio):
    print(f"| **ingest / DuckDB-native (plain) throughput** | | **n/a**: DuckDB's default call cannot read this set | | | ≥ 1.0× | |")
else:
    print(f"| **ingest / DuckDB-native (plain) throughput** | | **{ratio:.2f}×** | | | ≥ 1.0× | {ok(ratio >= 1.0)} |")
print(f"| ingest / DuckDB with union_by_name | | {ratio_union:.2f}× | | | {'≥ 1.0× (the call that reads this set)' if math.isnan(ratio) else ''} | {ok(ratio_union >= 1.0) if math.isnan(ratio) else ''} |")
summary = f"ingest_vs_duckdb={'refused' if math.isnan(ratio) else f'{ratio:.2f}'} ingest_vs_duckdb_union={ratio_union:.2f} ingest_events_per_s={eps} ingest_peak_rss_mb={ingest_mb}"
if single_mb:
    # The single-run bundle's rows use its own events and NDJSON size as the basis.
    smb = single_bytes / 1048576
    single_ratio = pair("single_ingest", "single_duckdb")
    for name, label in (("single_ingest", f"(e) `sentinel ingest` of one single-run directory bundle ({single_events:,} events, {smb:,.0f} MiB events.jsonl)"),
                        ("single_duckdb", "(f) DuckDB-native plain `COPY` of the same events"),
                        ("single_duckdb_union", "(f′) the same with `union_by_name = true`")):
        s, m = med[name]
        if math.isnan(s):
            print(f"| {label} | refused the input: {refused(name).replace('|', '/')} | | | | | |")
            continue
        target = f"| peak RSS ≤ 400 MB | {ok(m <= 400)} " if name == "single_ingest" else "| | "
        print(f"| {label} | {s:.2f} | {single_events / s:,.0f} | {smb / s:,.1f} | {m} {target}|")
    if math.isnan(single_ratio):
        single_ratio = pair("single_ingest", "single_duckdb_union")
        print(f"| **single-run ingest / DuckDB (union_by_name; the plain call refused it)** | | **{single_ratio:.2f}×** | | | ≥ 1.0× | {ok(single_ratio >= 1.0)} |")
    else:
        print(f"| **single-run ingest / DuckDB-native (plain) throughput** | | **{single_ratio:.2f}×** | | | ≥ 1.0× | {ok(single_ratio >= 1.0)} |")
    single_s, single_rss = med["single_ingest"]
    summary += (f" single_run_mb={single_mb} single_events={single_events} single_ingest_s={single_s:.2f}"
                f" single_events_per_s={round(single_events / single_s)} single_peak_rss_mb={single_rss} single_vs_duckdb={single_ratio:.2f}")
if distinct:
    (xs, xk), (ys, yk) = load("distinct_ingest")[0], load("distinct_aggregate")[0]
    xm, ym = round(xk / 1024), round(yk / 1024)
    print(f"| (g) `sentinel ingest` of one upload with {distinct:,} distinct problems (codes, sources, fingerprints) | {xs:.2f} | {distinct / xs:,.0f} | | {xm} | peak RSS ≤ 400 MB | {ok(xm <= 400)} |")
    print(f"| (h) `sentinel aggregate --full` of that lake | {ys:.2f} | | | {ym} | peak RSS ≤ 400 MB | {ok(ym <= 400)} |")
    summary += (f" distinct_problems={distinct} distinct_ingest_s={xs:.2f} distinct_ingest_peak_rss_mb={xm}"
                f" distinct_aggregate_s={ys:.2f} distinct_aggregate_peak_rss_mb={ym}")
print()
print(summary)
PY

if [[ -n "$RECORD" ]]; then
    # The recorder owns only the block between its two markers: sections that people add to the
    # file above or below it survive a re-record. A new file gets a title and the block; a file
    # without the markers gets the block appended.
    {
        echo "<!-- bench.sh:begin (written by scripts/bench.sh --record; edits inside are overwritten) -->"
        echo "Recorded $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores ($(uname -m), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)), .NET $(dotnet --version), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)'); load average $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) when the run ended"
        echo
        echo "    scripts/bench.sh --events $EVENTS --bundles $BUNDLES --runs $RUNS --seed $SEED --single-run-mb $SINGLE_MB --distinct $DISTINCT"
        echo
        head -n -1 "$WORK/report.md"
        echo "<!-- bench.sh:end -->"
    } > "$WORK/block.md"
    python3 - "$RECORD" "$WORK/block.md" <<'PY'
import os, re, sys
path, block = sys.argv[1], open(sys.argv[2]).read()
begin, end = "<!-- bench.sh:begin", "<!-- bench.sh:end -->"
if not os.path.exists(path):
    text = "# Performance\n\n" + block
else:
    text = open(path).read()
    b, e = text.find(begin), text.find(end)
    if b >= 0 and e > b:
        text = text[:b] + block.rstrip("\n") + text[e + len(end):]
    elif b < 0 and e < 0:
        print(f"bench: {path} has no bench.sh markers: block appended at the end", file=sys.stderr)
        text = text.rstrip("\n") + "\n\n" + block
    else:
        sys.exit(f"bench: {path}: a bench.sh marker without its pair; fix the file by hand")
tmp = path + ".tmp"
open(tmp, "w").write(text)
os.replace(tmp, path)
PY
    echo "bench: table written to $RECORD (between its bench.sh markers)" >&2
fi
cat "$WORK/report.md"
