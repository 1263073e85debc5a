#!/usr/bin/env bash
# Builds and runs the app: the native server hosts the release build and the
# badges at http://127.0.0.1:8080, verifying against npm's registry.
# Arguments go to `npm-provenance serve` (e.g. --registry URL, --port N).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
bash scripts/bootstrap.sh
log "building the app (release)"
bash scripts/build-app.sh
log "building the server"
cargo build --release --locked -p npm-provenance
exec target/release/npm-provenance serve --dist "$ROOT/dist" "$@"
