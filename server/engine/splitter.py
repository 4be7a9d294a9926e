"""Split a module into top-level blocks without parsing it.

A block starts at a line that begins at column 0 outside any bracket, string or backslash
continuation, and is not a clause that continues the previous statement (`else`, `except`, ...) nor
the definition under a decorator. The scan is a small hand-written tokenizer: it tracks brackets,
strings and comments so that a `def` inside a string or a bracket never splits.

Half-typed code must not swallow the file: inside an unclosed bracket or string, a column-0 line that
can only start a statement (`def`, `class`, `import`, a decorator, ...) starts a *soft* block. The
document merges a soft block back when the split proved wrong (a string that really was closed
later), see `Document`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, NamedTuple, Sequence

_CONTINUATION = re.compile(r"(else|elif|except|finally)\b")
_DEFINITION = re.compile(r"(async\s+def|def|class)\b")
_STATEMENT_ONLY = re.compile(
    r"((async\s+)?def\s+\w|class\s+\w|@[A-Za-z_]|import\s+\w|from\s+[\w.]+\s+import\b|if\s+__name__\b)"
)
_OPEN = "([{"
_CLOSE = ")]}"


class ScanState(NamedTuple):
    depth: int = 0
    quote: str = ""  # the open string's quote ("'", '"', "'''" or '\"\"\"'), empty when none
    backslash: bool = False  # the previous line ended with a continuation backslash

    @property
    def clean(self) -> bool:
        return not self.depth and not self.quote and not self.backslash


CLEAN = ScanState()
# Outside strings only these characters matter; inside one, a backslash or the quote character.
_CODE_STOP = re.compile(r"""[#"'()\[\]{}]""")
_STRING_STOP = {q: re.compile(r"[\\" + q[0] + "]") for q in ("'", '"', "'''", '"""')}


def scan_line(line: str, state: ScanState) -> ScanState:
    """The scanner state after `line` (which has no line terminator). Jumps from one character that
    matters to the next with a regex search: a line costs a few steps, not one per character."""
    depth, quote = state.depth, state.quote
    i, n = 0, len(line)
    while i < n:
        if quote:
            found = _STRING_STOP[quote].search(line, i)
            if found is None:
                i = n
                break
            k = found.start()
            if line[k] == "\\":
                i = k + 2
            elif line.startswith(quote, k):
                i = k + len(quote)
                quote = ""
            else:
                i = k + 1
            continue
        found = _CODE_STOP.search(line, i)
        if found is None:
            break
        k = found.start()
        c = line[k]
        if c == "#":
            return ScanState(depth) if depth else CLEAN
        if c == '"' or c == "'":
            quote = c * 3 if line.startswith(c * 3, k) else c
            i = k + len(quote)
            continue
        depth = depth + 1 if c in _OPEN else max(0, depth - 1)
        i = k + 1
    if len(quote) == 1:
        # A one-quote string ends with its line unless an escaping backslash continues it.
        quote = quote if i > n else ""
        return ScanState(depth, quote) if depth or quote else CLEAN
    backslash = not quote and line.endswith("\\")
    return ScanState(depth, quote, backslash) if depth or quote or backslash else CLEAN


@dataclass(frozen=True)
class BlockStart:
    line: int
    soft: bool  # started by recovery inside an unclosed bracket or string
    in_string: bool = False  # the recovery happened inside a string (code quoted in a string is valid)


def iter_block_starts(lines: Sequence[str], begin: int = 0) -> Iterator[BlockStart]:
    """Yield the start of every block from line `begin` (which always starts one) onwards."""
    if begin >= len(lines):
        return
    yield BlockStart(begin, False)
    state = scan_line(lines[begin], CLEAN)
    in_decorators = lines[begin].lstrip("\f").startswith("@")
    for i in range(begin + 1, len(lines)):
        line = lines[i]
        head = line.lstrip("\f")
        if head and head[0] not in " \t#":
            if state.clean:
                if not (_CONTINUATION.match(head) or (in_decorators and (head[0] == "@" or _DEFINITION.match(head)))):
                    yield BlockStart(i, False)
                in_decorators = head[0] == "@"
            elif not state.backslash and _STATEMENT_ONLY.match(head):
                yield BlockStart(i, True, bool(state.quote))
                state = CLEAN
                in_decorators = head[0] == "@"
        state = scan_line(line, state)
