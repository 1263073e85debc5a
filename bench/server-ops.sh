#!/usr/bin/env bash
# The badge server as an operator runs it for the public (issue 30), with
# release binaries against the test registry, printing BENCH lines:
# - mixed load at a small --cache-mb (4): cached badges and reports, names
#   never asked before, a latest badge and long histories at once, through
#   wrk -t2 -c32 -d10s with bench/mixed.lua, request lines logged as JSON;
#   requests/s, p99, the server's peak memory and what its cache held;
# - many names with 5,000-version histories (300, 10 at a time) at
#   --cache-mb 32: the peak memory (without a byte bound on the histories
#   it grew with every name: 1.76 GB).
# Usage: REGISTRY=http://127.0.0.1:PORT OUT=dir bash bench/server-ops.sh
# (scripts/bench.sh runs it; OUT must hold trusted-root.json and keys.json).
set -euo pipefail
: "${REGISTRY:?the URL of the test registry}" "${OUT:?a directory for logs}"
BIN=${BIN:-target/release/npm-provenance}
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
serve() { # log-file flags... ; sets URL and PID
  "$BIN" serve --port 0 --registry "$REGISTRY/synthetic" \
    --trusted-root "$OUT/trusted-root.json" --keys "$OUT/keys.json" "${@:2}" >/dev/null 2>"$1" &
  PID=$!
  PIDS+=("$PID")
  for _ in $(seq 100); do
    URL=$(grep -oE 'url(=|":")http://127\.0\.0\.1:[0-9]+' "$1" | head -1 | grep -oE 'http://.*' || true)
    [ -n "$URL" ] && return
    sleep 0.1
  done
  echo "the server did not start (see $1)" >&2
  exit 1
}
peak_mb() { awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
metric() { curl -sf "$1/metrics" | awk -v name="$2" '$1 == name {printf "%.1f", $2 / 1048576}'; }

serve "$OUT/server-mixed.log" --cache-mb 4 --log-format json
curl -sf "$URL/badge/npm/trust-provenance/1.0.0.svg" >/dev/null
curl -sf "$URL/api/verify/trust-trusted-publisher/1.0.0" >/dev/null
wrk -t2 -c32 -d10s --latency -s bench/mixed.lua "$URL" >"$OUT/wrk-mixed.log" 2>&1
echo "BENCH mixed_rps $(awk '/Requests\/sec/ {print $2}' "$OUT/wrk-mixed.log")"
echo "BENCH mixed_p99 $(awk '$1 == "99%" {print $2}' "$OUT/wrk-mixed.log")"
echo "BENCH mixed_non2xx $(awk '/Non-2xx/ {print $NF}' "$OUT/wrk-mixed.log" | grep . || echo 0)"
echo "BENCH mixed_peak_mb $(peak_mb "$PID")"
echo "BENCH mixed_cache_mb $(metric "$URL" npm_provenance_cache_bytes)"
echo "BENCH mixed_log_lines $(grep -c '"event":"request"' "$OUT/server-mixed.log" || true)"
kill "$PID"

serve "$OUT/server-histories.log" --cache-mb 32
names=300
t0=$(date +%s%N)
for i in $(seq 0 $((names - 1))); do echo "$URL/badge/npm/history-$i.json"; done | xargs -P 10 -n 1 curl -s -o /dev/null
echo "BENCH histories_names $names"
echo "BENCH histories_s $(((($(date +%s%N) - t0) / 1000000 + 500) / 1000))"
echo "BENCH histories_peak_mb $(peak_mb "$PID")"
echo "BENCH histories_cache_mb $(metric "$URL" npm_provenance_cache_bytes)"
