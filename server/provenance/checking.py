"""Provenance in `tabguard check`: annotate findings in AI spans and decide the review gate."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Sequence

from tabguard.engine.document import split_lines
from tabguard.engine.types import Finding, Span
from tabguard.notebook import Notebook, NotebookError, VirtualModule
from tabguard.notebook.checking import read_limit
from tabguard.notebook.places import OUTPUT_KEYS
from tabguard.provenance.tracker import AISpan, Provenance
from tabguard.provenance.workspace import find_root, ledger_present
from tabguard.sources import SourceError, read_source
from tabguard.counting import counted


@dataclass
class SpanReport:
    display: str
    span: AISpan
    findings: list[Finding] = field(default_factory=list)
    cell: str = ""  # in a notebook: the cell and its lines (`cell 3, lines 2-4`)

    @property
    def where(self) -> str:
        place = f"{self.display}:{self.span.start_line + 1}-{self.span.end_line}"
        return f"{place} ({self.cell})" if self.cell else place


def ledger_lines(path: Path, max_size: int) -> list[str]:
    """The lines the ledger counts in for a file on disk: its text, or for a notebook the lines of
    its Python code cells joined in order, as written (docs/provenance.md). SourceError when it
    cannot be read."""
    text = read_source(path, read_limit(path, max_size))
    if path.suffix != ".ipynb":
        return split_lines(text)
    try:
        cells = Notebook.from_json(text).code_cells()
    except NotebookError as error:
        raise SourceError(str(error)) from None
    return VirtualModule.build([cell.source for cell in cells]).source_lines or [""]


def in_code(findings: Sequence[Finding]) -> list[Finding]:
    """A notebook's findings in its code cells (a finding in a saved output is in no AI span)."""
    return [f for f in findings if not all(key in f.details for key in OUTPUT_KEYS)]


def provenance_for(paths: Sequence[Path], reviewer: str = "") -> Optional[Provenance]:
    """The workspace ledger covering `paths`, or None when there is none (nothing to annotate)."""
    root = find_root(paths[0] if paths else Path("."))
    if not ledger_present(root):
        return None
    return Provenance(root, reviewer)


def open_from_disk(prov: Provenance, path: Path, max_size: int) -> bool:
    """Open `path` in `prov` unless it has no records (nothing to anchor) or cannot be read."""
    key = prov.key(path)
    if key is None or not prov.trace_ranges(key):
        return False
    if not prov.is_open(path):
        try:
            prov.open_file(path, ledger_lines(path, max_size))
        except SourceError:
            return False
    return True


def honoured_filter(prov: Optional[Provenance], path: Path, max_size: int) -> Optional[Callable[[int], bool]]:
    """For `scan_file`: a suppression comment counts unless it sits in an unreviewed AI span."""
    if prov is None:
        return None
    key = prov.key(path)
    if key is None or not prov.trace_ranges(key):
        return None

    def honoured(line: int) -> bool:
        return not (open_from_disk(prov, path, max_size) and prov.unhonoured_suppression(path, line))

    return honoured


def findings_in(span: AISpan, findings: Sequence[Finding]) -> list[Finding]:
    return [f for f in findings if f.span.start_line < span.end_line and f.span.end_line >= span.start_line]


def annotate_results(prov: Optional[Provenance], results) -> list[SpanReport]:
    """Mark the findings of scanned files that sit in AI spans; every AI span with its findings."""
    reports: list[SpanReport] = []
    if prov is None:
        return reports
    for result in results:
        key = prov.key(result.path)
        if result.error or key is None or not prov.trace_ranges(key):
            continue
        notebook = result.notebook
        lines = (notebook.module.source_lines or [""]) if notebook is not None else result.lines
        findings = in_code(result.findings) if notebook is not None else result.findings
        if not prov.is_open(result.path):
            prov.open_file(result.path, lines)
        prov.annotate(result.path, findings)
        for span in prov.spans(result.path):
            cell = ""
            if notebook is not None:
                place = notebook.place_of(Span(span.start_line, 0, span.end_line - 1, 0))
                cell = f"cell {place.cell.index + 1}, lines {place.span.start_line + 1}-{place.span.end_line + 1}"
            reports.append(SpanReport(result.display, span, findings_in(span, findings), cell))
    return reports


def gate_failures(reports: Sequence[SpanReport], require_review: bool) -> list[str]:
    """One message per unreviewed AI span that fails the gate."""
    messages = []
    for report in reports:
        if report.span.reviewed:
            continue
        count = len(report.findings)
        if count:
            ids = ", ".join(sorted({f.rule_id for f in report.findings}))
            messages.append(
                f"{report.where}: AI-inserted ({report.span.origin}), not reviewed, holds {counted(count, 'finding')} ({ids})"
            )
        elif require_review:
            messages.append(f"{report.where}: AI-inserted ({report.span.origin}), not reviewed")
    return messages
