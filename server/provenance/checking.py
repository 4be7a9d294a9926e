"""Provenance in `tabguard check`: annotate findings in AI spans and decide the review gate."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Sequence

from tabguard.engine.document import split_lines
from tabguard.engine.types import Finding
from tabguard.provenance.tracker import AISpan, Provenance
from tabguard.provenance.workspace import find_root, ledger_present
from tabguard.sources import SourceError, read_source


@dataclass
class SpanReport:
    display: str
    span: AISpan
    findings: list[Finding] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.display}:{self.span.start_line + 1}-{self.span.end_line}"


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
            prov.open_file(path, split_lines(read_source(path, max_size)))
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
        if not prov.is_open(result.path):
            prov.open_file(result.path, result.lines)
        prov.annotate(result.path, result.findings)
        for span in prov.spans(result.path):
            reports.append(SpanReport(result.display, span, findings_in(span, result.findings)))
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
                f"{report.where}: AI-inserted ({report.span.origin}), not reviewed, holds {count} "
                f"finding{'s' if count != 1 else ''} ({ids})"
            )
        elif require_review:
            messages.append(f"{report.where}: AI-inserted ({report.span.origin}), not reviewed")
    return messages
