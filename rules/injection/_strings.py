"""Shared by the injection rules: how a string was built, and what a local name was assigned.

Sinks such as `cursor.execute` or `subprocess.run(..., shell=True)` are dangerous when their text is
assembled from variables, whether or not the taint engine can prove the variables came from a user.
"""

from __future__ import annotations

import ast
import re
import string
from functools import lru_cache
from typing import Iterator, Union

from tabguard.engine.facts import dotted_name

Piece = Union[str, ast.expr]
_MAX_DEPTH = 8
_PERCENT_SPEC = re.compile(r"%(\([^)]*\))?[#0\- +]*(\*|\d+)?(\.(\*|\d+))?([diouxXeEfFgGcrsa%])")


def pieces(expr: ast.AST) -> list[Piece] | None:
    """Constant text and interpolated expressions of an f-string or a `+` chain, else None.

    A formatted value with a conversion or format spec stays a whole `ast.FormattedValue`.
    """
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return [expr.value]
    if isinstance(expr, ast.JoinedStr):
        out: list[Piece] = []
        for value in expr.values:
            if isinstance(value, ast.Constant):
                out.append(str(value.value))
            elif isinstance(value, ast.FormattedValue) and value.conversion == -1 and value.format_spec is None:
                out.append(value.value)
            else:
                out.append(value)
        return out
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        left = pieces(expr.left) or [expr.left]
        right = pieces(expr.right) or [expr.right]
        joined = left + right
        return joined if any(isinstance(p, str) for p in joined) else None
    return None


def formatted_pieces(expr: ast.expr) -> list[Piece] | None:
    """Text and values of an f-string, concatenation, `"..." % args` or `"...".format(args)`."""
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod):
        return _percent_pieces(expr)
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "format":
        return _format_pieces(expr)
    return pieces(expr)


def _percent_pieces(expr: ast.BinOp) -> list[Piece] | None:
    if not (isinstance(expr.left, ast.Constant) and isinstance(expr.left.value, str)):
        return None
    if isinstance(expr.right, ast.Dict):
        return _named_percent_pieces(expr.left.value, expr.right)
    values = list(expr.right.elts) if isinstance(expr.right, ast.Tuple) else [expr.right]
    if any(isinstance(v, ast.Starred) for v in values):
        return None
    out: list[Piece] = []
    position = 0
    for match in _PERCENT_SPEC.finditer(expr.left.value):
        out.append(expr.left.value[position : match.start()])
        position = match.end()
        if match.group(5) == "%":
            out.append("%")
            continue
        if match.group(1) or not values:
            return None
        out.append(values.pop(0))
    out.append(expr.left.value[position:])
    return None if values else out


def _named_percent_pieces(template: str, mapping: ast.Dict) -> list[Piece] | None:
    """`"... %(table)s ..." % {"table": t}`: each named value where the template uses it."""
    named = {
        k.value: v
        for k, v in zip(mapping.keys, mapping.values)
        if isinstance(k, ast.Constant) and isinstance(k.value, str)
    }
    if len(named) != len(mapping.keys):
        return None  # `**other` or a computed key
    out: list[Piece] = []
    position = 0
    for match in _PERCENT_SPEC.finditer(template):
        out.append(template[position : match.start()])
        position = match.end()
        if match.group(5) == "%":
            out.append("%")
            continue
        value = named.get(match.group(1)[1:-1]) if match.group(1) else None
        if value is None:
            return None
        out.append(value)
    out.append(template[position:])
    return out


def _format_pieces(call: ast.Call) -> list[Piece] | None:
    receiver = call.func.value
    if not (isinstance(receiver, ast.Constant) and isinstance(receiver.value, str)):
        return None
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    out: list[Piece] = []
    auto = 0
    try:
        parsed = list(string.Formatter().parse(receiver.value))
    except ValueError:
        return None
    for literal, field, spec, conversion in parsed:
        out.append(literal)
        if field is None:
            continue
        if spec or conversion:
            return None
        if field == "":
            index, auto = auto, auto + 1
        elif field.isdigit():
            index = int(field)
        elif field in keywords:
            out.append(keywords[field])
            continue
        else:
            return None
        if index >= len(call.args) or isinstance(call.args[index], ast.Starred):
            return None
        out.append(call.args[index])
    return out


