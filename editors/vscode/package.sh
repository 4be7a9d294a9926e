#!/usr/bin/env bash
# Builds editors/vscode/tabguard.vsix from a clean clone: ./editors/vscode/package.sh
# Needs node and npm. vsce is installed into editors/vscode/.tools (git-ignored) on first use.
set -euo pipefail
cd "$(dirname "$0")"
VSCE_VERSION="${VSCE_VERSION:-3.9.2}"
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

if [ ! -x .tools/node_modules/.bin/vsce ]; then
  mkdir -p .tools
  [ -f .tools/package.json ] || echo '{"name":"tabguard-vscode-tools","private":true}' > .tools/package.json
  (cd .tools && npm install --no-save "@vscode/vsce@$VSCE_VERSION")
fi
npm ci --omit=dev
node --test test/
.tools/node_modules/.bin/vsce package --out tabguard.vsix
echo "built $(pwd)/tabguard.vsix"
