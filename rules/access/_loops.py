"""Loop bounds the logic-flaw rules read."""

from __future__ import annotations

import ast
from typing import Optional


def length_of(node: ast.expr) -> Optional[str]:
    """`len(items)` -> "items" (the length of a named sequence), else None."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "len"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Name)
    ):
        return node.args[0].id
    return None
