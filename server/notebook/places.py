"""Where a finding of a notebook is, for the reports: the cell (its index among all the notebook's
cells, markdown and raw included, as nbformat and the LSP notebook document number them), the line
and column in that cell's source, or in a saved output's text; and the same place in the `.ipynb`
file itself (a line and column of the JSON text), which is what SARIF and code scanning show.

Findings in code are found on the virtual module (`VirtualModule`) and kept in its coordinates, so
suppression comments, the baseline and fixes work on them as on a file's; they are mapped here only
when reported. A finding in a saved output names its cell, output and text field in `details`
(`OUTPUT_KEYS`), and its span is in that text.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Optional

from tabguard.engine.document import split_lines
from tabguard.engine.types import Finding, Span
from tabguard.notebook.document import Cell, Notebook
from tabguard.notebook.jsonspans import Path, string_offsets, value_spans
from tabguard.notebook.virtual import VirtualModule

# details of a finding in a saved output: the cell's index, the output's index among the cell's
# outputs, and the text field (`text`, `data:text/plain`, `traceback:2`, `evalue`).
OUTPUT_KEYS = ("cell", "output", "field")


@dataclass(frozen=True)
class Place:
    cell: Cell
    span: Span  # in the cell's source, or in the output's text
    output: Optional[int] = None
    field: str = ""

    def where(self) -> str:
        """`cell 3:line 2:col 5` (1-based), `cell 3:output 1:line 1:col 9` for an output."""
        output = f"output {self.output + 1}:" if self.output is not None else ""
        return f"cell {self.cell.index + 1}:{output}line {self.span.start_line + 1}:col {self.span.start_col + 1}"


def field_path(field: str) -> tuple:
    """The JSON path inside an output of a `field` name (`data:text/plain` -> ("data", "text/plain"))."""
    name, _, rest = field.partition(":")
    if not rest:
        return (name,)
    return (name, int(rest)) if name == "traceback" else (name, rest)


class NotebookView:
    """One checked notebook: its cells, the virtual module of its code cells, and the mapping of
    findings to cells and to the file."""

    def __init__(self, notebook: Notebook, module: VirtualModule, code: list[Cell]):
        self.notebook = notebook
        self.module = module
        self.code = code  # the code cells in module order: position p is code[p]

    @classmethod
    def of(cls, notebook: Notebook) -> "NotebookView":
        code = notebook.code_cells()
        return cls(notebook, VirtualModule.build([c.source for c in code]), code)

    # -- cells ------------------------------------------------------------------------------------
    def place(self, finding: Finding) -> Place:
        return self.place_of(finding.span, finding.details)

    def place_of(self, span: Span, details: Optional[dict] = None) -> Place:
        """The cell place of a span of the virtual module, or of a saved output's text (`details`)."""
        if details and all(isinstance(details.get(k), (int, str)) for k in OUTPUT_KEYS) and "field" in details:
            return Place(self.notebook.cells[details["cell"]], span, details["output"], details["field"])
        position, local = self.module.to_cell_span(span)
        return Place(self.code[position], local)

    def sort_key(self, finding: Finding) -> tuple:
        place = self.place(finding)
        return (
            place.cell.index,
            -1 if place.output is None else place.output,
            place.field,
            tuple(place.span),
            finding.rule_id,
        )

    def line_text(self, finding: Finding) -> str:
        """The text of the flagged line as written in its cell or output (for the baseline)."""
        place = self.place(finding)
        text = self._text(place)[0] if place.output is not None else place.cell.source
        lines = split_lines(text)
        return lines[place.span.start_line] if 0 <= place.span.start_line < len(lines) else ""

    # -- the file ---------------------------------------------------------------------------------
    def file_span(self, place: Place) -> Span:
        """The place in the `.ipynb` text: lines and columns (0-based, code points) of the characters
        of the JSON string(s) holding it."""
        text, offsets = self._text(place)
        start = _index(text, place.span.start_line, place.span.start_col)
        end = _index(text, place.span.end_line, place.span.end_col)
        return Span(*self._file_position(offsets[start]), *self._file_position(offsets[end]))

    def _text(self, place: Place) -> tuple[str, list[int]]:
        """The text holding a place (a cell's source, an output's field) and, for each of its
        characters and its end, the index in the file where it is written."""
        path: Path = ("cells", place.cell.index, "source")
        if place.output is not None:
            path = ("cells", place.cell.index, "outputs", place.output, *field_path(place.field))
        start, end = self._spans[path]
        raw = self.notebook.text
        if raw[start] == '"':
            pieces = [start]
        else:  # a list of strings, read one after another
            pieces = []
            while path + (len(pieces),) in self._spans:
                pieces.append(self._spans[path + (len(pieces),)][0])
        chars: list[str] = []  # the decoded strings
        offsets: list[int] = []
        end_of_text = start + 1  # an empty list: its bracket
        for piece in pieces:
            written = string_offsets(raw, piece)
            offsets.extend(written[:-1])
            chars.append(_decoded(raw, written))
            end_of_text = written[-1]
        offsets.append(end_of_text)
        return "".join(chars), offsets

    @cached_property
    def _spans(self) -> dict[Path, tuple[int, int]]:
        return value_spans(self.notebook.text, _reported)

    @cached_property
    def _file_lines(self) -> list[int]:
        text = self.notebook.text
        return [0] + [match.end() for match in re.finditer("\n", text)]

    def _file_position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._file_lines, offset) - 1
        return line, offset - self._file_lines[line]


def _reported(path: Path) -> bool:
    """Values a report may point into: cell sources and everything inside outputs."""
    return len(path) >= 3 and path[0] == "cells" and path[2] in ("source", "outputs")


def _decoded(raw: str, written: list[int]) -> str:
    """The characters of one JSON string (its offsets from `string_offsets`), one per offset."""
    return json.loads(raw[written[0] - 1 : written[-1] + 1]) if len(written) > 1 else ""


def line_starts(text: str) -> list[int]:
    """The index in `text` where each of its lines (as `split_lines` counts them) starts."""
    starts, total = [0], 0
    for line in split_lines(text)[:-1]:
        total += len(line)
        total += 2 if text.startswith("\r\n", total) else 1
        starts.append(total)
    return starts


def _index(text: str, line: int, col: int) -> int:
    """The index in `text` of a line and column (clamped into the text)."""
    lines = split_lines(text)
    line = min(max(line, 0), len(lines) - 1)
    return line_starts(text)[line] + min(max(col, 0), len(lines[line]))
