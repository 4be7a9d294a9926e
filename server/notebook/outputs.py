"""The text a notebook keeps in its saved outputs: what `print`, a result's repr, a rich display or
a traceback left in the file. Only this text is ever read from outputs (never images or widget
state), and only by the rules with a `check_output` hook (TG314, secrets in outputs); code checks
never see it.
"""

from __future__ import annotations

import bisect
from typing import Iterator, NamedTuple, Optional

from tabguard.engine.types import Finding, Span
from tabguard.notebook.document import Cell
from tabguard.notebook.places import line_starts

# Rich display types whose value is text a person reads (images and widget state are not).
_TEXT_TYPES = ("text/", "application/javascript")


class OutputText(NamedTuple):
    output: int  # the output's index among the cell's outputs
    field: str  # `text`, `data:<mime type>`, `traceback:<k>`, `evalue` (see places.field_path)
    text: str


def output_texts(cell: Cell) -> Iterator[OutputText]:
    """Every text field of the cell's saved outputs, in order."""
    for index, output in enumerate(cell.outputs):
        kind = output.get("output_type")
        if kind == "stream":
            yield from _text(index, "text", output.get("text"))
        elif kind in ("execute_result", "display_data", "update_display_data"):
            data = output.get("data")
            if isinstance(data, dict):
                for mime, value in data.items():
                    if isinstance(mime, str) and mime.startswith(_TEXT_TYPES):
                        yield from _text(index, f"data:{mime}", value)
        elif kind == "error":
            yield from _text(index, "evalue", output.get("evalue"))
            traceback = output.get("traceback")
            if isinstance(traceback, list):
                for k, line in enumerate(traceback):
                    yield from _text(index, f"traceback:{k}", line)


def _text(output: int, field: str, value) -> Iterator[OutputText]:
    """A field written as one string or as a list of strings (nbformat allows both)."""
    if isinstance(value, str):
        yield OutputText(output, field, value)
    elif isinstance(value, list) and all(isinstance(part, str) for part in value):
        yield OutputText(output, field, "".join(value))


class OutputContext:
    """One saved output's text for the rules' `check_output(self, out)` hook: `out.text`, and
    `out.report(rule, start, end, details, confidence)` with indexes into the text. The finding
    names its cell, output and field in `details` (see `places.OUTPUT_KEYS`), so reports can point
    at the text in the cell and in the file; the message's `{cell}` is the cell's number."""

    def __init__(self, cell: Cell, piece: OutputText):
        self.cell, self.output, self.field, self.text = cell, piece.output, piece.field, piece.text
        self.findings: list[Finding] = []
        self._starts: list[int] = []

    def report(
        self, rule, start: int, end: int, details: Optional[dict] = None, confidence: Optional[str] = None
    ) -> None:
        details = {**(details or {}), "cell": self.cell.index, "output": self.output, "field": self.field}
        span = Span(*self._position(start), *self._position(end))
        message = rule.format_message({**details, "cell": str(self.cell.index + 1)})
        self.findings.append(Finding(rule.id, span, message, rule.severity, details, confidence=confidence))

    def _position(self, index: int) -> tuple[int, int]:
        self._starts = self._starts or line_starts(self.text)
        line = bisect.bisect_right(self._starts, index) - 1
        return line, index - self._starts[line]
