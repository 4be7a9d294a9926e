"""Shared by the SQL-injection rules: values spliced into SQL text that cannot carry an injection.

Asked only when no outside input reaches the text (a tainted value is reported wherever it lands).
A value is harmless when the code makes it itself (a number, a quoted identifier, parameter markers,
a name the database lists), when it is a name where SQL expects a name (a table after `FROM`, a
column list, `schema.table`), when it is a parameterised fragment passed on with its own parameters
(`sql, params = inner.as_sql()` then `execute("... (%s) ..." % sql, params)`), or when it is a constant
the object's class defines.
"""

from __future__ import annotations

import ast
import re

from tabguard.rules.injection._strings import all_values_through, built_string, formatted_pieces

# Conversions whose result cannot change a statement's structure.
NUMERIC = frozenset({"int", "float", "len", "uuid.UUID"})
# Functions that quote an identifier (or a literal) for SQL: what they return is the code's own
# making, e.g. Django's `connection.ops.quote_name(table)`.
_QUOTING = frozenset(
    {
        "quote_name",
        "quote_identifier",
        "quote_ident",
        "qn",
        "qn2",
        "quote",
        "quote_value",
        "quote_name_unless_alias",
        "escape_identifier",
        "format_identifier",
        "format_table",
        "format_column",
        "_quote",
        "_quote_name",
        "_quote_identifier",
    }
)
# Schema introspection (SQLAlchemy's inspector, Django's `connection.introspection`): names of tables,
# columns, constraints or synonyms that the database itself lists.
_INTROSPECTION = re.compile(
    r"^_?(get_\w*(names|relations|synonyms|columns?|constraints|indexes|sequences)|table_names)$"
)
_MAPPING_VIEWS = frozenset({"items", "keys", "values"})
_MAX_DEPTH = 8

# Keywords after which SQL expects a name (table, database, schema, user, column), never a value.
_NAME_KEYWORD = re.compile(
    r"\b(from|into|update|join|table|database|schema|view|index|sequence|trigger|exists|to|select|distinct"
    r"|by|column|truncate|user|role)$",
    re.IGNORECASE,
)
# One earlier item of a comma-separated list of names (`SELECT a, b.c AS d, ` or `INTO t (a, `).
_LIST_ITEM = re.compile(r"[\w.`\"\[\]]+(\s+as\s+\w+)?\s*,$", re.IGNORECASE)
# The column list of `INSERT INTO t (`, `CREATE TABLE t (`.
_COLUMN_LIST = re.compile(r"\b(into|table)\s+[\w.`\"\[\]]+\s*\($", re.IGNORECASE)
# Statements that manage the database itself (databases, schemas, accounts, privileges): the names in
# them are the deployment's, and a name from outside input is reported through the taint path.
_ADMINISTRATION = re.compile(
    r"^\s*((create|drop|alter)\s+(database|schema|user|role|login|tablespace)|grant|revoke)\b", re.IGNORECASE
)
# String methods and mapping views whose result still holds the receiver's (the caller's) text.
_SAME_TEXT = _MAPPING_VIEWS | {"strip", "lstrip", "rstrip", "lower", "upper", "casefold", "split", "rsplit", "replace"}
# Text that a name spliced as an identifier may be built from: names, dots, commas, identifier quotes.
_NAME_TEXT = re.compile(r"^[\w\s.,`\"\[\]]*$")
_MARK = "\0"


def harmless_splices(built: ast.expr, params: ast.expr | None, ctx) -> bool:
    """Every value spliced into `built` (SQL text run with `params`, its parameters argument, if any)
    is one that cannot change the statement."""
    parts = formatted_pieces(_with_mapping(built, ctx))
    if not parts:
        return False
    values = [p for p in parts if not isinstance(p, str)]
    if not values:
        return False
    text = "".join(p if isinstance(p, str) else _MARK for p in parts)
    admin = bool(_ADMINISTRATION.match(text))
    slots = text.split(_MARK)
    for index, value in enumerate(values):
        before = _MARK.join(slots[: index + 1]).replace(_MARK, "x")
        after = _MARK.join(slots[index + 1 :]).replace(_MARK, "x")
        if not (
            _code_made(value, ctx)
            or (identifier_slot(before, after) and _name_like(value, ctx) and (admin or _own_value(value, ctx)))
            or _fragment_with_params(value, params, ctx)
            or _class_constant(value, ctx)
        ):
            return False
    return True


