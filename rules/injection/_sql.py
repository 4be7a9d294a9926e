"""Shared by the SQL-injection rules: recognising SQL text and turning interpolation into parameters."""

from __future__ import annotations

import ast
import keyword
import re

from tabguard.rules.injection._strings import formatted_pieces, source_of

SQL_TEXT = re.compile(
    r"\b(select\b[\s\S]+?\bfrom|insert\s+(or\s+\w+\s+)?into|update\s+(\S+\s+)?set\s|delete\s+from|create\s+(table|index|view)"
    r"|drop\s+(table|index|view|database)|alter\s+table|truncate\s+table|replace\s+into|pragma\s|where\s+\S+\s*(=|<|>|like|in)"
    r"|order\s+by|group\s+by)",
    re.IGNORECASE,
)
# Interpolated values may become parameters only where SQL expects a value, never a name or a keyword.
_VALUE_BEFORE = re.compile(r"(=|<|>|\blike|\blimit|\boffset|\bthen|\belse|\bbetween|\bilike)\s*$", re.IGNORECASE)
_INSIDE_LIST = re.compile(r"\b(values|in)\s*\([^()]*$", re.IGNORECASE)
_VALUE_AFTER = re.compile(r"^(\s|$|[),;])")
QMARK_DRIVERS = ("sqlite3", "aiosqlite")
NO_REWRITE_DRIVERS = ("sqlalchemy", "asyncpg", "databases", "oracledb", "cx_Oracle")


def looks_like_sql(text: str) -> bool:
    return bool(SQL_TEXT.search(text))


def driver_placeholder(ctx) -> str | None:
    """`?` for sqlite drivers, `%s` for the other DB-API drivers; None when the module uses a library
    with another parameter style."""
    roots = {target.split(".")[0] for target in ctx.module.imports.values()}
    if roots & set(NO_REWRITE_DRIVERS):
        return None
    return "?" if roots & set(QMARK_DRIVERS) else "%s"


def parameterize(expr: ast.expr, placeholder: str, ctx) -> tuple[str, list[str]] | None:
    """(SQL literal with placeholders, parameter source texts), or None when an interpolated value is
    not in a value position (a table or column name, a keyword, part of a word). `placeholder` is
    `?`, `%s`, or `:` for named parameters (`:name`, named after the value where it is a plain name)."""
    marked = _marked(expr, ctx)
    if marked is None:
        return None
    sql, params = marked
    if placeholder == ":":
        if re.search(r"(?<!:):\w", sql):
            return None  # the text already uses `:name` (or a `::` cast next to one): names could clash
        names = bind_names(params)
        for name in names:
            sql = sql.replace("\0", f":{name}", 1)
        return sql_literal(sql), [f"{name}={value}" for name, value in zip(names, params)]
    if placeholder == "?" and "?" in sql:
        return None
    if placeholder == "%s":
        sql = sql.replace("%", "%%")
    return sql_literal(sql.replace("\0", placeholder)), params


def bind_names(params: list[str]) -> list[str]:
    """A distinct identifier per value: the value's own name where it is one (`user_id`, `user.id`
    -> `id`), else `p1`, `p2`, ..."""
    names: list[str] = []
    for index, value in enumerate(params, 1):
        name = value.rpartition(".")[2]
        if not name.isidentifier() or name in names or keyword.iskeyword(name):
            name = f"p{index}"
        names.append(name)
    return names


def _marked(expr: ast.expr, ctx) -> tuple[str, list[str]] | None:
    """The SQL text with NUL where each value goes, and the values' source texts. A value quoted in
    the SQL loses its quotes; `LIKE '%{x}%'` moves the wildcards into the value (`f"%{x}%"`)."""
    parts = formatted_pieces(_with_template(expr, ctx))
    if parts is None:
        return None
    merged: list = []
    for part in parts:  # `'%%%s%%'` gives "'", "%", value, "%", "'": the text around a value in one piece
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif part != "":
            merged.append(part)
    parts = merged
    sql = ""
    params: list[str] = []
    for i, part in enumerate(parts):
        if isinstance(part, str):
            sql += part
            continue
        if isinstance(part, ast.FormattedValue):
            return None
        after = parts[i + 1] if i + 1 < len(parts) else ""
        if not isinstance(after, str):
            return None
        value = source_of(part, ctx)
        quoted = _QUOTED_VALUE.search(sql)
        closing = _CLOSING.match(after)
        is_quoted = bool(quoted and closing and quoted.group("quote") == closing.group("quote"))
        if _joined(part) or (not is_quoted and _SOLE_IN_LIST.search(sql) and after.lstrip().startswith(")")):
            return None  # `IN ({",".join(ids)})`: several values, one placeholder would bind them as one
        if is_quoted and quoted and closing:
            lead, trail = quoted.group("wild"), closing.group("wild")
            sql = sql[: quoted.start()]
            parts[i + 1] = after = after[closing.end() :]
            if lead or trail:
                value = _wildcarded(value, lead, trail)
                if value is None:
                    return None
        if sql[-1:] in ("'", '"', "%", ".", "_") or not (_VALUE_BEFORE.search(sql) or _INSIDE_LIST.search(sql)):
            return None
        if not _VALUE_AFTER.match(after):
            return None
        sql += "\0"
        params.append(value)
    return (sql, params) if params else None


def _with_template(expr: ast.expr, ctx) -> ast.expr:
    """`QUERY % name` where `QUERY` is a module constant: the same formatting with the template's text
    written out, so the query with placeholders can be written where it is formatted."""
    if not (isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod) and isinstance(expr.left, ast.Name)):
        return expr
    template = ctx.constant_value(expr.left)
    if not isinstance(template, str):
        return expr
    return ast.copy_location(
        ast.BinOp(ast.copy_location(ast.Constant(template), expr.left), ast.Mod(), expr.right), expr
    )


_SOLE_IN_LIST = re.compile(r"\bin\s*\(\s*$", re.IGNORECASE)


def _joined(value: ast.expr) -> bool:
    """`",".join(ids)`: text made of several values."""
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "join"


# A value between quotes, with LIKE wildcards (`%`) inside the quotes next to it.
# `%%` is the wildcard written for a driver that formats `%`; unformatted, two wildcards match as one.
_QUOTED_VALUE = re.compile(r"(?P<quote>['\"])(?P<wild>%?%?)$")
_CLOSING = re.compile(r"(?P<wild>%?%?)(?P<quote>['\"])")


def _wildcarded(value: str, lead: str, trail: str) -> str | None:
    quote = next((q for q in ('"', "'") if q not in value), None)
    if quote is None or "\\" in value:
        return None
    return f"f{quote}{lead[:1]}{{{value}}}{trail[:1]}{quote}"


def sql_literal(text: str) -> str:
    if "\\" in text:
        return repr(text)
    if "\n" in text:
        return '"""' + text + '"""' if '"""' not in text and not text.endswith('"') else repr(text)
    if '"' not in text:
        return '"' + text + '"'
    return repr(text)


def params_text(params: list[str], as_list: bool = False) -> str:
    if as_list:
        return "[" + ", ".join(params) + "]"
    return "(" + ", ".join(params) + ("," if len(params) == 1 else "") + ")"
