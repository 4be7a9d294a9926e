"""TG703: a third-party import that the workspace's dependency files do not declare."""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path
from typing import Optional

from tabguard.engine.rule import Invalid, Rule, Valid
from tabguard.rules._spelling import WEB_APP
from tabguard.rules.supply._imports import ImportedModule, checked_imports, resolve
from tabguard.supply.workspace import Resolution
from tabguard.engine.testcode import is_test_path

# Tooling entry points whose imports are the tools' own, not the application's.
_TOOL_FILES = frozenset({"setup.py", "noxfile.py", "fabfile.py", "conf.py"})
# Code that is not the project's runtime: vendored copies of other projects (their imports are declared
# by those projects), test support (which runs with the test dependencies installed), examples and docs.
_NOT_RUNTIME_FOLDERS = frozenset(
    {
        "_vendor",
        "vendor",
        "vendored",
        "third_party",
        "examples",
        "docs",
        "doc",
        "benchmarks",
    }
)
# The same with a qualifier: documentation sources (`docs_src/`, `docs-examples/`), more examples.
_NOT_RUNTIME_PREFIX = re.compile(r"^(docs|examples)[-_]")
# A library's test-support modules, imported by its users' tests (test code itself: engine/testcode.py).
_TEST_SUPPORT = re.compile(r"^(test|testing|pytest_plugin|pytest)$")


def _is_runtime_code(path: str, root: Optional[Path]) -> bool:
    file = Path(os.path.abspath(path))
    # Only the project's folders count, its own included (`docs/` with a requirements.txt of its own):
    # a checkout kept in ~/examples/ is still an application.
    folders = file.parent.parts
    if root is not None and root in file.parents:
        folders = (root.name, *file.parent.relative_to(root).parts)
    if set(folders) & _NOT_RUNTIME_FOLDERS or any(_NOT_RUNTIME_PREFIX.match(f) for f in folders):
        return False
    return not (_TEST_SUPPORT.match(file.stem) or file.name in _TOOL_FILES or is_test_path(path))


def _missing(node: ast.Import | ast.ImportFrom, ctx, imported: ImportedModule, resolution: Resolution):
    """(module, distribution) a finding names, or None when the names taken from a namespace package
    (`from google.cloud import storage`) are each a module of a declared distribution (google-cloud-storage)."""
    module, distribution = imported.module.partition(".")[0], resolution.distribution or imported.module
    if not isinstance(node, ast.ImportFrom):
        return module, distribution
    names = (f"{node.module}.{alias.name}" for alias in node.names if alias.name != "*")
    taken = [(name, resolve(ctx, name)[0]) for name in names]
    if taken and all(taking.declared for _, taking in taken):
        return None
    for name, taking in taken:  # the most specific distribution known: google-cloud-bigquery, not google-cloud
        if not taking.declared and taking.kind in ("installed", "known") and taking.distribution != distribution:
            return name, taking.distribution or distribution
    return module, distribution


