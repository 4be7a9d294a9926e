"""The one place that turns rule metadata into Markdown: hover, `tabguard explain`, docs, SARIF help."""

from __future__ import annotations

import os
import re
import textwrap
from typing import Callable, Optional, Sequence

from tabguard.engine.rule import OWASP_TITLES, Rule
from tabguard.engine.types import Finding, Span

_OWASP_URL = "https://owasp.org/Top10/2025/"


def cwe_link(cwe: int) -> str:
    return f"[CWE-{cwe}](https://cwe.mitre.org/data/definitions/{cwe}.html)"


def owasp_label(rule: Rule) -> Optional[str]:
    if not rule.owasp:
        return None
    return f"[{rule.owasp} {OWASP_TITLES[rule.owasp]}]({_OWASP_URL})"


def explain_markdown(
    rule: Rule, details: Optional[dict] = None, *, heading_level: int = 2, grade: Optional[tuple[str, str]] = None
) -> str:
    """The rule's full explanation, tailored with the names found in the flagged code. `grade` is a
    finding's own (severity, confidence), shown instead of the rule's defaults."""
    h = "#" * heading_level
    fill = lambda text: rule.fill(text, details)  # noqa: E731
    severity, confidence = grade or (rule.severity_label(), rule.confidence_label())
    tags = [f"severity **{severity}**", f"confidence **{confidence}**"]
    tags.extend(cwe_link(c) for c in rule.cwe)
    owasp = owasp_label(rule)
    if owasp:
        tags.append(owasp)
    parts = [
        f"{h} {rule.id} {rule.name}",
        rule.format_message(details),  # already filled: formatting twice breaks on braces in code
        " · ".join(tags),
        f"{h}# What it does\n{fill(rule.what)}",
        f"{h}# Why is this exploitable\n{fill(rule.why)}",
        f"{h}# How to fix\n{fill(rule.how)}",
        f"{h}# Secure example\n```python\n{rule.example.strip()}\n```",
        f"{h}# Fix safety\n{rule.fix_safety}",
    ]
    if rule.references:
        parts.append(f"{h}# References\n" + "\n".join(f"- {ref}" for ref in rule.references))
    return "\n\n".join(parts) + "\n"


def hover_markdown(
    explained: Sequence[tuple[Rule, Finding, str]], where: Optional[Callable[[Span], str]] = None
) -> str:
    """The hover over flagged code, from (rule, finding, its confidence): each finding's explanation
    with its own grade, its AI note in bold above, the data-flow path below; findings apart by a rule.
    `where` names a place of this document in the path (default `line N`; a notebook names cells)."""
    parts = []
    for rule, finding, confidence in explained:
        text = explain_markdown(rule, finding.details, heading_level=3, grade=(finding.severity, confidence))
        if finding.details.get("source") and finding.related:
            text += "\n\n**Path**\n\n" + "\n".join(_path_lines(finding, where or _line))
        note = finding.details.get("ai_note")
        parts.append(f"**{note}**\n\n{text}" if note else text)
    return "\n\n---\n\n".join(parts)


def _path_lines(finding: Finding, where: Callable[[Span], str]) -> list[str]:
    """The data-flow path of a finding, one step a line, the flagged place last."""
    steps = [
        f"{k}. {_elsewhere(r.path, r.span) if r.path else where(r.span)}: {r.message}"
        for k, r in enumerate(finding.related, 1)
    ]
    return [*steps, f"{len(steps) + 1}. {where(finding.span)}: flagged here"]


def _line(span: Span) -> str:
    return f"line {span.start_line + 1}"


def _elsewhere(path: str, span: Span) -> str:
    return f"{os.path.basename(path)}:{span.start_line + 1}"


def rule_page(rule: Rule) -> str:
    """A rule's page in docs/rules: its explanation, then each flagged example and its rewrite."""
    examples = []
    for example in rule.INVALID:
        language = "json" if example.path.endswith(".ipynb") else "python"  # a notebook example is its file
        block = f"Flagged:\n\n```{language}\n{example.code.rstrip()}\n```\n"
        if example.fixed is not None:
            block += f"\nRewritten to:\n\n```python\n{example.fixed.rstrip()}\n```\n"
        examples.append(block)
    if rule.TODO:  # honest about the limits: shapes the suite knows the rule misses
        missed = "".join(f"\n```python\n{example.code.rstrip()}\n```\n" for example in rule.TODO)
        examples.append(f"Not flagged yet (known misses):\n{missed}")
    quiet = _QUIET_IN_TESTS if rule.quiet_in_tests else ""
    return explain_markdown(rule, heading_level=1) + quiet + "\n## Examples\n\n" + "\n".join(examples)


_QUIET_IN_TESTS = (
    "\n## Test code\nNot reported in test code: test modules (`test_*.py`, `*_test.py`, `tests.py`, `conftest.py`) "
    "and the project's test trees (below a `tests`, `test` or `testing` folder, or a folder holding a "
    "`conftest.py`). The risk exists where the program runs deployed; what tests hold here are fixtures. "
    "See [test code](../writing-rules.md#test-code).\n"
)


def rules_index(families: Sequence[tuple[str, Sequence[Rule]]], fix_label: Callable[[Rule], str]) -> str:
    """docs/rules/README.md: a table of the rules of each family (title, members)."""
    index = ["# tabguard rules", "", "Generated from the rule metadata by `python -m tabguard.docs docs/rules`.", ""]
    for title, members in families:
        index += [f"## {title}", "", "| id | name | severity | CWE | fix |", "| --- | --- | --- | --- | --- |"]
        for r in members:
            cwes = ", ".join(f"CWE-{c}" for c in r.cwe)
            index.append(f"| [{r.id}]({r.id}.md) | {r.name} | {r.severity} | {cwes} | {fix_label(r)} |")
        index.append("")
    return "\n".join(index)


def explain_terminal(rule: Rule, width: int = 88, colour: bool = False) -> str:
    """`explain_markdown` for a terminal: headings as headings, links as their text, code indented,
    paragraphs wrapped to `width`; bold and code spans coloured only when `colour`."""
    bold, code, reset = ("\033[1m", "\033[36m", "\033[0m") if colour else ("", "", "")
    out: list[str] = []
    in_code = False
    for line in explain_markdown(rule).splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif in_code:
            out.append(f"    {code}{line}{reset}" if line else "")
        elif line.startswith(("### ", "## ")):
            title = line.lstrip("#").strip()
            out.append(f"{bold}{title.upper() if line.startswith('### ') else title}{reset}")
        elif line.startswith("- "):
            out.extend(_wrapped(_inline(line[2:], bold, code, reset), width, "  - ", "    "))
        elif line:
            out.extend(_wrapped(_inline(line, bold, code, reset), width, "", ""))
        else:
            out.append("")
    return "\n".join(out) + "\n"


_LINK = re.compile(r"\[([^\][]+)\]\([^()]+\)")  # no brackets inside: one pass over `[[[[`
_BOLD = re.compile(r"\*\*([^*]+)\*\*")
_CODE = re.compile(r"`([^`]+)`")


def _inline(text: str, bold: str, code: str, reset: str) -> str:
    text = _LINK.sub(r"\1", text)
    text = _BOLD.sub(lambda m: f"{bold}{m.group(1)}{reset}", text)
    return _CODE.sub(lambda m: f"{code}{m.group(1)}{reset}", text)


def _wrapped(text: str, width: int, first: str, rest: str) -> list[str]:
    # Colour codes are invisible; wrapping counts them, which only makes a coloured line a little short.
    return textwrap.wrap(text, width, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False) or [""]
