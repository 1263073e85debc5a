#!/usr/bin/env bash
# Benchmarks, side by side on the same real bundles (tests/fixtures), in
# one run on this machine: the native core (criterion), the core as wasm in
# headless Chromium, the app's verification worker (wasm + WebCrypto),
# sigstore-js on Node; then the app (time to the verified panel, a 100-version
# history, main-thread blocking), download sizes, and the badge server under
# load (wrk), after 10,000 distinct lookups, under mixed load at a small
# --cache-mb and with many long histories (bench/server-ops.sh). Prints one
# table.
# Not part of `make test`: it takes about ten minutes.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
bash scripts/bootstrap.sh
setup_wasm_env
command -v wrk >/dev/null || { log "installing wrk"; apt-get install -y -qq wrk >/dev/null 2>&1 || sudo apt-get install -y -qq wrk >/dev/null; }
FIXTURES="${NPM_PROVENANCE_FIXTURES:-$ROOT/tests/fixtures}"
export NPM_PROVENANCE_FIXTURES="$FIXTURES"
OUT="$ROOT/test-output/bench"
mkdir -p "$OUT"
declare -A R
collect() { while read -r tag name value; do if [ "$tag" = BENCH ]; then R["$1.$name"]="$value"; fi; done; }

log "native core (criterion)"
cargo bench --locked -p npm-provenance-core --bench verify -- --warm-up-time 2 --measurement-time 5 >"$OUT/criterion.log" 2>&1
for name in provenance_bundle publish_bundle package_version; do
  R["native.$name"]=$(python3 -c "import json;print('%.3f' % (json.load(open('target/criterion/$name/new/estimates.json'))['median']['point_estimate']/1e6))")
done

log "core as wasm in headless Chromium (the app's optimisation settings)"
(cd crates/core && wasm_env env CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=300 \
  cargo test --locked --no-default-features --profile wasm-bench --target wasm32-unknown-unknown --test wasm_bench -- --nocapture) >"$OUT/wasm.log" 2>&1
collect wasm <"$OUT/wasm.log"

log "sigstore-js on Node"
lock_sum=$(sha256sum bench/package-lock.json | cut -d' ' -f1)
if [ "$(cat bench/node_modules/.bench-lock 2>/dev/null)" != "$lock_sum" ]; then
  (cd bench && npm ci --no-audit --no-fund --loglevel=error) && echo "$lock_sum" >bench/node_modules/.bench-lock
fi
node bench/sigstore-js.mjs >"$OUT/sigstore-js.log" 2>&1
collect sjs <"$OUT/sigstore-js.log"

log "building the app and the servers (release)"
bash scripts/build-app.sh >"$OUT/trunk.log" 2>&1
cargo build --release --locked -p npm-provenance -p test-registry >"$OUT/cargo.log" 2>&1
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
start() { # log-file command... ; sets URL and PID
  "${@:2}" >"$1" 2>&1 &
  PID=$!
  PIDS+=("$PID")
  for _ in $(seq 100); do
    URL=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$1" | head -1 || true)
    [ -n "$URL" ] && return
    sleep 0.1
  done
  die "$2 did not start (see $1)"
}
start "$OUT/registry.log" target/release/test-registry --port 0
REGISTRY=$URL
curl -sf "$REGISTRY/-/test/trusted-root.json" >"$OUT/trusted-root.json"
curl -sf "$REGISTRY/-/test/keys.json" >"$OUT/keys.json"
start "$OUT/server.log" target/release/npm-provenance serve --registry "$REGISTRY" --port 0 --dist dist
APP=$URL
APP_PID=$PID
start "$OUT/server-synthetic.log" target/release/npm-provenance serve --registry "$REGISTRY/synthetic" --port 0 --dist dist \
  --trusted-root "$OUT/trusted-root.json" --keys "$OUT/keys.json"
