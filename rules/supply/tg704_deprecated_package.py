"""TG704: a package its maintainers or the community have abandoned, with a replacement."""

from __future__ import annotations

import ast

from tabguard.engine.rule import Invalid, Rule, Valid
from tabguard.rules.supply._imports import checked_imports
from tabguard.supply.data import known_packages
from tabguard.supply.depfiles import DependencyContext, replacing


class DeprecatedPackage(Rule):
    id = "TG704"
    name = "deprecated-package"
    severity = "medium"
    confidence = "high"
    cwe = (1104,)
    owasp = "A03:2025"
    message = "`{distribution}` is deprecated or abandoned ({reason}); use {replacement}"
    placeholders = {
        "distribution": "pycrypto",
        "reason": "unmaintained since 2013 with a known heap overflow (CVE-2013-7459)",
        "replacement": "`pycryptodome` or `cryptography`",
        "source": "https://nvd.nist.gov/vuln/detail/CVE-2013-7459",
    }
    what = "The code depends on `{distribution}`: {reason} (source: {source})."
    why = (
        "Abandoned packages collect vulnerabilities that nobody fixes, and abandoned names can be "
        "taken over: a new owner of the project on the index can publish a malicious release that "
        "every unpinned install picks up. Assistants learned from years-old code and keep suggesting "
        "them (`pycrypto`, `python-jose`, `PyPDF2`)."
    )
    how = "Move to {replacement}; for a renamed project the API is usually the same."
    example = "from Crypto.Cipher import AES  # provided by pycryptodome, the maintained fork"
    fix_safety = (
        "Safe in dependency files when the replacement installs the same package under its real name "
        "(`sklearn` -> `scikit-learn`); otherwise no rewrite: the replacement's API differs."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/1104.html",
        "https://owasp.org/Top10/2025/A03_2025-Software_Supply_Chain_Failures/",
    )
    VALID = (
        "import jwt\n\njwt.decode(token, key, algorithms=['HS256'])\n",
        "from Crypto.Cipher import AES\n",
        Valid("scikit-learn>=1.4\npypdf>=4\n", path="requirements.txt"),
    )
    INVALID = (
        Invalid("from jose import jwt\n\nclaims = jwt.decode(token, key, algorithms=['HS256'])\n"),
        Invalid("from PyPDF2 import PdfReader\n"),
        Invalid("sklearn\nnumpy>=1.26\n", "scikit-learn\nnumpy>=1.26\n", path="requirements.txt"),
        Invalid("pycrypto==2.6.1\n", path="requirements.txt"),
    )

    def visit_Import(self, node: ast.Import | ast.ImportFrom, ctx) -> None:
        deprecated = known_packages().deprecated
        for imported, resolution, _ in checked_imports(node, ctx):
            entry = deprecated.get(resolution.distribution or "")
            if entry is None or resolution.kind not in ("installed", "declared", "known"):
                continue
            ctx.report(self, imported.span, details=entry.details())

    visit_ImportFrom = visit_Import

    def check_dependencies(self, deps: DependencyContext) -> None:
        for requirement in deps.checked():
            deprecation = deps.known.deprecated.get(requirement.key)
            if deprecation is None:
                continue
            fix = None
            if deprecation.drop_in:
                new = deprecation.replacements[0]
                fix = replacing(requirement.span, new, f"Fix: use `{new}`", safe=True)
            deps.report(self, requirement.span, deprecation.details(), fix)
