#!/usr/bin/env bash
# The gRPC ceiling of this machine: crm-loadgen against crm-echo-server (the
# services' bootstrap with no business logic and no database) with a 64-byte
# payload at a few concurrency levels. No CRM service can beat these numbers
# on the same machine.
#
#   bench/run_echo_ceiling.sh [build dir, default /work/main/build]
#
# Environment: DURATION (10s), WARMUP (1s), LEVELS ("1 16 64"), CONNECTIONS (1),
# THREADS (2). Every run's JSON line is also kept in
# <build>/bench/echo_ceiling.jsonl. Exits non-zero if the server does not come
# up, a run fails, or the server does not stop cleanly on SIGTERM.
set -euo pipefail

BUILD=${1:-/work/main/build}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-1s}
LEVELS=${LEVELS:-1 16 64}
CONNECTIONS=${CONNECTIONS:-1}
THREADS=${THREADS:-2}
SERVER=$BUILD/bench/crm-echo-server
LOADGEN=$BUILD/bench/crm-loadgen
HEALTH=$BUILD/tools/crm-health
for bin in "$SERVER" "$LOADGEN" "$HEALTH"; do
  [ -x "$bin" ] || { echo "missing $bin; build: ninja -C $BUILD crm-echo-server crm-loadgen crm-health" >&2; exit 2; }
done

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORT=50060
while port_busy "$PORT"; do
  PORT=$((PORT + 1))
  [ "$PORT" -lt 50160 ] || { echo "no free port in 50060-50159" >&2; exit 2; }
done
TARGET=127.0.0.1:$PORT

LOG=$(mktemp -t crm-echo-server.XXXXXX.log)
"$SERVER" --listen="$TARGET" --metrics_listen=off 2>"$LOG" &
SERVER_PID=$!
cleanup() {
  if kill -0 "$SERVER_PID" 2>/dev/null; then kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true; fi
}
trap cleanup EXIT

if ! "$HEALTH" --target="$TARGET" --wait=10s >/dev/null; then
  echo "crm-echo-server did not become SERVING on $TARGET; its log:" >&2
  cat "$LOG" >&2
  exit 1
fi

PAYLOAD=$(printf '%064d' 0 | base64 -w0)  # 64 bytes
RESULTS=$BUILD/bench/echo_ceiling.jsonl
: >"$RESULTS"
echo "echo ceiling on $TARGET: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for c in $LEVELS; do
  "$LOADGEN" --target="$TARGET" --method=crm.bench.v1.EchoService/Echo \
    --request="{\"payload\":\"$PAYLOAD\"}" --concurrency="$c" --connections="$CONNECTIONS" \
    --threads="$THREADS" --duration="$DURATION" --warmup="$WARMUP" --label="echo-c$c" \
    --json_out="$LOG.json"
  cat "$LOG.json" >>"$RESULTS"
done
rm -f "$LOG.json"

field() { sed -E "s/.*\"$1\":([0-9.]+).*/\1/" <<<"$2"; }
echo
printf '%-12s %12s %10s %10s %10s\n' concurrency calls/s p50_ms p99_ms errors
while read -r line; do
  printf '%-12s %12s %10s %10s %10s\n' "$(field concurrency "$line")" "$(field rps "$line")" \
    "$(field p50 "$line")" "$(field p99 "$line")" "$(field error_count "$line")"
done <"$RESULTS"

kill -TERM "$SERVER_PID"
status=0
wait "$SERVER_PID" || status=$?
trap - EXIT
if [ "$status" -ne 0 ]; then
  echo "crm-echo-server exited $status after SIGTERM; its log:" >&2
  cat "$LOG" >&2
  exit 1
fi
echo "crm-echo-server stopped cleanly (exit 0); results in $RESULTS"
rm -f "$LOG"
