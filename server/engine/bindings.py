"""Whether a name a fix imports already means something else where the fix uses it.

A rewrite that writes `secrets.choice(...)` and adds `import secrets` is wrong in a module that has
`secrets = load_secrets()`, or in a function with a `secrets` parameter: the call would reach the
other object (or the new import would be overwritten). Read from the whole file, since a fix is
materialized against the whole file's text.
"""

from __future__ import annotations

import ast
import warnings
from functools import lru_cache
from typing import Iterable, Optional

from tabguard.engine.types import Span

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
# (first line, last line) of the scope a binding belongs to, 0-based; None for the module.
Lines = Optional[tuple[int, int]]
# name -> (scope, import spec or None) for each place the file binds the name.
Bindings = dict[str, list[tuple[Lines, Optional[str]]]]


def other_binding(text: str, name: str, spec: str, spans: Iterable[Span]) -> bool:
    """True when `name` (what the import `spec` binds: `secrets` for "secrets", `escape` for
    "from html import escape") is bound otherwise at module level or in a scope around one of the
    edited `spans`. A file that does not parse is not judged (False)."""
    bindings = _bindings(text)
    if bindings is None:
        return False
    starts = [span.start_line for span in spans]
    return any(
        not _same_import(what, spec) and (scope is None or any(scope[0] <= line <= scope[1] for line in starts))
        for scope, what in bindings.get(name, ())
    )


def bound_name(spec: str) -> str:
    """The name an import spec binds: "os.path" -> "os", "from html import escape" -> "escape"."""
    return spec.rsplit(" ", 1)[-1] if spec.startswith("from ") else spec.split(".")[0]


def _same_import(what: Optional[str], spec: str) -> bool:
    """`what` (the spec of an import binding the name, None for any other binding) makes the name
    mean what the fix needs: the same module, or its package (`import defusedxml` for
    "defusedxml.ElementTree", which the fix then adds)."""
    if what is None:
        return False
    if spec.startswith("from "):
        return what == spec
    return not what.startswith("from ") and (what == spec or spec.startswith(what + ".") or what.startswith(spec + "."))


@lru_cache(maxsize=8)
def _bindings(text: str) -> Optional[Bindings]:
    """name -> (scope lines, import spec or None) for each place the file binds the name."""
    found: Bindings = {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _walk(ast.parse(text), None, found)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    return found


def _walk(node: ast.AST, scope: Lines, found: Bindings) -> None:
    for child in ast.iter_child_nodes(node):
        inner = scope
        if isinstance(child, _SCOPES):
            if not isinstance(child, ast.Lambda):
                found.setdefault(child.name, []).append((scope, None))
            inner = (child.lineno - 1, (child.end_lineno or child.lineno) - 1)
        for name, what in _bound_here(child):
            found.setdefault(name, []).append((scope, what))
        _walk(child, inner, found)


def _bound_here(node: ast.AST) -> Iterable[tuple[str, Optional[str]]]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname is None:
                yield alias.name.split(".")[0], alias.name.split(".")[0]  # `import os.path` binds `os`
            else:
                yield alias.asname, (alias.name if alias.asname == alias.name else "")
    elif isinstance(node, ast.ImportFrom):
        for alias in node.names:
            spec = f"from {'.' * node.level}{node.module or ''} import {alias.name}"
            yield alias.asname or alias.name, (spec if alias.asname in (None, alias.name) else "")
    elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
        yield node.id, None
    elif isinstance(node, ast.arg):
        yield node.arg, None
    elif isinstance(node, (ast.Global, ast.Nonlocal)):
        for name in node.names:
            yield name, None
    elif isinstance(node, ast.ExceptHandler) and node.name:
        yield node.name, None
    elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
        yield node.name, None
    elif isinstance(node, ast.MatchMapping) and node.rest:
        yield node.rest, None
