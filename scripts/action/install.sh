#!/usr/bin/env bash
# Puts the npm-provenance binary where the pull-request gate runs it (the
# GitHub Action, action.yml, and the GitLab template, ci/gitlab/): the release
# archive cargo-dist built for this machine, checked against its .sha256,
# else built from source with cargo.
#
#   install.sh target    the release target for this machine
#   install.sh archive   the name of its release archive
#   install.sh plan      version=, target=, key= lines for $GITHUB_OUTPUT
#   install.sh install   install into $NPM_PROVENANCE_HOME/bin, unless a
#                        working binary is already there (a cache hit)
#
# The machine is RUNNER_OS (Linux, macOS, Windows) and RUNNER_ARCH (X64,
# ARM64) as GitHub's runners set them, else uname's answer: `target` and
# `archive` read nothing else, so they can be asked about any runner.
#
# Read from the environment:
#   NPM_PROVENANCE_HOME        where to install (the binary goes in bin/)
#   NPM_PROVENANCE_VERSION     the release tag (v0.1.0); see `version` below
#   NPM_PROVENANCE_REPOSITORY  owner/name of the GitHub repository whose
#                              releases to download
#   NPM_PROVENANCE_ACTION_REF  the ref the action was used at
#   NPM_PROVENANCE_SOURCE      this repository's files (the action's own
#                              checkout), to build from when there is no archive
#   NPM_PROVENANCE_DOWNLOAD_URL  where the release's files are (default: the
#                              repository's release on $GITHUB_SERVER_URL)
set -euo pipefail

APP=npm-provenance

say() { printf '%s\n' "npm-provenance install: $*" >&2; }
die() {
  # Shown on the pull request's checks page as well as in the log.
  if [ -n "${GITHUB_ACTIONS:-}" ]; then printf '::error title=npm-provenance install::%s\n' "$*"; fi
  say "$*"
  exit 2
}

runner_os() {
  if [ -n "${RUNNER_OS:-}" ]; then echo "$RUNNER_OS"; return; fi
  case "$(uname -s)" in
    Linux) echo Linux ;;
    Darwin) echo macOS ;;
    MINGW* | MSYS* | CYGWIN* | Windows_NT) echo Windows ;;
    *) uname -s ;;
  esac
}

runner_arch() {
  if [ -n "${RUNNER_ARCH:-}" ]; then echo "$RUNNER_ARCH"; return; fi
  case "$(uname -m)" in
    x86_64 | amd64) echo X64 ;;
    aarch64 | arm64) echo ARM64 ;;
    *) uname -m ;;
  esac
}

# The targets the release workflow builds (dist-workspace.toml), by runner.
target() {
  case "$(runner_os)/$(runner_arch)" in
    # Static: runs on any Linux runner's C library, and in job containers
    # (Alpine's included), where a glibc build may not.
    Linux/X64) echo x86_64-unknown-linux-musl ;;
    Linux/ARM64) echo aarch64-unknown-linux-gnu ;;
    macOS/X64) echo x86_64-apple-darwin ;;
    macOS/ARM64) echo aarch64-apple-darwin ;;
    Windows/X64) echo x86_64-pc-windows-msvc ;;
    *) return 1 ;;
  esac
}

# cargo-dist's names: a .zip holding the binary for Windows, a .tar.xz
# holding one folder named like the archive elsewhere.
archive() { # target
  case "$1" in
    *-windows-*) echo "$APP-$1.zip" ;;
    *) echo "$APP-$1.tar.xz" ;;
  esac
}

exe_name() {
  if [ "$(runner_os)" = Windows ]; then echo "$APP.exe"; else echo "$APP"; fi
}

# On Windows the runner hands over paths as C:\...; bash's tools want /c/...
unix_path() {
  if command -v cygpath >/dev/null 2>&1; then cygpath -u "$1"; else printf '%s\n' "$1"; fi
}

