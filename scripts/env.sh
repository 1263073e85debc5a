# Sourced by the other scripts: sets up PATH and the wasm32 toolchain variables.
# It installs nothing (that is bootstrap.sh's job); it only detects what is there.
#
# Two ways to get a wasm32 compiler are supported:
#   rustup  - `rustup target add wasm32-unknown-unknown` worked (an ordinary machine);
#   debian  - Debian's rustc-web/cargo-web 1.96 with std built from rust-web-src
#             (machines whose rustup cannot download the wasm target).
# NPM_PROVENANCE_WASM_TOOLCHAIN=rustup|debian forces one.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
TOOLS="$ROOT/.tools"
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
case ":$PATH:" in *":$CARGO_HOME/bin:"*) ;; *) PATH="$CARGO_HOME/bin:$PATH" ;; esac
PATH="$ROOT/node_modules/.bin:$PATH"
export PATH

# Versions pinned here and checked by bootstrap.sh.
TRUNK_VERSION=0.22.1
BINARYEN_VERSION=132
# wasm-bindgen-cli must equal the wasm-bindgen crate in Cargo.lock.
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' "$ROOT/Cargo.lock" 2>/dev/null)"
export TRUNK_VERSION BINARYEN_VERSION WASM_BINDGEN_VERSION

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 2; }

rustup_has_wasm() {
  command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown
}
debian_has_wasm() {
  [ -x /usr/bin/rustc ] && [ -x /usr/bin/cargo ] && [ -d /usr/lib/rustlib/src/rust/library ] && [ -x /usr/bin/clippy-driver ]
}

detect_wasm_toolchain() {
  case "${NPM_PROVENANCE_WASM_TOOLCHAIN:-}" in
    rustup | debian) echo "$NPM_PROVENANCE_WASM_TOOLCHAIN"; return ;;
  esac
  if rustup_has_wasm; then echo rustup
  elif debian_has_wasm; then echo debian
  else echo none
  fi
}

# Puts the commands for wasm32 builds in place: after this, `wasm_cargo ...`
# builds for wasm32 with whichever toolchain was detected.
setup_wasm_env() {
  WASM_TOOLCHAIN="$(detect_wasm_toolchain)"
  export WASM_TOOLCHAIN
  case "$WASM_TOOLCHAIN" in
    rustup)
      WASM_PATH="$PATH"
      WASM_TARGET_DIR="$ROOT/target"
      ;;
    debian)
      # Shadow only cargo/rustc/rustdoc/clippy with Debian's (putting /usr/bin first
      # would also change python3 and others), and keep Debian's build outputs apart
      # from rustup's so the two compilers never rebuild each other's artifacts.
      mkdir -p "$TOOLS/debian-rust/bin"
      for b in cargo rustc rustdoc cargo-clippy clippy-driver; do
        ln -sfn "/usr/bin/$b" "$TOOLS/debian-rust/bin/$b"
      done
      WASM_PATH="$TOOLS/debian-rust/bin:$PATH"
      WASM_TARGET_DIR="$ROOT/target/debian"
      ;;
    *) die "no wasm32 compiler found; run scripts/bootstrap.sh (it installs one)" ;;
  esac
  export WASM_PATH WASM_TARGET_DIR
}

# Runs a command with the wasm32 toolchain's environment.
wasm_env() {
  if [ "$WASM_TOOLCHAIN" = debian ]; then
    # Debian ships no prebuilt wasm32 std: build it from rust-web-src.
    env PATH="$WASM_PATH" CARGO_TARGET_DIR="$WASM_TARGET_DIR" RUSTC_BOOTSTRAP=1 \
      CARGO_UNSTABLE_BUILD_STD="std,panic_abort" RUSTUP_TOOLCHAIN= "$@"
  else
    env CARGO_TARGET_DIR="$WASM_TARGET_DIR" "$@"
  fi
}

# Seconds since the epoch with decimals, for step timings.
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f s", b-a}'; }
