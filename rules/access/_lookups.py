"""Record lookups by id: the ORM and SQL calls that load, change or delete one row chosen by a key.

`record_key(call)` returns the expression that picks the record when `call` is such a lookup:
Flask-SQLAlchemy (`Invoice.query.get(id)`, `get_or_404`, `filter_by(id=...)`), SQLAlchemy
(`session.get(Invoice, id)`, `.filter(Invoice.id == id)`, `select(...).where(...)`), Django
(`Invoice.objects.get(pk=...)`, `get_object_or_404(Invoice, pk=...)`), Peewee/Tortoise-style model
classmethods, MongoDB `find_one({"_id": ...})`, and raw SQL `... WHERE id = ?`.
"""

from __future__ import annotations

import ast
import re
from typing import Optional

from tabguard.engine.facts import dotted_name
from tabguard.guards import OWNER_FIELDS, SQL_RUNNERS

_ORM_METHODS = frozenset(
    {
        "get",
        "get_or_404",
        "filter",
        "filter_by",
        "where",
        "get_or_none",
        "get_by_id",
        "aget",
        "exclude",
        "one",
        "first_or_404",
        "delete",
        "update",
        "find",
    }
)
_SHORTCUTS = frozenset({"get_object_or_404", "get_list_or_404", "aget_object_or_404", "get_or_404", "first_or_404"})
_MONGO_METHODS = frozenset(
    {
        "find_one",
        "find_one_and_update",
        "find_one_and_delete",
        "find_one_and_replace",
        "delete_one",
        "update_one",
        "replace_one",
        "find",
    }
)
# The callee names (last part) `record_key` can accept.
LOOKUP_NAMES = _ORM_METHODS | _SHORTCUTS | _MONGO_METHODS | SQL_RUNNERS
_SESSION_NAMES = re.compile(r"(^|\.)(session|db|db_session|dbsession|sess|s|async_session|conn)$")
_SQL_BY_ID = re.compile(r"\bwhere\b.*?\b(\w+\.)?(id|pk|uuid|\w+_id)\s*=\s*(\?|%s|:\w+|%\(\w+\)s|\$\d)", re.I | re.S)
_SQL_OWNER = re.compile(r"\b(" + "|".join(sorted(OWNER_FIELDS)) + r")\s*=", re.I)


def id_like(name: str) -> bool:
    lowered = name.lower()
    return (
        lowered in ("id", "pk", "uuid", "guid", "_id")
        or lowered.endswith(("_id", "_pk", "_uuid"))
        or (name.endswith("Id") and len(name) > 2)
    )


