"""A notebook open in the editor (LSP 3.17 notebook sync): its cells as the editor sends them, and
the one virtual module (`tabguard.notebook.VirtualModule`) the engine checks.

The editor sends each cell as a text document of its own (its own URI and version) and the
notebook as an ordered list of cells. The Python code cells, in that order, are the blocks of the
virtual module, so a cell sees the imports and names of the cells above it. Every change (a cell's
text edited; cells added, moved, removed, or turned into code) becomes one replacement of whole
virtual lines, as small as the change allows, which the engine's `Document.replace` applies
incrementally: an edit re-checks the blocks it touches (and the blocks that read names it
changed), never the whole notebook.

Two line lists are kept, with the same numbering (masking keeps every line where it was):
`masked`, what the engine parses (IPython syntax masked), and `raw`, the cells' own text, which
the provenance ledger hashes. With no code cell at all both hold one empty line, as an empty file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Optional, Sequence
from urllib.parse import unquote

from lsprotocol import types

from tabguard.engine.document import split_lines, splice
from tabguard.notebook.document import PYTHON_LANGUAGES
from tabguard.notebook.virtual import VirtualCell, VirtualModule, virtual_cell


@dataclass
class CellText:
    uri: str  # as the editor spells it (diagnostics are published to it)
    language: str
    lines: list[str]
    version: int
    masked: Optional[VirtualCell] = None  # built when the cell is a Python code cell


@dataclass
class Slot:
    """One cell of the notebook, in order: the cell document, its kind and nbformat id."""

    key: str
    kind: int
    cell_id: Optional[str]


@dataclass(frozen=True)
class LineChange:
    """Lines first..old_last (old numbering, inclusive) became `lines`."""

    first: int
    old_last: int
    lines: list[str]


def cell_key(uri: str) -> str:
    """Cell URIs (`vscode-notebook-cell:...#W1s...`) are compared unquoted, as pygls does."""
    return unquote(uri)


def cell_id(metadata: Any) -> Optional[str]:
    """The nbformat 4.5 cell id, which VS Code's ipynb support keeps in the cell metadata (`id`)."""
    value = metadata.get("id") if isinstance(metadata, dict) else None
    return value if isinstance(value, str) and value else None


