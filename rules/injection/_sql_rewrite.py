"""TG105's secure rewrites: the values leave the SQL text and travel as the driver's parameters.

Handles the query built inline (`cur.execute(f"...")`) and the commonest assistant shape, built in a
variable and executed on a later line (`query = f"..."` then `cur.execute(query)`): the variable
becomes a constant with placeholders and the values move into the parameters argument. For
SQLAlchemy `text()` the placeholders are named (`:name`) and bound with `.bindparams(name=value)`.
"""

from __future__ import annotations

import ast
from typing import Optional

from tabguard.engine.fixes import edits_fix, insert_after
from tabguard.engine.types import Edit
from tabguard.rules._spelling import spell
from tabguard.rules.injection._rewrite import reads_only, sole_assignment
from tabguard.rules.injection._sql import parameterize, params_text, sql_literal
from tabguard.rules.injection._sql_layout import laid_out
from tabguard.rules.injection._strings import formatted_pieces

TITLE = "Fix: pass the values as query parameters"


def execute_fix(ctx, call: ast.Call, query: ast.expr, built: ast.expr, placeholder: str):
    """`cur.execute(<built>)`, or `cur.execute(name)` where `name = <built>` earlier in the function
    (see `_written_at`)."""
    if not (
        isinstance(call.func, ast.Attribute)
        and call.func.attr == "execute"
        and len(call.args) == 1
        and call.args[0] is query
        and not call.keywords
    ):
        return None
    where = _written_at(ctx, query, built)
    rewrite = parameterize(built, placeholder, ctx) if where is not None else None
    if where is None or rewrite is None:
        return None
    sql, params = rewrite
    return edits_fix(
        [_sql_edit(ctx, where, sql), insert_after(ctx, query, ", " + params_text(params))], TITLE, safe=False
    )


def text_fix(ctx, text_call: ast.Call, query: ast.expr, built: ast.expr):
    """`text(<built>)` -> `text("... :name").bindparams(name=value)`."""
    if len(text_call.args) != 1 or text_call.keywords:
        return None
    where = _written_at(ctx, query, built)
    rewrite = parameterize(built, ":", ctx) if where is not None else None
    if where is None or rewrite is None:
        return None
    sql, binds = rewrite
    return edits_fix(
        [_sql_edit(ctx, where, sql), insert_after(ctx, text_call, f".bindparams({', '.join(binds)})")],
        TITLE,
        safe=False,
    )


def clause_fix(ctx, argument: ast.expr, built: ast.expr):
    """`query.filter(f"status = '{status}'")` -> `query.filter(text("status = :status").bindparams(status=status))`:
    the ORM takes a `text()` clause with bound values instead of raw SQL built from them."""
    spelled = spell(ctx, "sqlalchemy.text")
    where = _written_at(ctx, argument, built)
    rewrite = parameterize(built, ":", ctx) if where is not None and spelled is not None else None
    if where is None or rewrite is None or spelled is None:
        return None
    sql, binds = rewrite
    text, imports = spelled
    if where is argument:
        return edits_fix(
            [Edit(ctx.span(argument), f"{text}({sql}).bindparams({', '.join(binds)})")],
            TITLE,
            safe=False,
            imports=imports,
        )
    named = ctx.segment(ctx.span(argument))  # the variable, whose assignment now holds the SQL
    edits = [_sql_edit(ctx, where, sql), Edit(ctx.span(argument), f"{text}({named}).bindparams({', '.join(binds)})")]
    return edits_fix(edits, TITLE, safe=False, imports=imports)


def _written_at(ctx, query: ast.expr, built: ast.expr) -> Optional[ast.expr]:
    """Where the SQL with placeholders goes: the query as built; for a variable, its assignment when
    the call is its only use, else (the text also logged or shown) the call, provided the values are
    names and items that read the same there."""
    if built is query or sole_assignment(ctx, query, built) is not None:
        return built
    parts = formatted_pieces(built)
    if parts is None or not reads_only(p for p in parts if not isinstance(p, str)):
        return None
    return query if sole_assignment(ctx, query, built, only_use=False) is not None else None


def _sql_edit(ctx, where: ast.expr, sql: str) -> Edit:
    """The new query where the old one was written, laid out over its lines (see _sql_layout)."""
    span = ctx.span(where)
    return Edit(span, laid_out(ctx.segment(span), sql, sql_literal))
