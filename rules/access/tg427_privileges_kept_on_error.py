"""TG427: privileges raised for a step and lowered after it, but not when the step raises."""

from __future__ import annotations

import ast
import re
from typing import Iterator, Optional, cast

from tabguard.engine.rule import Invalid, Rule
from tabguard.guards import words

# `os.seteuid(0)` raises the process to root; the same calls with another id lower it again.
_ID_CALLS = frozenset(
    {"os.setuid", "os.seteuid", "os.setreuid", "os.setresuid", "os.setgid", "os.setegid", "os.setregid", "os.setresgid"}
)
# Helpers named for what they do: `raise_privileges()`, `elevatePrivileges()`, `drop_root()`.
_RAISING = frozenset({"raise", "elevate", "escalate", "gain", "acquire", "become"})
_LOWERING = frozenset({"lower", "drop", "release", "revoke", "restore", "reset", "shed", "relinquish"})
_PRIVILEGE = frozenset({"privilege", "privileges", "priv", "privs", "root", "superuser"})
# What the source of a function must mention for any of the calls above to be in it (the id calls'
# `uid`/`gid`, a privilege word): most functions do not, and they are passed over without walking
# their statements (this rule runs on every accept).
_MENTIONS = re.compile("|".join(("uid", "gid", *sorted(_PRIVILEGE))), re.IGNORECASE)


def _helper_kind(call: ast.Call) -> Optional[str]:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    said = set(words(name))
    if not said & _PRIVILEGE:
        return None
    return "raise" if said & _RAISING else "lower" if said & _LOWERING else None


def _id_kind(call: ast.Call, ctx) -> Optional[str]:
    if (ctx.call_name(call) or "") not in _ID_CALLS or not call.args:
        return None
    root = all(isinstance(a, ast.Constant) and a.value == 0 for a in call.args)
    return "raise" if root else "lower"


def _calls(statements: list[ast.stmt], guarded: bool) -> Iterator[tuple[ast.Call, bool]]:
    """Every call of the statements in source order, with whether it runs on the error path too (in
    a `finally` or an `except` block); nested functions and classes run elsewhere."""
    for statement in statements:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if isinstance(statement, ast.Try) or type(statement).__name__ == "TryStar":
            block = cast(ast.Try, statement)  # `try`/`except*` has the same fields
            yield from _calls(block.body, guarded)
            for handler in block.handlers:
                yield from _calls(handler.body, True)
            yield from _calls(block.orelse, guarded)
            yield from _calls(block.finalbody, True)
            continue
        inner: list[ast.stmt] = []
        for field in ("body", "orelse"):
            inner.extend(getattr(statement, field, None) or [])
        own = [n for n in _own_nodes(statement) if isinstance(n, ast.Call)]
        for call in sorted(own, key=lambda c: (c.lineno, c.col_offset)):
            yield call, guarded
        yield from _calls(inner, guarded)


def _own_nodes(statement: ast.stmt) -> Iterator[ast.AST]:
    """The nodes of a statement outside its nested statement blocks (an `if`'s test, not its body)."""
    for field, value in ast.iter_fields(statement):
        if field in ("body", "orelse", "handlers", "finalbody"):
            continue
        for child in value if isinstance(value, list) else [value]:
            if isinstance(child, ast.AST):
                yield from ast.walk(child)


