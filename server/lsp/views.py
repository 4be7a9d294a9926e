"""The text document a request names, seen from the engine: a whole file, or one notebook cell.

Requests (hover, code actions, code lenses, the review command) name an LSP text document and
positions in it; the engine and the ledger count lines of the whole document, which for a notebook
is the virtual module of its code cells. A view converts between the two, in code points (the
negotiated encoding is `tabguard.lsp.positions`'s business), so handlers stay the same for both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, Sequence

from tabguard.engine.types import Span

if TYPE_CHECKING:
    from tabguard.lsp.server import OpenDocument


@dataclass
class View:
    opened: "OpenDocument"
    uri: str
    position: Optional[int] = None  # the cell's block of the virtual module; None for a file

    @property
    def lines(self) -> Sequence[str]:
        """The document's own text: the file's lines, or the cell's."""
        notebook = self.opened.notebook
        if notebook is None or self.position is None:
            return self.opened.lines
        return notebook.code_cell(self.position).lines

    def to_engine(self, line: int, col: int) -> tuple[int, int]:
        notebook = self.opened.notebook
        if notebook is None or self.position is None:
            return line, col
        return notebook.vm.to_virtual(self.position, line, col)

    def local(self, span: Span) -> Optional[Span]:
        """An engine span in this document's lines; None when it lies in another cell."""
        notebook = self.opened.notebook
        if notebook is None or self.position is None:
            return span
        position, local = notebook.vm.to_cell_span(span)
        return local if position == self.position else None

    def describe(self, span: Span) -> str:
        """An engine place for people: `line 3`, in this document's lines; in another code cell
        `code cell 2, line 1` (counting the Python code cells from 1)."""
        notebook = self.opened.notebook
        if notebook is None or self.position is None:
            return f"line {span.start_line + 1}"
        position, local = notebook.vm.to_cell_span(span)
        if position == self.position:
            return f"line {local.start_line + 1}"
        return f"code cell {position + 1}, line {local.start_line + 1}"

    def engine_lines(self, first: int, end: int) -> tuple[int, int]:
        """Engine lines [start, end) of this document's lines [first, end)."""
        if end <= first:
            end = first + 1
        return self.to_engine(first, 0)[0], self.to_engine(end - 1, 0)[0] + 1

    def masked(self, line: int) -> bool:
        """Whether an engine line stands for IPython syntax (a comment appended there would be shell text)."""
        notebook = self.opened.notebook
        return notebook is not None and notebook.vm.is_masked(line)
