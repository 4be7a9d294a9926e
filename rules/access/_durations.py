"""Constant durations in source: `timedelta(days=30)`, `60 * 60 * 24 * 365`, `3600`, in seconds."""

from __future__ import annotations

import ast
from typing import Optional

DAY = 86_400
_TIMEDELTA_UNITS = {"weeks": 7 * DAY, "days": DAY, "hours": 3600, "minutes": 60, "seconds": 1, "milliseconds": 0.001}
_TIMEDELTA_ORDER = ("days", "seconds", "microseconds", "milliseconds", "minutes", "hours", "weeks")


def seconds(node: ast.AST, ctx, unit: float = 1) -> Optional[float]:
    """The duration `node` spells, in seconds (plain numbers count in `unit` seconds), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return node.value * unit
    if isinstance(node, ast.Name):
        value = ctx.constant_value(node)
        return value * unit if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Add)):
        left, right = seconds(node.left, ctx, unit), seconds(node.right, ctx, unit)
        if left is None or right is None:
            # `timedelta(days=1) * 365`: the number side is a plain factor
            number = _number(node.right, ctx) if left is not None else _number(node.left, ctx)
            known = left if left is not None else right
            return (
                known * number if known is not None and number is not None and isinstance(node.op, ast.Mult) else None
            )
        return left * right / unit if isinstance(node.op, ast.Mult) else left + right
    if isinstance(node, ast.Call) and (ctx.call_name(node) or "").rsplit(".", 1)[-1] == "timedelta":
        total = 0.0
        for position, arg in enumerate(node.args):
            value = _number(arg, ctx)
            if value is None or position >= len(_TIMEDELTA_ORDER):
                return None
            total += value * _TIMEDELTA_UNITS.get(_TIMEDELTA_ORDER[position], 0)
        for keyword in node.keywords:
            value = _number(keyword.value, ctx)
            if value is None or keyword.arg not in _TIMEDELTA_UNITS and keyword.arg != "microseconds":
                return None
            total += value * _TIMEDELTA_UNITS.get(keyword.arg or "", 0)
        return total
    return None


def _number(node: ast.AST, ctx) -> Optional[float]:
    return seconds(node, ctx, 1) if not isinstance(node, ast.Call) else None


def unit_of(name: str) -> float:
    """Seconds per unit for a setting named like `..._MINUTES`, `..._HOURS`, `..._DAYS` (else seconds)."""
    upper = name.upper()
    for suffix, unit in (
        ("_WEEKS", 7 * DAY),
        ("_DAYS", DAY),
        ("_HOURS", 3600),
        ("_MINUTES", 60),
        ("_MINS", 60),
        ("_MIN", 60),
    ):
        if upper.endswith(suffix):
            return unit
    return 1


def describe(value: float) -> str:
    if value >= DAY:
        days = value / DAY
        return f"{days:g} days" if days != 1 else "1 day"
    return f"{value / 3600:g} hours"
