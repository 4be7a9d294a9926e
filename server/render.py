"""The one place that turns rule metadata into Markdown: hover, `tabguard explain`, docs, SARIF help."""

from __future__ import annotations

from typing import Optional

from tabguard.engine.rule import OWASP_TITLES, Rule

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
    severity, confidence = grade or (rule.severity_label(), rule.confidence)
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


def explain_text(rule: Rule) -> str:
    """Plain text for a terminal: the Markdown without link syntax noise."""
    return explain_markdown(rule).replace("**", "")
