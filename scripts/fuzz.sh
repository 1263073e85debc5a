#!/usr/bin/env bash
# Runs every fuzz target (fuzz/fuzz_targets) for FUZZ_SECONDS each (default
# 60), one after the other, after seeding its corpus from real data: the
# fixtures (tests/fixtures: npm's documents, lockfiles the tools wrote, the
# peers' bundles, Sigstore's conformance bundles), the test registry's
# documents (real and synthetic, hostile ones included) and hand-written
# hostile cases. Needs rustup's nightly toolchain and cargo-fuzz (installed
# here if missing). Corpora (fuzz/corpus) and crashes (fuzz/artifacts) are
# kept between runs and ignored by git.
#   make fuzz                          all targets, 60 s each
#   FUZZ_SECONDS=600 make fuzz         longer
#   scripts/fuzz.sh lookup lockfile    some targets
# Prints one line per target (seconds fuzzed, or wall time with * when it
# stopped at a crash; executions, executions per second, the coverage
# libFuzzer reached: edges "cov" and features "ft"; corpus size, peak
# memory, crashes found) and keeps it in test-output/fuzz/summary.txt, each
# target's log beside it. Exits 1 if any target found a crash: each one
# found becomes a regression test in the crate it concerns, its input kept
# beside the test (README, "Fuzzing").
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
SECONDS_EACH="${FUZZ_SECONDS:-60}"
ALL_TARGETS=(lookup lockfile integrity history rekor_v2 signed_statement attestations bundle packument routes provenance_summary small_parsers)
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
seed_bytes() { # seed_bytes TARGET NAME 'PRINTF-ESCAPES' (NUL bytes included)
  mkdir -p "$CORPUS/$1" && printf "$3" >"$CORPUS/$1/seed-$2"
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
  # The bundles other Sigstore clients verify in their tests, and
  # Sigstore's conformance cases (valid and invalid).
  find "$FIXTURES/peers" "$FIXTURES/sigstore-conformance" -name '*.json' -size -256k | while read -r f; do
    cp "$f" "$CORPUS/bundle/fixture-$(echo "${f#"$FIXTURES"/}" | tr '/@' '__')"
  done
  for f in "$FIXTURES"/packuments/*.json "$FIXTURES"/packuments/full/*.json; do
    cp "$f" "$CORPUS/packument/fixture-$(basename "$f")"
    # A package document's history, after the byte that says so (0).
    { printf '\x00'; cat "$f"; } >"$CORPUS/history/fixture-$(basename "$f")"
  done
  for f in "$CORPUS"/packument/*.json; do
    [ "$(stat -c %s "$f")" -le 262144 ] || continue
    { printf '\x00'; cat "$f"; } >"$CORPUS/history/registry-$(basename "$f")"
  done
  # Every integrity string the fixtures hold, alone and as lockfile/registry pairs.
  python3 - "$FIXTURES" "$CORPUS/integrity" <<'PY'
import pathlib, re, sys
found = set()
for f in pathlib.Path(sys.argv[1]).rglob("*"):
    if f.is_file() and f.suffix in (".json", ".lock", ".yaml") and f.stat().st_size < 8 << 20:
        found.update(re.findall(r"sha(?:1|256|384|512)-[A-Za-z0-9+/=]+", f.read_text(errors="ignore")))
found = sorted(found)[:200]
for i, s in enumerate(found):
    (pathlib.Path(sys.argv[2]) / f"fixture-{i}").write_text(s)
    if i:
        (pathlib.Path(sys.argv[2]) / f"fixture-pair-{i}").write_text(s + "\0" + found[i - 1] + " " + s)
PY
  # Lockfiles as npm, pnpm, yarn and Bun wrote them, after the byte that
  # picks the file name they are given with (0: none).
  for f in "$FIXTURES"/lockfiles/package-lock.*.json "$FIXTURES"/lockfiles/pnpm-lock.*.yaml "$FIXTURES"/lockfiles/yarn.*.lock; do
    [ -f "$f" ] || continue
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
# Lockfiles this target writes itself (from 0x80: the format, then three
# bytes per copy of a package: which, its integrity, its address).
for f in 0 1 2 3 4; do
  seed_bytes lockfile "written-$f" "\\x8$f"'\x01\x03\x07\x04\x05\x09\x02\x07\x01\x05\x01\x02\x00\x00\x00'
done
# The lookup and the Rekor v2 entries are built from the fuzzer's choices:
# no input at all is the honest registry and the log's own entry.
seed_bytes lookup honest ''
seed_bytes lookup latest '\x00\x01\x00\x03\x01'
seed_bytes rekor_v2 log ''
seed_bytes rekor_v2 dsse '\x01'
seed_bytes history versions '\x01\x00\x01\x02\x03\x01\x05\x01\x02\x03\x00\x02\x01\x02\x04\x0b\x01\x00\x01\x05\x11'
seed integrity two 'sha512-MzLqjjdSU1R3DUzRAeYHbRr0BP1DgFzCsedAEyBhi6uF5gr5SLp2bfS1tLb7u24SBmL8aFWxmTgmOG8UtSzrAg== sha1-AAAA?x'
seed small_parsers time1 $'\x012024-05-01T12:34:56.789Z'
seed small_parsers time2 $'\x011999-12-31T23:59:60+05:30'
seed small_parsers integrity $'\x02sha512-MzLqjjdSU1R3DUzRAeYHbRr0BP1DgFzCsedAEyBhi6uF5gr5SLp2bfS1tLb7u24SBmL8aFWxmTgmOG8UtSzrAg=='
seed small_parsers names $'\x05@scope/name'
seed small_parsers versions $'\x061.2.3-beta.1+build\n1.10.0'
seed small_parsers url $'\x07https://github.com/o/r/blob/abc/.github/workflows/x.yml\u202e'

# The fuzz crate is a member of the main workspace, whose release profile is
# the shipped binary's (fat LTO, one codegen unit): fuzzing wants quick
# builds and line numbers in a crash's backtrace instead.
export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_DEBUG=1
log "building the fuzz targets (nightly, optimised, debug assertions on)"
(cd fuzz && cargo +nightly fuzz build -O -a --sanitizer none --features libfuzzer) >&2

OUT="$ROOT/test-output/fuzz"
mkdir -p "$OUT"
crashed=0
row() { printf '%-18s %7s %12s %9s %7s %8s %7s %8s %8s\n' "$@"; }
row target seconds runs "exec/s" cov ft corpus "rss MB" crashes >"$OUT/summary.txt"
for t in "${TARGETS[@]}"; do
  log "fuzzing $t for ${SECONDS_EACH}s"
  mkdir -p "$ROOT/fuzz/artifacts/$t"
  before=$(find "$ROOT/fuzz/artifacts/$t" -type f | wc -l)
  started=$(date +%s)
  set +e
  dict=()
  case "$t" in
    attestations | bundle | packument | provenance_summary | signed_statement) dict=(-dict=dict/sigstore-json.dict) ;;
    integrity) dict=(-dict=dict/integrity.dict) ;;
  esac
  (cd fuzz && cargo +nightly fuzz run -O -a --sanitizer none --features libfuzzer "$t" "corpus/$t" -- \
    -max_total_time="$SECONDS_EACH" -timeout=20 -rss_limit_mb=4096 -max_len=262144 -print_final_stats=1 "${dict[@]}") \
    >"$OUT/$t.log" 2>&1
  rc=$?
  set -e
  # libFuzzer's own time (building the target comes before it).
  took=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$OUT/$t.log" | grep -o '[0-9]* second' | grep -o '[0-9]*' | tail -1 || true)
  [ -n "$took" ] || took="$(($(date +%s) - started))*"
  final() { grep -o "stat::$1: *[0-9]*" "$OUT/$t.log" | grep -o '[0-9]*$' | tail -1 || true; }
  # The coverage libFuzzer reached: its last status line's "cov:" (edges)
  # and "ft:" (features).
  cov=$(grep -o 'cov: [0-9]*' "$OUT/$t.log" | tail -1 | grep -o '[0-9]*$' || true)
  ft=$(grep -o 'ft: [0-9]*' "$OUT/$t.log" | tail -1 | grep -o '[0-9]*$' || true)
  after=$(find "$ROOT/fuzz/artifacts/$t" -type f | wc -l)
  size=$(find "$CORPUS/$t" -type f | wc -l)
  row "$t" "$took" "$(final number_of_executed_units)" "$(final average_exec_per_sec)" "${cov:-?}" "${ft:-?}" \
    "$size" "$(final peak_rss_mb)" "$((after - before))" >>"$OUT/summary.txt"
  if [ $rc -ne 0 ] || [ "$after" -gt "$before" ]; then
    crashed=1
    echo "  $t failed (exit $rc); see test-output/fuzz/$t.log and fuzz/artifacts/$t/" >&2
    grep -m3 -E 'panicked|ERROR|SUMMARY' "$OUT/$t.log" >&2 || true
  fi
done
cat "$OUT/summary.txt"
if [ $crashed = 1 ]; then
  echo "A crash: reproduce it with (cd fuzz && cargo +nightly fuzz run TARGET artifacts/TARGET/FILE), fix it in" >&2
  echo "the crate it concerns, and keep the input beside a regression test there (README, \"Fuzzing\")." >&2
fi
exit $crashed