SYNTHETIC=$URL
SYNTHETIC_PID=$PID
# The synthetic packages with the trust from the registry's TUF repository
# (the testkit's, root v1 -> v3), which the app's worker refreshes itself:
# a first visit's refresh, as from Sigstore's TUF CDN.
mkdir -p "$OUT/tuf-cache"
curl -sf "$REGISTRY/-/tuf/1.root.json" >"$OUT/tuf-root-v1.json"
start "$OUT/server-tuf.log" target/release/npm-provenance serve --registry "$REGISTRY/synthetic" --port 0 --dist dist \
  --tuf-url "$REGISTRY/-/tuf" --tuf-root "$OUT/tuf-root-v1.json" --tuf-cache "$OUT/tuf-cache"
TUF_APP=$URL

log "the app's verification worker (wasm + WebCrypto) in Chromium"
APP_URL=$APP node bench/worker-bench.mjs >"$OUT/worker.log" 2>&1
collect worker <"$OUT/worker.log"

log "the app: time to the verified panel, a 100-version history"
APP_URL=$APP SYNTHETIC_APP_URL=$SYNTHETIC TUF_APP_URL=$TUF_APP node bench/app-timings.mjs >"$OUT/app.log" 2>&1
collect app <"$OUT/app.log"

log "badge server under load (wrk, loopback)"
curl -sf "$APP/badge/npm/sigstore.svg" >/dev/null && curl -sf "$APP/api/verify/sigstore/2.3.1" >/dev/null
wrk_run() { # name url
  wrk -t2 -c32 -d10s --latency "$2" >"$OUT/wrk-$1.log" 2>&1
  R["load.$1_rps"]=$(awk '/Requests\/sec/ {print $2}' "$OUT/wrk-$1.log")
  R["load.$1_p99"]=$(awk '$1 == "99%" {print $2}' "$OUT/wrk-$1.log")
}
wrk_run badge "$APP/badge/npm/sigstore.svg"
wrk_run api "$APP/api/verify/sigstore/2.3.1"
SERVER_URL=$SYNTHETIC SERVER_PID=$SYNTHETIC_PID COUNT=10000 node bench/load.mjs >"$OUT/load.log" 2>&1
collect load <"$OUT/load.log"
log "badge server as operated: mixed load at --cache-mb 4, 300 long histories at --cache-mb 32"
REGISTRY=$REGISTRY OUT=$OUT bash bench/server-ops.sh >"$OUT/ops.log" 2>&1
collect ops <"$OUT/ops.log"

log "lockfile audit: 1,000 packages (command line, the app, sigstore-js)"
curl -sf "$REGISTRY/-/test/audit-lockfile.json?n=1000" >"$OUT/audit-lock.json"
audit_cli() {
  target/release/npm-provenance audit "$OUT/audit-lock.json" --registry "$REGISTRY/synthetic" \
    --trusted-root "$OUT/trusted-root.json" --keys "$OUT/keys.json" --json --no-cache >"$OUT/audit-cli.json" 2>>"$OUT/audit-cli.log"
}
audit_cli # the registry signs each package on its first request: not measured
for _ in 1 2 3; do
  t0=$(date +%s%N)
  audit_cli
  echo $((($(date +%s%N) - t0) / 1000000))
done | sort -n | sed -n 2p >"$OUT/audit-cli-ms.txt"
R["audit.cli_ms"]=$(cat "$OUT/audit-cli-ms.txt")
python3 -c "import json,sys; s=json.load(open('$OUT/audit-cli.json'))['summary']; sys.exit(0 if s['verified']==s['total']==1000 else 'the command line did not verify all 1,000: %s' % s)"
# The pull-request gate on the same lockfile: a base without audit-950 ..
# audit-999, so 50 versions are new (each looked up with its package
# document) and 950 unchanged (not fetched).
python3 - "$OUT/audit-lock.json" "$OUT/gate-base.json" <<'PY'
import json, sys
lock = json.load(open(sys.argv[1]))
for n in range(950, 1000):
    lock["packages"].pop(f"node_modules/audit-{n}")
    lock["packages"][""]["dependencies"].pop(f"audit-{n}")
