"""SARIF 2.1.0, as GitHub code scanning reads it."""

from __future__ import annotations

import os
from typing import Optional, Sequence
from urllib.parse import quote

from tabguard import __version__
from tabguard.analysis import confidence_of
from tabguard.engine.document import ParseGap
from tabguard.engine.fixes import FixConflict, materialize
from tabguard.engine.grades import Confidence, Severity
from tabguard.engine.types import Edit, Finding, Fix, Span
from tabguard.render import explain_markdown
from tabguard.rules import all_rules
from tabguard.scan import FileResult


def _region(span: Span) -> dict:
    # SARIF columns are 1-based; tabguard's spans count code points, as SARIF's default does.
    return {
        "startLine": span.start_line + 1,
        "startColumn": span.start_col + 1,
        "endLine": span.end_line + 1,
        "endColumn": span.end_col + 1,
    }


def _uri(result: FileResult) -> str:
    """The display path as a URI reference: spaces and other reserved characters percent-encoded."""
    return quote(result.display, safe="/:")


def rule_descriptor(rule) -> dict:
    tags = ["security", *(f"external/cwe/cwe-{c}" for c in rule.cwe)]
    severity = Severity.named(rule.severity)
    if rule.owasp:
        tags.append(f"owasp-{rule.owasp}")
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.fill(rule.message)},
        "fullDescription": {"text": rule.fill(rule.what)},
        "help": {"text": rule.fill(rule.how), "markdown": explain_markdown(rule)},
        "helpUri": rule.doc_url(),
        "defaultConfiguration": {"level": severity.sarif_level},
        "properties": {
            "tags": tags,
            "security-severity": severity.security_severity,
            "precision": Confidence.named(rule.confidence).name,  # SARIF's words for the same scale
        },
    }


def _related_uri(result: FileResult, path: Optional[str]) -> str:
    """A related place's file: the result's own, or another file (a helper's module) given like
    the result's (relative when the result's is)."""
    if not path:
        return _uri(result)
    own = str(result.path)
    display = result.display.replace("/", os.sep)
    if not os.path.isabs(display) and own.endswith(display):
        path = os.path.relpath(path, own[: len(own) - len(display)] or ".").replace(os.sep, "/")
    return quote(path, safe="/:")


def _file_region(result: FileResult, span: Span, details: Optional[dict] = None) -> dict:
    """The region of a span of the result; in a notebook, in the `.ipynb` JSON text (where the cell's
    source or output string is written), which is what code scanning shows."""
    if result.notebook is None:
        return _region(span)
    return _region(result.notebook.file_span(result.notebook.place_of(span, details)))


def _cell_properties(result: FileResult, finding: Finding) -> dict:
    """In a notebook, the place in the cell, as the text and JSON reports give it."""
    if result.notebook is None:
        return {}
    place = result.notebook.place(finding)
    cell = {
        "index": place.cell.index,
        "line": place.span.start_line + 1,
        "column": place.span.start_col + 1,
        **({"id": place.cell.id} if place.cell.id else {}),
        **({"output": place.output, "field": place.field} if place.output is not None else {}),
    }
    return {"notebookCell": cell}


def result_object(result: FileResult, finding: Finding, index: dict[str, int]) -> dict:
    confidence = confidence_of(finding)
    region = _file_region(result, finding.span, finding.details)
    location = {"physicalLocation": {"artifactLocation": {"uri": _uri(result)}, "region": region}}
    out = {
        "ruleId": finding.rule_id,
        "ruleIndex": index.get(finding.rule_id, -1),
        "level": Severity.named(finding.severity).sarif_level,
        "message": {"text": finding.message},
        "locations": [location],
        "rank": Confidence.named(confidence).sarif_rank,
        "properties": {"severity": finding.severity, "confidence": confidence, **_cell_properties(result, finding)},
    }
    if finding.related:
        places = [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _related_uri(result, r.path)},
                    "region": _region(r.span) if r.path else _file_region(result, r.span),
                },
                "message": {"text": r.message},
            }
            for r in finding.related
        ]
        out["relatedLocations"] = [{"id": i, **place} for i, place in enumerate(places)]
        if finding.details.get("source"):
            # The data flow, source first, then each step, then the flagged place.
            steps = [*places, {**location, "message": {"text": finding.message}}]
            out["codeFlows"] = [{"threadFlows": [{"locations": [{"location": step} for step in steps]}]}]
    fix = finding.fix() if result.notebook is None else None  # a cell's rewrite is not a text edit of the file
    edits = _edits(fix, result.lines) if fix is not None else None
    if fix is not None and edits is not None:
        out["fixes"] = [
            {
                "description": {"text": fix.title + ("" if fix.safe else " (unsafe: review the behaviour change)")},
                "artifactChanges": [
                    {
                        "artifactLocation": {"uri": _uri(result)},
                        "replacements": [
                            {"deletedRegion": _region(edit.span), "insertedContent": {"text": edit.new_text}}
                            for edit in edits
                        ],
                    }
                ],
            }
        ]
    extra = finding.details.get("sarif_properties")
    if isinstance(extra, dict):
        out["properties"].update(extra)
    return out


def _parse_gap(result: FileResult, gap: ParseGap) -> dict:
    """Code that does not parse was not checked: a warning with its place (the run still succeeded)."""
    return {
        "level": "warning",
        "message": {"text": f"{result.display}:{result.gap_notice(gap)}"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(result)},
                    "region": {
                        k: v
                        for k, v in _file_region(result, Span(gap.line, gap.col, gap.line, gap.col)).items()
                        if k.startswith("start")
                    },
                }
            }
        ],
    }


def render(results: Sequence[FileResult]) -> dict:
    rules = all_rules()
    index = {rule.id: i for i, rule in enumerate(rules)}
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "tabguard",
                        "version": __version__,
                        "informationUri": "https://github.com/tabguard/tabguard",
                        "rules": [rule_descriptor(rule) for rule in rules],
                    }
                },
                "results": [result_object(r, f, index) for r in results for f in r.findings],
                "invocations": [
                    {
                        "executionSuccessful": not any(r.problems() for r in results),
                        "toolExecutionNotifications": [
                            {"level": "error", "message": {"text": f"{r.display}: {problem}"}}
                            for r in results
                            for problem in r.problems()
                        ]
                        + [_parse_gap(r, gap) for r in results for gap in r.parse_gaps]
                        + [
                            {
                                "level": "warning",
                                "message": {"text": f"{r.display}: {notice}"},
                                "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(r)}}}],
                            }
                            for r in results
                            for notice in r.notices
                        ],
                    }
                ],
            }
        ],
    }


def _edits(fix: Fix, lines: Sequence[str]) -> Optional[list[Edit]]:
    """The fix's edits with its imports; None when it cannot be made in this file."""
    try:
        return materialize(fix, lines)
    except FixConflict:
        return None
