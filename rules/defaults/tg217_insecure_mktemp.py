"""TG217: `tempfile.mktemp()` (and friends) return a name that someone else can create first."""

from __future__ import annotations

import ast

import libcst as cst
from tabguard.engine.fixes import expression_fix
from tabguard.engine.rule import Invalid, Rule

_RACY = frozenset({"tempfile.mktemp", "os.tempnam", "os.tmpnam"})


class InsecureMktemp(Rule):
    id = "TG217"
    name = "insecure-mktemp"
    severity = "medium"
    confidence = "high"
    cwe = (377,)
    owasp = "A01:2025"
    message = "`{callee}` returns a temporary name without creating the file (race condition)"
    placeholders = {"callee": "tempfile.mktemp"}
    aliases = ("B306", "S306")
    call_names = frozenset(name.rpartition(".")[2] for name in _RACY)
    what = "`{callee}` only picks a file name; the file is created later by your code, after a gap another process can use."
    why = (
        "Between the name being chosen and the file being opened, another local user can create that "
        "path (often as a symlink to a file the program can write, such as a config or `~/.bashrc`). "
        "The program then writes its data through the symlink or reads attacker-controlled content. "
        "The names are predictable enough for a loop in another process to win the race."
    )
    how = (
        "Let `tempfile` create the file atomically: `fd, path = tempfile.mkstemp()`, "
        "`tempfile.NamedTemporaryFile()`, or `tempfile.TemporaryDirectory()` for a private directory."
    )
    example = 'with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as tmp:\n    tmp.write(report)\n    path = tmp.name'
    fix_safety = (
        "Unsafe: the rewrite uses `tempfile.mkstemp(...)[1]`, which creates the file (mode 0600) and "
        "returns its path; the open descriptor it also returns is dropped, and code that expected the "
        "path not to exist yet (e.g. a tool refusing to overwrite) must accept an empty file."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/377.html",
        "https://docs.python.org/3/library/tempfile.html#tempfile.mktemp",
    )
    VALID = (
        "import tempfile\nfd, path = tempfile.mkstemp(suffix='.csv')\n",
        "import tempfile\nwith tempfile.NamedTemporaryFile() as tmp:\n    tmp.write(data)\n",
        "def mktemp():\n    return 'x'\nname = mktemp()\n",
    )
    INVALID = (
        Invalid(
            "import tempfile\npath = tempfile.mktemp(suffix='.json')\n",
            "import tempfile\npath = tempfile.mkstemp(suffix='.json')[1]\n",
        ),
        Invalid(
            "from tempfile import mktemp\nout = mktemp('.log', 'job-')\n",
            "import tempfile\nfrom tempfile import mktemp\nout = tempfile.mkstemp('.log', 'job-')[1]\n",
        ),
        Invalid("import os\nname = os.tempnam('/tmp', 'x')\n"),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        callee = ctx.call_name(node) or ""
        if callee not in _RACY:
            return
        fix = None
        if callee == "tempfile.mktemp":
            fix = expression_fix(ctx, node, _to_mkstemp, "Fix: create the file with tempfile.mkstemp()",
                                 safe=False, imports=("tempfile",))
        ctx.report(self, node, details={"callee": callee}, fix=fix)


def _to_mkstemp(call: cst.BaseExpression) -> cst.BaseExpression:
    """`mktemp(args)` -> `tempfile.mkstemp(args)[1]`: same parameters (suffix, prefix, dir), and the
    path of a file that now exists."""
    assert isinstance(call, cst.Call)
    created = call.with_changes(func=cst.parse_expression("tempfile.mkstemp"))
    return cst.Subscript(value=created, slice=[cst.SubscriptElement(cst.Index(cst.Integer("1")))])
