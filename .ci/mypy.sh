#!/usr/bin/env bash
# mypy over the package as it is installed (`tabguard` = server/, `tabguard.rules` = rules/; see
# [tool.mypy] in pyproject.toml). mypy cannot follow the editable install's import hook, so it is
# shown that layout as a tree of symlinks; paths in its report are the checkout's.
#   bash .ci/mypy.sh [MYPY OPTIONS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# A fixed place (inside mypy's git-ignored cache folder), so its cache knows the files run to run.
view="$root/.mypy_cache/view"
rm -rf "$view" && mkdir -p "$view/tabguard"
for entry in "$root"/server/*; do ln -s "$entry" "$view/tabguard/"; done
ln -s "$root/rules" "$view/tabguard/rules"
cd "$view"
mypy --config-file "$root/pyproject.toml" --cache-dir "$root/.mypy_cache" -p tabguard "$@" \
  | sed -e 's#^tabguard/rules/#rules/#' -e 's#^tabguard/#server/#'
