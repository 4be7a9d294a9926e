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
        new.append(new_last.with_changes(comma=cst.MaybeSentinel.DEFAULT))
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
