"""Shared by the command-injection rules: which calls run a shell, and turning a shell string into argv."""

from __future__ import annotations

import ast

from tabguard.rules.injection import last_names

SUBPROCESS_CALLS = frozenset(
    {"subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output", "subprocess.Popen"}
)
# IPython's shell: a notebook's `!cmd` line runs `get_ipython().system(f"cmd")` (see tabguard.notebook).
IPYTHON_SHELL = "get_ipython()"
_GET_IPYTHON = ("get_ipython", "IPython.get_ipython")
# Functions whose string argument is always run by a shell.
SHELL_STRING_CALLS = frozenset(
    {
        "os.system",
        "os.popen",
        "os.popen2",
        "os.popen3",
        "os.popen4",
        "subprocess.getoutput",
        "subprocess.getstatusoutput",
        "commands.getoutput",
        "commands.getstatusoutput",
        "commands.getstatus",
        "popen2.popen2",
        "popen2.popen3",
        "popen2.popen4",
        "popen2.Popen3",
        "popen2.Popen4",
        "platform.popen",
        "posix.system",
        *(f"{IPYTHON_SHELL}.{m}" for m in ("system", "getoutput")),
    }
)
# Programs that interpret their `-c` argument as code: a list argv starting with one is still a shell.
SHELLS = frozenset(
    {
        "sh",
        "bash",
        "zsh",
        "dash",
        "ksh",
        "cmd",
        "cmd.exe",
        "powershell",
        "pwsh",
        "python",
        "perl",
        "ruby",
        "node",
        "php",
    }
)
# Values that cannot carry shell syntax once passed through these.
SHELL_QUOTED = frozenset({"shlex.quote", "shlex.join", "pipes.quote", "int", "float", "len"})
ASYNC_SHELL = frozenset({"asyncio.create_subprocess_shell", "asyncio.subprocess.create_subprocess_shell"})
ASYNC_EXEC = frozenset({"asyncio.create_subprocess_exec", "asyncio.subprocess.create_subprocess_exec"})
# os.exec*, os.spawn* and os.posix_spawn*: a program and its arguments, no shell.
_VARIANTS = ("l", "le", "lp", "lpe", "v", "ve", "vp", "vpe")
EXEC_FUNCS = frozenset(
    {*(f"os.exec{v}" for v in _VARIANTS), *(f"os.spawn{v}" for v in _VARIANTS), "os.posix_spawn", "os.posix_spawnp"}
)
# The last names of the calls `launched` understands (for `Rule.call_names`).
LAUNCHERS = last_names((*SUBPROCESS_CALLS, *ASYNC_EXEC, *EXEC_FUNCS, "pty.spawn")) | {"subprocess_exec"}
_GETATTR = ("getattr", "builtins.getattr")


def _program_name(expr: ast.expr | None) -> str:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value.rsplit("/", 1)[-1].lower()
    return ""


def is_shell_program(expr: ast.expr | None) -> bool:
    return _program_name(expr).rstrip("0123456789.") in SHELLS


def shell_enabled(call: ast.Call, ctx) -> bool:
    keyword = ctx.keyword(call, "shell")
    return keyword is not None and not (isinstance(keyword.value, ast.Constant) and not keyword.value.value)


def launched(call: ast.Call, callee: str, ctx) -> tuple[ast.expr | None, list[ast.expr]] | None:
    """(program, the arguments after it) of a call that starts a process from an argument list; a
    program held in a constant (`SHELL = "/bin/bash"`, `shell = "sh"`) is that constant."""
    found = _launched(call, callee, ctx)
    if found is None or not isinstance(found[0], ast.Name):
        return found
    value = ctx.constant_value(found[0])
    if value is None and ctx.function is not None:
        bound = ctx.model.value_of(found[0])
        value = bound.value if isinstance(bound, ast.Constant) else None
    return (ast.copy_location(ast.Constant(value), found[0]) if isinstance(value, str) else found[0]), found[1]


def _launched(call: ast.Call, callee: str, ctx) -> tuple[ast.expr | None, list[ast.expr]] | None:
    args = list(call.args)
    if callee in ASYNC_EXEC:
        return _unpacked(args[0]) if args else None, args[1:]
    if isinstance(call.func, ast.Attribute) and call.func.attr == "subprocess_exec":
        return (_unpacked(args[1]) if len(args) > 1 else None), args[2:]
    if any(isinstance(a, ast.Starred) for a in args[:2]):
        return None
    if callee in SUBPROCESS_CALLS or callee == "pty.spawn":
        first = ctx.argument(call, 0, "args") if callee != "pty.spawn" else (args[0] if args else None)
        if isinstance(first, (ast.List, ast.Tuple)):
            return (first.elts[0] if first.elts else None), list(first.elts[1:])
        return first, []
    if callee in EXEC_FUNCS:
        if callee.startswith("os.spawn"):
            args = args[1:]  # the mode
        program, rest = (args[0] if args else None), args[1:]
        if callee.endswith(("v", "ve", "vp", "vpe")) or callee.startswith("os.posix_spawn"):
            rest = list(rest[0].elts) if rest and isinstance(rest[0], (ast.List, ast.Tuple)) else []
        if rest and _program_name(rest[0]) and _program_name(rest[0]) == _program_name(program):
            rest = rest[1:]  # argv[0], by convention the program's own name
        return program, rest
    return None


