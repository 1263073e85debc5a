#!/usr/bin/env bash
# Runs every test: formatting, lints (host and wasm32), native tests of all
# crates, wasm tests in headless Chromium, the app's release build, and the
# end-to-end tests. Fails if anything fails; ends with one summary line.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

bash scripts/bootstrap.sh || die "bootstrap failed"
setup_wasm_env

LOGS="$ROOT/test-output/logs"
mkdir -p "$LOGS"
PASSED=0
FAILED=0
FAILED_STEPS=()
START=$(now)

# Adds the counts a test runner printed to the totals; a step with no
# counts (a lint, a build) counts as one.
count_results() { # log status
  local log="$1" status="$2" p f
  p=$( { grep -hoE '(test result: [a-z]+\. )?[0-9]+ passed' "$log" | grep -oE '[0-9]+ passed' | awk '{s+=$1} END {print s+0}'; } )
  f=$( { grep -hoE '[0-9]+ failed' "$log" | awk '{s+=$1} END {print s+0}'; } )
  # node --test
  local np nf
  np=$(grep -hoE '^# pass [0-9]+' "$log" | awk '{s+=$3} END {print s+0}')
  nf=$(grep -hoE '^# fail [0-9]+' "$log" | awk '{s+=$3} END {print s+0}')
  p=$((p + np))
  f=$((f + nf))
  if [ "$p" = 0 ] && [ "$f" = 0 ]; then
    if [ "$status" = 0 ]; then p=1; else f=1; fi
  elif [ "$status" != 0 ] && [ "$f" = 0 ]; then
    f=1
  fi
  PASSED=$((PASSED + p))
  FAILED=$((FAILED + f))
}

step() { # name command...
  local name="$1" t log status
  shift
  t=$(now)
  log="$LOGS/$(echo "$name" | tr ' /' '__').log"
  log "$name"
  "$@" >"$log" 2>&1
  status=$?
  count_results "$log" "$status"
  if [ "$status" = 0 ]; then
    printf '  ok    %-44s %s\n' "$name" "$(elapsed "$t")"
  else
    printf '  FAIL  %-44s %s (log: %s)\n' "$name" "$(elapsed "$t")" "$log"
    tail -n 40 "$log" | sed 's/^/        /'
    FAILED_STEPS+=("$name")
  fi
}

# In CI the shared fixtures must be there: tests that need them fail otherwise.
export CI="${CI:-}"

step "cargo fmt --check" cargo fmt --all --check
step "clippy (host)" cargo clippy --workspace --all-targets --locked -- -D warnings
step "clippy (wasm32)" wasm_env cargo clippy --locked --target wasm32-unknown-unknown \
  -p npm-provenance-core -p npm-provenance-app --lib --bins -- -D warnings
step "native tests (all crates)" cargo test --workspace --locked
# The web app builds the core without RFC 3161 support (see crates/core/Cargo.toml).
step "native tests (core as the app builds it)" cargo test --locked -p npm-provenance-core \
  --no-default-features --test own_sigstore
step "wasm tests (headless Chromium)" wasm_env env CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=120 \
  bash -c 'cd crates/core && cargo test --locked --no-default-features --target wasm32-unknown-unknown --test wasm'
step "release build (trunk build --release)" bash scripts/build-app.sh
step "binaries for end-to-end tests" cargo build --locked -p npm-provenance -p test-registry
step "end-to-end tests (Chromium)" env E2E_OUTPUT_DIR="$ROOT/test-output/e2e" \
  node --test --test-concurrency=1 tests/e2e/

echo
echo "Screenshots: $ROOT/test-output/e2e/   Logs: $LOGS/"
[ ${#FAILED_STEPS[@]} -eq 0 ] || echo "Failed steps: ${FAILED_STEPS[*]}"
echo "$PASSED passed, $FAILED failed ($(elapsed "$START"))"
[ "$FAILED" = 0 ] && [ ${#FAILED_STEPS[@]} -eq 0 ]
