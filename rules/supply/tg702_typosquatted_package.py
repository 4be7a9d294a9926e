"""TG702: a package name one slip away from a popular package."""

from __future__ import annotations

import ast

from tabguard.engine.rule import Invalid, Rule, Valid
from tabguard.rules.supply._imports import checked_imports, rename_fix
from tabguard.supply.depfiles import DependencyContext, replacing
from tabguard.supply.names import normalize


class TyposquattedPackage(Rule):
    id = "TG702"
    name = "typosquatted-package"
    severity = "high"
    confidence = "medium"
    cwe = (1357, 829)
    owasp = "A03:2025"
    message = "`{name}` looks like the popular package `{target}` ({how}): a typosquat?"
    placeholders = {"name": "reqeusts", "target": "requests", "module": "requests", "how": "swapped letters"}
    what = (
        "`{name}` is not a popular package, but it is one small slip away from `{target}`, one of "
        "the most downloaded packages on the index ({how})."
    )
    why = (
        "Typosquatting is the commonest attack on the package index: attackers publish names like "
        "`reqeusts`, `python-requests` or `colourama` whose install script steals credentials or "
        "plants a backdoor, and wait for a slip of the keyboard or of a code assistant. One "
        "`pip install` of the wrong name runs their code on a developer machine or in CI."
    )
    how = (
        "Use the real name `{target}` (import `{module}`). If `{name}` is already installed, "
        "uninstall it and check the environment for anything it may have changed. If the name is "
        "really what you want (a private package or a fork), add it to `trusted-packages`. Known "
        "maintained forks and successors (`httpx2`) are never reported."
    )
    example = "import requests\n\nresponse = requests.get(url, timeout=10)"
    fix_safety = (
        "Unsafe: the rewrite changes the name in the import statement or dependency entry; other "
        "uses of the old name in the file must be renamed too."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/1357.html",
        "https://owasp.org/Top10/2025/A03_2025-Software_Supply_Chain_Failures/",
        "https://blog.phylum.io/python-typosquatting-campaign/",
    )
    VALID = (
        "import requests\nimport yaml\nimport attr\n",
        "from sklearn.ensemble import RandomForestClassifier\n",
        "try:\n    import cPickle as pickle\nexcept ImportError:\n    import pickle\n",
        Valid("requests==2.32.3\npython-dateutil>=2.9\n", path="requirements.txt"),
        # A maintained successor one letter from the project it continues (bundled list of real near-names).
        Valid("httpx2>=2.9.1\n", path="requirements.txt"),
    )
    INVALID = (
        Invalid("import pytset\n", "import pytest\n"),
        Invalid("from libsct import parse_module\n", "from libcst import parse_module\n"),
        Invalid("reqeusts==2.32.3\n", "requests==2.32.3\n", path="requirements.txt"),
        Invalid("flask\npython-requests>=2\n", "flask\nrequests>=2\n", path="requirements.txt"),
    )

    def visit_Import(self, node: ast.Import | ast.ImportFrom, ctx) -> None:
        for imported, resolution, _ in checked_imports(node, ctx):
            lookalike = resolution.lookalike
            if lookalike is None:
                continue
            top = imported.module.partition(".")[0]
            # The import name itself is the slip: rename it. An installed or declared look-alike
            # distribution that provides a real name (`import requests` from `reqeusts`) is fixed
            # in the dependencies, not here.
            written = resolution.kind == "unknown" or normalize(top) == resolution.distribution
            ctx.report(
                self,
                imported.span,
                details={
                    "name": top if written else resolution.distribution,
                    "target": lookalike.distribution,
                    "module": lookalike.module,
                    "how": lookalike.how,
                },
                fix=rename_fix(imported, lookalike.module, f"Fix: import `{lookalike.module}`") if written else None,
            )

    visit_ImportFrom = visit_Import

    def check_dependencies(self, deps: DependencyContext) -> None:
        for requirement in deps.checked():
            meant = deps.typosquat_of(requirement)
            if meant is None or requirement.key in deps.known.deprecated:  # TG704 names the replacement
                continue
            target, how = meant
            details = {"name": requirement.name, "target": target, "module": deps.known.import_name(target), "how": how}
            deps.report(
                self, requirement.span, details, replacing(requirement.span, target, f"Fix: use `{target}`", safe=False)
            )
