"""How a secure rewrite names a library function, and the import that makes the name exist.

A rewrite reuses what the module already binds (`import flask` -> `flask.send_from_directory`;
`from flask import send_file` -> `send_from_directory`, joining that line), else adds `import module`.
It never adds an import of a third-party package the workspace's dependency files do not declare
(that would trade the finding for TG703 and a broken fresh install)."""

from __future__ import annotations

from typing import Optional

from tabguard.rules.supply._imports import resolve

_IMPORTABLE = frozenset({"stdlib", "trusted", "local"})
# Where rule examples whose rewrite imports a web package are analysed (relative to the repository,
# like every example path): that workspace declares flask, werkzeug and defusedxml.
WEB_APP = "tests/workspaces/web/app.py"


def spell(ctx, qualified: str) -> Optional[tuple[str, tuple[str, ...]]]:
    """(expression naming `qualified` here, imports the fix adds) or None when it cannot be named
    without a new import of an undeclared package, or only by a name the code binds to something
    else where the fix goes (`html = f"<b>{name}</b>"` hides the module `html`)."""
    spelled = _spell(ctx, qualified)
    if spelled is None or not _shadowed(ctx, spelled[0].split(".")[0]):
        return spelled
    module, _, name = qualified.rpartition(".")
    if spelled[0] != name and name not in ctx.module.imports and not _shadowed(ctx, name) and importable(ctx, module):
        return name, (f"from {module} import {name}",)
    return None


def _shadowed(ctx, name: str) -> bool:
    """`name` is bound, where the code being fixed reads it, by something other than an import."""
    model = ctx.model
    scope = model.scope(ctx.function) if ctx.function is not None else model.scope(ctx.tree)
    target = model.resolve(scope, name) if scope is not None else None
    if target is not None and any(b.kind != "import" for b in model.bindings(target, name)):
        return True
    return name in ctx.module.functions or name in ctx.module.constants


def _spell(ctx, qualified: str) -> Optional[tuple[str, tuple[str, ...]]]:
    module, _, name = qualified.rpartition(".")
    imports = ctx.module.imports
    for local, target in imports.items():
        if target == qualified:
            return local, ()
    for local, target in imports.items():
        if target == module:
            return f"{local}.{name}", ()
    joins = any(target.rpartition(".")[0] == module for target in imports.values())
    if joins and not (name in imports or name in ctx.module.functions or name in ctx.module.constants):
        return name, (f"from {module} import {name}",)  # joins the module's `from module import ...`
    if not importable(ctx, module):
        return None
    return qualified, (module,)


def importable(ctx, module: str) -> bool:
    """The standard library, the project's own code, a package its dependency files declare
    (anything, when the workspace has no dependency files to check against), or a package this
    module imports already (`from sqlalchemy.orm import Session`: `import sqlalchemy` adds no
    dependency)."""
    root = module.split(".")[0]
    if any(target.split(".")[0] == root for target in ctx.module.imports.values()):
        return True
    resolution, workspace = resolve(ctx, module)
    return resolution.kind in _IMPORTABLE or resolution.declared or not workspace.has_dependency_files
