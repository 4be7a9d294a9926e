"""The command-injection rules' secure rewrites: a shell command line becomes an argument list.

A command qualifies when its literal text has no shell syntax beyond spaces and quotes, so word
splitting and quote removal are all the shell did with it; the program must be literal. It may be
built inline (`subprocess.run(f"ping -c 1 {host}", shell=True)`) or, the commonest assistant shape, in
a variable the function assigns once and uses only there (`cmd = "nslookup " + domain` then
`os.system(cmd)`): the assignment then builds the list.
"""

from __future__ import annotations

import ast
import re
from typing import Callable, Optional

from tabguard.engine.fixes import Transform, expressions_fix, parse_expression, remove_keyword
from tabguard.rules.injection._shell import is_shell_program
from tabguard.rules.injection._rewrite import reads_only, replace_arguments, sole_assignment
from tabguard.rules.injection._strings import Piece, built_string, formatted_pieces, source_of

TITLE = "Fix: pass an argument list without the shell"
RUN_TITLE = "Fix: run an argument list with subprocess.run"
# Characters with a meaning to the shell outside quotes: a command using them cannot be split faithfully.
_SHELL_SYNTAX = set("|&;<>()$`\\*?[]#~{}!\n")
# Inside double quotes `$`, backticks and backslashes still expand; inside single quotes nothing does.
_QUOTED_SYNTAX = {"'": set(), '"': set("$`\\")}
_PLAIN_PERCENT = re.compile(r"%[s%]")


def argv_text(command: ast.expr, ctx) -> Optional[Callable[[], str]]:
    """`["ls", "-l", path]` for `f"ls -l {path}"`, `"ls -l " + path`, `"ls -l %s" % path` or
    `"ls -l '{}'".format(path)`. A value inside quotes was one word for the shell too; an unquoted one
    becomes one word (the shell would have split it on spaces). The text is made when called:
    `ast.unparse` is slow, and only a fix that is asked for needs it."""
    if isinstance(command, ast.BinOp) and isinstance(command.op, ast.Mod):
        template = command.left
        if not (isinstance(template, ast.Constant) and isinstance(template.value, str)):
            return None
        if _PLAIN_PERCENT.sub("", template.value).count("%"):
            return None  # `%d`, `%5s`, `%(name)s`: formatting the list would not keep
    parts = formatted_pieces(command)
    words = _words(parts) if parts is not None else None
    if not words or not all(isinstance(p, str) for p, _ in words[0][0]) or not words[0][0]:
        return None
    return lambda: "[" + ", ".join(_word_text(word, quoted, ctx) for word, quoted in words) + "]"


def _words(parts: list[Piece]) -> Optional[list[tuple[list[tuple[Piece, bool]], bool]]]:
    """The shell's words: each a list of (piece, inside quotes) and whether any of it was quoted (an
    empty quoted word `''` is still an argument). None when the text has other shell syntax."""
    words: list[tuple[list[tuple[Piece, bool]], bool]] = []
    current: Optional[list[tuple[Piece, bool]]] = None
    quoted = False
    quote = ""
    for part in parts:
        if not isinstance(part, str):
            current = [] if current is None else current
            current.append((part, bool(quote)))
            continue
        for char in part:
            if quote and char == quote:
                quote = ""
            elif quote:
                if char in _QUOTED_SYNTAX[quote] or not char.isprintable():
                    return None
                current.append((char, True))  # type: ignore[union-attr]
            elif char in "'\"":
                quote, quoted = char, True
                current = [] if current is None else current
            elif char.isspace():
                if current is not None:
                    words.append((current, quoted))
                current, quoted = None, False
            elif char in _SHELL_SYNTAX:
                return None
            else:
                current = [] if current is None else current
                current.append((char, False))
    if quote:
        return None
    if current is not None:
        words.append((current, quoted))
    return words


def _word_text(word: list[tuple[Piece, bool]], quoted: bool, ctx) -> str:
    """The Python source of one argument."""
    merged: list[Piece] = []
    for piece, _ in word:
        if isinstance(piece, str) and merged and isinstance(merged[-1], str):
            merged[-1] += piece
        else:
            merged.append(piece)
    if not merged:
        return '""'
    if all(isinstance(p, str) for p in merged):
        return _literal("".join(p for p in merged if isinstance(p, str)))
    if len(merged) == 1:
        value = merged[0]
        assert not isinstance(value, str)
        joined = _joined_words(value)
        if joined is not None and not word[0][1]:
            return "*" + source_of(joined, ctx)  # `" ".join(args)` unquoted: each one a word
        if not isinstance(value, ast.FormattedValue):
            return source_of(value, ctx)
    return _fstring(merged, ctx)


def _fstring(pieces: list[Piece], ctx) -> str:
    """`f"uploads/{name}"`, written as the project's own code would be (`ast.unparse` picks single
    quotes); `ast.unparse` for a value whose own text has double quotes or a format spec."""
    out = []
    for piece in pieces:
        if isinstance(piece, str):
            out.append(_literal(piece)[1:-1].replace("{", "{{").replace("}", "}}"))
            continue
        value = source_of(piece, ctx) if not isinstance(piece, ast.FormattedValue) else None
        if value is None or '"' in value or "\\" in value:
            values: list[ast.expr] = [
                ast.Constant(p)
                if isinstance(p, str)
                else p
                if isinstance(p, ast.FormattedValue)
                else ast.FormattedValue(p, -1, None)
                for p in pieces
            ]
            return ast.unparse(ast.JoinedStr(values))
        out.append("{" + value + "}")
    return 'f"' + "".join(out) + '"'


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _joined_words(piece: ast.expr) -> Optional[ast.expr]:
    """`args` of `" ".join(args)`: the words the shell would split the joined text back into."""
    if isinstance(piece, ast.FormattedValue):
        piece = piece.value
    if (
        isinstance(piece, ast.Call)
        and isinstance(piece.func, ast.Attribute)
        and piece.func.attr == "join"
        and isinstance(piece.func.value, ast.Constant)
        and isinstance(piece.func.value.value, str)
        and piece.func.value.value.isspace()
        and len(piece.args) == 1
        and not piece.keywords
    ):
        return piece.args[0]
    return None


