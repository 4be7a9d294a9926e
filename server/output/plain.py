"""Text (ruff-like, one line per finding) and JSON reports."""

from __future__ import annotations

from typing import Optional, Sequence

from tabguard.analysis import confidence_of
from tabguard.engine.fixes import FixConflict, materialize
from tabguard.engine.grades import Severity
from tabguard.engine.types import Finding, Fix, Span
from tabguard.notebook.places import NotebookView
from tabguard.output.printable import printable
from tabguard.rules import all_rules
from tabguard.scan import FileResult


_RESET = "\033[0m"


def text_lines(results: Sequence[FileResult], colour: bool = False) -> list[str]:
    """`path:line:col: TG105 [high, low confidence] message`, one line per finding."""
    out = []
    for result in results:
        for f in result.findings:
            suffix = f" [{f.details['ai_note']}]" if f.details.get("ai_note") else ""
            # Coloured only on a terminal, and never when NO_COLOR is set (the caller decides).
            severity = f"{Severity.named(f.severity).ansi}{f.severity}{_RESET}" if colour else f.severity
            grade = f"[{severity}, {confidence_of(f)} confidence]"
            where = f"{result.display}:{result.where(f.span, f.details)}:"
            out.append(f"{where} {f.rule_id} {grade} {printable(f.message)}{suffix}")  # it may quote the code
    return out


def by_position(findings: Sequence[Finding], notebook: Optional[NotebookView] = None) -> list[Finding]:
    """In reading order: by line and column, in a notebook by cell (a cell's outputs after its code)."""
    if notebook is not None:
        return sorted(findings, key=notebook.sort_key)
    return sorted(findings, key=lambda f: (f.span.start_line, f.span.start_col, f.rule_id))


def json_object(results: Sequence[FileResult]) -> list[dict]:
    by_id = {r.id: r for r in all_rules()}
    items = []
    for result in results:
        for f in result.findings:
            rule = by_id.get(f.rule_id)
            fix = f.fix()
            items.append(
                {
                    "path": result.display,
                    "rule": f.rule_id,
                    "name": rule.name if rule else "",
                    "severity": f.severity,
                    "confidence": confidence_of(f),
                    "cwe": [f"CWE-{c}" for c in rule.cwe] if rule else [],
                    "message": f.message,
                    **_range(result, f.span, f.details),
                    "related": [
                        {
                            **_related_place(result, r.span, r.path),
                            "message": r.message,
                            **({"path": r.path} if r.path else {}),
                        }
                        for r in f.related
                    ],
                    "fix": _fix_object(fix, result) if fix else None,
                    "ai": f.details.get("ai"),
                }
            )
    # What could not be checked, after the findings: items whose `rule` is null (as Ruff writes
    # syntax errors), with `kind` saying which: a file not checked, or code that does not parse.
    items.extend(
        {"path": r.display, "rule": None, "kind": "error", "message": problem, "error": problem}
        for r in results
        for problem in r.problems()
    )
    items.extend(
        {
            "path": r.display,
            "rule": None,
            "kind": "syntax-error",
            "message": r.gap_notice(gap).split(": ", 1)[1],
            **_range(r, Span(gap.line, gap.col, gap.last_line, 0)),
        }
        for r in results
        for gap in r.parse_gaps
    )
    items.extend(
        {"path": r.display, "rule": None, "kind": "not-checked", "message": notice}
        for r in results
        for notice in r.notices
    )
    return items


def _range(result: FileResult, span: Span, details: Optional[dict] = None) -> dict:
    """`start` and `end` (1-based); in a notebook they are in the cell (or output) named by `cell`."""
    if result.notebook is None:
        return {"start": _position(span.start_line, span.start_col), "end": _position(span.end_line, span.end_col)}
    place = result.notebook.place_of(span, details)
    local = place.span
    cell = {
        "index": place.cell.index,
        "number": place.cell.index + 1,
        **({"id": place.cell.id} if place.cell.id else {}),
    }
    output = {"output": {"index": place.output, "field": place.field}} if place.output is not None else {}
    return {
        "cell": cell,
        **output,
        "start": _position(local.start_line, local.start_col),
        "end": _position(local.end_line, local.end_col),
    }


def _related_place(result: FileResult, span: Span, path: Optional[str]) -> dict:
    """A related place's line and column (in its cell, in a notebook: with `cell`)."""
    if path or result.notebook is None:
        return _position(span.start_line, span.start_col)
    located = _range(result, span)
    return {"cell": located["cell"], **located["start"]}


def _position(line: int, col: int) -> dict:
    return {"line": line + 1, "column": col + 1}


def _fix_object(fix: Fix, result: FileResult) -> Optional[dict]:
    """The rewrite as text edits (1-based positions, end exclusive), missing imports included, so a
    consumer can apply it without tabguard (as SARIF's `fixes` allow). In a notebook each edit names
    its cell, and its positions are in that cell's source; a rewrite of IPython syntax (a shell escape,
    a magic) is not offered, as `--fix` would not make it."""
    edits = []
    try:
        built = materialize(fix, result.lines)
    except FixConflict:
        return None
    if result.notebook is not None and result.notebook.module.apply(built) is None:
        return None
    for edit in built:
        edits.append({**_range(result, edit.span), "content": edit.new_text})
    return {"title": fix.title, "safe": fix.safe, "applicability": "safe" if fix.safe else "unsafe", "edits": edits}
