#!/usr/bin/env bash
# Mutation testing of the verification core's decision code (the files in
# .cargo/mutants.toml) with cargo-mutants: each mutant (a condition flipped,
# a function returning a default) must make some test fail. Not part of
# `make test`: about an hour on two cores.
#   make mutants                 every mutant
#   make mutants ARGS=--iterate  only those not caught by the last run
# Prints caught / missed / timeout / unviable and lists the missed ones;
# results in test-output/mutants/. Exits 1 if any mutant was missed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
if ! command -v cargo-mutants >/dev/null; then
  log "installing cargo-mutants"
  cargo install cargo-mutants --locked || die "could not install cargo-mutants (cargo install cargo-mutants)"
fi
OUT="$ROOT/test-output"
mkdir -p "$OUT"
set +e
cargo mutants -p npm-provenance-core --output "$OUT" --timeout 300 "$@"
status=$?
set -e
dir="$OUT/mutants.out"
count() { if [ -s "$dir/$1.txt" ]; then grep -c . "$dir/$1.txt"; else echo 0; fi; }
echo
echo "mutants: $(count caught) caught, $(count missed) missed, $(count timeout) timeout, $(count unviable) unviable"
if [ -s "$dir/missed.txt" ]; then
  echo "missed:"
  sed 's/^/  /' "$dir/missed.txt"
fi
# cargo-mutants exits 2 when mutants were missed, 3 on timeouts.
[ "$status" -eq 0 ] || exit 1
