#!/usr/bin/env bash
# Runs the verification tests of Sigstore's client conformance suite against
# `npm-provenance verify` through scripts/conformance/verify-bundle.
#
#   scripts/conformance/run.sh [SUITE_DIR]
#
# SUITE_DIR defaults to ../shared/sigstore-conformance (a copy of the suite's
# harness, pinned requirements and cases; CONFORMANCE_SUITE overrides it).
# Without it, prints "skipped" and exits 0 (make test counts the step as
# skipped). The harness's requirements are installed from PyPI into a
# virtual environment under .tools/, once. The harness fetches an OIDC token
# when it starts, which the verification tests only parse: the copy that runs
# here answers with a fixed, well-formed dummy token instead (offline).
# Ends with pytest's own summary line ("N passed, N failed").
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../env.sh"
cd "$ROOT"
SUITE="${1:-${CONFORMANCE_SUITE:-$ROOT/../shared/sigstore-conformance}}"
if [ ! -f "$SUITE/requirements.txt" ] || [ ! -d "$SUITE/test/assets/bundle-verify" ]; then
  echo "conformance: skipped, the suite is not at $SUITE (../shared/sigstore-conformance)"
  exit 0
fi
VENV="$TOOLS/conformance-venv"
stamp="$VENV/.requirements-$(sha256sum "$SUITE/requirements.txt" | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  log "installing the conformance harness's requirements (PyPI) into $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --require-hashes -r "$SUITE/requirements.txt"
  touch "$stamp"
fi
BIN="${NPM_PROVENANCE_BIN:-$ROOT/target/debug/npm-provenance}"
[ -x "$BIN" ] || cargo build --locked -q -p npm-provenance
export NPM_PROVENANCE_BIN="$BIN"

# A working copy of the suite, its token fixture answering offline.
WORK="$ROOT/test-output/conformance/suite"
rm -rf "$WORK"
mkdir -p "$WORK"
cp -r "$SUITE/test" "$SUITE/pyproject.toml" "$WORK/" 2>/dev/null || cp -r "$SUITE/test" "$WORK/"
"$VENV/bin/python" - "$WORK/test/conftest.py" <<'PY'
import base64, json, re, sys
path = sys.argv[1]
source = open(path).read()
enc = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()
token = ".".join([enc({"alg": "none", "typ": "JWT"}),
                  enc({"email": "conformance@npm-provenance.invalid", "iss": "https://offline.invalid", "exp": 4102444800}),
                  "c2lnbmF0dXJl"])
pattern = re.compile(r"(def identity_token\(\) -> str:\n)(    .*?\n)(?=\n\n)", re.S)
if not pattern.search(source):
    sys.exit("conformance: the harness's identity_token fixture was not found; update scripts/conformance/run.sh")
source = pattern.sub(lambda m: m.group(1) + f"    return {token!r}\n", source, count=1)
open(path, "w").write(source)
PY
cd "$WORK"
"$VENV/bin/pytest" test/test_bundle.py -k test_verify --entrypoint "$ROOT/scripts/conformance/verify-bundle" \
  --skip-signing -p no:cacheprovider -q -rfE "${@:2}"
