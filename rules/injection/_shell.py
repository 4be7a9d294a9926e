"""Shared by the command-injection rules: which calls run a shell, and turning a shell string into argv."""

from __future__ import annotations

import ast
import re

from tabguard.rules.injection._strings import Piece, pieces, source_of

SUBPROCESS_CALLS = frozenset(
    {"subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output", "subprocess.Popen"}
)
# Programs that interpret their `-c` argument as code: a list argv starting with one is still a shell.
SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "cmd", "cmd.exe", "powershell", "pwsh", "python", "python3", "perl", "ruby", "node"})
EXEC_FUNCS = re.compile(r"^os\.(exec|spawn|posix_spawn)\w*$")
# Characters with a meaning to the shell: a command using them cannot be split into argv faithfully.
_SHELL_SYNTAX = set("|&;<>()$`\\\"'*?[]#~{}!\n")


def is_shell_program(expr: ast.AST) -> bool:
    if not (isinstance(expr, ast.Constant) and isinstance(expr.value, str)):
        return False
    return expr.value.rsplit("/", 1)[-1].lower() in SHELLS


def shell_payload(argv: list[ast.expr]) -> ast.expr | None:
    """For `["sh", "-c", X]`-style argv (a literal list), the X that the shell interprets."""
    if len(argv) >= 3 and is_shell_program(argv[0]):
        flag = argv[1]
        if isinstance(flag, ast.Constant) and flag.value in ("-c", "/c", "-Command", "-e"):
            return argv[2]
    return None


def argv_text(command: ast.expr, ctx) -> str | None:
    """`["ls", "-l", path]` for the f-string/concatenation `f"ls -l {path}"`, when the constant text
    has no shell syntax (so word splitting is the only thing the shell did) and the program is literal."""
    parts = pieces(command)
    if parts is None:
        return None
    tokens: list[list[Piece]] = [[]]
    for part in parts:
        if isinstance(part, str):
            if _SHELL_SYNTAX & set(part):
                return None
            for chunk in re.split(r"(\s+)", part):
                if chunk.isspace():
                    tokens.append([])
                elif chunk:
                    tokens[-1].append(chunk)
        else:
            tokens[-1].append(part)
    tokens = [t for t in tokens if t]
    if not tokens or not all(isinstance(p, str) for p in tokens[0]):
        return None
    return "[" + ", ".join(_token(t, ctx) for t in tokens) + "]"


def _token(token: list[Piece], ctx) -> str:
    if all(isinstance(p, str) for p in token):
        return '"' + "".join(token) + '"'  # no quotes or backslashes: _SHELL_SYNTAX excludes them
    if len(token) == 1 and not isinstance(token[0], ast.FormattedValue):
        return source_of(token[0], ctx)
    values = [
        ast.Constant(p) if isinstance(p, str) else p if isinstance(p, ast.FormattedValue)
        else ast.FormattedValue(p, -1, None)
        for p in token
    ]
    return ast.unparse(ast.JoinedStr(values))
