"""Suppression comments: `# tabguard: ignore[TG101]`, bare `# tabguard: ignore`, and for interop
`# nosec B602` / `# noqa: S602` for the rules equivalent to those Bandit / Ruff checks."""

from __future__ import annotations

import re
from typing import Iterator, Optional, Sequence

from tabguard.engine.types import Finding

# The id list stops at `#`: a line of many unclosed `ignore[` would otherwise be scanned to its end
# once per comment (quadratic: 10,000 of them took 7 s).
_TABGUARD = re.compile(r"#\s*tabguard:\s*ignore(?:\[([^\]#]*)\])?", re.IGNORECASE)
_NOSEC = re.compile(r"#\s*nosec\b(?::?\s*([A-Z]\d+(?:\s*,\s*[A-Z]\d+)*))?")
_NOQA = re.compile(r"#\s*noqa:\s*([A-Z]+\d+(?:\s*,\s*[A-Z]+\d+)*)", re.IGNORECASE)


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


def listed_ids(line: str) -> Iterator[tuple[re.Match[str], list[tuple[str, int]]]]:
    """Each `# tabguard: ignore[...]` comment of `line` that lists ids: its match (group 1 is the
    list) and the ids as written, each with its column."""
    if "#" not in line or "tabguard" not in line.lower():  # the comment's case is free, as when suppressing
        return
    for match in _TABGUARD.finditer(line):
        if match.group(1) is None:
            continue
        ids, offset = [], match.start(1)
        for part in match.group(1).split(","):
            if part.strip():
                ids.append((part.strip(), offset + len(part) - len(part.lstrip())))
            offset += len(part) + 1
        yield match, ids
