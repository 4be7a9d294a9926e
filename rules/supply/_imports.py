"""What the supply-chain rules share: the imports a statement names, whether an import is an
optional fallback, and its resolution in the file's workspace."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Iterator

from tabguard.engine.fixes import text_fix
from tabguard.engine.types import Span
from tabguard.supply.data import known_packages
from tabguard.supply.workspace import Resolution, Workspace, workspace_for

_FROM_MODULE = re.compile(r"from\s+([\w.]+)")
_TRY = (ast.Try, ast.TryStar) if hasattr(ast, "TryStar") else (ast.Try,)
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


@dataclass(frozen=True)
class ImportedModule:
    module: str  # dotted, absolute
    span: Span  # of the top-level name as written (what a rename replaces)
    exact: bool = True  # False when the span is the whole statement (the name was not located)


def imported_modules(node: ast.Import | ast.ImportFrom, ctx) -> Iterator[ImportedModule]:
    """Absolute imports of a statement; relative ones (`from . import x`) are the workspace's own."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            span = ctx.span(alias)
            top = alias.name.partition(".")[0]
            yield ImportedModule(
                alias.name, Span(span.start_line, span.start_col, span.start_line, span.start_col + len(top))
            )
        return
    if node.level or not node.module:
        return
    start = ctx.span(node)
    match = _FROM_MODULE.match(ctx.lines[start.start_line], start.start_col)
    if match is None:  # `from` and the module on different lines: point at the statement
        yield ImportedModule(node.module, start, exact=False)
        return
    top = node.module.partition(".")[0]
    yield ImportedModule(
        node.module, Span(start.start_line, match.start(1), start.start_line, match.start(1) + len(top))
    )


def is_optional(node: ast.AST, ctx) -> bool:
    """Inside `try: ... except ImportError`, or under an `if` (`TYPE_CHECKING`, a version or
    platform test): the code expects the module may be missing, so it is not a bet on a package.
    Not `if __name__ == "__main__":`, the script's own entry point (`import uvicorn; uvicorn.run(app)`)."""
    child, parent = node, ctx.parent(node)
    while parent is not None:
        if isinstance(parent, ast.If) and not _is_main_guard(parent.test):
            return True
        if isinstance(parent, _TRY):
            if (child in parent.body or child in parent.orelse) and any(
                _catches_import_error(h) for h in parent.handlers
            ):
                return True  # the body, or the `else:` that runs only when the guarded import worked
            if child in parent.handlers:
                return True  # the fallback branch itself
        child, parent = parent, ctx.parent(parent)
    return False


def _is_main_guard(test: ast.expr) -> bool:
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = (test.left, test.comparators[0])
    return any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides) and any(
        isinstance(s, ast.Constant) and s.value == "__main__" for s in sides
    )


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(
        isinstance(n, (ast.Name, ast.Attribute)) and (n.id if isinstance(n, ast.Name) else n.attr) in _IMPORT_ERRORS
        for n in names
    )


# Every TG7 rule resolves the same imports of a block: each is resolved once per check (ctx.memo).


def resolve(ctx, module: str) -> tuple[Resolution, Workspace]:
    def compute() -> tuple[Resolution, Workspace]:
        workspace, file = workspace_for(ctx.path, ctx.options.get("python", ""))
        trusted = tuple(ctx.options.get("trusted-packages", ()))
        return workspace.resolve(module, file, trusted), workspace

    return ctx.memo(("import-resolution", module), compute)


def checked_imports(node: ast.Import | ast.ImportFrom, ctx) -> Iterator[tuple[ImportedModule, Resolution, Workspace]]:
    """The statement's imports with their resolution; optional imports are skipped."""
    if is_optional(node, ctx):
        return
    for imported in imported_modules(node, ctx):
        resolution, workspace = resolve(ctx, imported.module)
        yield imported, resolution, workspace


def describe_checks(workspace: Workspace) -> str:
    checked = ["the standard library"]
    checked.append(f"the workspace ({workspace.root})" if workspace.root else "the file's folder")
    if workspace.has_dependency_files:
        checked.append("its declared dependencies")
    checked.append("the installed environment")
    checked.append(f"the package index snapshot of {known_packages().snapshot}")
    return ", ".join(checked)


def rename_fix(imported: ImportedModule, new_name: str, title: str):
    """Replace the imported top-level name, when its position is known."""
    return text_fix(imported.span, new_name, title, safe=False) if imported.exact else None