def _with_mapping(built: ast.expr, ctx) -> ast.expr:
    """`"DROP DATABASE %(name)s" % params` with `params = {"name": ...}` built once in this scope and
    never changed: the template filled from that dict literal."""
    if not (isinstance(built, ast.BinOp) and isinstance(built.op, ast.Mod) and isinstance(built.right, ast.Name)):
        return built
    assigned = ctx.model.values(built.right)
    if not (assigned and len(assigned) == 1 and isinstance(assigned[0], ast.Dict)):
        return built
    name = built.right.id
    for node in ctx.scope_nodes():
        changed = (isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store)) or (
            isinstance(node, ast.Attribute) and node.attr in ("update", "setdefault", "__setitem__")
        )
        if changed and isinstance(node.value, ast.Name) and node.value.id == name:
            return built
    return ast.BinOp(left=built.left, op=ast.Mod(), right=assigned[0])


def _code_made(value: ast.expr, ctx) -> bool:
    """A number, a quoted identifier (also a quoted list, or a local holding one), a run of
    placeholders (`", ".join(["%s"] * len(keys))`), or a name the database lists."""
    return _placeholders(value, ctx) or _made_here(value, ctx) or _quoted_list(value, ctx) or _introspected(value, ctx)


def identifier_slot(before: str, after: str) -> bool:
    """The SQL text around a value (`before` and `after` it) expects a name there: after `FROM`,
    `INTO`, `TABLE`, `DATABASE`, `JOIN`, `GRANT ... TO`, `ORDER BY`, ...; in a list of names that
    follows one; in a column list; as part of a dotted name. Never inside a quoted literal."""
    if before.count("'") % 2:
        return False
    text = before.rstrip()
    if text[-1:] in ('"', "`", "["):
        text = text[:-1].rstrip()  # an identifier quote: what comes before it decides
    if text.endswith(".") or re.match(r"\.\w", after):
        return True
    while (item := _LIST_ITEM.search(text)) is not None:
        text = text[: item.start()].rstrip()
    return bool(_COLUMN_LIST.search(text) or _NAME_KEYWORD.search(text))


def _name_like(value: ast.expr, ctx, depth: int = 0) -> bool:
    """`value` reads as a name, not a clause: an expression that builds no text, or text built only
    from names, dots, commas and such values (`f"{schema}.{table}"`, `", ".join(columns)`)."""
    built = built_string(value, ctx)
    if built is None:
        return True
    if depth > _MAX_DEPTH:
        return False
    items = _joined(built)
    if isinstance(items, (ast.GeneratorExp, ast.ListComp)):
        return _name_like(items.elt, ctx, depth + 1)
    if isinstance(items, (ast.List, ast.Tuple)):
        return all(_name_like(e, ctx, depth + 1) for e in items.elts)
    if items is not None:
        return True  # `", ".join(columns)`: the items of a collection
    parts = formatted_pieces(built)
    return parts is not None and all(
        bool(_NAME_TEXT.match(p)) if isinstance(p, str) else _name_like(p, ctx, depth + 1) for p in parts
    )


