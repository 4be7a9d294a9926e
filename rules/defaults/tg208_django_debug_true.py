"""TG208: `DEBUG = True` in a Django settings module."""

from __future__ import annotations

import ast

from tabguard.engine.fixes import expression_fix
from tabguard.engine.rule import Invalid, Rule, Valid
from tabguard.rules.defaults._common import (
    enabled_unless_configured,
    is_settings_path,
    is_true,
    replace_with,
    settings_written,
)


class DjangoDebugTrue(Rule):
    id = "TG208"
    name = "django-debug-true"
    severity = "high"
    confidence = "high"
    cwe = (489, 215)
    quiet_in_tests = True
    owasp = "A02:2025"
    message = "`{key} = True` in Django settings"
    placeholders = {"key": "DEBUG"}
    what = "The settings module sets `{key} = True`, so every deployment that uses it runs in debug mode."
    why = (
        "With `DEBUG = True` Django answers any error (a 404 on a made-up URL is enough) with a page "
        "listing the URL patterns, the settings with most secrets only partly masked, SQL queries, "
        "local variables and file paths, and it keeps every SQL query in memory. An attacker maps the "
        "application and harvests configuration from a single request."
    )
    how = (
        'Default to off, so a deployment that forgets the variable is safe (`os.getenv("DEBUG", '
        '"True") == "True"` and `os.environ.get("DEBUG", "False")`, a truthy string, are flagged too), '
        "and enable debug from the environment on developer machines: "
        '`DEBUG = os.environ.get("DJANGO_DEBUG") == "1"`, or keep `DEBUG = True` only in a '
        "`settings/dev.py` / `local_settings.py` that production never imports (those files are not "
        "flagged)."
    )
    example = 'DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"'
    fix_safety = "Unsafe: the rewrite sets `DEBUG = False`; local development then needs the environment switch."
    references = (
        "https://cwe.mitre.org/data/definitions/489.html",
        "https://docs.djangoproject.com/en/stable/ref/settings/#debug",
        "https://docs.djangoproject.com/en/stable/howto/deployment/checklist/",
    )
    VALID = (
        Valid("import os\nDEBUG = os.environ.get('DJANGO_DEBUG') == '1'\n", path="mysite/settings.py"),
        Valid("DEBUG = False\n", path="mysite/settings.py"),
        Valid("DEBUG = True\n", path="mysite/settings/dev.py"),
        Valid("DEBUG = True\n", path="local_settings.py"),
        Valid("DEBUG = True\n", path="scripts/build.py"),
        Valid("def configure():\n    DEBUG = True\n    return DEBUG\n", path="mysite/settings.py"),
        Valid("import os\nDEBUG = os.getenv('DJANGO_DEBUG', 'False') == 'True'\n", path="mysite/settings.py"),
        Valid(
            "from decouple import config\nDEBUG = config('DEBUG', default=False, cast=bool)\n",
            path="mysite/settings.py",
        ),
    )
    INVALID = (
        Invalid(
            "DEBUG = True\nALLOWED_HOSTS = ['shop.example.com']\n",
            "DEBUG = False\nALLOWED_HOSTS = ['shop.example.com']\n",
            path="mysite/settings.py",
        ),
        Invalid(
            "from .base import *\n\nDEBUG = True\n",
            "from .base import *\n\nDEBUG = False\n",
            path="config/settings/production.py",
        ),
        Invalid("TEMPLATE_DEBUG = True\n", "TEMPLATE_DEBUG = False\n", path="shop/settings.py"),
        Invalid("import os\nDEBUG = os.getenv('DJANGO_DEBUG', 'True') == 'True'\n", path="mysite/settings.py"),
        Invalid(
            "from decouple import config\nDEBUG = config('DEBUG', default=True, cast=bool)\n", path="mysite/settings.py"
        ),
        Invalid("import os\nDEBUG = os.environ.get('DEBUG', 'False')\n", path="mysite/settings.py"),
    )

    def visit_Assign(self, node: ast.Assign, ctx) -> None:
        if not is_settings_path(ctx.path):
            return
        for setting in settings_written(node, ctx):
            if setting.kind != "name" or setting.key not in ("DEBUG", "TEMPLATE_DEBUG"):
                continue
            if is_true(setting.value):
                ctx.report(
                    self,
                    node,
                    details={"key": setting.key},
                    fix=expression_fix(ctx, setting.value, replace_with("False"), "Fix: DEBUG = False", safe=False),
                )
            elif enabled_unless_configured(setting.value, ctx):
                ctx.report(
                    self,
                    node,
                    details={"key": setting.key},
                    message=f"`{setting.key}` is on unless the environment turns it off",
                )
