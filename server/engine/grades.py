"""A finding's grade: its severity and its confidence, each scale once, in order, with what each level
becomes for LSP, SARIF, the terminal and the HTML report.

Findings, rules and configuration carry a level's name ("high"); `Severity.named` and
`Confidence.named` give its type. The engine knows nothing of LSP: `lsp` names a member of the
protocol's DiagnosticSeverity, which `lsp/convert.py` looks up.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Severity:
    name: str
    rank: int  # the scale's order: `--min-severity` keeps findings of this rank and above
    lsp: str  # the LSP DiagnosticSeverity member
    sarif_level: str  # SARIF `level`
    security_severity: str  # GitHub code scanning's 0-10 score (it sorts alerts by it)
    ansi: str  # the terminal's colour for the severity tag
    chart: str  # the HTML report's colour

    @staticmethod
    def named(name: str) -> Severity:
        return _SEVERITY[name]

    def raised(self) -> Severity:
        """One step up, for a finding whose flagged value comes from user input (critical stays)."""
        return SEVERITIES[min(self.rank + 1, len(SEVERITIES) - 1)]


SEVERITIES = (
    Severity("low", 0, "Information", "note", "3.0", "\033[36m", "#60a5fa"),
    Severity("medium", 1, "Warning", "warning", "5.5", "\033[33m", "#f59e0b"),
    Severity("high", 2, "Error", "error", "8.0", "\033[31m", "#dc2626"),
    Severity("critical", 3, "Error", "error", "9.5", "\033[1;31m", "#7f1d1d"),
)
SEVERITY_NAMES = tuple(s.name for s in SEVERITIES)
_SEVERITY = {s.name: s for s in SEVERITIES}


@dataclass(frozen=True)
class Confidence:
    name: str
    rank: int  # the scale's order: `--min-confidence` keeps findings of this rank and above
    sarif_rank: float  # SARIF `rank` (0-100): how much a result deserves attention, here how sure it is

    @staticmethod
    def named(name: str) -> Confidence:
        return _CONFIDENCE[name]


CONFIDENCES = (Confidence("low", 0, 30.0), Confidence("medium", 1, 60.0), Confidence("high", 2, 90.0))
CONFIDENCE_NAMES = tuple(c.name for c in CONFIDENCES)
_CONFIDENCE = {c.name: c for c in CONFIDENCES}
