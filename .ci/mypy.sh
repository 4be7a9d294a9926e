#!/usr/bin/env bash
# mypy over the package as it is installed (`tabguard` = server/, `tabguard.rules` = rules/; see
# [tool.mypy] in pyproject.toml). mypy cannot follow the editable install's import hook, so it is
# shown that layout as a temporary tree of symlinks; paths in its report are the checkout's.
#   bash .ci/mypy.sh [MYPY OPTIONS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
view="$(mktemp -d)"
trap 'rm -rf "$view"' EXIT
mkdir "$view/tabguard"
for entry in "$root"/server/*; do ln -s "$entry" "$view/tabguard/"; done
ln -s "$root/rules" "$view/tabguard/rules"
cd "$view"
mypy --config-file "$root/pyproject.toml" --cache-dir "$root/.mypy_cache" -p tabguard "$@" \
  | sed -e 's#^tabguard/rules/#rules/#' -e 's#^tabguard/#server/#'
