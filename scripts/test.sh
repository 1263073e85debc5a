#!/usr/bin/env bash
# Runs every test: formatting, lints (host with the fuzz targets, and
# wasm32), native tests of all crates, wasm tests in headless
# Chromium, the app's release build, the end-to-end tests, and Sigstore's
# conformance suite. Ends with one summary line, "N passed, N failed, N
# skipped; steps: ...", and fails if anything failed.
#
# Tests are counted from their runners' own result lines only (cargo's and
# wasm-bindgen's "test result:", node's TAP totals, pytest's JSON report):
# lints and builds are steps, not tests; ignored or skipped tests are counted
# as skipped; a test step whose runner reported nothing (it did not build, or
# crashed) is a failed step with no tests counted.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

bash scripts/bootstrap.sh || die "bootstrap failed"
setup_wasm_env

LOGS="$ROOT/test-output/logs"
rm -rf "$LOGS"
mkdir -p "$LOGS"
PASSED=0
FAILED=0
SKIPPED=0
STEPS_OK=0
STEPS_FAILED=()
STEPS_SKIPPED=()
START=$(now)

log_of() { echo "$LOGS/$(echo "$1" | tr ' /()' '____').log"; }

report_step() { # name status elapsed-since log counts-text
  local name="$1" status="$2" t="$3" log="$4" counts="$5"
  if [ "$status" = 0 ]; then
    STEPS_OK=$((STEPS_OK + 1))
    printf '  ok    %-46s %8s  %s\n' "$name" "$(elapsed "$t")" "$counts"
  else
    STEPS_FAILED+=("$name")
    printf '  FAIL  %-46s %8s  %s (log: %s)\n' "$name" "$(elapsed "$t")" "$counts" "$log"
    # A CI log is all a reader may get: the failed tests and their panics
    # first (the tail of a cargo run is its doc-tests), then the tail.
    grep -aE -A6 '^test .* FAILED$|panicked at|^not ok ' "$log" | head -n 60 | sed 's/^/        /'
    tail -n 20 "$log" | sed 's/^/        /'
  fi
}

# A lint or build: a step, no tests.
check() { # name command...
  local name="$1" t log status
  shift
  t=$(now)
  log=$(log_of "$name")
  log "$name"
  "$@" >"$log" 2>&1
  status=$?
  report_step "$name" "$status" "$t" "$log" ""
}

# Counts of the runner's result lines: "passed failed skipped".
count_cargo() { # log (cargo test and wasm-bindgen-test-runner)
  grep -aE '^test result: (ok|FAILED)\. [0-9]+ passed; [0-9]+ failed; [0-9]+ ignored;' "$1" |
    awk '{p+=$4; f+=$6; s+=$8} END {print p+0, f+0, s+0}'
}
count_tap() { # log (node --test --test-reporter=tap)
  awk '/^# pass [0-9]+$/ {p+=$3} /^# fail [0-9]+$/ {f+=$3} /^# skipped [0-9]+$/ {s+=$3} /^# todo [0-9]+$/ {s+=$3}
       END {print p+0, f+0, s+0}' "$1"
}
count_pytest() { # json report
  [ -f "$1" ] || { echo "0 0 0"; return; }
  python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print(s.get("passed",0), s.get("failed",0)+s.get("error",0), s.get("skipped",0)+s.get("xfailed",0))' "$1"
}

# A test step: its runner's counts go into the totals.
tests() { # name counter command...
  local name="$1" counter="$2" t log status p f s
  shift 2
  t=$(now)
  log=$(log_of "$name")
  log "$name"
  "$@" >"$log" 2>&1
  status=$?
  read -r p f s < <("$counter" "${COUNT_SOURCE:-$log}")
  PASSED=$((PASSED + p))
  FAILED=$((FAILED + f))
  SKIPPED=$((SKIPPED + s))
  if [ "$status" = 0 ] && [ "$f" = 0 ] && [ $((p + s)) = 0 ]; then
    # A test step that ran nothing is not a success.
    echo "no tests ran" >>"$log"
    status=1
  fi
  report_step "$name" "$status" "$t" "$log" "$p passed, $f failed, $s skipped"
}

# A step that needs what is not here: reported, never counted as passed.
skipped() { # name why
  STEPS_SKIPPED+=("$1")
  printf '  skip  %-46s %8s  %s\n' "$1" "" "$2"
}

