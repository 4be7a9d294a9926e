"""TG312: the application's secret key used as the salt of a Hashids encoder."""

from __future__ import annotations

import ast

import libcst as cst

from tabguard.engine.fixes import expression_fix
from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.crypto._names import expression_name, secret_kind

_HASHIDS = frozenset({"hashids.Hashids", "Hashids"})


class SecretKeyAsHashidsSalt(Rule):
    id = "TG312"
    name = "secret-key-as-hashids-salt"
    severity = "high"
    confidence = "high"
    cwe = (327, 200)
    owasp = "A04:2025"
    message = "`{name}` used as the Hashids salt; Hashids is reversible and its salt can be recovered from its output"
    placeholders = {"name": "SECRET_KEY"}
    call_names = frozenset(name.rpartition(".")[2] for name in _HASHIDS)
    what = "Passes `{name}`, a secret key, as the salt of `Hashids`, an obfuscation scheme for ids."
    why = (
        "Hashids is not encryption: given a handful of encoded ids (which the application shows in "
        "every URL), the salt can be recovered with published tools. Here the salt is the framework's "
        "secret key, so recovering it lets the attacker sign Flask/Django session cookies, password "
        "reset tokens and CSRF tokens, and log in as anyone."
    )
    how = (
        "Give Hashids its own, non-secret salt (a separate setting such as `HASHIDS_SALT`), and never "
        "rely on it to hide ids: check authorization on every object access."
    )
    example = (
        'import os\nfrom hashids import Hashids\n\nhashids = Hashids(salt=os.environ["HASHIDS_SALT"], min_length=8)'
    )
    fix_safety = (
        "Unsafe: encoded ids change with the salt, so links already shared stop resolving; set "
        "`HASHIDS_SALT` (and rotate the secret key, which may already be exposed)."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/327.html",
        "https://carnage.github.io/2015/08/cryptanalysis-of-hashids",
    )
    VALID = (
        "import os\nfrom hashids import Hashids\nh = Hashids(salt=os.environ['HASHIDS_SALT'])\n",
        "from hashids import Hashids\nh = Hashids(salt=md5.hexdigest(), min_length=16)\n",
        "from hashids import Hashids\nh = Hashids(min_length=8)\n",
    )
    INVALID = (
        Invalid(
            "import os\nfrom django.conf import settings\nfrom hashids import Hashids\n"
            "h = Hashids(salt=settings.SECRET_KEY, min_length=4)\n",
            "import os\nfrom django.conf import settings\nfrom hashids import Hashids\n"
            "h = Hashids(salt=os.environ['HASHIDS_SALT'], min_length=4)\n",
        ),
        Invalid(
            "from flask import current_app\nfrom hashids import Hashids\n"
            "h = Hashids(min_length=5, salt=current_app.config['SECRET_KEY'])\n",
            "import os\nfrom flask import current_app\nfrom hashids import Hashids\n"
            "h = Hashids(min_length=5, salt=os.environ['HASHIDS_SALT'])\n",
        ),
        Invalid(
            "import hashids\ndef encoder(app):\n    return hashids.Hashids(app.secret_key)\n",
            "import os\nimport hashids\ndef encoder(app):\n    return hashids.Hashids(os.environ['HASHIDS_SALT'])\n",
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        if ctx.call_name(node) not in _HASHIDS:
            return
        salt = ctx.argument(node, 0, "salt")
        name = expression_name(salt) if salt is not None else None
        if secret_kind(name) is None:
            return
        fix = expression_fix(
            ctx,
            salt,
            lambda _: cst.parse_expression("os.environ['HASHIDS_SALT']"),
            "Fix: use a separate salt",
            safe=False,
            imports=("os",),
        )
        ctx.report(self, salt, details={"name": name}, fix=fix)
