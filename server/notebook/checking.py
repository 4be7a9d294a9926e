"""Checking a notebook file: its code cells as one module with the rules a `.py` file gets, and the
text of its saved outputs with the rules' `check_output` hooks (TG314: printed credentials), the only
thing read from outputs.

A suppression comment counts in the cell it is written in: `# tabguard: ignore[...]` on the line of
a finding or the line above it, never across a cell boundary. It is read from the cell's own text,
so it also works at the end of a shell escape line (`!curl ... {url}  # tabguard: ignore[TG101]`).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, replace
from typing import NamedTuple, Optional

from tabguard.analysis import analyze_text, visible
from tabguard.engine.checker import RuleError, RuleSet
from tabguard.engine.document import ParseGap
from tabguard.engine.grades import Severity
from tabguard.engine.types import Finding, Span
from tabguard.notebook.document import Notebook
from tabguard.notebook.outputs import OutputContext, output_texts
from tabguard.notebook.places import NotebookView
from tabguard.notebook.virtual import VirtualModule


@dataclass
class NotebookCheck:
    view: NotebookView
    lines: list[str]  # the virtual module's: the findings in code are on these lines
    findings: list[Finding]
    gaps: list[ParseGap]
    errors: list[str]  # rules that failed on it: a partial check


def is_notebook(path) -> bool:
    return path.suffix == ".ipynb"


def check_notebook(
    text: str, path: str, ruleset: RuleSet, options: Optional[dict] = None, min_severity: str = "low"
) -> NotebookCheck:
    """The findings `tabguard check` reports for a notebook's JSON `text` (NotebookError when it
    cannot be read as one)."""
    view = NotebookView.of(Notebook.from_json(text))
    checked = check_cells(view.module, path, ruleset, options, min_severity)
    in_outputs, failed = output_findings(view.notebook, ruleset, min_severity)
    return NotebookCheck(view, checked.lines, checked.findings + in_outputs, checked.gaps, checked.errors + failed)


class CellCheck(NamedTuple):
    lines: list[str]  # the module's lines as analysed (a cell that does not parse blanked)
    findings: list[Finding]  # on those lines, suppression comments applied
    gaps: list[ParseGap]
    errors: list[str]  # rules that failed


def check_cells(
    module: VirtualModule, path: str, ruleset: RuleSet, options: Optional[dict] = None, min_severity: str = "low"
) -> CellCheck:
    """The code cells' findings: the rules a `.py` file gets, on the virtual module."""
    lines, gaps = checkable(module)
    doc = analyze_text("\n".join(lines), path, ruleset, options)
    findings = code_findings(module, doc.findings(), min_severity)
    errors = [f"rule {error}" for error in doc.take_errors()]
    return CellCheck(doc.lines, findings, gaps + doc.syntax_problems(), errors)


def checkable(module: VirtualModule) -> tuple[list[str], list[ParseGap]]:
    """The module's lines with each cell that does not parse on its own blanked (Jupyter runs no line
    of such a cell, and its broken code must not swallow the cells after it), and a gap for each."""
    lines = list(module.lines)
    gaps = []
    for position in range(len(module.cells)):
        block = module.cell_lines(position)
        try:
            ast.parse("\n".join(lines[block.start : block.stop]))
        except (SyntaxError, ValueError) as error:  # ValueError: a NUL character
            line = min(max(getattr(error, "lineno", None) or 1, 1), len(block)) - 1
            col = max((getattr(error, "offset", None) or 1) - 1, 0)
            message = getattr(error, "msg", None) or str(error)
            gaps.append(ParseGap(block.start + line, col, message, block.start, block.stop - 1))
            lines[block.start : block.stop] = [""] * len(block)
    return lines, gaps


def code_findings(module: VirtualModule, findings: list[Finding], min_severity: str = "low") -> list[Finding]:
    """The findings on the virtual module that no comment in their own cell suppresses."""
    return [f for f in findings if _kept(module, f, min_severity)]


def _kept(module: VirtualModule, finding: Finding, min_severity: str) -> bool:
    position = module.cell_at(finding.span.start_line)
    offset = module.offsets[position]
    span = finding.span
    local = replace(finding, span=Span(span.start_line - offset, span.start_col, span.end_line - offset, span.end_col))
    return bool(visible([local], module.cells[position].lines, min_severity))


def output_findings(notebook: Notebook, ruleset: RuleSet, min_severity: str = "low") -> tuple[list[Finding], list[str]]:
    """The findings of the rules' `check_output` hooks in every saved output's text, of any cell
    language (a token printed by R leaks too), and the errors of hooks that failed."""
    floor = Severity.named(min_severity).rank
    hooks = [
        (rule, hook)
        for rule in ruleset.rules
        if (hook := getattr(rule, "check_output", None)) is not None and Severity.named(rule.severity).rank >= floor
    ]
    found: list[Finding] = []
    errors: list[str] = []
    for cell in notebook.cells:
        for piece in output_texts(cell) if hooks else ():
            out = OutputContext(cell, piece)
            for rule, hook in hooks:
                try:
                    hook(out)
                except Exception as error:  # one broken rule must not hide the others
                    errors.append(f"rule {RuleError(rule.id, error)}")
            found.extend(out.findings)
    return found, list(dict.fromkeys(errors))
