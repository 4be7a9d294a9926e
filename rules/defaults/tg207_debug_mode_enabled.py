"""TG207: a web application started or configured with its debugger on."""

from __future__ import annotations

import ast
import re

from tabguard.engine.fixes import expression_fix, set_keyword
from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.defaults._common import (
    CONFIG_METHODS,
    enabled_unless_configured,
    is_true,
    replace_with,
    settings_written,
    string_value,
)

# Application objects by name: `app`, `application`, `api`, `flask_app`, `server`.
_APP_NAME = re.compile(r"^(app|application|api|server|\w+_app)$")
# Constructors whose `debug=True` enables tracebacks in responses (FastAPI, Starlette, Quart, Sanic).
# aiohttp's debug mode also puts the traceback in its 500 pages.
_APP_CLASSES = re.compile(r"(^|\.)(FastAPI|Starlette|Quart|Sanic|Flask)$|^aiohttp\.(web|web_app)\.Application$")
_DEBUGGER_KEYWORDS = ("use_debugger", "use_evalex")


class DebugModeEnabled(Rule):
    id = "TG207"
    name = "debug-mode-enabled"
    severity = "high"
    confidence = "high"
    cwe = (489, 215)
    quiet_in_tests = True
    owasp = "A02:2025"
    message = "Debug mode enabled: `{setting}`"
    placeholders = {"setting": "app.run(debug=True)"}
    aliases = ("B201", "S201")
    # The debug keywords on any call (runners and app constructors alike), and config updates.
    call_names = CONFIG_METHODS
    call_keywords = frozenset({"debug", *_DEBUGGER_KEYWORDS})
    what = "`{setting}` turns on the framework's debug mode for the running application."
    why = (
        "Flask/Werkzeug debug mode serves an interactive Python console on any error page: anyone who "
        "can reach the app and trigger an exception (or brute-force the PIN, which is derived from "
        "guessable machine data) runs arbitrary code on the server. FastAPI/Starlette (and aiohttp) debug mode returns "
        "full tracebacks with source, paths and local values to any client. Assistants write "
        "`debug=True` in `app.run(...)` for local convenience; it then runs in a container or VM that "
        "is reachable from the network."
    )
    how = (
        "Leave debug off in code and enable it only from the environment on a developer machine "
        '(`flask --debug run`, or `debug=os.environ.get("FLASK_DEBUG") == "1"`). Serve production '
        "traffic with a WSGI/ASGI server (gunicorn, uvicorn) instead of `app.run`."
    )
    example = 'app.run(debug=os.environ.get("FLASK_DEBUG") == "1")\napp = FastAPI()'
    fix_safety = (
        "Unsafe: the rewrite sets the value to `False`; a developer who relied on automatic reload "
        "and the debugger enables them through the environment instead."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/489.html",
        "https://flask.palletsprojects.com/en/stable/debugging/",
        "https://werkzeug.palletsprojects.com/en/stable/debug/#enabling-the-debugger",
    )
    VALID = (
        "from flask import Flask\napp = Flask(__name__)\napp.run()\n",
        "from flask import Flask\napp = Flask(__name__)\napp.run(debug=False)\n",
        "import os\nfrom flask import Flask\napp = Flask(__name__)\napp.run(debug=os.environ.get('FLASK_DEBUG') == '1')\n",
        "run(debug=True)\n",
        "import asyncio\nasyncio.run(main(), debug=True)\n",
        "parser.debug = True\n",
        "class DevelopmentConfig:\n    DEBUG = True\n",
        "from fastapi import FastAPI\napp = FastAPI(debug=settings.DEBUG)\n",
        "from aiohttp import web\napp = web.Application(middlewares=[auth])\n",
        "app.config.update(DEBUG=True, TESTING=True)\n",
        "import os\napp.run(debug=os.environ.get('DEBUG', False))\n",
        "import os\napp.run(debug=os.getenv('FLASK_DEBUG', '0') == '1')\n",
    )
    INVALID = (
        Invalid(
            "from flask import Flask\napp = Flask(__name__)\nif __name__ == '__main__':\n    app.run(host='127.0.0.1', debug=True)\n",
            "from flask import Flask\napp = Flask(__name__)\nif __name__ == '__main__':\n    app.run(host='127.0.0.1', debug=False)\n",
        ),
        Invalid(
            "from flask import Flask\napp = Flask(__name__)\napp.debug = True\n",
            "from flask import Flask\napp = Flask(__name__)\napp.debug = False\n",
        ),
        Invalid(
            "from flask import Flask\napp = Flask(__name__)\napp.config['DEBUG'] = True\n",
            "from flask import Flask\napp = Flask(__name__)\napp.config['DEBUG'] = False\n",
        ),
        Invalid("import os\napp.run(debug=os.getenv('FLASK_DEBUG', 'true').lower() == 'true')\n"),
        Invalid(
            "app.config['ENV'] = 'development'\n",
            "app.config['ENV'] = \"production\"\n",
        ),
        Invalid(
            "from fastapi import FastAPI\napp = FastAPI(title='orders', debug=True)\n",
            "from fastapi import FastAPI\napp = FastAPI(title='orders', debug=False)\n",
        ),
        Invalid(
            "from aiohttp import web\ndef make_app():\n    return web.Application(debug=True, middlewares=[auth])\n",
            "from aiohttp import web\ndef make_app():\n    return web.Application(debug=False, middlewares=[auth])\n",
        ),
        Invalid(
            "from werkzeug.serving import run_simple\nrun_simple('127.0.0.1', 5000, app, use_debugger=True)\n",
            "from werkzeug.serving import run_simple\nrun_simple('127.0.0.1', 5000, app, use_debugger=False)\n",
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        callee = ctx.call_name(node) or ""
        if callee.endswith("run_simple"):
            names = _DEBUGGER_KEYWORDS
        elif (
            isinstance(node.func, ast.Attribute)
            and node.func.attr in ("run", "run_server")
            and not callee.startswith("asyncio.")
        ) or _APP_CLASSES.search(callee):
            names = ("debug",)
        else:
            names = ()
        for name in names:
            keyword = ctx.keyword(node, name)
            if keyword is not None and is_true(keyword.value):
                ctx.report(
                    self,
                    keyword,
                    details={"setting": f"{callee}({name}=True)"},
                    fix=expression_fix(ctx, node, set_keyword(name, "False"), f"Fix: {name}=False", safe=False),
                )
            elif keyword is not None and enabled_unless_configured(keyword.value, ctx):
                ctx.report(
                    self,
                    keyword,
                    details={"setting": f"{name}={ast.unparse(keyword.value)} (on when the variable is unset)"},
                )
        for setting in settings_written(node, ctx):
            self._check_setting(setting, ctx)

    def visit_Assign(self, node: ast.Assign, ctx) -> None:
        for target in node.targets:
            if (
                isinstance(target, ast.Attribute)
                and target.attr == "debug"
                and isinstance(target.value, ast.Name)
                and _APP_NAME.match(target.value.id)
                and is_true(node.value)
            ):
                self._report_value(node, node.value, f"{target.value.id}.debug = True", ctx)
        for setting in settings_written(node, ctx):
            self._check_setting(setting, ctx)

    def _check_setting(self, setting, ctx) -> None:
        # `app.config["DEBUG"] = True` / `app.config.update(DEBUG=True)`; a bare module-level
        # `DEBUG = True` is a Django settings question (TG208).
        if setting.kind not in ("item", "call"):
            return
        if setting.key == "DEBUG" and is_true(setting.value):
            self._report_value(setting.anchor, setting.value, "DEBUG = True", ctx)
        elif setting.key in ("ENV", "FLASK_ENV") and string_value(setting.value) == "development":
            # Flask before 2.3 turns the debugger on with the development environment.
            ctx.report(
                self,
                setting.anchor,
                details={"setting": f'{setting.key} = "development"'},
                fix=expression_fix(
                    ctx, setting.value, replace_with('"production"'), "Fix: production environment", safe=False
                ),
            )

    def _report_value(self, anchor, value, text: str, ctx) -> None:
        ctx.report(
            self,
            anchor,
            details={"setting": text},
            fix=expression_fix(ctx, value, replace_with("False"), "Fix: debug off", safe=False),
        )
