"""Engine findings and fixes -> LSP diagnostics, code actions and edits."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Optional, Sequence

from lsprotocol import converters, types

from tabguard.analysis import confidence_of
from tabguard.engine.fixes import materialize
from tabguard.engine.grades import Severity
from tabguard.engine.suppress import listed_ids
from tabguard.engine.types import Edit, Finding, Fix, Span
from tabguard.lsp.positions import Encoding
from tabguard.rules import rule_by_id

_CONVERTER = converters.get_converter()


def diagnostic(finding: Finding, lines: Sequence[str], encoding: Encoding, uri: str) -> types.Diagnostic:
    """The diagnostic as an lsprotocol object (code actions, pull diagnostics); one definition,
    `diagnostic_json`, serves both forms."""
    return structured(diagnostic_json(finding, lines, encoding, uri))


def structured(diagnostic_json: dict[str, Any]) -> types.Diagnostic:
    return _CONVERTER.structure(diagnostic_json, types.Diagnostic)


def diagnostic_json(
    finding: Finding,
    lines: Sequence[str],
    encoding: Encoding,
    uri: str,
    related: bool = True,
    span: Optional[Span] = None,
) -> dict[str, Any]:
    """A finding as LSP diagnostic JSON. Published as is: pushing a large file's diagnostics after
    every accept must not pay for object conversion. `span` places it in `lines` when they are not
    the engine's (a notebook cell's own lines)."""
    rule = rule_by_id(finding.rule_id)
    note = finding.details.get("ai_note")
    out = {
        "range": range_json(lines, span or finding.span, encoding),
        "message": f"{finding.message} [{note}]" if note else finding.message,
        "severity": int(types.DiagnosticSeverity[Severity.named(finding.severity).lsp]),
        "code": finding.rule_id,
        "source": "tabguard",
        "data": {
            "rule": finding.rule_id,
            "fixable": finding.has_fix,
            "ai": finding.details.get("ai"),
            "severity": finding.severity,
            "confidence": confidence_of(finding),
        },
    }
    if rule is not None:
        out["codeDescription"] = {"href": rule.doc_url()}
    if finding.related and related:  # the path from the source, when the client shows related places
        out["relatedInformation"] = [
            {
                "location": {"uri": Path(r.path).as_uri(), "range": plain_range(r.span)}
                if r.path
                else {"uri": uri, "range": range_json(lines, r.span, encoding)},
                "message": r.message,
            }
            for r in finding.related
        ]
    return out


_LINE_NUMBER = re.compile(r'"line": (\d+)')


def moved(text: str, lines: int) -> str:
    """A serialized diagnostic (`json.dumps` of `diagnostic_json`) moved down by `lines`: every
    position in it is a `"line": N` key (quotes inside strings are escaped, so none matches there)."""
    return _LINE_NUMBER.sub(lambda m: f'"line": {int(m.group(1)) + lines}', text)


def to_json(obj: object) -> dict[str, Any]:
    """An lsprotocol object as JSON (command arguments carry plain JSON)."""
    json: dict[str, Any] = _CONVERTER.unstructure(obj)
    return json


def plain_range(span: Span) -> dict[str, Any]:
    """A range in another file, whose text is not at hand: columns as counted in code points."""
    return {
        "start": {"line": span.start_line, "character": span.start_col},
        "end": {"line": span.end_line, "character": span.end_col},
    }


def range_json(lines: Sequence[str], span: Span, encoding: Encoding) -> dict[str, Any]:
    start_line, start_char = encoding.point(lines, span.start_line, span.start_col)
    end_line, end_char = encoding.point(lines, span.end_line, span.end_col)
    return {"start": {"line": start_line, "character": start_char}, "end": {"line": end_line, "character": end_char}}


def text_edits(edits: Sequence[Edit], lines: Sequence[str], encoding: Encoding) -> list[types.TextEdit]:
    return [types.TextEdit(encoding.range(lines, e.span), e.new_text) for e in edits]


def fix_action(
    fix: Fix, uri: str, lines: Sequence[str], encoding: Encoding, diag: Optional[types.Diagnostic]
) -> types.CodeAction:
    title = fix.title if fix.safe else f"{fix.title} (unsafe: review the change)"
    return types.CodeAction(
        title=title,
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diag] if diag else None,
        is_preferred=fix.safe or None,
        edit=types.WorkspaceEdit(changes={uri: text_edits(materialize(fix, lines), lines, encoding)}),
    )


def ignore_action(
    finding: Finding,
    uri: str,
    lines: Sequence[str],
    encoding: Encoding,
    diag: Optional[types.Diagnostic],
    unreviewed_ai: bool = False,
) -> types.CodeAction:
    """Append (or extend) a `# tabguard: ignore[...]` comment on the flagged line. In an unreviewed AI
    span the comment is not honoured until the span is reviewed, and the title says so (otherwise the
    finding stays after the click, with nothing on screen saying why)."""
    number = finding.span.start_line
    line = lines[number]
    comment = next(listed_ids(line), None)  # the suppression parser's reading of the line
    if comment:
        match, ids = comment
        codes = [code for code, _ in ids] + [finding.rule_id]
        start, end = match.span(1)
        edit = Edit(_span(number, start, end), ", ".join(dict.fromkeys(codes)))
    else:
        edit = Edit(_span(number, len(line), len(line)), f"  # tabguard: ignore[{finding.rule_id}]")
    pending = " (counts once the AI code is reviewed)" if unreviewed_ai else ""
    return types.CodeAction(
        title=f"Ignore {finding.rule_id} on this line{pending}",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diag] if diag else None,
        edit=types.WorkspaceEdit(changes={uri: text_edits([edit], lines, encoding)}),
    )


def _span(line: int, start: int, end: int) -> Span:
    return Span(line, start, line, end)
