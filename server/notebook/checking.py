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
from typing import Callable, Optional, Sequence

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


# Outputs (images above all) make a notebook file many times larger than its code: the file may be
# this many times `max-file-size`, which applies to its code, counted as the editor counts it.
FILE_SIZE_FACTOR = 50

Honoured = Optional[Callable[[int], bool]]


def read_limit(path, max_size: int) -> int:
    """The most bytes of `path` read: `max_size`, more for a notebook (see `FILE_SIZE_FACTOR`)."""
    return max_size * FILE_SIZE_FACTOR if is_notebook(path) else max_size


def too_large(view: NotebookView, max_size: int) -> Optional[str]:
    """Why a notebook is not analysed, when its code is over `max-file-size`."""
    size = len(view.module.text)
    return f"{size} characters of code is over max-file-size ({max_size}), skipped" if size > max_size else None


def check_notebook(
    text: str,
    path: str,
    ruleset: RuleSet,
    options: Optional[dict] = None,
    min_severity: str = "low",
    honoured: Honoured = None,
) -> NotebookCheck:
    """The findings `tabguard check` reports for a notebook's JSON `text` (NotebookError when it
    cannot be read as one). `honoured` as in `analysis.visible`, by line of the module."""
    checked = analyse_notebook(NotebookView.of(Notebook.from_json(text)), path, ruleset, options)
    checked.findings = shown(checked.view, checked.findings, min_severity, honoured)
    return checked


def analyse_notebook(view: NotebookView, path: str, ruleset: RuleSet, options: Optional[dict] = None) -> NotebookCheck:
    """Every finding of a notebook, before suppression comments and `min-severity` (see `shown`)."""
    lines, gaps = checkable(view.module)
    doc = analyze_text("\n".join(lines), path, ruleset, options)
    in_outputs, failed = output_findings(view.notebook, ruleset)
    errors = [f"rule {error}" for error in doc.take_errors()] + failed
    return NotebookCheck(view, doc.lines, doc.findings() + in_outputs, gaps + doc.syntax_problems(), errors)


def shown(
    view: NotebookView, findings: Sequence[Finding], min_severity: str = "low", honoured: Honoured = None
) -> list[Finding]:
    """The findings at or above `min_severity` that no comment in their own cell suppresses."""
    floor = Severity.named(min_severity).rank
    kept = []
    for finding in findings:
        if view.place(finding).output is not None:  # in a saved output: no comment reaches it
            if Severity.named(finding.severity).rank >= floor:
                kept.append(finding)
            continue
        visible_finding = _in_cell(view.module, finding, min_severity, honoured)
        if visible_finding is not None:
            kept.append(visible_finding)
    return kept


def check_cells(
    module: VirtualModule,
    path: str,
    ruleset: RuleSet,
    options: Optional[dict] = None,
    min_severity: str = "low",
    honoured: Honoured = None,
) -> tuple[list[str], list[Finding]]:
    """The lines analysed and the findings shown of the code cells alone (what `--fix` works on)."""
    lines = checkable(module)[0]
    doc = analyze_text("\n".join(lines), path, ruleset, options)
    return doc.lines, in_cells(module, doc.findings(), min_severity, honoured)


def in_cells(
    module: VirtualModule, findings: Sequence[Finding], min_severity: str = "low", honoured: Honoured = None
) -> list[Finding]:
    """The findings in code cells that no comment in their own cell suppresses (the CLI and the
    editor alike: a comment at the end of one cell never reaches the first line of the next)."""
    found = (_in_cell(module, f, min_severity, honoured) for f in findings)
    return [f for f in found if f is not None]


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


def _in_cell(module: VirtualModule, finding: Finding, min_severity: str, honoured: Honoured) -> Optional[Finding]:
    """`analysis.visible` for a finding on the module, with the comments of its own cell only."""
    position = module.cell_at(finding.span.start_line)
    offset = module.offsets[position]
    span = finding.span
    local = replace(finding, span=Span(span.start_line - offset, span.start_col, span.end_line - offset, span.end_col))
    in_cell = None if honoured is None else (lambda line: honoured(line + offset))
    kept = visible([local], module.cells[position].lines, min_severity, in_cell)
    if not kept:
        return None
    unhonoured = kept[0].details.get("suppression_unhonoured")
    if unhonoured is None:
        return finding
    return replace(finding, details={**finding.details, "suppression_unhonoured": unhonoured + offset})


def output_findings(notebook: Notebook, ruleset: RuleSet) -> tuple[list[Finding], list[str]]:
    """The findings of the rules' `check_output` hooks in every saved output's text, of any cell
    language (a token printed by R leaks too), and the errors of hooks that failed."""
    hooks = [(rule, hook) for rule in ruleset.rules if (hook := getattr(rule, "check_output", None)) is not None]
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