def _is_template(node: ast.AST, ctx) -> bool:
    """A format string: a literal, a name holding a constant string, or a string being built."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.Name) and is_static(node, ctx):
        return bool(constant_text(node, ctx))
    return is_string_building(node, ctx)


def is_string_building(expr: ast.AST, ctx) -> bool:
    """True for an f-string, concatenation, `%`, `.format`/`.join` or `.replace` that interpolates a
    non-constant."""
    if isinstance(expr, ast.JoinedStr):
        return not is_static(expr, ctx)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        parts = pieces(expr)
        return parts is not None and any(not isinstance(p, str) and not is_static(p, ctx) for p in parts)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod):
        return _is_template(expr.left, ctx) and not _static_arguments(expr.right, ctx)
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr in ("format", "join"):
        if not _is_template(expr.func.value, ctx):
            return False
        return not all(is_static(a, ctx) for a in (*expr.args, *(k.value for k in expr.keywords)))
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "replace":
        # `"... id = '[ID]'".replace("[ID]", value)`: a template filled by substitution.
        return len(expr.args) >= 2 and _is_template(expr.func.value, ctx) and not is_static(expr.args[1], ctx)
    return False


def _static_arguments(args: ast.expr, ctx) -> bool:
    """The right side of `%`: a constant, or a mapping of constants (`PAGE % {"title": "Not Found"}`;
    a `**spread` has no key)."""
    if isinstance(args, ast.Dict):
        return all(k is not None and is_static(k, ctx) for k in args.keys) and all(
            is_static(v, ctx) for v in args.values
        )
    return is_static(args, ctx)


def all_values_through(built: ast.expr, ctx, functions: frozenset[str], follow_locals: bool = False) -> bool:
    """Every value interpolated into `built` is a call to one of `functions` (matched by qualified
    name or by its last part), e.g. `shlex.quote` for shell text or `escape` for HTML. With
    `follow_locals`, a local name counts when every value it was assigned is such a call
    (`safe = escape(message)` ... `f"<Say>{safe}</Say>"`)."""
    if isinstance(built, ast.Name):
        built = built_string(built, ctx) or built
    values = [p for p in formatted_pieces(built) or () if not isinstance(p, str)]
    return bool(values) and all(_through(v, ctx, functions, follow_locals) for v in values)


def _through(value: ast.expr, ctx, functions: frozenset[str], follow_locals: bool, depth: int = 0) -> bool:
    if follow_locals and isinstance(value, ast.Name) and depth < _MAX_DEPTH:
        values = ctx.model.values(value)
        return bool(values) and all(_through(v, ctx, functions, follow_locals, depth + 1) for v in values)
    if not isinstance(value, ast.Call):
        return False
    name = ctx.call_name(value) or ""
    if name == "str" and len(value.args) == 1:
        return _through(value.args[0], ctx, functions, follow_locals, depth + 1)  # str(int(x))
    return name in functions or name.rsplit(".", 1)[-1] in functions


def _scope_checks(ctx) -> list:
    """The `if` and `assert` statements of the current scope (the function, or the block's module
    code), in source order; read once per scope and shared through the check's memo."""
    root = ctx.function or ctx.tree
    return ctx.memo(
        ("scope-checks", id(root)),
        lambda: [node for node in ctx.scope_statements(root) if isinstance(node, (ast.If, ast.Assert))],
    )


def built_string(expr: ast.AST | None, ctx, depth: int = 0) -> ast.expr | None:
    """The expression that assembles `expr`'s text from non-constants: `expr` itself, or for a
    local name the assignment (or `+=`) that built it. None when the text is constant or unknown."""
    if expr is None or depth > _MAX_DEPTH:
        return None
    if is_string_building(expr, ctx):
        return expr
    if isinstance(expr, ast.Name):
        values = ctx.model.values(expr) or ()
        for value in values:
            found = built_string(value, ctx, depth + 1)
            if found is not None:
                return found
        if len(values) > 1:  # `q = "... WHERE name = '"` then `q += name`: the whole (of a branch) builds it
            return next((f for f in ctx.model.each_value(expr) or () if is_string_building(f, ctx)), None)
    return None


