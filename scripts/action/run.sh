#!/usr/bin/env bash
# The pull-request gate: `npm-provenance audit LOCKFILE --base REF` in a
# GitHub Actions job (action.yml) or a GitLab merge-request pipeline
# (ci/gitlab/), with the binary install.sh put in place. Its exit status is
# audit's: 0 passed, 1 failed by policy, 2 unusable input.
#
# Read from the environment (the action maps its inputs to these):
#   INPUT_LOCKFILE   the lockfile, relative to the workspace; default: the
#                    first of LOCKFILES below in the workspace
#   INPUT_BASE_REF   a git ref or commit, or another lockfile; default: on
#                    GitHub origin/$GITHUB_BASE_REF (the action passes the
#                    pull request's base commit), on GitLab
#                    $CI_MERGE_REQUEST_DIFF_BASE_SHA
#   INPUT_FAIL_ON    downgrade, provenance-change, unverified, any (a list)
#   INPUT_REGISTRY   the registry to verify against
#   INPUT_ARGS       more arguments for audit, split at whitespace
#   NPM_PROVENANCE_HOME  where install.sh put the binary (bin/); else PATH's
#   NPM_PROVENANCE_REPORT  GitLab: the code-quality report to write
#                    (default gl-code-quality-report.json)
set -euo pipefail
# (Arrays that may be empty are written ${a[@]+"${a[@]}"}: macOS's bash 3.2
# calls an empty "${a[@]}" unset.)

# npm reads npm-shrinkwrap.json and ignores package-lock.json when a project
# has both, so the shrinkwrap is what gets installed.
LOCKFILES=(npm-shrinkwrap.json package-lock.json pnpm-lock.yaml yarn.lock bun.lock)

if [ "${GITLAB_CI:-}" = true ]; then
  PLATFORM=gitlab
  WORKSPACE="${CI_PROJECT_DIR:-$PWD}"
else
  PLATFORM=github
  WORKSPACE="${GITHUB_WORKSPACE:-$PWD}"
fi

say() { printf '%s\n' "npm-provenance: $*" >&2; }
die() {
  if [ "$PLATFORM" = github ]; then printf '::error title=npm-provenance::%s\n' "$*"; fi
  say "$*"
  exit 2
}
notice() {
  if [ "$PLATFORM" = github ]; then printf '::notice title=npm-provenance::%s\n' "$*"; else say "$*"; fi
}

unix_path() {
  if command -v cygpath >/dev/null 2>&1; then cygpath -u "$1"; else printf '%s\n' "$1"; fi
}

WORKSPACE="$(unix_path "$WORKSPACE")"
cd "$WORKSPACE" || die "the workspace $WORKSPACE is not there"

lockfile="${INPUT_LOCKFILE:-}"
if [ -z "$lockfile" ]; then
  found=()
  for candidate in "${LOCKFILES[@]}"; do
    if [ -f "$candidate" ]; then found+=("$candidate"); fi
  done
  [ ${#found[@]} -gt 0 ] ||
    die "no lockfile in $WORKSPACE (looked for ${LOCKFILES[*]}): set the lockfile input to the one to audit"
  lockfile="${found[0]}"
  if [ ${#found[@]} -gt 1 ]; then
    notice "auditing $lockfile, the first of ${found[*]} (set the lockfile input to choose)"
  fi
fi
[ -f "$lockfile" ] || die "the lockfile $lockfile is not in $WORKSPACE"
lockdir="$(dirname "$lockfile")"

base="${INPUT_BASE_REF:-}"
if [ -z "$base" ]; then
  if [ "$PLATFORM" = gitlab ]; then
    base="${CI_MERGE_REQUEST_DIFF_BASE_SHA:-}"
    [ -n "$base" ] || die "no base to compare with: this is not a merge request pipeline (set NPM_PROVENANCE_BASE_REF)"
  else
    [ -n "${GITHUB_BASE_REF:-}" ] ||
      die "no base to compare with: this is not a pull request (set the base-ref input)"
    base="origin/$GITHUB_BASE_REF"
  fi
fi

# The checkout may not have the base (actions/checkout fetches one commit by
# default, GitLab a few dozen): fetch just that commit or branch, keeping a
# shallow clone shallow.
in_git() { git -C "$lockdir" "$@"; }
if [ -e "$base" ]; then
  : # another lockfile, not a ref
elif in_git rev-parse --git-dir >/dev/null 2>&1 && ! in_git rev-parse --verify --quiet "$base^{commit}" >/dev/null; then
  depth=()
  if [ "$(in_git rev-parse --is-shallow-repository)" = true ]; then depth=(--depth=1); fi
  if [[ "$base" =~ ^[0-9a-f]{40}$ ]]; then
    refspec="$base"
  elif [[ "$base" == origin/* ]]; then
    refspec="+refs/heads/${base#origin/}:refs/remotes/$base"
  else
    refspec="$base"
  fi
  say "fetching $base, which the checkout lacks"
  in_git fetch --no-tags --quiet ${depth[@]+"${depth[@]}"} origin "$refspec" ||
    die "the base $base is not in the checkout and could not be fetched (check out with fetch-depth: 0)"
fi

bin="npm-provenance"
if [ -n "${NPM_PROVENANCE_HOME:-}" ]; then
  home="$(unix_path "$NPM_PROVENANCE_HOME")"
  for candidate in "$home/bin/npm-provenance" "$home/bin/npm-provenance.exe"; do
    if [ -x "$candidate" ]; then bin="$candidate"; break; fi
  done
fi
command -v "$bin" >/dev/null 2>&1 || die "npm-provenance is not installed (scripts/action/install.sh install)"

extra=()
read -r -a extra <<<"${INPUT_ARGS:-}"
args=(audit "$lockfile" --base "$base"
  --fail-on "${INPUT_FAIL_ON:-downgrade}"
  --registry "${INPUT_REGISTRY:-https://registry.npmjs.org}"
  ${extra[@]+"${extra[@]}"})

if [ "$PLATFORM" = gitlab ]; then
  report="${NPM_PROVENANCE_REPORT:-gl-code-quality-report.json}"
  say "npm-provenance ${args[*]} --format gitlab > $report"
  exec "$bin" "${args[@]}" --format gitlab >"$report"
else
  exec "$bin" "${args[@]}" --format github
fi
