#!/usr/bin/env bash
# Runs every fuzz target (fuzz/fuzz_targets) for FUZZ_SECONDS each (default
# 60), after seeding its corpus from the fixtures (tests/fixtures) and the test
# registry's documents. Needs rustup's nightly toolchain and cargo-fuzz
# (installed here if missing). Corpora (fuzz/corpus) and crashes
# (fuzz/artifacts) are kept between runs and ignored by git.
#   make fuzz                          all targets, 60 s each
#   FUZZ_SECONDS=600 make fuzz         longer
#   scripts/fuzz.sh bundle routes      some targets
# Exits 1 if any target found a crash; prints one line per target.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
SECONDS_EACH="${FUZZ_SECONDS:-60}"
ALL_TARGETS=(attestations bundle packument routes provenance_summary small_parsers signed_statement lockfile)
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=("${ALL_TARGETS[@]}")

command -v rustup >/dev/null || die "fuzzing needs rustup (for the nightly toolchain); see https://rustup.rs"
if ! rustup toolchain list | grep -q '^nightly'; then
  log "installing rustup's nightly toolchain"
  rustup toolchain install nightly --profile minimal || die "could not install the nightly toolchain: run 'rustup toolchain install nightly' where it can be downloaded"
fi
if ! command -v cargo-fuzz >/dev/null; then
  log "installing cargo-fuzz"
  cargo install cargo-fuzz --locked || die "could not install cargo-fuzz (cargo install cargo-fuzz)"
fi