# A clean clone's builds take about 6 GiB (debug, wasm and release); a disk
# that fills mid-build fails with a linker's bus error or "No space left on
# device" several steps later, so say it first.
free_kib=$(df -Pk "$ROOT" | awk 'NR == 2 { print $4 }')
if [ -n "$free_kib" ] && [ "$free_kib" -lt $((8 * 1024 * 1024)) ]; then
  printf '  warn  only %s MiB free where the build writes (%s); the builds need about 6 GiB\n' "$((free_kib / 1024))" "$ROOT"
fi

check "README figures are bench/results.md" python3 scripts/readme-figures.py --check
check "cargo fmt --check" cargo fmt --all --check
# The pull-request gate's scripts run on runners this machine is not
# (macOS's bash 3.2, Git Bash on Windows): shellcheck catches what the tests here cannot.
check "shellcheck (scripts/action)" shellcheck scripts/action/install.sh scripts/action/run.sh
# The release workflow is cargo-dist's output for dist-workspace.toml; a
# hand edit or a changed config without `dist generate` shows here.
DIST="$(command -v dist || echo "$TOOLS/dist/bin/dist")"
if [ -x "$DIST" ]; then
  check "release workflow is dist's (dist generate --check)" "$DIST" generate --check
else
  skipped "release workflow is dist's (dist generate --check)" \
    "no cargo-dist: cargo install --locked cargo-dist@0.34.0 --root .tools/dist"
fi
# The fuzz crate is a workspace member: this step also type-checks every
# fuzz target (libFuzzer left unlinked; make fuzz links it on nightly), so a
# change to a core type that breaks a target fails here, by name.
check "clippy (host; fuzz targets included)" cargo clippy --workspace --all-targets --locked -- -D warnings
check "clippy (wasm32)" wasm_env cargo clippy --locked --target wasm32-unknown-unknown \
  -p npm-provenance-core -p npm-provenance-app --lib --bins -- -D warnings
tests "native tests (all crates)" count_cargo cargo test --workspace --locked --no-fail-fast
# The web app builds the core without its default features (no identity patterns).
tests "native tests (core as the app builds it)" count_cargo cargo test --locked --no-fail-fast \
  -p npm-provenance-core --no-default-features --features preverify --test own_sigstore --test hostile --test conformance
tests "wasm tests (headless Chromium)" count_cargo wasm_env env CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=300 \
  bash -c 'cd crates/core && cargo test --locked --no-default-features --target wasm32-unknown-unknown --test wasm'
check "release build (trunk build --release)" bash scripts/build-app.sh
# The binaries the end-to-end tests start are the ones the native tests'
# build (integration tests of their packages): built again only if that
# step could not build them. A `cargo build -p ...` here would rebuild half
# the dependencies, with the features of a build that has no tests.
check "binaries for end-to-end tests" cargo test --workspace --locked --no-run
tests "end-to-end tests (Chromium)" count_tap env E2E_OUTPUT_DIR="$ROOT/test-output/e2e" \
  node --test --test-concurrency=1 --test-reporter=tap tests/e2e/
SUITE="${CONFORMANCE_SUITE:-$ROOT/../shared/sigstore-conformance}"
if [ -f "$SUITE/requirements.txt" ]; then
  report="$ROOT/test-output/conformance/report.json"
  rm -f "$report"
  COUNT_SOURCE="$report" tests "Sigstore conformance suite (pytest)" count_pytest \
    scripts/conformance/run.sh "$SUITE" --json-report "--json-report-file=$report"
else
  skipped "Sigstore conformance suite (pytest)" "../shared/sigstore-conformance is not here"
fi

echo
echo "Screenshots: $ROOT/test-output/e2e/   Logs: $LOGS/"
[ ${#STEPS_FAILED[@]} -eq 0 ] || echo "Failed steps: ${STEPS_FAILED[*]}"
[ ${#STEPS_SKIPPED[@]} -eq 0 ] || echo "Skipped steps: ${STEPS_SKIPPED[*]}"
echo "$PASSED passed, $FAILED failed, $SKIPPED skipped; steps: $STEPS_OK ok, ${#STEPS_FAILED[@]} failed, ${#STEPS_SKIPPED[@]} skipped ($(elapsed "$START"))"
[ "$FAILED" = 0 ] && [ ${#STEPS_FAILED[@]} -eq 0 ]