def record_key(call: ast.Call) -> Optional[ast.expr]:
    """The expression choosing the record when `call` looks one up by id, else None."""
    func = call.func
    name = dotted_name(func) or ""
    last = func.attr if isinstance(func, ast.Attribute) else name.rsplit(".", 1)[-1]  # `app["db"].fetchrow`
    receiver = dotted_name(func.value) if isinstance(func, ast.Attribute) else None
    if (
        last in _SHORTCUTS
        and not isinstance(func, ast.Attribute)
        or last in ("get_object_or_404", "aget_object_or_404")
    ):
        return _key_keyword(call) or (call.args[1] if len(call.args) >= 2 else None)
    if isinstance(func, ast.Attribute) and last in _ORM_METHODS:
        if receiver and (
            receiver.endswith((".query", ".objects", "_default_manager")) or ".objects." in receiver + "."
        ):
            if (
                last in ("get", "get_or_404", "first_or_404", "aget")
                and call.args
                and not receiver.endswith(".objects")
            ):
                return call.args[0]
            return _key_keyword(call) or _key_comparison(call)
        if (
            last in ("get", "get_or_404")
            and len(call.args) == 2
            and _is_class_name(call.args[0])
            and _SESSION_NAMES.search(receiver or "")
        ):
            return call.args[1]
        if last in ("filter", "where", "filter_by"):
            return _key_comparison(call) or (_key_keyword(call) if _query_chain(func.value) else None)
        if (
            isinstance(func.value, (ast.Name, ast.Attribute))
            and _is_class_name(func.value)
            and last in ("get", "get_or_none", "get_by_id", "filter", "aget")
        ):
            key = _key_keyword(call) or _key_comparison(call) or (call.args[0] if call.args else None)
            return key if key is not None and _mentions_id(key) else None
    if isinstance(func, ast.Attribute) and last in _MONGO_METHODS and call.args and isinstance(call.args[0], ast.Dict):
        for key, value in zip(call.args[0].keys, call.args[0].values):
            if isinstance(key, ast.Constant) and isinstance(key.value, str) and id_like(key.value):
                return value
    if isinstance(func, ast.Attribute) and last in SQL_RUNNERS and len(call.args) >= 2:
        sql = call.args[0]
        if isinstance(sql, ast.Call) and (dotted_name(sql.func) or "").rsplit(".", 1)[-1] == "text" and sql.args:
            sql = sql.args[0]  # SQLAlchemy `text("... WHERE id = :id")`
        if isinstance(sql, ast.Constant) and isinstance(sql.value, str) and _SQL_BY_ID.search(sql.value):
            if not _SQL_OWNER.search(sql.value):
                return call.args[1]
    return None


def record_model(call: ast.Call) -> str:
    """The model class a lookup reads (`Invoice` in `Invoice.query.get(...)`, `db.get(Invoice, ...)`,
    `db.query(Invoice).filter(...)`, `get_object_or_404(Invoice, ...)`), or ""."""
    if call.args and _is_class_name(call.args[0]):
        return _class_name(call.args[0])
    node: ast.AST = call.func
    while isinstance(node, (ast.Attribute, ast.Call)):
        if isinstance(node, ast.Call):
            if node.args and _is_class_name(node.args[0]):
                return _class_name(node.args[0])
            node = node.func
        else:
            if _is_class_name(node.value) and node.attr in (
                "query",
                "objects",
                "get",
                "get_or_none",
                "get_by_id",
                "filter",
            ):
                return _class_name(node.value)
            node = node.value
    return ""


def _class_name(node: ast.AST) -> str:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


def _key_keyword(call: ast.Call) -> Optional[ast.expr]:
    for keyword in call.keywords:
        if keyword.arg and id_like(keyword.arg) and keyword.arg.split("__")[0] not in OWNER_FIELDS:
            return keyword.value
    return None


def _key_comparison(call: ast.Call) -> Optional[ast.expr]:
    """`Model.id == value` among the arguments (SQLAlchemy filter/where, Peewee get)."""
    for arg in call.args:
        for node in ast.walk(arg):
            if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], ast.Eq):
                left, right = node.left, node.comparators[0]
                if isinstance(left, ast.Attribute) and id_like(left.attr) and left.attr not in OWNER_FIELDS:
                    return right
    return None


def _query_chain(node: ast.AST) -> bool:
    """`db.query(Model)`, `session.query(Model)`, `select(Model)`, `Model.query` and chains of them."""
    while isinstance(node, (ast.Call, ast.Attribute)):
        if isinstance(node, ast.Call):
            name = (dotted_name(node.func) or "").rsplit(".", 1)[-1]
            if name in ("query", "select", "execute", "scalars"):
                return True
            node = node.func
        else:
            if node.attr in ("query", "objects"):
                return True
            node = node.value
    return False


def _is_class_name(node: ast.AST) -> bool:
    """`Invoice`, `models.Invoice`: a model class (capitalized, not a CONSTANT)."""
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
    return name[:1].isupper() and not name.isupper()


def _mentions_id(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and id_like(sub.id):
            return True
        if isinstance(sub, ast.Attribute) and id_like(sub.attr):
            return True
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str) and id_like(sub.value):
            return True
    return False