def _own_value(value: ast.expr, ctx, depth: int = 0) -> bool:
    """`value` is computed here (a call's result, an object's attribute, a row's item, a local built
    from those), not a name the caller hands in (a parameter, a global, a loop over either): an
    untainted helper that splices its parameter as a table name stays reported at low confidence."""
    if depth > _MAX_DEPTH:
        return False
    while isinstance(value, ast.Subscript):
        value = value.value
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr in _SAME_TEXT:
        return _own_value(value.func.value, ctx, depth + 1)
    items = _joined(value)
    if items is not None:
        return _own_value(items, ctx, depth + 1)
    if isinstance(value, (ast.GeneratorExp, ast.ListComp, ast.SetComp, ast.DictComp)):
        return all(_own_value(g.iter, ctx, depth + 1) for g in value.generators)
    parts = formatted_pieces(value)
    if parts is not None:
        return all(isinstance(p, str) or _own_value(p, ctx, depth + 1) for p in parts)
    if not isinstance(value, ast.Name):
        return isinstance(value, (ast.Attribute, ast.Call, ast.Dict, ast.List, ast.Tuple))
    chain = ctx.model.reaching(value)
    return bool(chain) and all(_own_binding(binding, ctx, depth) for binding in chain)


def _own_binding(binding, ctx, depth: int) -> bool:
    """One binding that may reach a use of the name (one per branch that binds it)."""
    if binding.kind in ("param", "import"):
        return False  # the caller's value, or a global
    if binding.value is not None:
        return _own_value(binding.value, ctx, depth + 1)
    rhs = getattr(binding.node, "value", None)  # an unpacked assignment: `table, col = col.split(".")`
    return isinstance(rhs, ast.expr) and _own_value(rhs, ctx, depth + 1)


def _fragment_with_params(value: ast.expr, params: ast.expr | None, ctx) -> bool:
    """`sql, params = inner.as_sql()` and then `params` (or an expression of it) goes with the
    composed text: the fragment carries its values as parameters."""
    if not isinstance(value, ast.Name) or params is None:
        return False
    chain = ctx.model.reaching(value)
    unpacked = {id(binding.node) for binding in chain}  # one per branch that binds both
    if not chain or not all(
        isinstance(b.node, ast.Assign) and any(isinstance(t, (ast.Tuple, ast.List)) for t in b.node.targets)
        for b in chain
    ):
        return False
    for name in ast.walk(params):
        if isinstance(name, ast.Name) and name.id != value.id:
            if {id(binding.node) for binding in ctx.model.reaching(name)} == unpacked:
                return True
    return False


def _class_constant(value: ast.expr, ctx) -> bool:
    """`self.ATTR` (or `self.ATTR["key"]`) where the enclosing class sets `ATTR` to a literal in its
    body and its methods only ever store literals in it (a counter, a table of operators)."""
    while isinstance(value, ast.Subscript) and isinstance(value.slice, ast.Constant):
        value = value.value
    if not (
        isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name) and value.value.id in ("self", "cls")
    ):
        return False
    cls = ctx.function
    while cls is not None and not isinstance(cls, ast.ClassDef):
        cls = ctx.parent(cls)
    if cls is None:
        return False
    return value.attr in ctx.memo(("sql-class-constants", id(cls)), lambda: _literal_attributes(cls))


def _literal_attributes(cls: ast.ClassDef) -> frozenset[str]:
    """The class attributes that hold literals and are only ever assigned literals."""
    literal: set[str] = set()
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            if _is_literal(stmt.value):
                literal.add(stmt.targets[0].id)
    for node in ast.walk(cls):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and node.value is not None:
            if _is_literal(node.value):
                continue
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                literal -= {a.attr for a in ast.walk(target) if isinstance(a, ast.Attribute)}
    return frozenset(literal)


def _is_literal(node: ast.expr) -> bool:
    try:
        ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def _introspected(value: ast.expr, ctx) -> bool:
    """A name (or an item of it, `syn["synonym_name"]`) bound by a loop over, or assigned from, what an
    introspection call returns: `for t in inspect(conn).get_table_names(): ... f"DROP TABLE {t}"`."""
    while isinstance(value, ast.Subscript):
        value = value.value
    if not isinstance(value, ast.Name):
        return False
    chain = ctx.model.reaching(value)
    return bool(chain) and all(b.kind in ("for", "assign") and _introspection_call(b.value, ctx) for b in chain)