class PrivilegesKeptOnError(Rule):
    id = "TG427"
    name = "privileges-kept-on-error"
    severity = "medium"
    confidence = "medium"
    cwe = (269, 250)
    owasp = "A01:2025"
    message = "Privileges raised by `{raised}` are lowered by `{lowered}` only when nothing in between fails"
    placeholders = {"raised": "os.seteuid(0)", "lowered": "os.seteuid(uid)"}
    aliases = ()
    what = (
        "`{raised}` raises the process's privileges and `{lowered}` lowers them again, but the lowering "
        "is not in a `finally` block: when a call in between raises an exception, it is skipped."
    )
    why = (
        "An exception between the two calls (a directory that already exists, a full disk, a bad name) "
        "skips the lowering, and the process goes on with root or elevated rights: every later request "
        "it serves, every file it writes and every command it runs has them, so a small bug elsewhere "
        "becomes a full compromise."
    )
    how = (
        "Lower the privileges in a `finally` block (`raise_privileges()` then `try: ... finally: "
        "lower_privileges()`), or wrap the pair in a context manager whose `__exit__` lowers them. "
        "Better, do the privileged step in a separate helper process that runs as root and nothing else."
    )
    example = (
        "def make_home(username):\n    raise_privileges()\n    try:\n        os.mkdir(os.path.join('/home', username))\n"
        "    finally:\n        lower_privileges()"
    )
    fix_safety = "No automatic rewrite: moving the statements into `try`/`finally` changes the function's layout."
    references = (
        "https://cwe.mitre.org/data/definitions/250.html",
        "https://cwe.mitre.org/data/definitions/269.html",
        "https://docs.python.org/3/library/os.html#os.seteuid",
    )
    VALID = (
        "import os\ndef make_home(name):\n    raise_privileges()\n    try:\n        os.mkdir('/home/' + name)\n"
        "    finally:\n        lower_privileges()\n",
        "import os\ndef rotate(path, uid):\n    os.seteuid(0)\n    try:\n        os.chown(path, uid, -1)\n"
        "    except OSError:\n        os.seteuid(uid)\n        raise\n    os.seteuid(uid)\n",
        "import os\ndef drop(uid, gid):\n    os.setgid(gid)\n    os.setuid(uid)\n",
        "import os\ndef daemon(uid):\n    os.setuid(uid)\n    serve()\n",
        "def elevate_privileges():\n    os.seteuid(0)\n",
    )
    INVALID = (
        Invalid(
            "import os\ndef make_user_dir(username):\n    try:\n        raisePrivileges()\n"
            "        os.mkdir('/home/' + username)\n        lowerPrivileges()\n    except OSError:\n"
            "        print('could not create the directory for ' + username)\n        return False\n    return True\n",
            message="`raisePrivileges()`",
        ),
        Invalid(
            "import os\ndef write_config(path, text, uid):\n    os.seteuid(0)\n    with open(path, 'w') as fh:\n"
            "        fh.write(text)\n    os.seteuid(uid)\n",
        ),
        Invalid(
            "import subprocess\nclass Installer:\n    def install(self, package):\n        self.acquire_root()\n"
            "        subprocess.run(['apt-get', 'install', '-y', package], check=True)\n        self.drop_root()\n",
        ),
    )

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef, ctx) -> None:
        if not _MENTIONS.search(ctx.segment(ctx.span(node))):
            return
        raised: Optional[ast.Call] = None
        between = 0
        for call, guarded in _calls(node.body, False):
            kind = _helper_kind(call) or _id_kind(call, ctx)
            if raised is None:
                if kind == "raise" and not guarded:
                    raised, between = call, 0
                continue
            if kind == "lower":
                if not guarded and between and not self._lowered_on_error(node, ctx):
                    ctx.report(
                        self,
                        raised,
                        details={"raised": _text(raised, ctx), "lowered": _text(call, ctx)},
                    )
                return
            between += 1

    visit_AsyncFunctionDef = visit_FunctionDef

    @staticmethod
    def _lowered_on_error(func: ast.FunctionDef | ast.AsyncFunctionDef, ctx) -> bool:
        """Some lowering call runs on the error path (in `finally`, or in an `except` block)."""
        return any(
            guarded and (_helper_kind(call) or _id_kind(call, ctx)) == "lower"
            for call, guarded in _calls(func.body, False)
        )


def _text(call: ast.Call, ctx) -> str:
    return ctx.segment(ctx.span(call)).strip()
