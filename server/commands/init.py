"""`tabguard init`: a starter `[tool.tabguard]` config and the union-merge lines for the ledger files."""

from __future__ import annotations

import sys
from pathlib import Path

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
# Allow lookups on the package index and vulnerability database (nothing leaves the machine otherwise).
network = false
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
    try:
        if standalone.is_file():
            print(f"{standalone}: already present, left as is")
        elif pyproject.is_file():
            text = pyproject.read_text(encoding="utf-8")
            if "[tool.tabguard]" in text:
                print(f"{pyproject}: [tool.tabguard] already present, left as is")
            else:
                separator = "" if not text or text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
                pyproject.write_text(text + separator + "[tool.tabguard]\n" + STARTER, encoding="utf-8")
                print(f"{pyproject}: added [tool.tabguard]")
        else:
            standalone.write_text(STARTER, encoding="utf-8")
            print(f"{standalone}: written")
        changed = ensure_gitattributes(root)
    except OSError as error:
        print(f"tabguard: {error}", file=sys.stderr)
        return 2
    state = "added" if changed else "already present"
    print(f"{root / '.gitattributes'}: {state}: " + "; ".join(GITATTRIBUTES_LINES))
    return 0
