"""Rule codes as people write them in `select` / `ignore` (ids, id prefixes like `TG1`, rule names),
checked against the catalog: an unknown code is an error with a "did you mean", never a silent
selection of nothing."""

from __future__ import annotations

import difflib
import re
from typing import Iterable, Optional

from tabguard.rules import all_rules

_PREFIX = re.compile(r"TG\d{0,3}")


def suggestion(word: str, choices: Iterable[str]) -> str:
    """`; did you mean 'x'?` for the closest of `choices`, or nothing when none is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def resolve(code: str) -> Optional[str]:
    """The id or id prefix that `code` names (case-insensitive; a rule name gives its id), else None."""
    text = code.strip()
    upper = text.upper()
    rules = all_rules()
    if _PREFIX.fullmatch(upper) and any(rule.id.startswith(upper) for rule in rules):
        return upper
    lower = text.lower().replace("_", "-")
    return next((rule.id for rule in rules if rule.name == lower), None)


def resolve_all(codes: Iterable[str], where: str) -> tuple[tuple[str, ...], list[str]]:
    """The ids/prefixes for `codes`, and one problem message per code that names no rule."""
    resolved, problems = [], []
    for code in codes:
        found = resolve(code)
        if found is None:
            problems.append(f"{where}: unknown rule '{code}'{_closest_rule(code.strip())}")
        else:
            resolved.append(found)
    return tuple(resolved), problems


def _closest_rule(code: str) -> str:
    if code.upper().startswith("TG"):
        # Ids are compared on their first five characters, letters O/I/L read as the digits they resemble.
        digits = code.upper()[:5].translate(str.maketrans("OIL", "011"))
        return suggestion(digits, [r.id for r in all_rules()])
    return suggestion(code.lower(), [r.name for r in all_rules()])
