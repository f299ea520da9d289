#!/bin/bash
# Installs the Debian packages the test suites need, as setup-vscode-test.sh installs Chromium:
# for each COMMAND not on the PATH, apt-get installs PACKAGE (default: the command's name).
#   bash scripts/setup-test-packages.sh [COMMAND[:PACKAGE]...]
# Without arguments: what the suites need (TEST_NEEDS below). npm test and run-integration.mjs call it so.
# Idempotent: when every command is there it does nothing and prints nothing. It prints one line
# saying what it installs, or fails (exit 1) with one line saying what to install: the suites
# never skip what they cannot run. Uses only bash builtins besides apt-get (and sudo when not
# root), so a test can run it with a PATH of stand-ins (test/unit/setupTestPackages.test.ts).
set -uo pipefail

say() { echo "setup-test-packages: $*"; }

# sbcl runs the SBCL backend's unit suites and integration pass on the stand-in `clysm` system
# (SBCL's bundled ASDF is enough for it). Chromium is setup-vscode-test.sh's.
TEST_NEEDS=(sbcl)
(($#)) || set -- "${TEST_NEEDS[@]}"

commands=()
packages=()
for spec in "$@"; do
  command=${spec%%:*}
  package=${spec#*:}
  command -v "$command" >/dev/null 2>&1 && continue
  commands+=("$command")
  packages+=("$package")
done
((${#packages[@]})) || exit 0

fail() {
  say "cannot install ${packages[*]} ($1): install it yourself with \`apt-get install ${packages[*]}\`, or put ${commands[*]} on the PATH" >&2
  exit 1
}

SUDO=()
if ((EUID != 0)); then
  command -v sudo >/dev/null 2>&1 || fail 'not root, and no sudo'
  SUDO=(sudo)
fi
command -v apt-get >/dev/null 2>&1 || fail 'no apt-get: not a Debian machine'

say "installing ${packages[*]} with apt-get (${commands[*]} not on the PATH; needed by the tests)"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists yet: update first.
if ! output=$({ "${SUDO[@]}" apt-get update -qq && "${SUDO[@]}" apt-get install -y -qq "${packages[@]}"; } 2>&1); then
  # apt-get's own last words first, then the one line that says what to do.
  readarray -t lines <<<"$output"
  printf '  %s\n' "${lines[@]:$((${#lines[@]} > 5 ? ${#lines[@]} - 5 : 0))}" >&2
  fail 'apt-get failed'
fi
for command in "${commands[@]}"; do
  command -v "$command" >/dev/null 2>&1 || fail "installed, but $command is still not on the PATH"
done
