"""The one place where LSP positions (UTF-16 or UTF-8 code units) meet engine columns (code points)."""

from __future__ import annotations

from typing import Sequence

from lsprotocol import types

from tabguard.engine.types import Span


class Encoding:
    """Column conversion for one negotiated position encoding."""

    def __init__(self, name: str = "utf-16"):
        self.name = str(getattr(name, "value", name))
        self._unit = {"utf-16": 2, "utf-8": 1}.get(self.name, 0)  # 0: utf-32, columns are code points

    def _units(self, char: str) -> int:
        code = ord(char)
        if self._unit == 2:
            return 2 if code > 0xFFFF else 1
        return 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4

    def to_engine_col(self, line: str, character: int) -> int:
        """LSP character offset -> code-point column (clamped to the line)."""
        if character <= 0:
            return 0
        if not self._unit or line.isascii():
            return min(character, len(line))
        units = 0
        for index, char in enumerate(line):
            units += self._units(char)
            if units > character:
                return index
            if units == character:
                return index + 1
        return len(line)

    def to_lsp_col(self, line: str, col: int) -> int:
        if not self._unit or line.isascii():
            return col
        return sum(self._units(c) for c in line[:col])

    def point(self, lines: Sequence[str], line: int, col: int) -> tuple[int, int]:
        """(line, character) in LSP units; past the end clamps to the end of the document."""
        if line >= len(lines):
            line = len(lines) - 1
            col = len(lines[line])
        text = lines[line]
        return line, self.to_lsp_col(text, min(col, len(text)))

    def position(self, lines: Sequence[str], line: int, col: int) -> types.Position:
        return types.Position(*self.point(lines, line, col))

    def range(self, lines: Sequence[str], span: Span) -> types.Range:
        return types.Range(
            self.position(lines, span.start_line, span.start_col), self.position(lines, span.end_line, span.end_col)
        )

    def engine_position(self, lines: Sequence[str], position: types.Position) -> tuple[int, int]:
        """LSP position -> (line, code-point column); out-of-range positions clamp to the document."""
        line = min(max(position.line, 0), len(lines) - 1)
        if position.line >= len(lines):
            return line, len(lines[line])
        return line, self.to_engine_col(lines[line], position.character)
