"""Text that is safe HTML by construction (TG109): every piece is a literal, an escaped value, the
program's own translated message, or the output of a renderer that escapes what it renders.

`mark_safe("\\n".join(f"<p>{escape(x)}</p>" for x in items))` and
`SafeString("".join(node.render(context) for node in nodes))` mark text that nothing unescaped goes
into; the pieces are followed through joins, comprehensions, local names and the lists they fill.
"""

from __future__ import annotations

import ast

from tabguard.rules.injection._strings import added_items, formatted_pieces, is_static

_MAX_DEPTH = 6
# Calls that hand back the elements of their argument (`chain.from_iterable(parts)`, `sorted(rows)`).
_ELEMENT_CALLS = frozenset({"from_iterable", "chain", "list", "tuple", "sorted", "reversed"})
_VALUE_KINDS = frozenset({"assign", "annotated", "augmented", "walrus"})
# Calls whose output is markup built with escaping: template renderers and HTML builders.
_RENDERED = frozenset({"format_html", "format_html_join", "__html__", "render_to_string"})


def safe_text(expr: ast.AST, ctx, own_text: frozenset[str], depth: int = 0) -> bool:
    """Every piece of `expr`'s text is a literal, a call to one of `own_text` (escapers,
    translations), or rendered markup."""
    if depth > _MAX_DEPTH:
        return False
    if is_static(expr, ctx):
        return True
    if isinstance(expr, ast.Name):
        values = _every_value(expr, ctx)
        return values is not None and all(safe_text(v, ctx, own_text, depth + 1) for v in values)
    if isinstance(expr, ast.IfExp):
        return safe_text(expr.body, ctx, own_text, depth + 1) and safe_text(expr.orelse, ctx, own_text, depth + 1)
    if isinstance(expr, ast.Call):
        callee = _callee(expr, ctx)
        if callee in own_text or _renders(callee) and not _local_function(expr, ctx):
            return True
        if callee == "str" and len(expr.args) == 1:
            return safe_text(expr.args[0], ctx, own_text, depth + 1)
        if callee == "join" and isinstance(expr.func, ast.Attribute) and len(expr.args) == 1:
            return is_static(expr.func.value, ctx) and _safe_elements(expr.args[0], ctx, own_text, depth + 1)
    pieces = formatted_pieces(expr) if isinstance(expr, ast.expr) else None
    return pieces is not None and all(isinstance(p, str) or safe_text(p, ctx, own_text, depth + 1) for p in pieces)


def _safe_elements(expr: ast.AST, ctx, own_text: frozenset[str], depth: int) -> bool:
    """Every element of the iterable `expr` is safe text."""
    if depth > _MAX_DEPTH:
        return False
    if isinstance(expr, (ast.GeneratorExp, ast.ListComp, ast.SetComp)):
        return safe_text(expr.elt, ctx, own_text, depth + 1)
    if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
        return all(safe_text(e, ctx, own_text, depth + 1) for e in expr.elts)
    if isinstance(expr, ast.Call) and _callee(expr, ctx) in _ELEMENT_CALLS:
        return all(_safe_elements(a, ctx, own_text, depth + 1) for a in expr.args) and bool(expr.args)
    if isinstance(expr, ast.Name):
        values = _every_value(expr, ctx)
        if values is None or not all(_safe_elements(v, ctx, own_text, depth + 1) for v in values):
            return False
        return all(
            _safe_elements(added, ctx, own_text, depth + 1) if many else safe_text(added, ctx, own_text, depth + 1)
            for added, many in added_items(expr.id, ctx)
        )
    return False


def _every_value(name: ast.Name, ctx) -> list[ast.expr] | None:
    """Every value the scope gives `name`, in any branch (a list filled in one branch and replaced in
    another holds either); the name itself where a value extends it (`rv = " " + rv`) is left out, as
    its other values are checked. None when one binding's value is unknown (a parameter, a loop)."""
    model = ctx.model
    scope = model.scope_of(name)
    target = model.resolve(scope, name.id) if scope is not None else None
    bindings = model.bindings(target, name.id) if target is not None else ()
    if not bindings or any(b.kind not in _VALUE_KINDS or b.value is None for b in bindings):
        return None
    return [v for b in bindings for v in _without(b.value, name.id)]


def _without(value: ast.expr, name: str) -> list[ast.expr]:
    """`" " + rv` for `rv`: the other operands; anything else: itself."""
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
        sides = [s for s in (value.left, value.right) if not (isinstance(s, ast.Name) and s.id == name)]
        return sides if len(sides) == 1 else [value]
    return [value]


def _callee(call: ast.Call, ctx) -> str:
    """The called name's last part; for `getattr(obj, "render_" + kind)()`, the literal prefix."""
    func = call.func
    if isinstance(func, ast.Call) and (ctx.call_name(func) or "") == "getattr" and len(func.args) >= 2:
        name = func.args[1]
        if isinstance(name, ast.BinOp) and isinstance(name.op, ast.Add):
            name = name.left
        return name.value if isinstance(name, ast.Constant) and isinstance(name.value, str) else ""
    if isinstance(func, ast.Attribute):
        return func.attr
    return (ctx.call_name(call) or "").rsplit(".", 1)[-1]


def _local_function(call: ast.Call, ctx) -> bool:
    """`render_comment(c)` defined in this module: its markup is judged where it is built, not trusted."""
    return isinstance(call.func, ast.Name) and call.func.id in ctx.module.functions


def _renders(callee: str) -> bool:
    """`render`, `render_js`, `render_annotated`, `format_html`: markup made by escaping code (a
    template's, a widget's or a node's renderer, a framework helper)."""
    return callee in _RENDERED or callee == "render" or callee.startswith("render_")


def escaping_aware(ctx) -> bool:
    """The enclosing function tests an `autoescape` flag (`if autoescape:`, `if eval_ctx.autoescape:`):
    a template filter that follows the engine's escaping protocol and decides deliberately what to
    escape before it marks its output safe."""
    function = ctx.function
    if function is None:
        return False

    def tests_flag() -> bool:
        for node in ctx.scope_nodes(function):
            if isinstance(node, (ast.If, ast.IfExp)):
                for part in ast.walk(node.test):
                    if isinstance(part, ast.Name) and part.id == "autoescape":
                        return True
                    if isinstance(part, ast.Attribute) and part.attr == "autoescape":
                        return True
        return False

    return ctx.memo(("tests-autoescape", id(function)), tests_flag)