def built_strings(expr: ast.AST, ctx) -> list[ast.expr] | None:
    """For a fix that rewrites the text where it is built: `expr` itself when it builds text, else,
    for a local name, every value and `+=` of it that builds text (one per branch that binds it,
    so that no branch is left out). None when there is none, or when the name's text is built
    through another name or a value not known here."""
    if is_string_building(expr, ctx):
        return [expr]
    values = ctx.model.values(expr) if isinstance(expr, ast.Name) else None
    if values is None or any(isinstance(v, ast.Name) and built_string(v, ctx) is not None for v in values):
        return None
    return [v for v in values if is_string_building(v, ctx)] or None


def module_built(expr: ast.AST | None, ctx) -> ast.expr | None:
    """For a name this block does not bind, the string another top-level statement built for it
    (`query = f"... {name}"`, then `engine.execute(query)` as a script's next statement), parsed
    from the module facts; None otherwise. Its nodes are not in this block: judge the text with it,
    never place a finding, a related location or a rewrite on it."""
    if not isinstance(expr, ast.Name) or expr.id in ctx.module.constants:
        return None
    text = ctx.module.built.get(expr.id)
    scope = ctx.model.scope_of(expr) if text is not None else None
    if scope is None or ctx.model.resolve(scope, expr.id) is not None:
        return None
    built = _parsed(text)
    return built if is_string_building(built, ctx) else None


@lru_cache(maxsize=256)
def _parsed(text: str) -> ast.expr:
    return ast.parse(text, mode="eval").body  # type: ignore[no-any-return]


def is_static(expr: ast.AST | None, ctx, depth: int = 0, here: bool = True) -> bool:
    """Constant, or a local name only ever assigned constants before this point. `here`: `expr` is
    at the point the traversal is at (not an earlier assignment's value), so its taint can be asked."""
    if expr is None or ctx.is_constant(expr):
        return True
    if depth > _MAX_DEPTH:
        return False
    if isinstance(expr, ast.Name):
        if validated(expr, ctx):
            return True
        if here and ctx.taint(expr) is not None:
            return False  # `host = request.args["host"]` then `if not host: host = "localhost"`
        values = ctx.model.values(expr)
        if values is None:
            return ctx.function is None and ctx.scope.lookup(expr.id) is None and expr.id in ctx.module.constants
        if not all(is_static(v, ctx, depth + 1, here=False) for v in values):
            return False
        # `parts = []` is constant only while nothing fills it (`parts.append(name)`).
        filled = any(isinstance(v, (ast.List, ast.Set, ast.Dict)) for v in values)
        return not filled or all(is_static(item, ctx, depth + 1, here=False) for item, _ in added_items(expr.id, ctx))
    if here and isinstance(expr, (ast.Attribute, ast.Subscript)) and ctx.chosen_argument(expr):
        return True  # one of the values the argument parser was told to accept
    if isinstance(expr, ast.JoinedStr):
        return all(
            is_static(v.value if isinstance(v, ast.FormattedValue) else v, ctx, depth + 1, here) for v in expr.values
        )
    if isinstance(expr, ast.BinOp):
        return is_static(expr.left, ctx, depth + 1, here) and is_static(expr.right, ctx, depth + 1, here)
    if isinstance(expr, (ast.List, ast.Tuple)):
        return all(is_static(e, ctx, depth + 1, here) for e in expr.elts)
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "join":
        # `" ".join(parts)` of a constant list the scope fills with constants
        joined = expr.args[0] if len(expr.args) == 1 and not expr.keywords else None
        return (
            is_static(expr.func.value, ctx, depth + 1, here)
            and joined is not None
            and is_static(joined, ctx, depth + 1, here)
        )
    return False


_FILLS = frozenset({"append", "insert", "extend"})


def added_items(name: str, ctx) -> Iterator[tuple[ast.expr, bool]]:
    """What the scope puts into the list `name`, each with whether it is a collection of elements:
    `name.append(x)`, `name.insert(i, x)`, `name[i] = x`, `name.extend(xs)`."""
    for node in ctx.scope_nodes():
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _FILLS:
            receiver = node.func.value
            if isinstance(receiver, ast.Name) and receiver.id == name and node.args:
                yield node.args[-1], node.func.attr == "extend"
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and target.value.id == name:
                    yield node.value, False


# Calls that change only a text's indentation.
_LAYOUT_CALLS = frozenset({"textwrap.dedent", "textwrap.indent", "inspect.cleandoc"})


