#!/usr/bin/env bash
# Ingestion API load benchmark: sustained ~1 MB bundle uploads to a real `sentinel serve` over loopback.
# Starts `sentinel serve` on a free 127.0.0.1 port with a temporary inbox and generous quota and rate
# limits, checks /v1/health, runs `sentinel-bench serve-load` (C concurrent clients, each sending real
# single-file bundles of about S MB with distinct bytes, a warm-up then D measured seconds), samples the
# server's resident memory every 0.5 s, and prints requests/s, MB/s, p50/p99 latency, errors, the
# server's RSS before the load, its peak in the first and second half of the measured phase and at the
# end, against the targets (>= 200 uploads/s, p99 <= 100 ms, flat memory). Ends with one line:
#   serve_uploads_per_s=<n> serve_p99_ms=<n> serve_errors=<n> serve_rss_start_mb=<n> serve_rss_end_mb=<n>
# See docs/benchmarks.md.
#
#   scripts/bench-serve.sh [--size-mb S] [--concurrency C] [--seconds D] [--warmup-seconds W]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SIZE_MB=1
CONCURRENCY=8
SECONDS_RUN=20
WARMUP=3
usage() { echo "usage: scripts/bench-serve.sh [--size-mb S] [--concurrency C] [--seconds D] [--warmup-seconds W]" >&2; exit 1; }
while [[ $# -gt 0 ]]; do
    case "$1" in
        --size-mb) SIZE_MB="${2:-}"; shift 2 || usage ;;
        --concurrency) CONCURRENCY="${2:-}"; shift 2 || usage ;;
        --seconds) SECONDS_RUN="${2:-}"; shift 2 || usage ;;
        --warmup-seconds) WARMUP="${2:-}"; shift 2 || usage ;;
        -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) usage ;;
    esac
