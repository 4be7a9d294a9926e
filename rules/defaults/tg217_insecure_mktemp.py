"""TG217: `tempfile.mktemp()` (and friends) return a name that someone else can create first."""

from __future__ import annotations

import ast

from tabguard.engine.fixes import edits_fix
from tabguard.engine.rule import Invalid, Rule
from tabguard.engine.types import Edit
from tabguard.rules._spelling import spell

_RACY = frozenset({"tempfile.mktemp", "os.tempnam", "os.tmpnam"})


class InsecureMktemp(Rule):
    id = "TG217"
    name = "insecure-mktemp"
    severity = "medium"
    confidence = "high"
    cwe = (377,)
    quiet_in_tests = True
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
        "Unsafe: `path = tempfile.mktemp(...)` becomes `fd, path = tempfile.mkstemp(...)` followed by "
        "`os.close(fd)`: the file is created (mode 0600) and its descriptor closed; code that expected "
        "the path not to exist yet (e.g. a tool refusing to overwrite) must accept an empty file. A "
        "`mktemp()` call used inside a larger expression (returned, passed on) becomes "
        "`tempfile.NamedTemporaryFile(delete=False, ...).name`: the same, created, empty file, whose "
        "handle is closed when the expression's object is released."
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
            "import os\nimport tempfile\nfd, path = tempfile.mkstemp(suffix='.json')\nos.close(fd)\n",
        ),
        Invalid(
            "import os\nfrom tempfile import mktemp\ndef job(fd):\n    out = mktemp('.log', 'job-')\n    return out\n",
            "import os\nfrom tempfile import mktemp, mkstemp\ndef job(fd):\n    temp_fd, out = mkstemp('.log', 'job-')\n"
            "    os.close(temp_fd)\n    return out\n",
        ),
        Invalid(
            "import tempfile\nrun(['tool', '-o', tempfile.mktemp()])\n",
            "import tempfile\nrun(['tool', '-o', tempfile.NamedTemporaryFile(delete=False).name])\n",
        ),
        Invalid(
            "from tempfile import mktemp\ndef report_path():\n    return mktemp('.pdf', dir='/tmp/reports')\n",
            "from tempfile import mktemp, NamedTemporaryFile\ndef report_path():\n"
            "    return NamedTemporaryFile(delete=False, suffix='.pdf', dir='/tmp/reports').name\n",
        ),
        Invalid("import os\nname = os.tempnam('/tmp', 'x')\n"),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        callee = ctx.call_name(node) or ""
        if callee not in _RACY:
            return
        fix = _mkstemp_fix(ctx, node) if callee == "tempfile.mktemp" else None
        ctx.report(self, node, details={"callee": callee}, fix=fix)


def _mkstemp_fix(ctx, call: ast.Call):
    """`path = mktemp(args)` -> `fd, path = tempfile.mkstemp(args)` and `os.close(fd)` below it: same
    parameters (suffix, prefix, dir), the path of a file that now exists, and no descriptor left
    open. Only that statement shape is rewritten: elsewhere the descriptor has nowhere to go."""
    statement = ctx.parent(call)
    if not (
        isinstance(statement, ast.Assign)
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
        and statement.value is call
    ):
        return _named_file_fix(ctx, call)
    span = ctx.span(statement)
    indent = ctx.lines[span.start_line][: span.start_col]
    if indent.strip() or ctx.lines[span.end_line][span.end_col :].strip():
        return _named_file_fix(ctx, call)  # not alone on its lines (`a = mktemp(); b`): no room for a second
    used = {
        node.id if isinstance(node, ast.Name) else node.arg
        for node in ctx.scope_nodes()
        if isinstance(node, (ast.Name, ast.arg))
    }
    fd = next(name for name in ("fd", "temp_fd", "temp_fd_") if name not in used)
    mkstemp, imports = spell(ctx, "tempfile.mkstemp")
    close, more = spell(ctx, "os.close")
    arguments = ctx.segment(ctx.span(call))[len(ctx.segment(ctx.span(call.func))) :]
    new = f"{fd}, {statement.targets[0].id} = {mkstemp}{arguments}\n{indent}{close}({fd})"
    return edits_fix(
        [Edit(span, new)],
        "Fix: create the file with tempfile.mkstemp() and close its descriptor",
        safe=False,
        imports=(*more, *imports),
    )


_MKTEMP_PARAMETERS = ("suffix", "prefix", "dir")


def _named_file_fix(ctx, call: ast.Call):
    """`tempfile.mktemp(".pdf")` inside an expression -> `tempfile.NamedTemporaryFile(delete=False,
    suffix=".pdf").name`: the path of a file created for it, as one expression."""
    if len(call.args) > len(_MKTEMP_PARAMETERS) or any(isinstance(a, ast.Starred) for a in call.args):
        return None
    if any(k.arg is None for k in call.keywords):
        return None
    named = [f"{name}={ctx.segment(ctx.span(arg))}" for name, arg in zip(_MKTEMP_PARAMETERS, call.args)]
    named += [f"{k.arg}={ctx.segment(ctx.span(k.value))}" for k in call.keywords]
    if any("\n" in text for text in named):
        return None
    function, imports = spell(ctx, "tempfile.NamedTemporaryFile")
    new = f"{function}({', '.join(['delete=False', *named])}).name"
    return edits_fix(
        [Edit(ctx.span(call), new)],
        "Fix: create the file with tempfile.NamedTemporaryFile(delete=False)",
        safe=False,
        imports=imports,
    )
