"""TG604: a web application's logging configured at DEBUG level unconditionally."""

from __future__ import annotations

import ast
import re
from typing import Optional

import libcst as cst

from tabguard.engine.fixes import expression_fix
from tabguard.engine.rule import Invalid, Rule, Valid

_WEB_FRAMEWORKS = (
    "flask",
    "django",
    "fastapi",
    "starlette",
    "aiohttp",
    "sanic",
    "quart",
    "tornado",
    "falcon",
    "bottle",
)
# Settings modules that only run in development or tests.
_NON_PRODUCTION_PATH = re.compile(
    r"(^|[\\/])(tests?|dev|local|develop|development|testing)([\\/]|\.py$|_)|(dev|local|test)[^\\/]*\.py$"
)
_PRODUCTION_PATH = re.compile(r"(prod|production|settings|config|wsgi|asgi)[^\\/]*\.py$")
_DEBUG_LEVELS = frozenset({"logging.DEBUG", "logging.NOTSET"})


class DebugLoggingInProduction(Rule):
    id = "TG604"
    name = "debug-logging-in-production"
    severity = "low"
    confidence = "medium"
    cwe = (532, 215)
    owasp = "A09:2025"
    message = "Logging set to DEBUG for the whole application; use INFO (or read the level from the environment)"
    call_names = frozenset({"basicConfig", "setLevel"})
    what = (
        "Configures the root logger (or the application's logger) at DEBUG level at import time, in a "
        "web application or settings module, with nothing making it development-only."
    )
    why = (
        "At DEBUG, libraries log what they see: `urllib3` and `httpx` log request URLs with their query "
        "strings, database drivers and Django's `django.db.backends` log every SQL statement with its "
        "parameters, auth libraries log tokens and headers. In production those lines reach log "
        "storage and every system it feeds, turning one log leak into a credential and personal-data "
        "leak (see TG601/TG602)."
    )
    how = (
        "Default to INFO and raise verbosity only through configuration: "
        '`logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"))`, or guard DEBUG with '
        "`if settings.DEBUG:`."
    )
    example = 'import logging\nimport os\n\nlogging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"))'
    fix_safety = "Unsafe: the rewrite lowers verbosity to INFO; debug messages you relied on disappear from the logs."
    references = (
        "https://cwe.mitre.org/data/definitions/532.html",
        "https://docs.djangoproject.com/en/stable/ref/logging/#django-db-backends",
    )
    VALID = (
        "import logging\nfrom flask import Flask\nlogging.basicConfig(level=logging.INFO)\n",
        "import logging\nfrom flask import Flask\nif __name__ == '__main__':\n    logging.basicConfig(level=logging.DEBUG)\n",
        "import logging\nlogging.basicConfig(level=logging.DEBUG)\n",
        "import logging, os\nfrom flask import Flask\nlogging.basicConfig(level=os.environ.get('LOG_LEVEL', 'INFO'))\n",
        Valid(
            "import logging\nfrom django.conf import settings\nlogging.basicConfig(level=logging.DEBUG)\n",
            path="myapp/settings/dev.py",
        ),
        "import logging\nfrom flask import Flask\nif app.debug:\n    logging.basicConfig(level=logging.DEBUG)\n",
    )
    INVALID = (
        Invalid(
            "import logging\nfrom flask import Flask\napp = Flask(__name__)\nlogging.basicConfig(level=logging.DEBUG)\n",
            "import logging\nfrom flask import Flask\napp = Flask(__name__)\nlogging.basicConfig(level=logging.INFO)\n",
        ),
        Invalid(
            "import logging\nfrom fastapi import FastAPI\nlogging.getLogger().setLevel('DEBUG')\n",
            "import logging\nfrom fastapi import FastAPI\nlogging.getLogger().setLevel('INFO')\n",
        ),
        Invalid(
            "import logging\nlogging.basicConfig(level=logging.DEBUG, format='%(message)s')\n",
            "import logging\nlogging.basicConfig(level=logging.INFO, format='%(message)s')\n",
            path="myproject/settings/production.py",
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        level = _configured_level(ctx, node)
        if level is None or not _is_debug(ctx, level):
            return
        if ctx.function is not None or _guarded(ctx, node) or not _production_module(ctx):
            return
        ctx.report(self, node, fix=_fix(ctx, level))


def _configured_level(ctx, node: ast.Call) -> Optional[ast.expr]:
    name = ctx.call_name(node) or ""
    if name == "logging.basicConfig":
        keyword = ctx.keyword(node, "level")  # basicConfig takes keywords only
        return keyword.value if keyword is not None else None
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr == "setLevel" and isinstance(func.value, ast.Call):
        # logging.getLogger() / logging.getLogger(__name__) / app.logger
        if (ctx.call_name(func.value) or "") == "logging.getLogger":
            return ctx.argument(node, 0, "level")
    if (
        isinstance(func, ast.Attribute)
        and func.attr == "setLevel"
        and (ctx.qualname(func.value) or "").endswith("app.logger")
    ):
        return ctx.argument(node, 0, "level")
    return None


def _is_debug(ctx, level: ast.expr) -> bool:
    if isinstance(level, ast.Constant):
        return level.value in ("DEBUG", 10, "NOTSET")
    return (ctx.qualname(level) or "") in _DEBUG_LEVELS


def _guarded(ctx, node: ast.AST) -> bool:
    """Inside `if __name__ == "__main__":` or any `if` (e.g. `if settings.DEBUG:`)."""
    parent = ctx.parent(node)
    while parent is not None:
        if isinstance(parent, (ast.If, ast.Try)):
            return True
        parent = ctx.parent(parent)
    return False


def _production_module(ctx) -> bool:
    if _NON_PRODUCTION_PATH.search(ctx.path):
        return False
    if _PRODUCTION_PATH.search(ctx.path):
        return True
    return any(target.split(".")[0] in _WEB_FRAMEWORKS for target in ctx.module.imports.values())


def _fix(ctx, level: ast.expr):
    if isinstance(level, ast.Constant):
        if not isinstance(level.value, str):
            return None
        quote = ctx.segment(ctx.span(level))[0]
        new: cst.BaseExpression = cst.SimpleString(f"{quote}INFO{quote}")
        return expression_fix(ctx, level, lambda _: new, "Fix: log at INFO", safe=False)
    if isinstance(level, ast.Attribute):
        return expression_fix(
            ctx, level, lambda a: a.with_changes(attr=cst.Name("INFO")), "Fix: log at INFO", safe=False
        )
    return None
