"""Shared by the SQL-injection rules: recognising SQL text and turning interpolation into parameters."""

from __future__ import annotations

import ast
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
    not in a value position (a table or column name, a keyword, part of a word)."""
    parts = formatted_pieces(expr)
    if parts is None:
        return None
    parts = [p for p in parts if p != ""]
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
        if sql[-1:] in ("'", '"') and after[:1] == sql[-1:]:
            sql = sql[:-1]
            parts[i + 1] = after = after[1:]
        if sql[-1:] in ("'", '"', "%", ".", "_") or not (_VALUE_BEFORE.search(sql) or _INSIDE_LIST.search(sql)):
            return None
        if not _VALUE_AFTER.match(after):
            return None
        sql += "\0"
        params.append(source_of(part, ctx))
    if not params or (placeholder == "?" and "?" in sql):
        return None
    if placeholder == "%s":
        sql = sql.replace("%", "%%")
    return _literal(sql.replace("\0", placeholder)), params


def _literal(text: str) -> str | None:
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
