#!/usr/bin/env bash
# Builds the web app's release (dist/) with whichever wasm32 toolchain is here.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
setup_wasm_env
cd "$ROOT"
# trunk must not try to download wasm-bindgen/wasm-opt: ours are on PATH.
wasm_env env TRUNK_SKIP_VERSION_CHECK=true trunk build --release "$@"
# Brotli forms of the build's files, which the server prefers to gzip.
node "$ROOT/scripts/precompress.mjs" "$ROOT/dist"
