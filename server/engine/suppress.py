"""Suppression comments: `# tabguard: ignore[TG101]`, bare `# tabguard: ignore`, and for interop
`# nosec B602` / `# noqa: S602` for the rules equivalent to those Bandit / Ruff checks."""

from __future__ import annotations

import re
from typing import Callable, Iterable, Optional, Sequence

from tabguard.engine.types import Edit, Finding, Span

# The id list stops at `#`: a line of many unclosed `ignore[` would otherwise be scanned to its end
# once per comment (quadratic: 10,000 of them took 7 s).
_TABGUARD = re.compile(r"#\s*tabguard:\s*ignore(?:\[([^\]#]*)\])?", re.IGNORECASE)
_NOSEC = re.compile(r"#\s*nosec\b(?::?\s*([A-Z]\d+(?:\s*,\s*[A-Z]\d+)*))?")
_NOQA = re.compile(r"#\s*noqa:\s*([A-Z]+\d+(?:\s*,\s*[A-Z]+\d+)*)", re.IGNORECASE)
UNKNOWN_SUPPRESSION = "TG900"


def _codes(text: Optional[str]) -> set[str]:
    return {c.strip().upper() for c in (text or "").split(",") if c.strip()}


def suppressing_comment(line: str, rule_id: str, aliases: Sequence[str]) -> bool:
    if "#" not in line:
        return False
    match = _TABGUARD.search(line)
    if match and (match.group(1) is None or rule_id in _codes(match.group(1))):
        return True
    match = _NOSEC.search(line)
    if match and (match.group(1) is None or _codes(match.group(1)) & set(aliases)):
        return True
    match = _NOQA.search(line)
    return bool(match and _codes(match.group(1)) & set(aliases))


def is_suppressed(finding: Finding, lines: Sequence[str], aliases: Sequence[str]) -> Optional[int]:
    """The line whose comment suppresses `finding` (its first or last line, or the line above), or None."""
    span = finding.span
    for line in (span.start_line, span.end_line, span.start_line - 1):
        if 0 <= line < len(lines) and suppressing_comment(lines[line], finding.rule_id, aliases):
            return line
    return None


def unknown_suppressions(lines: Sequence[str], known: Callable[[str], bool]) -> Iterable[tuple[Span, str, Edit]]:
    """`# tabguard: ignore[XYZ]` naming ids that are no rule: (span of the id, the id, the edit that
    drops the comment's unknown ids)."""
    for number, line in enumerate(lines):
        if "tabguard" not in line:
            continue
        for match in _TABGUARD.finditer(line):
            if match.group(1) is None:
                continue
            offset = match.start(1)
            kept, unknown = [], []
            for part in match.group(1).split(","):
                code = part.strip()
                start = offset + len(part) - len(part.lstrip())
                offset += len(part) + 1
                if code and not known(code.upper()):
                    unknown.append((Span(number, start, number, start + len(code)), code))
                elif code:
                    kept.append(code)
            if unknown:
                edit = _drop_unknown(line, number, match, kept)
                for span, code in unknown:
                    yield span, code, edit


def _drop_unknown(line: str, number: int, match: re.Match[str], kept: list[str]) -> Edit:
    """The comment without its unknown ids; with none left, without `tabguard: ignore[...]` (a bare
    `# tabguard: ignore` would silence every rule), keeping any reason written after it."""
    if kept:
        return Edit(Span(number, match.start(1), number, match.end(1)), ", ".join(kept))
    if line[match.end() :].strip():
        return Edit(Span(number, match.start(), number, match.end()), "#")
    start = len(line[: match.start()].rstrip())
    return Edit(Span(number, start, number, len(line)), "")