class NotebookText:
    def __init__(self, cells: Sequence[types.NotebookCell], documents: Iterable[types.TextDocumentItem]):
        self.texts: dict[str, CellText] = {}
        for item in documents:
            self._open_cell(item)
        self.slots = [Slot(cell_key(c.document), int(c.kind), cell_id(c.metadata)) for c in cells]
        self.code: list[str] = []  # keys of the Python code cells, in order: the module's blocks
        self.vm = VirtualModule([])
        self.masked: list[str] = [""]
        self.raw: list[str] = [""]
        self._rebuild()

    # -- reading ----------------------------------------------------------------------------------
    def cell(self, uri: str) -> Optional[CellText]:
        return self.texts.get(cell_key(uri))

    def position(self, uri: str) -> Optional[int]:
        """The cell's position among the code cells (its block of the virtual module), or None."""
        key = cell_key(uri)
        try:
            return self.code.index(key)
        except ValueError:
            return None

    def code_cell(self, position: int) -> CellText:
        return self.texts[self.code[position]]

    def address(self, start: int, end: int) -> dict[str, Any]:
        """How the ledger names the cell holding lines [start, end) of the module: its nbformat id
        when the editor gave one, its position among the code cells, and the lines in it (1-based,
        inclusive). See docs/provenance.md."""
        position = self.vm.cell_at(start)
        key = self.code[position]
        offset = self.vm.offsets[position]
        slot = next(s for s in self.slots if s.key == key)
        last = min(end, offset + len(self.texts[key].lines))
        address: dict[str, Any] = {"code_cell": position, "start_line": start - offset + 1, "end_line": last - offset}
        if slot.cell_id is not None:
            address["id"] = slot.cell_id
        return address

    # -- changes ----------------------------------------------------------------------------------
    def edit_cell(
        self, uri: str, start: tuple[int, int], end: tuple[int, int], text: str, version: Optional[int]
    ) -> tuple[Optional[LineChange], Optional[LineChange], Optional[int]]:
        """One edit of a cell's text (cell positions in code points). Returns the change of the
        masked lines, of the raw lines, and the virtual line where the edit starts; the changes are
        None for a cell that is not a Python code cell (its text is kept all the same)."""
        cell = self.cell(uri)
        if cell is None:
            return None, None, None
        first = splice(cell.lines, *start, *end, text)[0]
        if version is not None:
            cell.version = version
        position = self.position(uri)
        if position is None:
            return None, None, None
        lines = self.vm.cell_lines(position)
        offset, old_count = lines.start, len(lines)
        cell.masked = virtual_cell("\n".join(cell.lines))
        old_masked, old_raw = self.masked, self.raw
        cells = list(self.vm.cells)
        cells[position] = cell.masked
        self._set_module(cells)
        new_end = offset + len(cell.lines)
        return (
            line_change(old_masked, self.masked, offset, offset + old_count, new_end),
            line_change(old_raw, self.raw, offset, offset + old_count, new_end),
            offset + first,
        )

    def restructure(
        self, change: types.NotebookDocumentCellChanges
    ) -> tuple[Optional[LineChange], Optional[LineChange], list[str]]:
        """Cell kinds/metadata and the cell list changed (added, moved, removed cells). Returns the
        changes of the masked and raw lines, and the URIs of the cells closed (whose diagnostics go)."""
        old_masked, old_raw = self.masked, self.raw
        slots = {s.key: s for s in self.slots}
        for data in change.data or []:
            slot = slots.get(cell_key(data.document))
            if slot is not None:
                slot.kind, slot.cell_id = int(data.kind), cell_id(data.metadata)
        closed: list[str] = []
        if change.structure is not None:
            array = change.structure.array
            added = [Slot(cell_key(c.document), int(c.kind), cell_id(c.metadata)) for c in array.cells or []]
            self.slots[array.start : array.start + array.delete_count] = added
            reopened = {cell_key(item.uri) for item in change.structure.did_open or []}
            for ident in change.structure.did_close or []:
                gone = self.texts.pop(cell_key(ident.uri), None)
                if gone is not None and cell_key(ident.uri) not in reopened:
                    closed.append(gone.uri)
            for item in change.structure.did_open or []:
                self._open_cell(item)
        self._rebuild()
        return (
            line_change(old_masked, self.masked, 0, len(old_masked), len(self.masked)),
            line_change(old_raw, self.raw, 0, len(old_raw), len(self.raw)),
            closed,
        )

    def _open_cell(self, item: types.TextDocumentItem) -> None:
        self.texts[cell_key(item.uri)] = CellText(item.uri, item.language_id, split_lines(item.text), item.version)

    def _rebuild(self) -> None:
        code = []
        for slot in self.slots:
            text = self.texts.get(slot.key)
            if (
                slot.kind == int(types.NotebookCellKind.Code)
                and text is not None
                and text.language.lower() in PYTHON_LANGUAGES
            ):
                code.append(slot.key)
                if text.masked is None:
                    text.masked = virtual_cell("\n".join(text.lines))
        self.code = code
        self._set_module([self.texts[key].masked for key in code])  # type: ignore[misc]

    def _set_module(self, cells: list[VirtualCell]) -> None:
        self.vm = VirtualModule(cells)
        self.masked = self.vm.lines or [""]
        self.raw = self.vm.source_lines or [""]


def line_change(old: list[str], new: list[str], lo: int, old_hi: int, new_hi: int) -> Optional[LineChange]:
    """`old[lo:old_hi]` became `new[lo:new_hi]`, the lines around them equal: the smallest
    replacement of whole lines (at least one old and one new line, as `Document.replace` takes
    them), or None when nothing changed."""
    if len(old) - old_hi != len(new) - new_hi:  # the region hint does not hold (no code cell before or after)
        lo, old_hi, new_hi = 0, len(old), len(new)
    while lo < old_hi and lo < new_hi and old[lo] == new[lo]:
        lo += 1
    while old_hi > lo and new_hi > lo and old[old_hi - 1] == new[new_hi - 1]:
        old_hi, new_hi = old_hi - 1, new_hi - 1
    if lo == old_hi and lo == new_hi:
        return None
    if lo == old_hi or lo == new_hi:  # a pure insertion or deletion: take a neighbouring line along
        if lo > 0:
            lo -= 1
        else:
            old_hi, new_hi = old_hi + 1, new_hi + 1
    return LineChange(lo, old_hi - 1, new[lo:new_hi])
