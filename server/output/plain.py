"""Text (ruff-like, one line per finding) and JSON reports."""

from __future__ import annotations

from typing import Sequence

from tabguard.analysis import confidence_of
from tabguard.engine.fixes import materialize
from tabguard.engine.types import Finding, Fix, Span
from tabguard.rules import all_rules
from tabguard.scan import FileResult


# ANSI colours for the severity tag (only on a terminal, and never when NO_COLOR is set).
_COLOURS = {"critical": "\033[1;31m", "high": "\033[31m", "medium": "\033[33m", "low": "\033[36m"}
_RESET = "\033[0m"


def text_lines(results: Sequence[FileResult], colour: bool = False) -> list[str]:
    """`path:line:col: TG105 [high, low confidence] message`, one line per finding."""
    out = []
    for result in results:
        for f in result.findings:
            suffix = f" [{f.details['ai_note']}]" if f.details.get("ai_note") else ""
            severity = f"{_COLOURS.get(f.severity, '')}{f.severity}{_RESET}" if colour else f.severity
            grade = f"[{severity}, {confidence_of(f)} confidence]"
            where = f"{result.display}:{f.span.start_line + 1}:{f.span.start_col + 1}:"
            out.append(f"{where} {f.rule_id} {grade} {f.message}{suffix}")
    return out


def by_position(findings: Sequence[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.span.start_line, f.span.start_col, f.rule_id))


def json_object(results: Sequence[FileResult]) -> list[dict]:
    by_id = {r.id: r for r in all_rules()}
    items = []
    for result in results:
        for f in result.findings:
            rule = by_id.get(f.rule_id)
            fix = f.fix()
            items.append({
                "path": result.display,
                "rule": f.rule_id,
                "name": rule.name if rule else "",
                "severity": f.severity,
                "confidence": confidence_of(f),
                "cwe": [f"CWE-{c}" for c in rule.cwe] if rule else [],
                "message": f.message,
                "start": {"line": f.span.start_line + 1, "column": f.span.start_col + 1},
                "end": {"line": f.span.end_line + 1, "column": f.span.end_col + 1},
                "related": [
                    {"line": r.span.start_line + 1, "column": r.span.start_col + 1, "message": r.message,
                     **({"path": r.path} if r.path else {})}
                    for r in f.related
                ],
                "fix": _fix_object(fix, result.lines) if fix else None,
                "ai": f.details.get("ai"),
            })
    # What could not be checked, after the findings: items whose `rule` is null (as Ruff writes
    # syntax errors), with `kind` saying which: a file not checked, or code that does not parse.
    items.extend({"path": r.display, "rule": None, "kind": "error", "message": problem, "error": problem}
                 for r in results for problem in r.problems())
    items.extend({
        "path": r.display, "rule": None, "kind": "syntax-error", "message": gap.notice().split(": ", 1)[1],
        "start": _position(gap.line, gap.col), "end": _position(gap.last_line, 0),
    } for r in results for gap in r.parse_gaps)
    return items


def _position(line: int, col: int) -> dict:
    return {"line": line + 1, "column": col + 1}


def _fix_object(fix: Fix, lines: Sequence[str]) -> dict:
    """The rewrite as text edits (1-based positions, end exclusive), missing imports included, so a
    consumer can apply it without tabguard (as SARIF's `fixes` allow)."""
    edits = []
    for edit in materialize(fix, lines):
        span: Span = edit.span
        edits.append({"start": _position(span.start_line, span.start_col),
                      "end": _position(span.end_line, span.end_col), "content": edit.new_text})
    return {"title": fix.title, "safe": fix.safe, "applicability": "safe" if fix.safe else "unsafe", "edits": edits}
