"""What the access rules ask about the handler around a node, computed once per function per block."""

from __future__ import annotations

import ast
import re
from typing import Optional

from tabguard.engine.taint import Source
from tabguard.engine.types import Span
from tabguard.guards import words
from tabguard.routes import Handler, handler_for, url_params

# A path parameter (`<int:id>`, `{id}`); it stops at the next bracket, so `<a<a<a...` stays linear.
_PATH_PARAM = re.compile(r"[<{][^<>{}]*[>}]")
# Conversions that keep the client's choice (`int(invoice_id)` still picks the invoice, `Decimal(price)`
# is still the price the client sent).
_CONVERSIONS = frozenset(
    {"int", "str", "float", "Decimal", "round", "abs", "UUID", "ObjectId", "PydanticObjectId", "uuid"}
)


def handler(ctx, func: Optional[ast.AST] = None) -> Optional[Handler]:
    """The HTTP handler `func` (default: the function being visited) serves, or None."""
    func = func if func is not None else ctx.function
    if func is None:
        return None
    return ctx.memo(("handler", id(func)), lambda: handler_for(func, ctx))


def enclosing_handler(ctx) -> Optional[Handler]:
    """The innermost enclosing function that is an HTTP handler (nested helpers inherit it)."""
    for func in reversed(ctx.functions):
        found = handler(ctx, func)
        if found is not None:
            return found
    return None


def client_value(expr: Optional[ast.AST], ctx, found: Optional[Handler] = None, depth: int = 0) -> Optional[Source]:
    """Where the client supplied `expr`, looking through conversions and local assignments (which the
    general taint treats as sanitizing: `int(x)` is no longer text, but still the client's choice)."""
    if expr is None or depth > 4:
        return None
    if isinstance(expr, ast.Call) and (ctx.call_name(expr) or "").rsplit(".", 1)[-1] in _CONVERSIONS and expr.args:
        return client_value(expr.args[0], ctx, found, depth + 1)
    if isinstance(expr, (ast.Tuple, ast.List)):
        for element in expr.elts:
            source = client_value(element, ctx, found, depth + 1)
            if source is not None:
                return source
        return None
    if isinstance(expr, ast.Dict):
        return next(filter(None, (client_value(v, ctx, found, depth + 1) for v in expr.values)), None)
    source = ctx.taint(expr)
    if source is not None:
        return source
    func = found.func if found is not None else ctx.function
    if isinstance(expr, ast.Name) and func is not None:
        params = {a.arg: a for a in (*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs)}
        if found is not None and expr.id in params and expr.id in url_params(found.func, found.cls):
            return Source(ctx.span(params[expr.id]), f"URL parameter '{expr.id}'")
        values = ctx.model.values(expr) or ()  # any value it may hold (one per branch that binds it)
        return next(filter(None, (client_value(v, ctx, found, depth + 1) for v in values)), None)
    if isinstance(expr, ast.Subscript) and (ast.unparse(expr.value) in ("self.kwargs", "kwargs")):
        return Source(ctx.span(expr), "URL parameter")
    return None


def route_span(ctx, found: Handler) -> Span:
    """Where to report a finding about a whole handler: its route decorator, else its `def` line."""
    if found.decls:
        return ctx.span(found.decls[0].node)
    return def_span(ctx, found.func)


def def_span(ctx, func: ast.AST) -> Span:
    """The `def name` of a function."""
    line = func.lineno - 1
    start = ctx.lines[line].find("def ") if line < len(ctx.lines) else -1
    if start < 0:
        return Span(line, func.col_offset, line, func.col_offset)
    return Span(line, start, line, start + len("def ") + len(func.name))


def handler_words(found: Handler) -> set[str]:
    """What a handler says it does: the words of its function name, its view class's name (`ChangePasswordView.post`)
    and its route paths (placeholders left out)."""
    said = set(words(found.func.name))
    if found.cls is not None:
        said.update(words(found.cls.name))
    for path in found.paths:
        said.update(words(_PATH_PARAM.sub(" ", path)))
    return said


def route_label(found: Handler) -> str:
    return found.paths[0] if found.paths else found.func.name
