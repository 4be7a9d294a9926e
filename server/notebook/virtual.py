"""The code cells of a notebook as one Python module, in cell order, with positions mapped both ways.

Jupyter runs the cells of a notebook in one namespace, top to bottom, so a cell sees the imports
and names of the cells above it: the engine checks them as one module. Cell k's lines follow cell
k-1's (its IPython syntax masked, see `magics`), so a virtual line belongs to exactly one cell and
the mapping is an offset per cell plus, on masked lines only, column runs. Positions are 0-based,
columns in code points, like the engine's.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Optional, Sequence

from tabguard.engine.document import line_ending, split_lines
from tabguard.engine.fixes import apply_edits
from tabguard.engine.types import Edit, Span
from tabguard.notebook.magics import MaskedCell, ShellEscape, mask_cell


@dataclass(frozen=True)
class VirtualCell:
    source: str
    lines: tuple[str, ...]  # the cell's own lines, without terminators
    masked: MaskedCell


def virtual_cell(source: str) -> VirtualCell:
    lines = tuple(split_lines(source))
    return VirtualCell(source, lines, mask_cell(lines))


class VirtualModule:
    """Code cells (by position in the sequence given to `build`) joined into one module."""

    def __init__(self, cells: Sequence[VirtualCell]):
        self.cells = tuple(cells)
        self.offsets: list[int] = []  # the first virtual line of each cell
        lines: list[str] = []
        for cell in self.cells:
            self.offsets.append(len(lines))
            lines.extend(cell.masked.lines)
        self.lines = lines
        self.text = "\n".join(lines)

    @classmethod
    def build(cls, sources: Sequence[str]) -> "VirtualModule":
        return cls([virtual_cell(s) for s in sources])

    def with_cell(self, position: int, source: str) -> "VirtualModule":
        """The module after one cell's source changed (the other cells are not masked again)."""
        cells = list(self.cells)
        cells[position] = virtual_cell(source)
        return VirtualModule(cells)

    def cell_lines(self, position: int) -> range:
        """The virtual lines of a cell."""
        start = self.offsets[position]
        return range(start, start + len(self.cells[position].lines))

    def cell_at(self, line: int) -> int:
        """The position of the cell holding virtual line `line` (clamped into the module)."""
        return max(bisect.bisect_right(self.offsets, line) - 1, 0)

    @property
    def source_lines(self) -> list[str]:
        """The cells' own lines, IPython syntax as written, numbered like `lines`: the text the
        provenance ledger hashes and counts lines in for a notebook (see docs/provenance.md)."""
        return [line for cell in self.cells for line in cell.lines]

    def shell_escapes(self) -> list[tuple[int, ShellEscape]]:
        """(cell position, escape) for every shell command of the module, in order."""
        return [(p, e) for p, cell in enumerate(self.cells) for e in cell.masked.shell]

    def is_masked(self, line: int) -> bool:
        """Whether a virtual line is synthetic text standing for IPython syntax."""
        position = self.cell_at(line)
        return self.cells[position].masked.runs[line - self.offsets[position]] is not None

    # -- positions --------------------------------------------------------------------------------
    def to_cell(self, line: int, col: int) -> tuple[int, int, int]:
        """(cell position, line, column) of a virtual position. Synthetic text of a masked line maps
        to the end of the copied piece before it (the `!` of `get_ipython().system(...)`)."""
        position = self.cell_at(line)
        local = min(max(line - self.offsets[position], 0), len(self.cells[position].lines) - 1)
        runs = self.cells[position].masked.runs[local]
        if runs is None:
            return position, local, col
        before = [r for r in runs if r.vcol <= col]
        if not before:
            return position, local, 0
        run = before[-1]
        return position, run.line, run.col + min(col - run.vcol, run.length)

    def to_virtual(self, position: int, line: int, col: int) -> tuple[int, int]:
        """The virtual position of a cell position."""
        cell = self.cells[position]
        offset = self.offsets[position]
        line = min(max(line, 0), len(cell.lines) - 1)
        if cell.masked.runs[line] is None:
            return offset + line, col
        best: Optional[tuple[int, int]] = None
        for local in range(line, -1, -1):  # a continued escape's pieces sit on its first line
            runs = cell.masked.runs[local]
            if runs is None:
                break
            for run in runs:
                if run.line == line and run.col <= col:
                    if col < run.col + run.length:
                        return offset + local, run.vcol + col - run.col
                    best = max(best or (0, 0), (offset + local, run.vcol + run.length))
        return best if best is not None else (offset + line, 0)

    def to_cell_span(self, span: Span) -> tuple[int, Span]:
        """(cell position, span in that cell) of a virtual span; a span reaching past its cell is cut
        at the cell's end."""
        position, start_line, start_col = self.to_cell(span.start_line, span.start_col)
        last = self.cell_lines(position)[-1]
        if span.end_line > last:
            end = (len(self.cells[position].lines) - 1, len(self.cells[position].lines[-1]))
        else:
            end = self.to_cell(span.end_line, span.end_col)[1:]
        return position, Span(start_line, start_col, *end)

    # -- fixes ------------------------------------------------------------------------------------
    def apply(self, edits: Sequence[Edit]) -> Optional[dict[int, str]]:
        """The new source of each cell the virtual `edits` change, or None when an edit cannot be made
        in the cells: it spans two cells or touches masked text. Only a whole-line insertion (an
        import) may sit at the start of a masked line outside a cell magic."""
        by_cell: dict[int, list[Edit]] = {}
        for edit in edits:
            located = self._cell_edit(edit)
            if located is None:
                return None
            by_cell.setdefault(located[0], []).append(located[1])
        sources = {}
        for position, cell_edits in by_cell.items():
            cell = self.cells[position]
            newline = line_ending(cell.source)
            sources[position] = newline.join(apply_edits(list(cell.lines), cell_edits))
        return sources

    def _cell_edit(self, edit: Edit) -> Optional[tuple[int, Edit]]:
        span = edit.span
        position = self.cell_at(span.start_line)
        if self.cell_at(span.end_line) != position:
            return None
        cell, offset = self.cells[position], self.offsets[position]
        touched = range(span.start_line - offset, span.end_line - offset + 1)
        if any(cell.masked.runs[k] is not None for k in touched):
            insertion = span.start_line == span.end_line and span.start_col == span.end_col == 0
            if not (insertion and edit.new_text.endswith("\n") and cell.masked.magic is None):
                return None
        return position, Edit(
            Span(span.start_line - offset, span.start_col, span.end_line - offset, span.end_col), edit.new_text
        )
