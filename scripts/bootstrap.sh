#!/usr/bin/env bash
# Installs everything the project needs, idempotently: each step checks first and
# skips what is already there. Nothing is downloaded from outside the package
# registries (Debian, crates.io, npm).
#
#   scripts/bootstrap.sh          install what is missing
#   scripts/bootstrap.sh --check  only report what is missing (exit 1 if anything is)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

CHECK_ONLY=0
[ "${1:-}" = "--check" ] && CHECK_ONLY=1
MISSING=0
TOTAL_START=$(now)

step() { # step NAME CHECK_CMD INSTALL_CMD
  local name="$1" check="$2" install="$3" t
  t=$(now)
  if eval "$check" >/dev/null 2>&1; then
    printf '  %-34s ok\n' "$name" >&2
    return
  fi
  if [ "$CHECK_ONLY" = 1 ]; then
    printf '  %-34s MISSING\n' "$name" >&2
    MISSING=1
    return
  fi
  log "installing $name"
  eval "$install"
  eval "$check" >/dev/null 2>&1 || die "$name: installed, but the check still fails ($check)"
  printf '  %-34s installed in %s\n' "$name" "$(elapsed "$t")" >&2
}

SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; fi
fi
APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 ||
    die "apt-get not found: install these packages with your system's package manager: $*"
  if [ "$(id -u)" != 0 ] && [ -z "$SUDO" ]; then
    die "need root to install Debian packages: run 'sudo apt-get install $*' and re-run"
  fi
  if [ "$APT_UPDATED" = 0 ]; then
    $SUDO apt-get update -qq || die "apt-get update failed: is a Debian mirror reachable?"
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null ||
    die "apt-get install $* failed"
}
dpkg_has() { for p in "$@"; do dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed' || return 1; done; }

# 1. Host Rust (rustup). It is what builds the native crates and the cargo tools.
command -v cargo >/dev/null 2>&1 || die "cargo not found: install Rust with rustup (https://rustup.rs) and re-run"
command -v rustfmt >/dev/null 2>&1 || step "rustfmt" "command -v rustfmt" "rustup component add rustfmt"
command -v cargo-clippy >/dev/null 2>&1 || step "clippy" "command -v cargo-clippy" "rustup component add clippy"

# 2. A wasm32 compiler: the rustup target where it can be added, Debian's rustc-web otherwise.
DEBIAN_WASM_PKGS=(rustc-web cargo-web rust-web-src rust-web-llvm lld-22 rust-web-clippy)
install_wasm_compiler() {
  if [ "${NPM_PROVENANCE_WASM_TOOLCHAIN:-}" != debian ] && command -v rustup >/dev/null 2>&1; then
    # On machines without internet this hangs rather than failing: bound it.
    if timeout 90 rustup target add wasm32-unknown-unknown >/dev/null 2>&1; then return; fi
    log "rustup could not add wasm32-unknown-unknown; using Debian's rustc-web instead"
  fi
  apt_install "${DEBIAN_WASM_PKGS[@]}"
}
step "wasm32 compiler" '[ "$(detect_wasm_toolchain)" != none ]' install_wasm_compiler
if [ "$(detect_wasm_toolchain)" = debian ]; then
  step "Debian rust-web packages" "dpkg_has ${DEBIAN_WASM_PKGS[*]}" "apt_install ${DEBIAN_WASM_PKGS[*]}"
fi

# 3. Chromium and its driver, for wasm-bindgen-test and the end-to-end tests.
step "chromium + chromium-driver" "[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]" \
  "apt_install chromium chromium-driver"

# 4. Node.js (for playwright-core and binaryen's wasm-opt).
step "node + npm" "command -v node && command -v npm" "apt_install nodejs npm"
# shellcheck, for the pull-request gate's scripts (make test lints them).
step "shellcheck" "command -v shellcheck" "apt_install shellcheck"

# 5. Cargo tools, pinned. wasm-bindgen-cli must match Cargo.lock exactly, or trunk
#    tries to download its own copy.
[ -n "$WASM_BINDGEN_VERSION" ] || die "Cargo.lock has no wasm-bindgen entry"
cargo_install() { # crate version [extra flags]
  local crate="$1" version="$2"
  shift 2
  # --locked can fail when the registry mirror lacks a locked dependency version.
  cargo install "$crate" --version "$version" --locked "$@" ||
    cargo install "$crate" --version "$version" "$@"
}
step "wasm-bindgen-cli $WASM_BINDGEN_VERSION" \
  "wasm-bindgen --version | grep -qx 'wasm-bindgen $WASM_BINDGEN_VERSION'" \
  "cargo_install wasm-bindgen-cli $WASM_BINDGEN_VERSION"
# trunk 0.22 declares rust 1.96.1; it builds with older compilers too.
step "trunk $TRUNK_VERSION" \
  "trunk --version | grep -qx 'trunk $TRUNK_VERSION'" \
  "cargo_install trunk $TRUNK_VERSION --ignore-rust-version"

# 6. npm packages (playwright-core, binaryen's wasm-opt), exactly as package-lock.json says.
lock_sum() { sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1; }
step "npm packages (package-lock.json)" \
  "[ \"\$(cat '$ROOT/node_modules/.bootstrap-lock' 2>/dev/null)\" = \"\$(lock_sum)\" ]" \
  "(cd '$ROOT' && npm ci --no-audit --no-fund --loglevel=error) && lock_sum > '$ROOT/node_modules/.bootstrap-lock'"
step "wasm-opt (binaryen $BINARYEN_VERSION)" "wasm-opt --version | grep -q 'version $BINARYEN_VERSION'" \
  "die 'wasm-opt from node_modules is missing or not version $BINARYEN_VERSION: check package.json'"

if [ "$CHECK_ONLY" = 1 ]; then
  [ "$MISSING" = 0 ] || { echo "some tools are missing: run scripts/bootstrap.sh" >&2; exit 1; }
fi
printf '  bootstrap done in %s (wasm32 toolchain: %s)\n' "$(elapsed "$TOTAL_START")" "$(detect_wasm_toolchain)" >&2