def _assigned(command: ast.expr, ctx) -> tuple[Optional[ast.expr], bool]:
    """(the text built for `command`, whether its assignment can build the list instead): the
    assignment is the function's only one of the name, and this call its only use. Used elsewhere
    too (logged, shown in an error), the list is written at the call when the values only read
    names that keep their value."""
    if not isinstance(command, ast.Name):
        return command, False
    built = built_string(command, ctx)
    if built is None or built is command:
        return None, False
    if sole_assignment(ctx, command, built) is not None:
        return built, True
    parts = formatted_pieces(built)
    reread = parts is not None and reads_only(p for p in parts if not isinstance(p, str))
    return (built, False) if reread and sole_assignment(ctx, command, built, only_use=False) else (None, False)


def _argument_list(ctx, call: ast.Call, command: ast.expr):
    """(the text built for the call's command, whether its assignment builds the list, the list's
    text) when the command is the call's first argument and can be split; else None."""
    if not call.args or (call.args[0] is not command and not _shell_c(call.args[0], command)):
        return None
    built, assigned = _assigned(command, ctx) if call.args[0] is command else (command, False)
    argv = argv_text(built, ctx) if built is not None else None
    return None if built is None or argv is None else (built, assigned, argv)


def _shell_c(argument: ast.expr, command: ast.expr) -> bool:
    """`["sh", "-c", <command>]`: a shell started only to run the command line."""
    return (
        isinstance(argument, (ast.List, ast.Tuple))
        and len(argument.elts) == 3
        and is_shell_program(argument.elts[0])
        and isinstance(argument.elts[1], ast.Constant)
        and argument.elts[1].value == "-c"
        and argument.elts[2] is command
        and not isinstance(command, ast.Name)
    )


def shell_fix(ctx, call: ast.Call, command: ast.expr):
    """`subprocess.run(<command>, shell=True, ...)` or `subprocess.run(["sh", "-c", <command>], ...)`
    -> `subprocess.run([...], ...)`."""
    found = _argument_list(ctx, call, command)
    if found is None:
        return None
    built, assigned, argv = found
    if assigned:
        return expressions_fix(ctx, [(built, _made(argv)), (call, remove_keyword("shell"))], TITLE, safe=False)
    return expressions_fix(
        ctx, [(call, lambda node: replace_arguments(argv(), drop=("shell",))(node))], TITLE, safe=False
    )


def system_fix(ctx, call: ast.Call, command: ast.expr):
    """`os.system(<command>)` -> `subprocess.run([...])`; `.returncode` where the status is used."""
    used = not isinstance(ctx.parent(call), ast.Expr)
    return _run_fix(ctx, call, command, call, "subprocess.run({})" + (".returncode" if used else ""), RUN_TITLE)


def getoutput_fix(ctx, call: ast.Call, command: ast.expr):
    """`subprocess.getoutput(<command>)` -> the same text (stdout and stderr, one trailing newline
    removed) from `subprocess.run([...], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)`."""
    if len(call.args) != 1 or call.keywords:
        return None  # `encoding=`/`errors=` (3.11+): kept simple
    template = (
        'subprocess.run({}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout.removesuffix("\\n")'
    )
    return _run_fix(ctx, call, command, call, template, RUN_TITLE)


def popen_fix(ctx, call: ast.Call, command: ast.expr):
    """`os.popen(<command>).read()` -> `subprocess.run([...], stdout=subprocess.PIPE, text=True).stdout`
    (the same text); another use of the stream -> `subprocess.Popen([...], stdout=subprocess.PIPE,
    text=True).stdout`, the pipe `os.popen` itself opens."""
    if len(call.args) != 1 or call.keywords:
        return None  # a mode argument (`"w"`)
    read = ctx.parent(call)
    whole = ctx.parent(read)
    if (
        isinstance(read, ast.Attribute)
        and read.attr == "read"
        and isinstance(whole, ast.Call)
        and whole.func is read
        and not whole.args
        and not whole.keywords
    ):
        return _run_fix(
            ctx, call, command, whole, "subprocess.run({}, stdout=subprocess.PIPE, text=True).stdout", RUN_TITLE
        )
    template = "subprocess.Popen({}, stdout=subprocess.PIPE, text=True).stdout"
    return _run_fix(
        ctx, call, command, call, template, "Fix: read the output of an argument list run with subprocess.Popen"
    )


def _run_fix(ctx, call: ast.Call, command: ast.expr, replaced: ast.expr, template: str, title: str):
    """Replace `replaced` (the call, or `call(...).read()`) by `template` around the argument list, or
    around the variable whose assignment then builds the list."""
    found = _argument_list(ctx, call, command)
    if found is None:
        return None
    built, assigned, argv = found
    if not assigned:
        changes = [(replaced, _made(lambda: template.format(argv())))]
    else:
        named = source_of(command, ctx)
        changes = [(built, _made(argv)), (replaced, _made(lambda: template.format(named)))]
    return expressions_fix(ctx, changes, title, safe=False, imports=("subprocess",))


def _made(text: Callable[[], str]) -> Transform:
    return lambda _: parse_expression(text())
