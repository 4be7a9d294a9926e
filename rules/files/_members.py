"""Hand-written checks on archive members: the containment tests that TG503 and TG504 recognise."""

from __future__ import annotations

import ast
import re

# Calls that show the code checks where a member lands.
_CONTAINMENT = frozenset({"startswith", "is_relative_to", "relative_to", "commonpath", "commonprefix", "safe_join"})
# Inside a name: `path_is_safe`, `is_within_directory`, `is_subpath`.
_CONTAINMENT_WORDS = ("is_safe", "within", "subpath")
_WORD = re.compile(r"\w+")


def dotted(func: ast.AST) -> str:
    if isinstance(func, ast.Attribute):
        return f"{dotted(func.value)}.{func.attr}"
    return func.id if isinstance(func, ast.Name) else ""


def checks_containment(call: ast.Call) -> bool:
    """A callee whose last name part says it checks containment."""
    return is_containment_name(dotted(call.func).rpartition(".")[2])


def is_containment_name(name: str) -> bool:
    """A plain test: a regex of the form `\\w*is_safe\\w*$` rescans the name once per `is_safe` in it."""
    return name in _CONTAINMENT or (_WORD.fullmatch(name) is not None and any(w in name for w in _CONTAINMENT_WORDS))