json.dump(lock, open(sys.argv[2], "w"), indent=2)
PY
gate_cli() {
  target/release/npm-provenance audit "$OUT/audit-lock.json" --base "$OUT/gate-base.json" --registry "$REGISTRY/synthetic" \
    --trusted-root "$OUT/trusted-root.json" --keys "$OUT/keys.json" --format json --no-cache >"$OUT/gate-cli.json" 2>>"$OUT/gate-cli.log"
}
for _ in 1 2 3; do
  t0=$(date +%s%N)
  gate_cli
  echo $((($(date +%s%N) - t0) / 1000000))
done | sort -n | sed -n 2p >"$OUT/gate-cli-ms.txt"
R["gate.cli_ms"]=$(cat "$OUT/gate-cli-ms.txt")
python3 -c "import json,sys; s=json.load(open('$OUT/gate-cli.json'))['summary']; sys.exit(0 if (s['checked'],s['verified'],s['unchanged'])==(50,50,950) else 'the gate did not check the 50 new versions alone: %s' % s)"
REGISTRY_URL=$REGISTRY SYNTHETIC_APP_URL=$SYNTHETIC node bench/audit-bench.mjs >"$OUT/audit.log" 2>&1
collect audit <"$OUT/audit.log"

log "badge server: 400 distinct versions of a 43 MB package, 40 at a time"
# Half exist, half do not: each costs one version document, never the whole
# package document (issue 18); peak memory and bytes from the registry.
start "$OUT/server-big.log" target/release/npm-provenance serve --registry "$REGISTRY/big" --port 0
BIG=$URL
BIG_PID=$PID
bytes_before=$(curl -sf "$REGISTRY/-/test/bytes")
for i in $(seq 0 199); do
  echo "$BIG/badge/npm/big-package/1.$((i / 100)).$((i % 100)).json"
  echo "$BIG/badge/npm/big-package/9.9.$i.json"
