"""Owner fields a call sets or filters on: `filter_by(user_id=...)`, `Order.user_id == ...`,
`Post.objects.create(author_id=...)`, `Note(owner=...)`. Their value says whose records these are."""

from __future__ import annotations

import ast
from typing import Iterator

from tabguard.engine.facts import dotted_name
from tabguard.guards import OWNER_FIELDS


# Calls that read or write records: query filters, lookups, manager writes.
_RECORD_CALLS = frozenset(
    {
        "filter",
        "filter_by",
        "where",
        "get",
        "get_or_404",
        "first_or_404",
        "get_object_or_404",
        "get_list_or_404",
        "exclude",
        "create",
        "get_or_create",
        "update_or_create",
        "update",
        "find",
        "find_one",
        "insert_one",
        "update_one",
        "update_many",
        "delete_many",
        "count",
        "exists",
    }
)


def owner_values(call: ast.Call) -> Iterator[tuple[str, ast.expr]]:
    """(field, value) for each owner field a record query or a new record (`Note(owner=...)`) binds by
    keyword or compares with `==` in its arguments. Other calls (`crud.get_user(user_id=...)`,
    `audit(user_id=...)`) are the callee's business."""
    name = dotted_name(call.func) or ""
    last = name.rsplit(".", 1)[-1]
    if last not in _RECORD_CALLS and not (last[:1].isupper() and not last.isupper()):
        return
    for keyword in call.keywords:
        if keyword.arg is not None and keyword.arg.split("__")[0] in OWNER_FIELDS:
            yield keyword.arg, keyword.value
    for arg in call.args:
        if isinstance(arg, ast.Compare) and len(arg.ops) == 1 and isinstance(arg.ops[0], ast.Eq):
            left, right = arg.left, arg.comparators[0]
            if isinstance(left, ast.Attribute) and left.attr in OWNER_FIELDS:
                yield left.attr, right