# GitHub puts an action's files at .../_actions/OWNER/NAME/REF, which says
# who published it and at what ref when the runner leaves
# github.action_repository and github.action_ref empty (actions/runner#2473).
action_repository() {
  if [ -n "${NPM_PROVENANCE_REPOSITORY:-}" ]; then echo "$NPM_PROVENANCE_REPOSITORY"; return; fi
  local source
  source="$(unix_path "${NPM_PROVENANCE_SOURCE:-}")"
  case "$source" in
    */_actions/*/*/*)
      local rest="${source#*/_actions/}"
      IFS=/ read -r owner name _ <<<"$rest"
      echo "$owner/$name"
      ;;
  esac
}

action_ref() {
  if [ -n "${NPM_PROVENANCE_ACTION_REF:-}" ]; then echo "$NPM_PROVENANCE_ACTION_REF"; return; fi
  local source
  source="$(unix_path "${NPM_PROVENANCE_SOURCE:-}")"
  case "$source" in
    */_actions/*/*/*) basename "$source" ;;
  esac
}

# The release to install: the one asked for; else the action's ref when it
# is a release tag (cargo-dist tags releases vX.Y.Z); else (a major tag such
# as v1, a branch, a commit) the release of the version the action's
# crates/cli/Cargo.toml states, which is what that ref builds.
version() {
  if [ -n "${NPM_PROVENANCE_VERSION:-}" ]; then echo "$NPM_PROVENANCE_VERSION"; return; fi
  local ref manifest
  ref="$(action_ref)"
  if [[ "$ref" =~ ^v[0-9]+\.[0-9]+\.[0-9]+([-+].*)?$ ]]; then echo "$ref"; return; fi
  manifest="$(unix_path "${NPM_PROVENANCE_SOURCE:-}")/crates/cli/Cargo.toml"
  if [ -f "$manifest" ]; then
    awk -F'"' '/^version = "/ { print "v" $2; exit }' "$manifest"
    return
  fi
  die "which release to install is not known: set the version input (e.g. v0.1.0) or NPM_PROVENANCE_VERSION"
}

sha256_of() { # file
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

# Exit 0 with the file, 1 when the server has no such file (404), 2 when it
# could not be asked.
download() { # url file
  local code
  command -v curl >/dev/null 2>&1 || die "curl is needed to download the release"
  # A release asset redirects to GitHub's object storage: never to plain http.
  code="$(curl --silent --show-error --location --proto-redir '=https' --retry 3 \
    --output "$2" --write-out '%{http_code}' "$1")" || return 2
  case "$code" in
    200) return 0 ;;
    404) return 1 ;;
    *) say "$1: HTTP $code"; return 2 ;;
  esac
}

extract() { # archive into
  case "$1" in
    *.zip)
      if command -v unzip >/dev/null 2>&1; then
        unzip -q -o "$1" -d "$2"
      elif command -v 7z >/dev/null 2>&1; then
        7z x -y "-o$2" "$1" >/dev/null
      else
        powershell -NoProfile -Command "Expand-Archive -Force -Path '$1' -DestinationPath '$2'"
      fi
      ;;
    *) tar -xJf "$1" -C "$2" ;;
  esac
}

