"""TG607: a web handler sends the process environment (`os.environ`) to the client."""

from __future__ import annotations

import ast

from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.access._handlers import enclosing_handler

# Methods of the mapping that hand over only the variable names, or one value the code chose.
_ONE_OR_NAMES = frozenset({"get", "keys", "__getitem__", "__contains__"})


class EnvironmentInResponse(Rule):
    id = "TG607"
    name = "environment-in-response"
    severity = "high"
    confidence = "high"
    cwe = (526, 200)
    owasp = "A02:2025"
    message = "The process environment (`os.environ`) is sent to the client"
    what = (
        "A request handler returns the whole process environment, or a structure holding it, in its "
        "response: a debug or status endpoint listing `os.environ`."
    )
    why = (
        "Deployments pass their secrets through the environment: database URLs with passwords, cloud "
        "access keys, the framework's signing key, API tokens of payment and mail providers. One "
        "request to the endpoint hands all of them to whoever finds it, often without signing in "
        "(debug routes rarely have a guard); with the signing key the attacker forges sessions."
    )
    how = (
        "Return only what the page needs, named one by one (a version, a commit id, a health flag), "
        "and keep diagnostics behind an administrator check or out of the production build."
    )
    example = (
        "@app.get('/status')\ndef status():\n"
        "    return {'version': APP_VERSION, 'commit': os.environ.get('GIT_COMMIT', 'unknown')}"
    )
    references = (
        "https://cwe.mitre.org/data/definitions/526.html",
        "https://owasp.org/Top10/2025/A02_2025-Security_Misconfiguration/",
    )
    VALID = (
        # one variable the code names
        "import os\nfrom flask import Flask\napp = Flask(__name__)\n@app.get('/version')\ndef version():\n"
        "    return {'commit': os.environ.get('GIT_COMMIT', 'dev')}\n",
        # only which variables are set
        "import os\nfrom flask import Flask\napp = Flask(__name__)\n@app.get('/debug/env-names')\n"
        "def names():\n    return {'names': sorted(os.environ.keys())}\n",
        # a command-line tool printing its environment serves no one else
        "import os, json\ndef main():\n    print(json.dumps(dict(os.environ)))\n",
    )
    INVALID = (
        Invalid(
            "import os, platform\nfrom fastapi import APIRouter\nrouter = APIRouter()\n@router.get('/diagnostics')\n"
            "def diagnostics():\n    info = {'python': platform.python_version(), 'env': dict(os.environ)}\n    return info\n",
            at=(7, 5),
        ),
        Invalid(
            "import os\nfrom flask import Flask, jsonify\napp = Flask(__name__)\n@app.route('/debug')\ndef debug():\n"
            "    return jsonify(os.environ.copy())\n"
        ),
        Invalid(
            "import os\nfrom django.http import JsonResponse\ndef settings_dump(request):\n"
            "    return JsonResponse({**os.environ, 'path': request.path})\n"
        ),
    )

    def visit_Return(self, node: ast.Return, ctx) -> None:
        if node.value is None or enclosing_handler(ctx) is None:
            return
        if _whole_environment(node.value, ctx, 0):
            ctx.report(self, node)


def _whole_environment(expr: ast.AST, ctx, depth: int) -> bool:
    """`os.environ` itself is in `expr` (a copy, a dict of it, a local bound to one), not just one of
    its values or its names."""
    if depth > 6:
        return False
    if isinstance(expr, ast.Attribute) and ctx.qualname(expr) == "os.environ":
        return True
    if isinstance(expr, ast.Name):
        values = ctx.model.each_value(expr) if ctx.function is not None else None
        return any(_whole_environment(v, ctx, depth + 1) for v in values or ())
    if isinstance(expr, ast.Subscript):
        return False  # `os.environ["HOME"]`: one variable the code chose
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr in _ONE_OR_NAMES:
        return False
    return any(_whole_environment(child, ctx, depth + 1) for child in ast.iter_child_nodes(expr))
