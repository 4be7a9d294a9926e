"""TG701: an import (or a declared dependency) that names no package anyone can vouch for."""

from __future__ import annotations

import ast

from tabguard.engine.rule import Invalid, Rule, Valid
from tabguard.rules.supply._imports import checked_imports, describe_checks
from tabguard.supply.data import known_packages
from tabguard.supply.depfiles import DependencyContext


class HallucinatedPackage(Rule):
    id = "TG701"
    name = "hallucinated-package"
    severity = "high"
    confidence = "medium"
    cwe = (1357, 829)
    owasp = "A03:2025"
    message = "`{module}` is not a known package ({checked}): likely hallucinated; verify it before installing anything"
    placeholders = {
        "module": "fastapi_auth_helpers",
        "checked": "checked the standard library, the workspace, its dependencies, the environment and the package index snapshot",
    }
    what = (
        "`{module}` is not in the standard library, not a module of the workspace, not a declared "
        "dependency, not installed in the workspace's environment, and was not a project on the "
        "package index when tabguard's snapshot was taken."
    )
    why = (
        "Code assistants invent plausible package names: about a fifth of the packages they suggest do "
        "not exist. Attackers watch for those names and register them with an install script that "
        'runs on `pip install` ("slopsquatting"): the next person who installs the missing '
        "dependency runs the attacker's code with their credentials, SSH keys and cloud tokens in "
        "reach. The import failing today is the lucky case; the name being registered tomorrow is not."
    )
    how = (
        "Do not `pip install` the name to make the error go away. Find the library the code meant: "
        "search the package index and the project's documentation, check that the project has a "
        "history, a repository and real users, then import that library (or write the helper). If "
        "the module is the workspace's own and not yet written, create it; if it comes from a private "
        "index, list it in `trusted-packages`. With `network = true` tabguard also asks the index."
    )
    example = (
        'import jwt  # PyJWT, a maintained, widely used library\n\ntoken = jwt.encode(claims, key, algorithm="HS256")'
    )
    fix_safety = "No automatic rewrite: only a person can tell which real library was meant."
    references = (
        "https://cwe.mitre.org/data/definitions/1357.html",
        "https://owasp.org/Top10/2025/A03_2025-Software_Supply_Chain_Failures/",
        "https://www.usenix.org/conference/usenixsecurity25/presentation/spracklen",
    )
    VALID = (
        "import requests\nimport numpy as np\n",
        "from . import views\nfrom .models import User\n",
        "from __future__ import annotations\nimport json\n",
        "try:\n    import fastapi_auth_helpers as helpers\nexcept ImportError:\n    helpers = None\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from flask_secure_login import Guard\n",
        Valid("fastapi>=0.110\nrequests==2.32.3\n", path="requirements.txt"),
    )
    INVALID = (
        Invalid("from fastapi_auth_helpers import require_user\n"),
        Invalid("import flask_secure_login\n\nflask_secure_login.protect(app)\n"),
        Invalid(
            "fastapi>=0.110\nfastapi-auth-helpers==0.2.1\n",
            path="requirements.txt",
            message="`fastapi-auth-helpers` is not a known package (not on the package index snapshot",
            at=(2, 1, 2, 21),
        ),
    )

    def visit_Import(self, node: ast.Import | ast.ImportFrom, ctx) -> None:
        for imported, resolution, workspace in checked_imports(node, ctx):
            # Without a project folder the workspace's own modules are unknown: no guess. A name
            # that is not package-shaped is more likely a module the snippet expects to be written.
            if resolution.kind != "unknown" or resolution.lookalike or workspace.root is None:
                continue
            if not known_packages().is_package_shaped(imported.module.partition(".")[0]):
                continue
            ctx.report(
                self,
                imported.span,
                details={
                    "module": imported.module.partition(".")[0],
                    "checked": "checked " + describe_checks(workspace),
                },
            )

    visit_ImportFrom = visit_Import

    def check_dependencies(self, deps: DependencyContext) -> None:
        for requirement in deps.indexed():
            key, span = requirement.key, requirement.span
            project = deps.projects.get(key)
            if project is not None:  # the index answered: its word replaces the snapshot's
                if not project.exists:
                    deps.report(
                        self, span, {"module": requirement.name, "checked": "the package index has no such project"}
                    )
                continue
            # A deprecated name or a look-alike is reported as such (TG704, TG702).
            if key in deps.known.deprecated or deps.typosquat_of(requirement) is not None:
                continue
            if not (deps.known.on_index(key) or key in deps.installed):
                deps.report(
                    self,
                    span,
                    {
                        "module": requirement.name,
                        "checked": (
                            f"not on the package index snapshot of {deps.known.snapshot} nor installed in the environment"
                        ),
                    },
                )
