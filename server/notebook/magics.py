"""IPython syntax in a code cell, turned into plain Python that keeps every line where it was.

IPython rewrites a cell before Python sees it: `!ls` becomes `get_ipython().system('ls')`,
`x = !ls` becomes `x = get_ipython().getoutput('ls')`, `%pip install x` a magic call, `obj?` a
help request. Parsed as Python these lines are syntax errors, so each one is masked:

- a shell escape becomes the call IPython makes, with the command as an f-string whose
  `{expr}` / `$name` parts are the Python values IPython interpolates
  (`!echo {cmd}` -> `get_ipython().system(f"echo {cmd}")`): the command-injection rules see
  the variable flow into a shell exactly as at run time;
- a line magic that runs its argument as Python (`%time f()`, `x = %timeit -n 3 g()`, `%prun h()`)
  becomes that statement, so the rules see it (`x = f()`); its options are dropped;
- any other line magic or help request becomes `...` (keeping an assignment target, `x = ...`);
- a cell magic (`%%sql`, `%%bash`) blanks the whole cell, except the few whose body is Python
  (`%%time`, `%%capture`, ...), where only the magic line is blanked.

A masked line stays one line, so line numbers never move; its columns are mapped through `runs`
(pieces copied from the cell), so a finding on the command or a variable maps back to the cell.
Escapes are recognised only where IPython recognises them: at the start of a logical line, never
inside a string, a bracket or a backslash continuation of Python code.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import NamedTuple, Optional, Sequence

from tabguard.engine.splitter import CLEAN, scan_line

# Cell magics whose body IPython runs as Python: only their first line is IPython syntax.
PYTHON_BODY_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug"})
# Line magics that run their argument as Python, with their options in getopt form
# (`n:` takes a value, `t` does not), as IPython parses them.
_PYTHON_LINE_MAGICS = {"time": "", "timeit": "n:r:tcp:qo", "prun": "D:l:rs:T:q"}
# Line magics that run their argument through a shell, with the call IPython makes for them.
_SHELL_MAGICS = {"sx": "getoutput", "system": "system"}

# `[target =] ! | !! | % | %%` at the start of a logical line. Python never starts an expression
# with `!` or `%`, so no valid Python line matches.
_ESCAPE = re.compile(
    r"(?P<indent>[ \t]*)(?:(?P<lhs>[\w.\[\]'\" ,()*]*[\w\])'\"])\s*=\s*)?(?P<mark>!!|!|%%|%)(?P<rest>.*)"
)
# `obj?`, `obj??`, `?obj`, `??obj`: no valid Python line ends with `?` or starts with one.
_HELP = re.compile(r"[ \t]*(?:\?{1,2}[\w.*\[\]()%]+|[\w.*\[\]()%]+\?{1,2})[ \t]*")
_MAGIC_NAME = re.compile(r"[\w.]+")
# IPython expands `$name` / `$name.attr` (`$$` is a literal `$`), but not inside single quotes.
_DOLLAR = re.compile(r"\$\$|\$([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)")


class Run(NamedTuple):
    """Columns `vcol .. vcol+length` of a virtual line are columns `col ..` of cell line `line`."""

    vcol: int
    line: int
    col: int
    length: int


@dataclass(frozen=True)
class ShellEscape:
    """A shell command IPython runs for a cell line (`!cmd`, `x = !cmd`, `!!cmd`, `%sx cmd`)."""

    line: int  # 0-based line of the cell where the escape starts
    col: int  # column of its `!` / `%`
    command: str  # the command text as written (continued lines joined by a space)
    names: tuple[str, ...]  # Python names interpolated into it (`{cmd}`, `$name`), in order
    captured: bool  # the output is kept (`x = !cmd`, `!!cmd`, `%sx`): IPython's getoutput


@dataclass(frozen=True)
class MaskedCell:
    """One cell's source as Python: `lines` (as many as the cell has), and for each masked line its
    column runs (None: the line is the cell's own). `magic` names the cell magic, if any."""

    lines: tuple[str, ...]
    runs: tuple[Optional[tuple[Run, ...]], ...]
    shell: tuple[ShellEscape, ...] = ()
    magic: Optional[str] = None


def mask_cell(lines: Sequence[str]) -> MaskedCell:
    """Mask the IPython syntax of a cell given as lines without terminators (see the module doc)."""
    out, runs, shell = list(lines), [None] * len(lines), []
    magic = _cell_magic(lines)
    start = 0
    if magic is not None:
        body_is_python = magic in PYTHON_BODY_CELL_MAGICS
        start = 1 if body_is_python else len(lines)
        for i in range(start):
            out[i], runs[i] = "", ()
    state = CLEAN
    i = start
    while i < len(lines):
        line = lines[i]
        if state.clean:
            last = _continued_until(lines, i)
            masked = _mask_escape(lines, i, last)
            if masked is not None:
                for k in range(i, last + 1):
                    out[k], runs[k] = masked[0][k - i], masked[1][k - i]
                if masked[2] is not None:
                    shell.append(masked[2])
                i = last + 1
                continue
        state = scan_line(line, state)
        i += 1
    return MaskedCell(tuple(out), tuple(runs), tuple(shell), magic)


def _cell_magic(lines: Sequence[str]) -> Optional[str]:
    if not lines or not lines[0].startswith("%%"):
        return None
    name = _MAGIC_NAME.match(lines[0], 2)
    return name.group(0) if name else ""


def _continued_until(lines: Sequence[str], i: int) -> int:
    """The last line of an escape starting at line i: IPython joins lines ending with a backslash."""
    while i + 1 < len(lines) and lines[i].endswith("\\"):
        i += 1
    return i


def _mask_escape(lines: Sequence[str], first: int, last: int):
    """([masked line per line first..last], [runs per line], ShellEscape or None) when line `first`
    starts IPython syntax, else None."""
    line = lines[first]
    match = _ESCAPE.fullmatch(line)
    if match is None:
        if _HELP.fullmatch(line) is None:
            return None
        indent = len(line) - len(line.lstrip(" \t"))
        return [line[:indent] + "..."], [(Run(0, first, 0, indent),)], None
    indent, mark = match.group("indent"), match.group("mark")
    head_end = match.start("mark")  # indent and `target = ` are copied as they are
    parts = [line[:head_end]]
    runs = [Run(0, first, 0, head_end)]
    filler = [indent + "..."] * (last - first)
    filler_runs = [(Run(0, first + k + 1, 0, 0),) for k in range(last - first)]
    call = None
    command_start = match.end("mark")
    if mark in ("!", "!!"):
        call = "getoutput" if mark == "!!" or match.group("lhs") else "system"
    elif mark == "%":
        name = _MAGIC_NAME.match(line, command_start)
        if name is not None and name.group(0) in _SHELL_MAGICS:
            call = _SHELL_MAGICS[name.group(0)]
            command_start = name.end() + (1 if line[name.end() : name.end() + 1] in (" ", "\t") else 0)
    if call is None:
        statement = _python_statement(line, command_start, first == last)
        if statement is not None:
            runs.append(Run(head_end, first, statement, len(line) - statement))
            return [parts[0] + line[statement:], *filler], [tuple(runs), *filler_runs], None
        parts.append("...")
        return ["".join(parts), *filler], [tuple(runs), *filler_runs], None
    pieces = [(first, command_start, line[command_start:])]
    pieces += [(k, 0, lines[k]) for k in range(first + 1, last + 1)]
    pieces = [(k, c, t[:-1] if k < last and t.endswith("\\") else t) for k, c, t in pieces]
    built = _shell_call(call, pieces, len(parts[0]))
    command = " ".join(t for _, _, t in pieces)
    escape = ShellEscape(first, head_end, command, built[2], call == "getoutput")
    return [parts[0] + built[0], *filler], [tuple(runs) + built[1], *filler_runs], escape


def _python_statement(line: str, start: int, single_line: bool) -> Optional[int]:
    """The column where the Python code of a `%time`-like line magic starting at `start` (after
    the `%`) begins, when the line with the magic and its options removed parses; else None."""
    name = _MAGIC_NAME.match(line, start)
    if not single_line or name is None or name.group(0) not in _PYTHON_LINE_MAGICS:
        return None
    code = _after_options(line, name.end(), _PYTHON_LINE_MAGICS[name.group(0)])
    if code is None or not line[code:].strip():
        return None
    head = line[: start - 1]
    try:
        ast.parse((head + line[code:]).strip())
    except SyntaxError:
        return None
    return code


def _after_options(line: str, i: int, spec: str) -> Optional[int]:
    """Skip getopt-style options (`-n 3`, `-n3`, `-tc`) from column i; None for an unknown one."""
    while True:
        i = len(line) - len(line[i:].lstrip(" \t"))
        if not line.startswith("-", i):
            return i
        token_end = i + len(line[i:].split(None, 1)[0])
        letters = line[i + 1 : token_end]
        i = token_end
        for k, letter in enumerate(letters):
            if letter not in spec.replace(":", ""):
                return None
            if f"{letter}:" in spec:
                if k + 1 == len(letters):  # the value is the next word
                    i = len(line) - len(line[i:].lstrip(" \t"))
                    i += len(line[i:].split(None, 1)[0]) if line[i:].strip() else 0
                break


def _shell_call(call: str, pieces, vcol: int) -> tuple[str, tuple[Run, ...], tuple[str, ...]]:
    """`get_ipython().<call>(f"...")` for the command `pieces` ((cell line, col, text) each), with
    its runs starting at virtual column `vcol`, and the names interpolated."""
    fields = [f for _, _, text in pieces for f in _fields(text)]
    quote = '"' if not any('"' in f for f in fields) else "'"
    for expand in (True, False):  # a field that cannot sit in the f-string: the command stays literal
        writer = _Writer(vcol, f"get_ipython().{call}(f{quote}")
        names: list[str] = []
        for number, (line, col, text) in enumerate(pieces):
            if number:
                writer.synthetic(" ")
            names += _write_command(writer, line, col, text, quote, expand)
        writer.synthetic(quote + ")")
        try:
            ast.parse(writer.text()[vcol:].strip(), mode="eval")
            return writer.text()[vcol:], tuple(writer.runs), tuple(dict.fromkeys(names))
        except SyntaxError:
            continue
    raise AssertionError("a literal f-string always parses")


def _write_command(writer: "_Writer", line: int, col: int, text: str, quote: str, expand: bool) -> list[str]:
    """Write one line of a shell command into the f-string; the Python names it interpolates."""
    names: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if expand and c == "{" and text.startswith("{{", i):
            writer.copy(line, col + i, "{{")
            i += 2
            continue
        if expand and c == "{":
            end = _field_end(text, i)
            field = text[i + 1 : end] if end is not None else None
            parsed = _field_expression(field, quote) if field is not None else None
            if parsed is not None:
                writer.copy(line, col + i, text[i : end + 1])
                names += [n.id for n in ast.walk(parsed) if isinstance(n, ast.Name)]
                i = end + 1
                continue
        if expand and c == "$" and not _inside_single_quotes(text, i):
            dollar = _DOLLAR.match(text, i)
            if dollar is not None and dollar.group(1):
                writer.synthetic("{")
                writer.copy(line, col + i + 1, dollar.group(1))
                writer.synthetic("}")
                names.append(dollar.group(1).split(".")[0])
                i = dollar.end()
                continue
            if dollar is not None:  # `$$`: one literal `$`
                writer.copy(line, col + i, "$")
                i += 2
                continue
        writer.literal(line, col + i, c, quote)
        i += 1
    return names


def _fields(text: str) -> list[str]:
    return re.findall(r"\{([^{}]*)\}", text)


def _field_end(text: str, start: int) -> Optional[int]:
    depth = 0
    for k in range(start, len(text)):
        if text[k] == "{":
            depth += 1
        elif text[k] == "}":
            depth -= 1
            if not depth:
                return k
    return None


def _field_expression(field: str, quote: str) -> Optional[ast.expr]:
    """The expression of a `{field}` IPython would evaluate, when it can sit in an f-string; None for
    text such as `find -exec rm {} \\;`, which IPython leaves as it is."""
    if not field.strip() or quote in field or "\\" in field:
        return None
    try:
        tree = ast.parse(f"f{quote}{{{field}}}{quote}", mode="eval")
    except SyntaxError:
        return None
    return tree.body


def _inside_single_quotes(text: str, i: int) -> bool:
    return text.count("'", 0, i) % 2 == 1


class _Writer:
    """Builds a virtual line and its runs: copied text keeps a link to its cell column."""

    def __init__(self, vcol: int, prefix: str):
        self.parts = [" " * vcol, prefix]
        self.width = vcol + len(prefix)
        self.runs: list[Run] = []

    def copy(self, line: int, col: int, text: str) -> None:
        last = self.runs[-1] if self.runs else None
        if last and last.line == line and last.col + last.length == col and last.vcol + last.length == self.width:
            self.runs[-1] = Run(last.vcol, line, last.col, last.length + len(text))
        else:
            self.runs.append(Run(self.width, line, col, len(text)))
        self._add(text)

    def synthetic(self, text: str) -> None:
        self._add(text)

    def literal(self, line: int, col: int, c: str, quote: str) -> None:
        if c in ("\\", quote):
            self.synthetic("\\")
            self.copy(line, col, c)
        elif c in "{}":
            self.copy(line, col, c)
            self.synthetic(c)
        else:
            self.copy(line, col, c)

    def _add(self, text: str) -> None:
        self.parts.append(text)
        self.width += len(text)

    def text(self) -> str:
        return "".join(self.parts)
