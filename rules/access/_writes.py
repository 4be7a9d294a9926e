"""Whether a handler writes to a database, cache, queue or disk (not to an in-memory dict or the response)."""

from __future__ import annotations

import ast
import re

from tabguard.engine.facts import dotted_name
from tabguard.guards import SQL_RUNNERS, Facts
from tabguard.routes import Handler

# Calls that write to a database, cache, queue or disk.
_WRITES = frozenset(
    {
        "add",
        "add_all",
        "delete",
        "commit",
        "save",
        "create",
        "bulk_create",
        "update",
        "insert",
        "insert_one",
        "insert_many",
        "update_one",
        "update_many",
        "delete_one",
        "delete_many",
        "replace_one",
        "executemany",
        "set",
        "hset",
        "lpush",
        "rpush",
        "put_object",
        "write",
        "write_text",
        "write_bytes",
        "unlink",
        "rmtree",
        "remove",
        "get_or_create",
        "update_or_create",
        "merge",
        "flush",
        "bulk_update",
        "put_item",
        "delete_item",
        "update_item",
    }
)
# A class-based handler's own output methods (`self.write(body)`, `self.flush()` in a Tornado
# RequestHandler) send the response; only a store reached through `self` (`self.db.write`) keeps data.
_RESPONSE_OUTPUT = frozenset({"write", "flush"})


def writes_state(found: Handler) -> bool:
    local = _local_containers(found.seen)
    for node in found.seen.checks:
        if _sql_write(node):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _WRITES:
            if node.func.attr in _RESPONSE_OUTPUT and _is_self(node.func.value):
                continue
            root = (dotted_name(node.func.value) or "").split(".")[0]
            if root not in local and root not in ("request", "logger", "logging", "response", "headers"):
                return True
    return False


# SQL text that changes rows, run through `execute`/`fetch...` (DB-API, asyncpg, databases, SQLAlchemy).
_SQL_WRITE = re.compile(r"^\s*(insert|update|delete|replace|merge|upsert)\b", re.I)


def _sql_write(node: ast.AST) -> bool:
    """`conn.execute("DELETE FROM notes WHERE id = $1", note_id)`, `db.execute(text("UPDATE ..."))`."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SQL_RUNNERS):
        return False
    sql = node.args[0] if node.args else None
    if isinstance(sql, ast.Call) and sql.args and (dotted_name(sql.func) or "").endswith("text"):
        sql = sql.args[0]
    return bool(_SQL_WRITE.match(_leading_text(sql)))


def _leading_text(expr: object) -> str:
    """The literal text a string starts with, however it is built (constant, f-string, `+`, `%`,
    `.format`): an injection fix that turns one form into another keeps the statement a write."""
    for _ in range(32):  # a long `+` chain is walked down its left side only
        if isinstance(expr, ast.Constant):
            return expr.value if isinstance(expr.value, str) else ""
        if isinstance(expr, ast.JoinedStr):
            expr = expr.values[0] if expr.values else None
        elif isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Add, ast.Mod)):
            expr = expr.left
        elif isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "format":
            expr = expr.func.value
        else:
            return ""
    return ""


def _is_self(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "self"


# Calls that return a fresh in-memory copy: `item.dict()`, `body.model_dump()`, `data.copy()`.
_COPIES = frozenset({"dict", "model_dump", "copy", "to_dict", "_asdict", "deepcopy"})
_CONTAINERS = frozenset({"dict", "set", "list", "collections.defaultdict", "defaultdict", "Counter", "OrderedDict"})


def _local_containers(seen: Facts) -> set[str]:
    """Names bound to in-memory dicts, sets and lists, built or copied here (their `.add`/`.update`
    store nothing)."""
    names = set()
    for node in seen.assignments:
        if node.value is not None:
            value = node.value
            literal = isinstance(value, (ast.Dict, ast.Set, ast.List, ast.DictComp, ast.SetComp, ast.ListComp)) or (
                isinstance(value, ast.Call)
                and (
                    dotted_name(value.func) in _CONTAINERS
                    or isinstance(value.func, ast.Attribute)
                    and value.func.attr in _COPIES
                )
            )
            if literal:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names
