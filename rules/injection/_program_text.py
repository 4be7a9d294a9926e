"""Whether text that a sink runs was written by the program itself, or can come from a caller.

A finding with no taint is worth showing when the text can come from outside the code in view: a
public function's parameter (any caller may pass anything), an attribute, or the result of a call the
rule knows nothing about (a file or network read, a library). It is not when the program assembles the
text from its own literals, numbers and `repr()`s (code generation), or receives it as a parameter of
a private or nested helper: that helper's callers are the program's own code, and a caller passing
user input is reported at the call, through the helper's summary.
"""

from __future__ import annotations

import ast

from tabguard.rules.injection._strings import is_static, validated

_MAX_DEPTH = 8
# Calls whose result is a number: spliced into code, it is a number literal.
_NUMBERS = frozenset({"int", "float", "len", "abs", "round", "hex", "oct", "bin", "id", "ord", "min", "max", "sum"})
# A literal for the value: text in it cannot end the string literal it is written as.
_QUOTING = frozenset({"repr", "ascii"})
_QUOTING_CONVERSIONS = frozenset({ord("r"), ord("a")})
# Text made from its arguments' text alone (indentation, case, substitution): no new source.
_LAYOUT = frozenset({"textwrap.dedent", "textwrap.indent", "inspect.cleandoc"})
_TEXT_METHODS = frozenset({"strip", "lstrip", "rstrip", "replace", "upper", "lower", "expandtabs"})


def written_by_program(expr: ast.AST | None, ctx, depth: int = 0) -> bool:
    """True when every part of `expr`'s text is a literal, a number, a `repr()`, or a value made of
    those, or a parameter of a private helper (see the module's docstring)."""
    if expr is None or depth > _MAX_DEPTH:
        return False
    if ctx.is_constant(expr):
        return True
    deeper = depth + 1
    if isinstance(expr, ast.JoinedStr):
        return all(written_by_program(v, ctx, deeper) for v in expr.values)
    if isinstance(expr, ast.FormattedValue):
        return expr.conversion in _QUOTING_CONVERSIONS or written_by_program(expr.value, ctx, deeper)
    if isinstance(expr, ast.BinOp):
        if isinstance(expr.op, ast.Mult) and (_literal_text(expr.left) or _literal_text(expr.right)):
            return True  # `"\n" * count`: the literal repeated, whatever the count
        return written_by_program(expr.left, ctx, deeper) and written_by_program(expr.right, ctx, deeper)
    if isinstance(expr, (ast.Tuple, ast.List, ast.Set)):
        return all(written_by_program(e, ctx, deeper) for e in expr.elts)
    if isinstance(expr, ast.Dict):
        return all(written_by_program(v, ctx, deeper) for v in expr.values)
    if isinstance(expr, ast.IfExp):
        return written_by_program(expr.body, ctx, deeper) and written_by_program(expr.orelse, ctx, deeper)
    if isinstance(expr, (ast.GeneratorExp, ast.ListComp, ast.SetComp)):
        return written_by_program(expr.elt, ctx, deeper)
    if isinstance(expr, ast.Call):
        return _call_written_by_program(expr, ctx, deeper)
    if isinstance(expr, ast.Name):
        return _name_written_by_program(expr, ctx, deeper)
    return False


def _literal_text(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and isinstance(expr.value, str)


def _call_written_by_program(call: ast.Call, ctx, depth: int) -> bool:
    name = ctx.call_name(call) or ""
    if name in _NUMBERS or name in _QUOTING:
        return True
    arguments = [*call.args, *(k.value for k in call.keywords)]
    if name == "str" and len(call.args) == 1:
        return written_by_program(call.args[0], ctx, depth)
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in ("format", "join") and is_static(func.value, ctx):
        return all(written_by_program(a, ctx, depth) for a in arguments)
    if name in _LAYOUT:
        return all(written_by_program(a, ctx, depth) for a in arguments)
    if isinstance(func, ast.Attribute) and func.attr in _TEXT_METHODS:
        return all(written_by_program(a, ctx, depth) for a in (func.value, *arguments))
    return False


def _name_written_by_program(name: ast.Name, ctx, depth: int) -> bool:
    if validated(name, ctx):
        return True  # checked against an allow-list
    chain = ctx.model.reaching(name)
    if not chain:
        return is_static(name, ctx)  # a module constant
    for binding in chain:  # each binding that may reach the use (one per branch that binds it)
        if binding.kind == "param":
            if not private_function(binding.scope.node, ctx):
                return False
        elif binding.value is None or not written_by_program(binding.value, ctx, depth):
            return False
    # A list or dict filled in place (`lines.append(...)`): what was put in counts too.
    added = [a for call in filled_in(name, ctx) for a in (*call.args, *(k.value for k in call.keywords))]
    return all(written_by_program(a, ctx, depth) for a in added)


_MUTATORS = frozenset({"append", "extend", "insert", "update", "add", "setdefault", "appendleft"})


def filled_in(name: ast.Name, ctx, methods: frozenset[str] = _MUTATORS) -> list[ast.Call]:
    """`name.append(...)` and like calls (`methods`) in the scope that reads `name`."""
    return [
        node
        for node in ctx.scope_nodes()
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in methods
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == name.id
    ]


def private_function(func: ast.AST, ctx) -> bool:
    """A function only the program's own code calls: `_helper` (not a `__dunder__`), or one defined
    inside another function."""
    if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    name = func.name
    if name.startswith("_") and not (name.startswith("__") and name.endswith("__")):
        return True
    parent = ctx.parent(func)
    while parent is not None and not isinstance(parent, ast.Module):
        if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return True
        parent = ctx.parent(parent)
    return False