done
[[ "$CONCURRENCY" =~ ^[1-9][0-9]*$ ]] || { echo "bench-serve: --concurrency must be a positive integer" >&2; exit 1; }
for v in SIZE_MB SECONDS_RUN WARMUP; do
    [[ "${!v}" =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "bench-serve: ${v,,} must be a positive number, got '${!v}'" >&2; exit 1; }
done

CORPUS="${SENTINEL_CORPUS:-$ROOT/tests/corpus}"
[[ -f "$CORPUS/expected.json" ]] || { echo "bench-serve: corpus not found at $CORPUS (set SENTINEL_CORPUS)" >&2; exit 1; }
CORPUS="$(cd "$CORPUS" && pwd)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/sentinel-bench-serve.XXXXXX")"
SERVER_PID=""
SAMPLER_PID=""
cleanup() {
    [[ -z "$SAMPLER_PID" ]] || kill "$SAMPLER_PID" 2>/dev/null || true
    if [[ -n "$SERVER_PID" ]]; then
        # SIGTERM: a background job of a non-interactive shell ignores SIGINT (Ctrl-C).
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"

echo "bench-serve: building Release" >&2
for project in src/Sentinel.Cli tests/Sentinel.Bench; do
    dotnet build -c Release "$ROOT/$project" -v q -nologo >"$WORK/build.log" 2>&1 \
        || { cat "$WORK/build.log" >&2; echo "bench-serve: build of $project failed" >&2; exit 3; }
done
DLL="$ROOT/src/Sentinel.Cli/bin/Release/net10.0/sentinel.dll"
BENCH="$ROOT/tests/Sentinel.Bench/bin/Release/net10.0/sentinel-bench.dll"

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
URL="http://127.0.0.1:$PORT"
# Generous limits: every upload of the run fits the quota and no client is rate limited.
QUOTA_MB="$(python3 -c "import math; print(max(4096, math.ceil($SIZE_MB * 1000 * ($SECONDS_RUN + $WARMUP) * 2)))")"
MAX_MB="$(python3 -c "import math; print(max(1, math.ceil($SIZE_MB * 2)))")"
dotnet "$DLL" serve --inbox "$WORK/inbox" --urls "$URL" --max-upload-mb "$MAX_MB" --quota-mb "$QUOTA_MB" \
    --rate-limit 100000000 2>"$WORK/serve.err" &
SERVER_PID=$!
for _ in $(seq 1 100); do
    curl -fsS "$URL/v1/health" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/serve.err" >&2; echo "bench-serve: sentinel serve exited" >&2; exit 3; }
    sleep 0.1
done
curl -fsS "$URL/v1/health" >/dev/null || { cat "$WORK/serve.err" >&2; echo "bench-serve: /v1/health never answered" >&2; exit 3; }

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$SERVER_PID/status"; }
RSS_START="$(rss_kb)"
( while kill -0 "$SERVER_PID" 2>/dev/null; do echo "$(date +%s.%N) $(rss_kb)"; sleep 0.5; done ) > "$WORK/rss" 2>/dev/null &
SAMPLER_PID=$!

echo "bench-serve: sentinel serve on $URL (inbox on $(df -T "$WORK" | awk 'NR==2 {print $2}')), RSS $((RSS_START / 1024)) MB idle; $CONCURRENCY clients, ${SIZE_MB} MB bundles, ${WARMUP} s warm-up + ${SECONDS_RUN} s" >&2
LOAD_START="$(date +%s.%N)"
CPU_START="$(cpu_ticks)"
/usr/bin/time -f "%U %S" -o "$WORK/client.cpu" dotnet "$BENCH" serve-load --url "$URL" --corpus "$CORPUS" --size-mb "$SIZE_MB" --concurrency "$CONCURRENCY" \
    --seconds "$SECONDS_RUN" --warmup-seconds "$WARMUP" 2>"$WORK/load.err" \
    || { cat "$WORK/load.err" >&2; echo "bench-serve: serve-load failed" >&2; exit 3; }
RSS_END="$(rss_kb)"
HWM="$(hwm_kb)"
CPU_END="$(cpu_ticks)"
SERVER_CPU_S="$(python3 -c "print(($CPU_END - $CPU_START) / $(getconf CLK_TCK))")"
CLIENT_CPU_S="$(awk '{print $1 + $2}' "$WORK/client.cpu")"
kill "$SAMPLER_PID" 2>/dev/null || true
SAMPLER_PID=""
LINE="$(grep '^serve-load:' "$WORK/load.err" | tail -n 1)"
echo "bench-serve: $LINE" >&2
STORED="$(find "$WORK/inbox" -maxdepth 1 -type f -name '*.json' | wc -l)"
LEFT="$(find "$WORK/inbox/.tmp" -type f | wc -l)"

python3 - "$LINE" "$WORK/rss" "$LOAD_START" "$WARMUP" "$SECONDS_RUN" "$RSS_START" "$RSS_END" "$HWM" "$STORED" "$LEFT" "$CONCURRENCY" "$SIZE_MB" "$(nproc)" "$SERVER_CPU_S" "$CLIENT_CPU_S" "$(cut -d' ' -f1 /proc/loadavg)" <<'PY'
import sys
line, rss_file, load_start, warmup, seconds, rss_start, rss_end, hwm, stored, left, conc, size_mb, cores, server_cpu, client_cpu, loadavg = sys.argv[1:17]
f = dict(kv.split("=", 1) for kv in line.split()[1:])
load_start, warmup, seconds = float(load_start), float(warmup), float(seconds)
samples = [tuple(map(float, l.split())) for l in open(rss_file) if len(l.split()) == 2]
measured_from = load_start + warmup
mid = measured_from + seconds / 2
first = [kb for t, kb in samples if measured_from <= t < mid]
second = [kb for t, kb in samples if t >= mid]
mb = lambda kb: round(float(kb) / 1024)
peak1, peak2 = (mb(max(first)) if first else 0), (mb(max(second)) if second else 0)
rps, p50, p99 = float(f["requests_per_s"]), float(f["p50_ms"]), float(f["p99_ms"])
ok = lambda good: "ok" if good else "MISSED"
flat = peak2 <= peak1 * 1.10 + 16
print(f"{conc} concurrent clients on loopback, single-file JSON bundles of {int(f['body_bytes']):,} bytes (distinct bytes each), "
      f"{warmup:g} s warm-up then {seconds:g} s measured, on {cores} cores (client and server share them). "
      f"{int(stored):,} uploads stored in the inbox, {int(left)} temp files left. Load average at the end: {loadavg}.")
print()
print("| measure | value | target | |")
print("|---|---|---|---|")
print(f"| uploads/s (202) | {rps:,.1f} | ≥ 200 | {ok(rps >= 200 and int(f['errors']) == 0)} |")
print(f"| MB/s | {float(f['mb_per_s']):,.1f} | | |")
print(f"| latency p50 / p90 / p99 / max, ms | {p50:.1f} / {float(f['p90_ms']):.1f} / {p99:.1f} / {float(f['max_ms']):.1f} | p99 ≤ 100 | {ok(p99 <= 100)} |")
uploads = int(f["requests"]) + int(f["warmup_requests"])
print(f"| server CPU per upload, ms (user + sys, warm-up included) | {float(server_cpu) * 1000 / uploads:.2f} | | |")
print(f"| load generator CPU per upload, ms | {float(client_cpu) * 1000 / uploads:.2f} | | |")
print(f"| errors (not 202) | {f['errors']} ({f['statuses']}) | 0 | {ok(int(f['errors']) == 0)} |")
print(f"| server RSS idle → peak 1st half → peak 2nd half → end, MB | {mb(rss_start)} → {peak1} → {peak2} → {mb(rss_end)} (VmHWM {mb(hwm)}) | flat | {ok(flat)} |")
print()
print(f"serve_uploads_per_s={rps:.1f} serve_p99_ms={p99:.1f} serve_errors={f['errors']} serve_rss_start_mb={mb(rss_start)} serve_rss_end_mb={mb(rss_end)}")
PY
