"""libcst transformations shared by the injection rules' secure rewrites."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import Optional

import libcst as cst
from tabguard.engine.fixes import Transform
from tabguard.engine.types import Edit
from tabguard.rules.injection._strings import source_of


def replace_arguments(first: str, extra: Sequence[str] = (), drop: Sequence[str] = ()) -> Transform:
    """Replace a call's first argument with `first`, insert `extra` positional arguments after it,
    and drop the keyword arguments named in `drop`."""

    def transform(call: cst.BaseExpression) -> cst.BaseExpression:
        assert isinstance(call, cst.Call)
        args = [a for a in call.args if not (a.keyword is not None and a.keyword.value in drop)]
        comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        new = [args[0].with_changes(value=cst.parse_expression(first))]
        new += [cst.Arg(value=cst.parse_expression(text)) for text in extra]
        new += args[1:]
        new_last = new.pop()
        new = [a if isinstance(a.comma, cst.Comma) else a.with_changes(comma=comma) for a in new]
        new.append(new_last.with_changes(comma=call.args[-1].comma))  # the trailing comma stays as written
        return call.with_changes(args=new)

    return transform


def wrap_values(ctx, values: Sequence[ast.expr], wrapper: str) -> Optional[list[Edit]]:
    """Edits writing each value as `wrapper.format(its code)` where it stands; None when a value's
    position is not where its text is (inside f-strings on older Pythons)."""
    edits = []
    for value in values:
        text = source_of(value, ctx)
        span = ctx.span(value)
        if ctx.segment(span).strip() != text:
            return None
        edits.append(Edit(span, wrapper.format(text)))
    return edits


def sole_assignment(ctx, name: ast.expr, value: ast.expr, only_use: bool = True) -> Optional[ast.Assign]:
    """The `name = value` statement when it is the name's only binding in the function, this is its
    only use (unless `only_use` is False), and nothing the value reads is rebound before the use (the
    values are then read at the use instead, with the same result)."""
    if not isinstance(name, ast.Name) or ctx.function is None:
        return None
    statement = next((s for s in ctx.scope_statements() if isinstance(s, ast.Assign) and s.value is value), None)
    if statement is None or len(statement.targets) != 1 or not isinstance(statement.targets[0], ast.Name):
        return None
    read = {n.id for n in ast.walk(value) if isinstance(n, ast.Name)}
    uses = bindings = 0
    for node in ctx.scope_nodes():
        if not isinstance(node, ast.Name):
            continue
        if node.id == name.id:
            uses += 1
            bindings += not isinstance(node.ctx, ast.Load)
        elif node.id in read and not isinstance(node.ctx, ast.Load) and statement.lineno < node.lineno <= name.lineno:
            return None
    # `global` or `nonlocal` would make the name shared with other code; uses = the binding + this read.
    shared = any(isinstance(s, (ast.Global, ast.Nonlocal)) and name.id in s.names for s in ctx.scope_statements())
    return statement if (uses == 2 or not only_use) and bindings == 1 and not shared else None


def reads_only(values) -> bool:
    """Each value is a name, an attribute or a constant-keyed item of one (`request.args["q"]`):
    reading it again gives the same value and has no effect."""
    for value in values:
        while isinstance(value, (ast.Attribute, ast.Subscript)):
            if isinstance(value, ast.Subscript) and not isinstance(value.slice, ast.Constant):
                return False
            value = value.value
        if not isinstance(value, (ast.Name, ast.Constant)):
            return False
    return True
