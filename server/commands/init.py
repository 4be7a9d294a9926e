"""`tabguard init`: a starter `[tool.tabguard]` config and the union-merge lines for the ledger files."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from tabguard import boundary
from tabguard.provenance.workspace import GITATTRIBUTES_LINES, ensure_gitattributes

STARTER = """\
# Rule ids or id prefixes to run (empty: every rule) and to skip.
select = []
ignore = []
# Report only part of a file's rules: glob = [rule ids].
per-file-ignores = {}
# An edit at least this big counts as an accepted AI suggestion even when the editor does not say so.
bulk-insert-lines = 2
bulk-insert-chars = 80
# Decorators that enforce authentication in this code base, e.g. "myapp.auth.login_required".
auth-decorators = []
# Who `tabguard review` and the editor record as reviewer (default: git user.name).
# reviewer = "Jane Doe"
# Lookups on the package index and vulnerability database (`network`, off by default) are switched on
# per user, never here: in ~/.config/tabguard/config.toml or with `tabguard check --network`.
"""


def add_parser(sub):
    parser = sub.add_parser("init", help="write a starter config and the .gitattributes lines for the ledger")
    parser.add_argument("path", nargs="?", default=".", metavar="PATH", help="the workspace root (default: .)")
    return parser


def run(args) -> int:
    root = Path(args.path)
    if not root.is_dir():
        print(f"tabguard: {root}: not a folder", file=sys.stderr)
        return 2
    pyproject, standalone = root / "pyproject.toml", root / "tabguard.toml"
    # Through the workspace boundary: never through a symlink, and a whole new file or none.
    try:
        if os.path.lexists(standalone):
            print(f"{standalone}: already present, left as is")
        elif (text := boundary.read_text(root, "pyproject.toml")) is not None:
            if "[tool.tabguard]" in text:
                print(f"{pyproject}: [tool.tabguard] already present, left as is")
            else:
                separator = "" if not text or text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
                boundary.replace_text(root, "pyproject.toml", text + separator + "[tool.tabguard]\n" + STARTER)
                print(f"{pyproject}: added [tool.tabguard]")
        else:
            boundary.replace_text(root, "tabguard.toml", STARTER)
            print(f"{standalone}: written")
        changed = ensure_gitattributes(root)
    except (OSError, UnicodeDecodeError) as error:
        print(f"tabguard: {error}", file=sys.stderr)
        return 2
    state = "added" if changed else "already present"
    print(f"{root / '.gitattributes'}: {state}: " + "; ".join(GITATTRIBUTES_LINES))
    return 0
