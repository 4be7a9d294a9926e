"""TG429: a loop that runs its index up to `len(seq)` inclusive and reads `seq[index]` (off by one)."""

from __future__ import annotations

import ast
from typing import Optional

from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.access._loops import length_of


def _inclusive_while(test: ast.expr) -> Optional[tuple[str, str]]:
    """`i <= len(items)` (or `len(items) >= i`) -> ("i", "items")."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return None
    left, right, op = test.left, test.comparators[0], test.ops[0]
    if isinstance(op, ast.LtE) and isinstance(left, ast.Name) and (seq := length_of(right)):
        return left.id, seq
    if isinstance(op, ast.GtE) and isinstance(right, ast.Name) and (seq := length_of(left)):
        return right.id, seq
    return None


def _inclusive_range(loop: ast.For) -> Optional[tuple[str, str]]:
    """`for i in range(len(items) + 1)` (or `range(start, len(items) + 1)`) -> ("i", "items")."""
    call = loop.iter
    if not (
        isinstance(loop.target, ast.Name)
        and isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and call.func.id == "range"
        and 1 <= len(call.args) <= 2
    ):
        return None
    stop = call.args[-1]
    if (
        isinstance(stop, ast.BinOp)
        and isinstance(stop.op, ast.Add)
        and isinstance(stop.right, ast.Constant)
        and stop.right.value == 1
        and (seq := length_of(stop.left))
    ):
        return loop.target.id, seq
    return None


def _indexes(body: list[ast.stmt], index: str, seq: str) -> Optional[ast.Subscript]:
    """The first `seq[index]` in the body, unless the body compares the index with the length again
    or catches the IndexError."""
    found = None
    for statement in body:
        for node in ast.walk(statement):
            if isinstance(node, (ast.Compare, ast.Try)) or type(node).__name__ == "TryStar":
                if isinstance(node, ast.Compare):
                    names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
                    if index in names and seq in names:
                        return None
                else:
                    return None
            if (
                found is None
                and isinstance(node, ast.Subscript)
                and isinstance(node.value, ast.Name)
                and node.value.id == seq
                and isinstance(node.slice, ast.Name)
                and node.slice.id == index
            ):
                found = node
    return found


class IndexPastEnd(Rule):
    id = "TG429"
    name = "index-past-end"
    severity = "low"
    confidence = "high"
    cwe = (193,)
    owasp = "A06:2025"
    message = "`{index}` reaches `len({seq})`, one past the last index of `{seq}[{index}]`"
    placeholders = {"index": "i", "seq": "items"}
    aliases = ()
    what = (
        "The loop lets `{index}` take the value `len({seq})` and reads `{seq}[{index}]` with it; the last "
        "valid index is `len({seq}) - 1`."
    )
    why = (
        "The last pass raises `IndexError`, so the function fails on every input it was written for (or "
        "whenever its input reaches the loop): a request handler answers 500, a batch job stops half-way. "
        "In code that catches errors broadly the loop's work is silently lost."
    )
    how = (
        "Stop before the length (`while i < len(items)`, `range(len(items))`), or iterate the items "
        "themselves (`for item in items`, `enumerate(items)`)."
    )
    example = "def increment_all(values):\n    for i in range(len(values)):\n        values[i] += 1\n    return values"
    fix_safety = "No automatic rewrite: whether the bound or the index is wrong depends on the intent."
    references = (
        "https://cwe.mitre.org/data/definitions/193.html",
        "https://docs.python.org/3/library/stdtypes.html#common-sequence-operations",
    )
    VALID = (
        "def inc(arr):\n    i = 0\n    while i < len(arr):\n        arr[i] += 1\n        i += 1\n",
        "def prefix_sums(values):\n    out = [0]\n    for i in range(1, len(values) + 1):\n        out.append(out[i - 1] + values[i - 1])\n"
        "    return out\n",
        "def pad(items):\n    for i in range(len(items) + 1):\n        if i == len(items):\n            break\n        print(items[i])\n",
        "def show(items):\n    i = 0\n    while i <= len(items):\n        print(i)\n        i += 1\n",
    )
    INVALID = (
        Invalid(
            "def increment_by_one(arr):\n    i = 0\n    while i <= len(arr):\n        arr[i] += 1\n        i += 1\n    return arr\n",
            message="`i` reaches `len(arr)`",
        ),
        Invalid(
            "def print_lines(lines):\n    for n in range(len(lines) + 1):\n        print(n, lines[n])\n",
        ),
        Invalid(
            "def checksum(data: bytes) -> int:\n    total = 0\n    for pos in range(0, len(data) + 1):\n        total ^= data[pos]\n"
            "    return total\n",
        ),
    )

    def visit_While(self, node: ast.While, ctx) -> None:
        found = _inclusive_while(node.test)
        if found is not None:
            self._check(node.body, *found, ctx)

    def visit_For(self, node: ast.For, ctx) -> None:
        found = _inclusive_range(node)
        if found is not None:
            self._check(node.body, *found, ctx)

    def _check(self, body: list[ast.stmt], index: str, seq: str, ctx) -> None:
        subscript = _indexes(body, index, seq)
        if subscript is not None:
            ctx.report(self, subscript, details={"index": index, "seq": seq})
