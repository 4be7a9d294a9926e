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
    without a new import of an undeclared package."""
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
    """The standard library, the project's own code, or a package its dependency files declare
    (anything, when the workspace has no dependency files to check against)."""
    resolution, workspace = resolve(ctx, module)
    return resolution.kind in _IMPORTABLE or resolution.declared or not workspace.has_dependency_files