# The release archive for this machine into $home/bin. Returns 1 when the
# release has no such archive (the caller builds from source instead); a
# checksum that is missing or does not match stops everything, since that is
# not a release cargo-dist made.
install_release() { # home version target
  local home="$1" version="$2" target="$3" repository name url tmp expected actual found
  repository="$(action_repository)"
  name="$(archive "$target")"
  if [ -n "${NPM_PROVENANCE_DOWNLOAD_URL:-}" ]; then
    url="${NPM_PROVENANCE_DOWNLOAD_URL%/}"
  elif [ -n "$repository" ]; then
    url="${GITHUB_SERVER_URL:-https://github.com}/$repository/releases/download/$version"
  else
    say "no repository to download releases from"
    return 1
  fi
  tmp="$(mktemp -d)"
  # shellcheck disable=SC2064 # the folder is known now, and must go on any exit
  trap "rm -rf '$tmp'" EXIT
  say "downloading $url/$name"
  download "$url/$name" "$tmp/$name" || {
    case $? in
      1) say "the release $version has no $name" ;;
      *) say "$url/$name could not be downloaded" ;;
    esac
    return 1
  }
  download "$url/$name.sha256" "$tmp/$name.sha256" ||
    die "$url/$name.sha256 could not be read: the archive is not installed unchecked"
  # cargo-dist writes `HEX *NAME`, as sha256sum does.
  expected="$(awk 'NR == 1 { print tolower($1) }' "$tmp/$name.sha256")"
  actual="$(sha256_of "$tmp/$name")"
  [[ "$expected" =~ ^[0-9a-f]{64}$ ]] || die "$name.sha256 holds no SHA-256"
  [ "$expected" = "$actual" ] ||
    die "$name does not match its checksum (sha256 $actual, expected $expected): not installed"
  say "sha256 $actual matches $name.sha256"
  mkdir -p "$tmp/x" "$home/bin"
  extract "$tmp/$name" "$tmp/x"
  found="$(find "$tmp/x" -type f -name "$(exe_name)" | head -n 1)"
  [ -n "$found" ] || die "$name holds no $(exe_name)"
  cp "$found" "$home/bin/$(exe_name)"
  chmod +x "$home/bin/$(exe_name)"
}

install_source() { # home version
  local home="$1" version="$2" source repository
  command -v cargo >/dev/null 2>&1 ||
    die "no release archive for this runner and no cargo to build npm-provenance with"
  source="$(unix_path "${NPM_PROVENANCE_SOURCE:-}")"
  if [ -f "$source/crates/cli/Cargo.toml" ]; then
    say "building from $source (cargo install --locked; several minutes, then cached)"
    cargo install --locked --root "$home" --path "$source/crates/cli"
  else
    repository="$(action_repository)"
    [ -n "$repository" ] || die "no source to build npm-provenance from"
    say "building $repository at $version (cargo install --locked; several minutes)"
    cargo install --locked --root "$home" \
      --git "${GITHUB_SERVER_URL:-https://github.com}/$repository" --tag "$version" "$APP"
  fi
}

install() {
  local home bin version target
  home="$(unix_path "${NPM_PROVENANCE_HOME:?set NPM_PROVENANCE_HOME to where the binary goes}")"
  bin="$home/bin/$(exe_name)"
  if "$bin" --version >/dev/null 2>&1; then
    say "$("$bin" --version) is in $home/bin (cached)"
  else
    version="$(version)"
    if target="$(target)"; then
      install_release "$home" "$version" "$target" || install_source "$home" "$version"
    else
      say "no release archive is built for $(runner_os) $(runner_arch)"
      install_source "$home" "$version"
    fi
    "$bin" --version >/dev/null || die "$bin was installed but does not run"
    say "installed $("$bin" --version) in $home/bin"
  fi
  # The runner reads GITHUB_PATH as its own OS's paths (C:\... on Windows).
  if [ -n "${GITHUB_PATH:-}" ]; then
    if command -v cygpath >/dev/null 2>&1; then cygpath -w "$home/bin"; else echo "$home/bin"; fi >>"$GITHUB_PATH"
  fi
}

case "${1:-}" in
  target) target || die "no release archive is built for $(runner_os) $(runner_arch)" ;;
  archive)
    t="$(target)" || die "no release archive is built for $(runner_os) $(runner_arch)"
    archive "$t"
    ;;
  version) version ;;
  plan)
    v="$(version)"
    echo "version=$v"
    echo "target=$(target || echo source)"
    echo "key=$APP-$v-$(runner_os)-$(runner_arch)"
    ;;
  install) install ;;
  *) die "usage: install.sh target|archive|version|plan|install" ;;
esac
