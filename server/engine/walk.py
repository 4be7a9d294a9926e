"""`walk`: every node of a tree, like `ast.walk` (breadth first, node included) but as a list built
without generators, about three times faster. Rules walk function bodies often; this keeps it cheap."""

from __future__ import annotations

import ast

_FIELDS: dict[type, tuple[str, ...]] = {}


def children(node: ast.AST) -> list[ast.AST]:
    """The direct child nodes, like `ast.iter_child_nodes`, as a list."""
    kind = type(node)
    fields = _FIELDS.get(kind)
    if fields is None:
        fields = _FIELDS[kind] = kind._fields
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
        fields = _FIELDS.get(kind)
        if fields is None:
            fields = _FIELDS[kind] = kind._fields
        for name in fields:
            value = getattr(current, name, None)
            if type(value) is list:
                extend([child for child in value if isinstance(child, ast.AST)])
            elif isinstance(value, ast.AST):
                append(value)
    return nodes
