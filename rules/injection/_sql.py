"""Shared by the SQL-injection rules: recognising SQL text and turning interpolation into parameters."""

from __future__ import annotations

import ast
import re
import string
from typing import Optional

from tabguard.rules.injection._strings import Piece, pieces, source_of

SQL_TEXT = re.compile(
    r"\b(select\b[\s\S]+?\bfrom|insert\s+(or\s+\w+\s+)?into|update\s+\S+\s+set|delete\s+from|create\s+(table|index|view)"
    r"|drop\s+(table|index|view|database)|alter\s+table|truncate\s+table|replace\s+into|pragma\s|where\s+\S+\s*(=|<|>|like|in)"
    r"|order\s+by|group\s+by)",
    re.IGNORECASE,
)
# Interpolated values may become parameters only where SQL expects a value, never a name or a keyword.
_VALUE_BEFORE = re.compile(r"(=|<|>|\blike|\blimit|\boffset|\bthen|\belse|\bbetween|\bilike)\s*$", re.IGNORECASE)
_INSIDE_LIST = re.compile(r"\b(values|in)\s*\([^()]*$", re.IGNORECASE)
_VALUE_AFTER = re.compile(r"^(\s|$|[),;])")
_PERCENT_SPEC = re.compile(r"%(\([^)]*\))?[#0\- +]*(\*|\d+)?(\.(\*|\d+))?([diouxXeEfFgGcrsa%])")
QMARK_DRIVERS = ("sqlite3", "aiosqlite")
NO_REWRITE_DRIVERS = ("sqlalchemy", "asyncpg", "databases", "oracledb", "cx_Oracle")


def looks_like_sql(text: str) -> bool:
    return bool(SQL_TEXT.search(text))


def driver_placeholder(ctx) -> Optional[str]:
    """`?` for sqlite drivers, `%s` for the other DB-API drivers; None when the module uses a library
    with another parameter style."""
    roots = {target.split(".")[0] for target in ctx.module.imports.values()}
    if roots & set(NO_REWRITE_DRIVERS):
        return None
    return "?" if roots & set(QMARK_DRIVERS) else "%s"


def sql_pieces(expr: ast.expr) -> Optional[list[Piece]]:
    """Text and values of an f-string, concatenation, `"..." % args` or `"...".format(args)`."""
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod):
        return _percent_pieces(expr)
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "format":
        return _format_pieces(expr)
    return pieces(expr)


def _percent_pieces(expr: ast.BinOp) -> Optional[list[Piece]]:
    if not (isinstance(expr.left, ast.Constant) and isinstance(expr.left.value, str)):
        return None
    values = list(expr.right.elts) if isinstance(expr.right, ast.Tuple) else [expr.right]
    if isinstance(expr.right, ast.Dict) or any(isinstance(v, ast.Starred) for v in values):
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


def _format_pieces(call: ast.Call) -> Optional[list[Piece]]:
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


def parameterize(expr: ast.expr, placeholder: str, ctx) -> Optional[tuple[str, list[str]]]:
    """(SQL literal with placeholders, parameter source texts), or None when an interpolated value is
    not in a value position (a table or column name, a keyword, part of a word)."""
    parts = sql_pieces(expr)
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


def _literal(text: str) -> Optional[str]:
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
