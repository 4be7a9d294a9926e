"""`walk`: every node of a tree, like `ast.walk` (breadth first, node included) but as a list built
without generators, about three times faster. Rules walk function bodies often; this keeps it cheap.

Fields that only ever hold context or operator singletons (`ctx`, `op`: `Load()`, `Add()`) are not
descended into: no rule looks for them as nodes, and they are a third of a tree's nodes."""

from __future__ import annotations

import ast

FIELD_TABLE: dict[type[ast.AST], tuple[str, ...]] = {}  # node type -> child_fields(type), filled on first use
_SKIPPED_FIELDS = frozenset({"ctx", "op"})


def child_fields(kind: type[ast.AST]) -> tuple[str, ...]:
    """The fields of node type `kind` that may hold child nodes worth visiting."""
    fields = FIELD_TABLE.get(kind)
    if fields is None:
        fields = FIELD_TABLE[kind] = tuple(f for f in kind._fields if f not in _SKIPPED_FIELDS)
    return fields


def children(node: ast.AST) -> list[ast.AST]:
    """The direct child nodes, like `ast.iter_child_nodes`, as a list."""
    kind = type(node)
    fields = FIELD_TABLE.get(kind) or child_fields(kind)
    found: list[ast.AST] = []
    for name in fields:
        value = getattr(node, name, None)
        if type(value) is list:
            found.extend([child for child in value if isinstance(child, ast.AST)])
        elif isinstance(value, ast.AST):
            found.append(value)
    return found


def walk(node: ast.AST) -> list[ast.AST]:
    nodes = [node]
    append, extend = nodes.append, nodes.extend
    index = 0
    while index < len(nodes):
        current = nodes[index]
        index += 1
        kind = type(current)
        fields = FIELD_TABLE.get(kind) or child_fields(kind)
        for name in fields:
            value = getattr(current, name, None)
            if type(value) is list:
                extend([child for child in value if isinstance(child, ast.AST)])
            elif isinstance(value, ast.AST):
                append(value)
    return nodes


def operands(node: ast.BinOp) -> list[ast.expr]:
    """The leaves of a chain of binary operators, left to right: `a + b + c` is three operands.
    Iterative, so a 5,000-term concatenation costs one level of a recursive walk, not 5,000."""
    found: list[ast.expr] = []
    stack: list[ast.expr] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, ast.BinOp):
            stack.append(item.right)
            stack.append(item.left)
        else:
            found.append(item)
    return found
