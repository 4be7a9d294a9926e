"""Values that are fixed in the source: literal bytes, `b"\\0" * 16`, constants, locals bound once to them."""

from __future__ import annotations

import ast
from typing import Optional

import libcst as cst

from tabguard.engine.fixes import expression_fix


def fixed_value(ctx, expr: Optional[ast.expr]) -> bool:
    """True when `expr` evaluates to the same bytes or string on every run."""
    if expr is None:
        return False
    if isinstance(expr, ast.Constant):
        return isinstance(expr.value, (bytes, str))
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mult):
        return (fixed_value(ctx, expr.left) and _is_int(expr.right)) or (
            _is_int(expr.left) and fixed_value(ctx, expr.right)
        )
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        return fixed_value(ctx, expr.left) and fixed_value(ctx, expr.right)
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id in ("bytes", "bytearray"):
        return len(expr.args) == 1 and (
            _is_int(expr.args[0]) or isinstance(expr.args[0], (ast.List, ast.Tuple, ast.BinOp))
        )
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr in ("encode", "fromhex"):
        return fixed_value(ctx, expr.func.value) or (
            expr.func.attr == "fromhex" and bool(expr.args) and fixed_value(ctx, expr.args[0])
        )
    if isinstance(expr, ast.Name):
        if isinstance(ctx.constant_value(expr), (bytes, str)):
            return True
        assigned = ctx.model.values(expr)
        return bool(assigned) and all(fixed_value(ctx, value) for value in assigned)
    return False


def _is_int(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and isinstance(expr.value, int)


def int_value(ctx, expr: Optional[ast.expr]) -> Optional[int]:
    value = ctx.constant_value(expr)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def replace_number_fix(ctx, node: ast.expr, new: str, title: str):
    """Rewrite a literal number (not a named constant, whose definition may live elsewhere)."""
    if not isinstance(node, ast.Constant):
        return None
    return expression_fix(ctx, node, lambda _: cst.Integer(new), title, safe=False)