def constant_text(expr: ast.AST | None, ctx, depth: int = 0) -> str:
    """The literal text inside a built string (to recognise SQL, HTML, shell syntax)."""
    if expr is None or depth > _MAX_DEPTH:
        return ""
    if isinstance(expr, ast.Constant):
        return expr.value if isinstance(expr.value, str) else ""
    if isinstance(expr, ast.Name):
        value = ctx.constant_value(expr)
        if isinstance(value, str):
            return value
        return " ".join(constant_text(v, ctx, depth + 1) for v in ctx.model.values(expr) or ())
    if isinstance(expr, ast.JoinedStr):
        return "".join(v.value for v in expr.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    if isinstance(expr, ast.BinOp):
        return constant_text(expr.left, ctx, depth + 1) + " " + constant_text(expr.right, ctx, depth + 1)
    if isinstance(expr, ast.Call) and expr.args and ctx.call_name(expr) in _LAYOUT_CALLS:
        return constant_text(expr.args[0], ctx, depth + 1)  # `textwrap.dedent("""...""" % values)`
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
        return constant_text(expr.func.value, ctx, depth + 1)
    return ""


def raised(rule, source) -> str | None:
    """A tainted finding is reported one step above the rule's default severity."""
    return rule.tainted_severity() if source is not None else None


def unconfirmed(rule, source) -> str | None:
    """A sink that sees only a non-constant value, with no path from outside input, gets the rule's
    declared lower confidence (`lowers_confidence_without_taint`); with a path, `Context.report`
    makes it high."""
    return None if source is not None else rule.untainted_confidence()


def source_of(node: ast.expr, ctx) -> str:
    """The code of `node` as written (positions inside f-strings can be off on older Pythons, so the
    text is checked and `ast.unparse` used when it does not match)."""
    try:
        text = ctx.segment(ctx.span(node))
        if ast.dump(ast.parse(text.strip(), mode="eval").body) == ast.dump(node):
            return text.strip()
    except (SyntaxError, IndexError, ValueError):
        pass
    return ast.unparse(node)


_VALIDATORS = re.compile(r"(^|\.)(fullmatch|match|isdigit|isalnum|isalpha|isdecimal|isnumeric|isidentifier)$")
_STOPPERS = re.compile(r"(^|\.)(abort|exit|quit|_exit)$")


def validated(name: ast.Name, ctx) -> bool:
    """True when `name` was checked against an allow-list or a strict pattern before this use:
    `if name not in ALLOWED: raise ...`, `assert name in ALLOWED`, or inside `if name in ALLOWED:`."""
    for node in _scope_checks(ctx):
        if node.lineno >= name.lineno:
            break
        if isinstance(node, ast.If):
            inside = node.body and node.body[-1].end_lineno >= name.lineno
            if inside and _accepts(node.test, name.id):
                return True
            if not inside and node.end_lineno < name.lineno and _rejects(node.test, name.id) and _stops(node.body):
                return True
        elif isinstance(node, ast.Assert) and _accepts(node.test, name.id):
            return True
    return False


def _accepts(test: ast.AST, name: str) -> bool:
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return any(_accepts(v, name) for v in test.values)
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.In):
        return isinstance(test.left, ast.Name) and test.left.id == name
    if isinstance(test, ast.Call) and _VALIDATORS.search(dotted_call_name(test)):
        subjects = [*test.args, *([test.func.value] if isinstance(test.func, ast.Attribute) else [])]
        return any(isinstance(s, ast.Name) and s.id == name for s in subjects)
    return False


def _rejects(test: ast.AST, name: str) -> bool:
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        return any(_rejects(v, name) for v in test.values)
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.NotIn):
        return isinstance(test.left, ast.Name) and test.left.id == name
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _accepts(test.operand, name)
    return False


def _stops(body: list[ast.stmt]) -> bool:
    last = body[-1] if body else None
    if isinstance(last, (ast.Return, ast.Raise, ast.Continue, ast.Break)):
        return True
    return (
        isinstance(last, ast.Expr)
        and isinstance(last.value, ast.Call)
        and bool(_STOPPERS.search(dotted_call_name(last.value)))
    )


def dotted_call_name(call: ast.Call) -> str:
    return dotted_name(call.func) or ""