class UndeclaredImport(Rule):
    id = "TG703"
    name = "undeclared-import"
    severity = "low"
    confidence = "medium"
    cwe = (1357,)
    owasp = "A03:2025"
    # One missing declaration, one finding: the file's first import of the distribution is told, the
    # later ones (more submodules, each method of a class importing it again) say nothing new.
    once_per_file_by = "distribution"
    message = (
        "`{module}` is imported but `{distribution}` is not declared in the workspace's dependency files ({state})"
    )
    placeholders = {"module": "requests", "distribution": "requests", "state": "installed in the environment only"}
    what = (
        "The file imports `{module}`, provided by the distribution `{distribution}`, which appears in "
        "none of the workspace's dependency files (pyproject.toml, setup.cfg, setup.py, Pipfile, requirements "
        "files at the top or one folder down, tox environments' `deps` in tox.ini, tox.toml or `[tool.tox]`), "
        "nor is installed by one that does; it is {state}. Imports the code expects may be missing are left "
        "alone: under `try/except "
        'ImportError` or an `if` (not the `if __name__ == "__main__":` entry point), inside a function of '
        "a package built for others (an optional feature), and in tests, vendored copies, examples and docs."
    )
    why = (
        "An import that works only because a package happens to be installed breaks on the next fresh "
        "install, in CI or in production, and the quick repair is often a hurried `pip install` of "
        "whatever name the error suggests: exactly the moment a typosquatted or hallucinated name gets "
        "installed. Undeclared dependencies are also invisible to vulnerability scanners and lock files."
    )
    how = (
        "Add `{distribution}` to the project's dependencies (with a version range, or a pin in an "
        "application's requirements), or remove the import if it is not needed."
    )
    example = '# pyproject.toml\n[project]\ndependencies = ["requests>=2.32"]\n\n# app.py\nimport requests'
    fix_safety = "No automatic rewrite: which dependency file and which version range to use is a project decision."
    references = (
        "https://cwe.mitre.org/data/definitions/1357.html",
        "https://packaging.python.org/en/latest/specifications/pyproject-toml/#dependencies-optional-dependencies",
    )
    VALID = (
        "import json\nfrom pathlib import Path\n",
        "try:\n    import ujson as json\nexcept ImportError:\n    import json\n",
        "try:\n    from urllib3.contrib import pyopenssl\nexcept ImportError:\n    OpenSSL = None\nelse:\n    import OpenSSL\n",
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    import requests\n",
        "from .models import User\n",
        # Installed by a declared dependency (this repository declares pygls, which requires cattrs).
        "import cattrs\n",
        # A vendored copy of another project, and a library's test support.
        Valid("import requests\n", path="pkg/_vendor/client.py"),
        Valid("import responses\n", path="pkg/testing.py"),
        Valid("import selenium\n", path="shop/tests.py"),  # a Django app's test module
        Valid("import peewee\n", path="docs_src/sql_databases/models.py"),  # documentation sources
        # A namespace package's module from its own distribution: that workspace declares google-cloud-storage.
        Valid("from google.cloud import storage\n", path=WEB_APP),
        # In a package built for others (this repository has a build backend), an import deferred into
        # a function is how an optional feature is offered: the module loads without the package.
        "def to_yaml(data):\n    import yaml\n    return yaml.safe_dump(data)\n",
        "class Cache:\n    def __init__(self, servers):\n        import pylibmc\n        self.client = pylibmc.Client(servers)\n",
    )
    INVALID = (
        Invalid("import requests\n\nrequests.get(url, timeout=10)\n"),
        Invalid("import yaml\n\ndef to_yaml(data):\n    return yaml.safe_dump(data)\n"),
        Invalid("import peewee\n", path="documents/models.py"),  # an app's own documents package
        Invalid("from google.cloud import storage, bigquery\n", path=WEB_APP, message="`google-cloud-bigquery` is not"),
        # A script's entry point is no optional feature: running the app needs the server.
        Invalid(
            "app = make_app()\n\nif __name__ == '__main__':\n    import uvicorn\n\n    uvicorn.run(app)\n", at=(4, 12)
        ),
    )

    def visit_Import(self, node: ast.Import | ast.ImportFrom, ctx) -> None:
        for imported, resolution, workspace in checked_imports(node, ctx):
            if resolution.declared or resolution.lookalike or not workspace.has_dependency_files:
                continue
            if resolution.kind not in ("installed", "known"):
                continue
            # A package built for others loads without what its functions import when called: the
            # idiom for an optional feature (an extra, or "install X to use this"). An application
            # needs every package it imports, so there a deferred import is still told.
            if ctx.functions and workspace.builds_distribution:
                continue
            if not _is_runtime_code(ctx.path, workspace.root):
                return
            missing = _missing(node, ctx, imported, resolution)
            if missing is None:
                continue
            state = "installed in the environment only" if resolution.kind == "installed" else "not installed either"
            ctx.report(
                self,
                imported.span,
                details={
                    "module": missing[0],
                    "distribution": missing[1],
                    "state": state,
                },
            )

    visit_ImportFrom = visit_Import