def _introspection_call(value, ctx, depth: int = 0) -> bool:
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr in _MAPPING_VIEWS:
        value = value.func.value  # `relations.items()`
    if isinstance(value, ast.Name) and depth < 2:
        return _introspection_call(ctx.model.value_of(value), ctx, depth + 1)
    if not isinstance(value, ast.Call):
        return False
    func = value.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    return bool(_INTROSPECTION.match(name))


def _made_here(value: ast.expr, ctx, depth: int = 0) -> bool:
    if all_values_through(_single(value), ctx, NUMERIC) or _quoted(value, ctx):
        return True
    # A local that holds, in each branch, a constant, such a value or text built only from those:
    # `prefix = "%s." % quote(schema)` in one branch, `prefix = ""` in the other; `value =
    # quote_name(col)`, then in a branch `value = "TO_CHAR(%s)" % value` wrapping the quoted name.
    if not isinstance(value, ast.Name) or depth > _MAX_DEPTH:
        return False
    assigned = ctx.model.values(value)
    return bool(assigned) and all(
        (isinstance(v, ast.Constant) and isinstance(v.value, str))
        or (not isinstance(v, ast.Name) and (_quoted(v, ctx) or _all_pieces_made_here(v, ctx, depth + 1)))
        for v in assigned
    )


def _quoted(value: ast.expr, ctx) -> bool:
    """`value` is an identifier the code quotes (`quote_name(col)`, or a local holding one)."""
    return all_values_through(_single(value), ctx, _QUOTING, follow_locals=True)


def _all_pieces_made_here(built: ast.expr, ctx, depth: int) -> bool:
    values = [p for p in formatted_pieces(built) or () if not isinstance(p, str)]
    return bool(values) and all(_made_here(v, ctx, depth) for v in values)


def _quoted_list(value: ast.expr, ctx) -> bool:
    """`", ".join(quote_name(c) for c in columns)`: a list of identifiers, each quoted (also through a
    local that only ever holds one)."""
    return _held(value, ctx, _quoted_join)


def _quoted_join(value: ast.expr, ctx) -> bool:
    items = _joined(value)
    return isinstance(items, (ast.GeneratorExp, ast.ListComp)) and _made_here(items.elt, ctx)


def _single(value: ast.expr) -> ast.expr:
    """`value` as an f-string of itself, so `all_values_through` checks just it."""
    return ast.JoinedStr(values=[ast.FormattedValue(value=value, conversion=-1)])


def _placeholders(value: ast.expr, ctx) -> bool:
    """`", ".join(["%s"] * n)` or `",".join("?" for _ in rows)`: parameter markers, not values (also
    through a local that holds them)."""
    return _held(value, ctx, _marker_join)


def _marker_join(value: ast.expr, ctx) -> bool:
    separator = value.func.value if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) else None
    arg = _joined(value)
    if arg is None or not isinstance(separator, ast.Constant):
        return False
    if isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Mult):
        arg = arg.left if isinstance(arg.left, (ast.List, ast.Tuple)) else arg.right
    if isinstance(arg, (ast.List, ast.Tuple)):
        return all(isinstance(e, ast.Constant) for e in arg.elts)
    return isinstance(arg, (ast.GeneratorExp, ast.ListComp)) and isinstance(arg.elt, ast.Constant)


def _joined(value: ast.expr) -> ast.expr | None:
    """The items of `sep.join(items)`, else None."""
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "join":
        return value.args[0] if len(value.args) == 1 else None
    return None


def _held(value: ast.expr, ctx, test) -> bool:
    """`test` holds for `value`, or for a local, for every value it was assigned."""
    if isinstance(value, ast.Name):
        assigned = ctx.model.values(value)
        return bool(assigned) and all(not isinstance(v, ast.Name) and test(v, ctx) for v in assigned)
    return test(value, ctx)