done | xargs -P 40 -n 1 curl -s -o /dev/null
R["big.peak_rss_mb"]=$(awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$BIG_PID/status")
R["big.registry_kb"]=$((($(curl -sf "$REGISTRY/-/test/bytes") - bytes_before) / 1024))
: "$APP_PID"

size() { stat -c %s "$1"; }
gz() { gzip -9c "$1" | wc -c; }
main_wasm=$(ls dist/npm-provenance-app-*_bg.wasm)
main_js=$(ls dist/npm-provenance-app-*.js)
total_raw=0
total_gz=0
total_br=0
for f in "$main_wasm" "$main_js" dist/worker_bg.wasm dist/worker.js dist/boot.js dist/worker-loader.js \
  dist/lockfile-worker_bg.wasm dist/lockfile-worker.js dist/lockfile-worker-loader.js; do
  total_raw=$((total_raw + $(size "$f")))
  total_gz=$((total_gz + $(gz "$f")))
  total_br=$((total_br + $(size "$f.br" 2>/dev/null || gz "$f")))
done

ratio() { python3 -c "a,b=float('$1'),float('$2');print('%.2f' % (a/b))" 2>/dev/null || echo "?"; }
summary() {
echo
echo "Verification, medians (ms)      native   wasm core   app worker   sigstore-js   wasm/native   sigstore-js/wasm   sigstore-js/worker   worker fresh"
for name in provenance_bundle publish_bundle package_version; do
  n=${R[native.$name]}; w=${R[wasm.$name]:-?}; k=${R[worker.$name]:-?}; s=${R[sjs.$name]:-?}
  printf '  %-28s %8s %11s %12s %13s %13s %18s %20s %14s\n' "$name" "$n" "$w" "$k" "$s" "$(ratio "$w" "$n")" "$(ratio "$s" "$w")" "$(ratio "$s" "$k")" "${R[worker.${name}_fresh]:-?}"
done
echo
echo "The app (Chromium, local registry)"
printf '  %-52s %s ms (first of 10: %s ms)\n' "navigation to the verified panel, median of 10 loads" "${R[app.panel_ms_median]:-?}" "${R[app.panel_ms_first]:-?}"
printf '  %-52s %s ms\n' "the same, 100 ms round trips and 10 Mbit/s, median of 5" "${R[app.panel_slow_network_ms_median]:-?}"
printf '  %-52s %s ms\n' "the same with the server's TUF repository, cold" "${R[app.panel_tuf_slow_network_ms_median]:-?}"
printf '  %-52s %s ms\n' "100-version history, all verified" "${R[app.history100_ms]:-?}"
printf '  %-52s %s ms (0 = none over 50 ms)\n' "longest main-thread task meanwhile" "${R[app.longest_task_ms]:-?}"
printf '  %-52s %s ms (1200x9000 window: all 100 rows drawn at once)\n' "longest gap between frames meanwhile" "${R[app.longest_frame_gap_ms]:-?}"
printf '  %-52s %s ms (all 100 verified after %s ms)\n' "scrolling 1200x900 down the history: longest frame gap" "${R[app.scroll_frame_gap_ms]:-?}" "${R[app.scroll_history_ms]:-?}"
echo
echo "Lockfile audit, 1,000 packages with provenance (local registry), median of 3"
printf '  %-52s %s ms\n' "command line (fetch + verify, no cache)" "${R[audit.cli_ms]:-?}"
printf '  %-52s %s ms\n' "the gate: 50 new versions against a base (--base)" "${R[gate.cli_ms]:-?}"
printf '  %-52s %s ms (longest main-thread task %s ms, page heap %s MB)\n' "the app in Chromium (fetch + verify, empty cache)" "${R[audit.app_ms]:-?}" "${R[audit.app_longest_task_ms]:-?}" "${R[audit.app_heap_mb]:-?}"
printf '  %-52s %s ms\n' "the app again, documents from the browser's cache" "${R[audit.app_cached_ms]:-?}"
printf '  %-52s %s ms (Chromium CPU %s ms; during the audit %s ms)\n' "the same 2,000 documents, fetch() alone" "${R[audit.fetch_floor_ms]:-?}" "${R[audit.fetch_floor_cpu_ms]:-?}" "${R[audit.app_cpu_ms]:-?}"
printf '  %-52s %s ms\n' "sigstore-js on Node (verification only)" "${R[audit.sigstore_js_ms]:-?}"
echo
echo "Download (release build)                          raw bytes    gzip -9"
printf '  %-46s %10s %10s\n' "page wasm" "$(size "$main_wasm")" "$(gz "$main_wasm")"
printf '  %-46s %10s %10s\n' "page JS (wasm-bindgen glue)" "$(size "$main_js")" "$(gz "$main_js")"
printf '  %-46s %10s %10s\n' "worker wasm" "$(size dist/worker_bg.wasm)" "$(gz dist/worker_bg.wasm)"
printf '  %-46s %10s %10s\n' "worker JS" "$(size dist/worker.js)" "$(gz dist/worker.js)"
printf '  %-46s %10s %10s\n' "lockfile reader wasm (the audit page's)" "$(size dist/lockfile-worker_bg.wasm)" "$(gz dist/lockfile-worker_bg.wasm)"
printf '  %-46s %10s %10s\n' "whole app (wasm + JS)" "$total_raw" "$total_gz"
printf '  %-46s %21s\n' "whole app as served to brotli clients" "$total_br"
printf '  %-46s %21s\n' "home page on the wire, Chromium (no wasm)" "${R[app.home_page_bytes]:-?}"
printf '  %-46s %21s\n' "first package page on the wire, Chromium" "${R[app.package_page_bytes]:-?}"
echo
echo "Badge server (2 cores, wrk -t2 -c32 -d10s on loopback)"
printf '  %-46s %10s req/s, p99 %s\n' "cached badge /badge/npm/sigstore.svg" "${R[load.badge_rps]:-?}" "${R[load.badge_p99]:-?}"
printf '  %-46s %10s req/s, p99 %s\n' "cached report /api/verify/sigstore/2.3.1" "${R[load.api_rps]:-?}" "${R[load.api_p99]:-?}"
printf '  %-46s %10s lookups/s (%s failed)\n' "10,000 distinct lookups (uncached)" "${R[load.distinct_lookups_per_s]:-?}" "${R[load.distinct_lookups_failed]:-?}"
printf '  %-46s %s kB -> %s kB\n' "server resident memory before -> after" "${R[load.rss_before_kb]:-?}" "${R[load.rss_after_kb]:-?}"
printf '  %-46s peak %s MB, %s kB from the registry\n' "400 distinct versions of a 43 MB package" "${R[big.peak_rss_mb]:-?}" "${R[big.registry_kb]:-?}"
printf '  %-46s %10s req/s, p99 %s, peak %s MB (cache %s MB)\n' "mixed load, --cache-mb 4, JSON request logs" "${R[ops.mixed_rps]:-?}" "${R[ops.mixed_p99]:-?}" "${R[ops.mixed_peak_mb]:-?}" "${R[ops.mixed_cache_mb]:-?}"
printf '  %-46s peak %s MB (cache %s MB), %s s\n' "300 names of 5,000 versions, --cache-mb 32" "${R[ops.histories_peak_mb]:-?}" "${R[ops.histories_cache_mb]:-?}" "${R[ops.histories_s]:-?}"
echo
}
# The same figures as Markdown, with when and where they were measured: the
# README's performance section is this file (bench/results.md), replaced
# between its markers, so every figure there comes from one run.
summary_md() {
cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
echo "Measured by \`make bench\` on $(date -u +%Y-%m-%d): $(nproc) cores ($cpu), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $(rustc --version | cut -d' ' -f1-2), $(chromium --version 2>/dev/null | head -1), Node $(node --version), sigstore-js $(node -p "require('./bench/node_modules/@sigstore/verify/package.json').version" 2>/dev/null | sed 's/^/(@sigstore\/verify) /')."
echo
echo "| median time to verify (ms) | native | core as wasm (Chromium) | the app's worker, warm | the app's worker, fresh | sigstore-js (Node) |"
echo "|---|---|---|---|---|---|"
for name in provenance_bundle publish_bundle package_version; do
  label=${name//_/ }
  printf '| %s | %s | %s | %s | %s | %s |\n' "$label" "${R[native.$name]}" "${R[wasm.$name]:-?}" "${R[worker.$name]:-?}" "${R[worker.${name}_fresh]:-?}" "${R[sjs.$name]:-?}"
done
echo
echo "Every column but \"fresh\" is measured after 2 s of warm-up on all cases. \"Fresh\" is a new worker per sample: no key imported before, an engine that has not optimised the code, as for the first package a page verifies."
echo "Ratios: wasm/native $(ratio "${R[wasm.package_version]:-0}" "${R[native.package_version]}") for a package version; sigstore-js/worker $(ratio "${R[sjs.provenance_bundle]:-0}" "${R[worker.provenance_bundle]:-1}") for a provenance bundle, $(ratio "${R[sjs.package_version]:-0}" "${R[worker.package_version]:-1}") for a package version."
echo
echo "| the app (Chromium, local registry) | |"
echo "|---|---|"
echo "| navigation to the verified panel, median of 10 loads | ${R[app.panel_ms_median]:-?} ms (first: ${R[app.panel_ms_first]:-?} ms) |"
echo "| the same over an emulated network (Chromium: 100 ms added round-trip time, 10 Mbit/s), median of 5 | ${R[app.panel_slow_network_ms_median]:-?} ms |"
echo "| the same, a server that names a TUF repository (the registry's, root v1 to v3) which the browser refreshes from an empty cache, median of 5 | ${R[app.panel_tuf_slow_network_ms_median]:-?} ms |"
echo "| 100-version history, all verified | ${R[app.history100_ms]:-?} ms |"
echo "| longest main-thread task meanwhile | ${R[app.longest_task_ms]:-?} ms (0 = none over 50 ms) |"
echo "| scrolling 1200x900 down the history: longest frame gap | ${R[app.scroll_frame_gap_ms]:-?} ms |"
echo
echo "| lockfile audit, 1,000 packages with provenance (local registry), median of 3 | ms |"
echo "|---|---|"
echo "| command line: fetch and verify, no cache | ${R[audit.cli_ms]:-?} |"
echo "| the pull-request gate on the same lockfile: 50 new versions against a base (\`--base\`), each with its package document; 950 unchanged, not fetched | ${R[gate.cli_ms]:-?} |"
echo "| the app in Chromium: fetch and verify, empty cache | ${R[audit.app_ms]:-?} (longest main-thread task ${R[audit.app_longest_task_ms]:-?} ms, page heap ${R[audit.app_heap_mb]:-?} MB) |"
echo "| the app again in the same page: documents from the browser's cache, verified again | ${R[audit.app_cached_ms]:-?} |"
echo "| Chromium's CPU (all its processes) during the app's audit, empty cache | ${R[audit.app_cpu_ms]:-?} |"
echo "| the floor: the same 2,000 documents fetched by the page with fetch() alone, 12 at a time, nothing verified or kept | ${R[audit.fetch_floor_ms]:-?} (Chromium's CPU ${R[audit.fetch_floor_cpu_ms]:-?} ms) |"
echo "| sigstore-js on Node: verification alone, the same 2,000 bundles | ${R[audit.sigstore_js_ms]:-?} |"
echo
echo "| download (release build) | raw bytes | gzip -9 | brotli (as served) |"
echo "|---|---|---|---|"
for pair in "page wasm:$main_wasm" "page JS:$main_js" "worker wasm:dist/worker_bg.wasm" "worker JS:dist/worker.js" \
  "lockfile reader wasm (the audit page's):dist/lockfile-worker_bg.wasm" "lockfile reader JS:dist/lockfile-worker.js"; do
  f=${pair#*:}
  echo "| ${pair%%:*} | $(size "$f") | $(gz "$f") | $(size "$f.br" 2>/dev/null || echo -) |"
done
echo "| whole app (wasm + JS) | $total_raw | $total_gz | $total_br |"
echo "| home page on the wire, Chromium (no wasm: the app loads on first use) | | | ${R[app.home_page_bytes]:-?} |"
echo "| first visit of a package page on the wire, Chromium (the app's files, page and verifier) | | | ${R[app.package_page_bytes]:-?} |"
echo
echo "| badge server (wrk -t2 -c32 -d10s, loopback) | |"
echo "|---|---|"
echo "| cached badge | ${R[load.badge_rps]:-?} req/s, p99 ${R[load.badge_p99]:-?} |"
echo "| cached report (/api/verify) | ${R[load.api_rps]:-?} req/s, p99 ${R[load.api_p99]:-?} |"
echo "| 10,000 distinct lookups, uncached | ${R[load.distinct_lookups_per_s]:-?} lookups/s (${R[load.distinct_lookups_failed]:-?} failed) |"
echo "| server memory before -> after | ${R[load.rss_before_kb]:-?} kB -> ${R[load.rss_after_kb]:-?} kB |"
echo "| 400 distinct versions of a 43 MB package, 40 at a time | peak ${R[big.peak_rss_mb]:-?} MB, ${R[big.registry_kb]:-?} kB from the registry |"
echo "| mixed load at \`--cache-mb 4\` (of 20 requests: 12 cached badges, 4 cached reports, 2 new names, 1 latest badge, 1 of 200 long histories), JSON request logs | ${R[ops.mixed_rps]:-?} req/s, p99 ${R[ops.mixed_p99]:-?}, peak ${R[ops.mixed_peak_mb]:-?} MB (cache ${R[ops.mixed_cache_mb]:-?} MB) |"
echo "| 300 names with 5,000-version histories, 10 at a time, \`--cache-mb 32\` | peak ${R[ops.histories_peak_mb]:-?} MB (cache ${R[ops.histories_cache_mb]:-?} MB) |"
}
summary | tee "$OUT/summary.txt"
summary_md >bench/results.md
python3 scripts/readme-figures.py --write
echo "Logs: $OUT/   README figures: bench/results.md"