CORPUS="$ROOT/fuzz/corpus"
FIXTURES="${NPM_PROVENANCE_FIXTURES:-$ROOT/tests/fixtures}"
seed() { # seed TARGET NAME CONTENT
  mkdir -p "$CORPUS/$1" && printf '%s' "$3" >"$CORPUS/$1/seed-$2"
}
log "seeding corpora in fuzz/corpus"
for t in "${ALL_TARGETS[@]}"; do mkdir -p "$CORPUS/$t"; done
if [ -f "$FIXTURES/ORIGINS.md" ]; then
  export NPM_PROVENANCE_FIXTURES="$FIXTURES"
  # The documents the test registry serves, real and synthetic.
  seeds="$(mktemp -d)"
  cargo run --locked -q -p test-registry -- --write-fuzz-seeds "$seeds" >&2
  for t in attestations packument provenance_summary; do cp "$seeds/$t"/* "$CORPUS/$t/"; done
  rm -rf "$seeds"
  # Bundles and responses as published, and the tampered ones.
  find "$FIXTURES/bundles" "$FIXTURES/bundles-email-identity" "$FIXTURES/attestations" "$FIXTURES/negative" \
    -name '*.json' -size -256k | while read -r f; do
    cp "$f" "$CORPUS/bundle/fixture-$(echo "${f#"$FIXTURES"/}" | tr '/@' '__')"
  done
  for f in "$FIXTURES"/packuments/*.json "$FIXTURES"/packuments/full/*.json; do
    cp "$f" "$CORPUS/packument/fixture-$(basename "$f")"
  done
  # Lockfiles as npm, pnpm, yarn and Bun wrote them, after the byte that
  # picks the file name they are given with (0: none).
  for f in "$FIXTURES"/lockfiles/package-lock.*.json "$FIXTURES"/lockfiles/pnpm-lock.*.yaml "$FIXTURES"/lockfiles/yarn.*.lock; do
    { printf '\x00'; cat "$f"; } >"$CORPUS/lockfile/fixture-$(basename "$f")"
  done
  for f in "$FIXTURES"/lockfiles/bun.lock "$FIXTURES"/lockfiles/bun-*/bun.lock; do
    { printf '\x00'; cat "$f"; } >"$CORPUS/lockfile/fixture-$(echo "${f#"$FIXTURES"/lockfiles/}" | tr '/' '_')"
  done
  { printf '\x03'; cat "$FIXTURES/keys/npm-v1-keys.json"; } >"$CORPUS/small_parsers/seed-keys"
  { printf '\x04'; cat "$FIXTURES/keys/npm-attestation-key-jl3bw.pub.pem"; } >"$CORPUS/small_parsers/seed-pem"
else
  log "no fixtures at $FIXTURES: seeding with hand-written inputs only"
fi
i=0
for path in /badge/npm/sigstore.svg /badge/npm/@sigstore/cli/0.8.0.json '/badge/npm/%40scope%2Fname.svg?label=npm%20provenance' \
  /api/verify/sigstore/2.3.1 /api/verify/@a/b/ '/badge/npm/../../etc.svg' '/badge/npm/a%00b.svg?label=<x>'; do
  seed routes "$((i++))" "$path"
done
# A valid statement for the testkit-signed target, and two a JSON reader
# disagrees on (the fuzzer's dictionary supplies the rest).
python3 - "$CORPUS/signed_statement" <<'PY'
import hashlib, json, sys
sha512 = hashlib.sha512(b"the widget tarball").hexdigest()
subject = {"name": "pkg:npm/%40acme/widget@1.2.3", "digest": {"sha512": sha512}}
statement = {
    "_type": "https://in-toto.io/Statement/v1",
    "subject": [subject],
    "predicateType": "https://slsa.dev/provenance/v1",
    "predicate": {
        "buildDefinition": {
            "buildType": "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
            "externalParameters": {"workflow": {"ref": "refs/heads/main", "repository": "https://github.com/acme/widget", "path": ".github/workflows/release.yml"}},
            "resolvedDependencies": [{"uri": "git+https://github.com/acme/widget@refs/heads/main", "digest": {"gitCommit": "0123456789abcdef0123456789abcdef01234567"}}],
        },
        "runDetails": {"builder": {"id": "https://github.com/actions/runner/github-hosted"}, "metadata": {"invocationId": "https://github.com/acme/widget/actions/runs/1/attempts/1"}},
    },
}
out = sys.argv[1]
text = json.dumps(statement)
open(f"{out}/seed-valid", "w").write(text)
open(f"{out}/seed-1e400", "w").write(text[:-1] + ', "x": 1e400}')
open(f"{out}/seed-surrogate", "w").write(text[:-1] + ', "x": "\\ud800"}')
PY
# Lockfile shapes the tools here did not write (the rest comes from mutation).
seed lockfile alias $'\x02lockfileVersion: \'9.0\'\na: &a [x]\nb: [*a, *a]\n'
seed lockfile npm-v1 $'\x01{"lockfileVersion":1,"dependencies":{"a":{"version":"npm:b@1.0.0","dependencies":{"c":{"version":"git+https://h/c.git#1"}}}}}'
seed lockfile berry $'\x03__metadata:\n  version: 8\n"r@workspace:.":\n  resolution: "r@workspace:."\n  dependencies:\n    a: "npm:^1"\n"a@npm:^1":\n  resolution: "a@npm:1.0.0"\n'
seed lockfile bun-github $'\x04{"lockfileVersion": 1, "workspaces": {"": {"dependencies": {"g": "github:o/g",},},}, "packages": {"g": ["g@github:o/g#abc", {"dependencies": {"a": "1"}}, "o-g-abc"], "g/a": ["a@1.0.0", "", {}, "sha512-a"],},}'
seed lockfile pnpm6 $'\x02lockfileVersion: \'6.0\'\ndependencies:\n  a:\n    specifier: ^1\n    version: 1.0.0(b@2.0.0)\npackages:\n  /a@1.0.0(b@2.0.0):\n    resolution: {integrity: sha512-a}\n    dependencies:\n      b: 2.0.0\n    dev: false\n'
seed small_parsers time1 $'\x012024-05-01T12:34:56.789Z'
seed small_parsers time2 $'\x011999-12-31T23:59:60+05:30'
seed small_parsers integrity $'\x02sha512-MzLqjjdSU1R3DUzRAeYHbRr0BP1DgFzCsedAEyBhi6uF5gr5SLp2bfS1tLb7u24SBmL8aFWxmTgmOG8UtSzrAg=='
seed small_parsers names $'\x05@scope/name'
seed small_parsers versions $'\x061.2.3-beta.1+build\n1.10.0'
seed small_parsers url $'\x07https://github.com/o/r/blob/abc/.github/workflows/x.yml\u202e'

log "building the fuzz targets (nightly, optimised, debug assertions on)"
(cd fuzz && cargo +nightly fuzz build -O -a --sanitizer none) >&2

OUT="$ROOT/test-output/fuzz"
mkdir -p "$OUT"
crashed=0
printf '%-20s %12s %10s %8s %8s\n' target runs "exec/s" corpus crashes >"$OUT/summary.txt"
for t in "${TARGETS[@]}"; do
  log "fuzzing $t for ${SECONDS_EACH}s"
  mkdir -p "$ROOT/fuzz/artifacts/$t"
  before=$(find "$ROOT/fuzz/artifacts/$t" -type f | wc -l)
  set +e
  dict=()
  case "$t" in attestations | bundle | packument | provenance_summary | signed_statement) dict=(-dict=dict/sigstore-json.dict) ;; esac
  (cd fuzz && cargo +nightly fuzz run -O -a --sanitizer none "$t" "corpus/$t" -- \
    -max_total_time="$SECONDS_EACH" -timeout=20 -rss_limit_mb=4096 -max_len=262144 -print_final_stats=1 "${dict[@]}") \
    >"$OUT/$t.log" 2>&1
  rc=$?
  set -e
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$OUT/$t.log" | grep -o '[0-9]*$' | tail -1)
  speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$OUT/$t.log" | grep -o '[0-9]*$' | tail -1)
  after=$(find "$ROOT/fuzz/artifacts/$t" -type f | wc -l)
  size=$(find "$CORPUS/$t" -type f | wc -l)
  printf '%-20s %12s %10s %8s %8s\n' "$t" "${runs:-?}" "${speed:-?}" "$size" "$((after - before))" >>"$OUT/summary.txt"
  if [ $rc -ne 0 ] || [ "$after" -gt "$before" ]; then
    crashed=1
    echo "  $t failed (exit $rc); see test-output/fuzz/$t.log and fuzz/artifacts/$t/" >&2
    grep -m3 -E 'panicked|ERROR|SUMMARY' "$OUT/$t.log" >&2 || true
  fi
done
cat "$OUT/summary.txt"
exit $crashed