def process_call_name(call: ast.Call, ctx) -> str:
    """The function a call reaches, also through a lookup with constant names: `getattr(os, "system")(...)`
    and `__import__("os").system(...)` are `os.system` (a way to hide a shell call from a reviewer);
    `get_ipython().system(...)` is IPython's shell."""
    func = call.func
    if isinstance(func, ast.Call) and ctx.call_name(func) in _GETATTR and len(func.args) >= 2:
        attribute = func.args[1]
        base = _imported(func.args[0], ctx) or ctx.qualname(func.args[0])
        if base and isinstance(attribute, ast.Constant) and isinstance(attribute.value, str):
            return f"{base}.{attribute.value}"
    if isinstance(func, ast.Attribute):
        base = _imported(func.value, ctx)
        if base:
            return f"{base}.{func.attr}"
        if isinstance(func.value, ast.Call) and not func.value.args and ctx.call_name(func.value) in _GET_IPYTHON:
            return f"{IPYTHON_SHELL}.{func.attr}"
    return ctx.call_name(call) or ""


def process_call(node: ast.Call, ctx) -> ast.Call | None:
    """The process call to judge on visiting `node`. `getattr(os, "system")(cmd)` has no callee name for
    `Rule.call_names` to dispatch it by, so it is judged on visiting its `getattr(...)`; a call whose
    callee is a call is never judged itself (None)."""
    if isinstance(node.func, ast.Call):
        return None
    parent = ctx.parent(node)
    if isinstance(parent, ast.Call) and parent.func is node and ctx.call_name(node) in _GETATTR:
        return parent
    return node


def _imported(expr: ast.expr, ctx) -> str | None:
    """`__import__("os")` / `importlib.import_module("os")` -> "os"."""
    if isinstance(expr, ast.Call) and ctx.call_name(expr) in (
        "__import__",
        "builtins.__import__",
        "importlib.import_module",
    ):
        name = expr.args[0] if expr.args else None
        if isinstance(name, ast.Constant) and isinstance(name.value, str):
            return name.value
    return None


def _unpacked(arg: ast.expr) -> ast.expr:
    """`create_subprocess_exec(*argv)`: the unpacked list holds the program, so it stands for it."""
    return arg.value if isinstance(arg, ast.Starred) else arg


def shell_text(call: ast.Call, callee: str, ctx) -> ast.expr | None:
    """The command line a shell parses for this call: the string given to `os.system`-style functions,
    `subprocess` with `shell=True`, `create_subprocess_shell`, or the `X` of `sh -c X`."""
    if callee in SHELL_STRING_CALLS or callee in ASYNC_SHELL:
        return ctx.argument(call, 0, "cmd") or ctx.argument(call, 0, "command")
    if callee in SUBPROCESS_CALLS and shell_enabled(call, ctx):
        command = ctx.argument(call, 0, "args")
        return None if isinstance(command, (ast.List, ast.Tuple)) else command
    launch = launched(call, callee, ctx)
    return shell_payload(*launch) if launch is not None and not shell_enabled(call, ctx) else None


def shell_payload(program: ast.expr | None, argv: list[ast.expr]) -> ast.expr | None:
    """The code a shell runs for this argument list: the X of `sh -c X`, also behind a wrapper
    (`sudo sh -c X`, `docker exec box sh -c X`), or the remote command of `ssh host cmd...`."""
    words = [program, *argv]
    for start, word in enumerate(words):
        if is_shell_program(word):
            for i in range(start + 1, len(words) - 1):
                arg = words[i]
                if isinstance(arg, ast.Constant) and arg.value in ("-c", "/c", "-Command", "-e"):
                    return words[i + 1]
            return None
    if _program_name(program) == "ssh":
        return _remote_command(argv)
    return None


# ssh options followed by a value (`-p 22`, `-i key`, `-o Option=...`).
_SSH_VALUE_OPTIONS = frozenset("BbcDEeFIiJLlmOopQRSWw")


def _remote_command(argv: list[ast.expr]) -> ast.expr | None:
    """`ssh [options] host word...`: ssh joins the words and the remote user's shell parses them, so
    the first non-literal word is shell text."""
    i = 0
    while i < len(argv) and isinstance(argv[i], ast.Constant) and str(argv[i].value).startswith("-"):
        option = str(argv[i].value)
        i += 2 if len(option) == 2 and option[1] in _SSH_VALUE_OPTIONS else 1
    return next((a for a in argv[i + 1 :] if not isinstance(a, ast.Constant)), None)


def script_argument(program: ast.expr | None, argv: list[ast.expr]) -> ast.expr | None:
    """For `python <script>`-style launches, the script the interpreter runs."""
    if not is_shell_program(program):
        return None
    for arg in argv:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value.startswith("-"):
            if arg.value in ("-c", "/c", "-Command", "-e", "-m"):
                return None  # code or a module follows: not a script path
            continue
        return arg
    return None
