"""TG211: CORS that lets any origin make credentialed requests (wildcard or reflected Origin)."""

from __future__ import annotations

import ast

from tabguard.engine.fixes import edits_fix, expression_fix, set_keyword
from tabguard.engine.rule import Invalid, Rule, Valid
from tabguard.engine.types import Edit
from tabguard.rules._spelling import spell
from tabguard.rules.defaults._common import is_true, string_value

_ACAO = "access-control-allow-origin"
_ACAC = "access-control-allow-credentials"
# Where the rewrite reads the allowed origins from: the right list is a deployment fact.
_ORIGINS_VARIABLE = "CORS_ALLOWED_ORIGINS"


class CorsWildcardCredentials(Rule):
    id = "TG211"
    name = "cors-wildcard-credentials"
    severity = "high"
    confidence = "high"
    cwe = (942, 346)
    owasp = "A01:2025"
    message = "CORS allows any origin with credentials ({detail})"
    placeholders = {"detail": "`allow_origins=['*']` with `allow_credentials=True`"}
    # Every call finding needs credentials switched on by keyword.
    call_keywords = frozenset({"allow_credentials", "supports_credentials"})
    what = "The CORS configuration ({detail}) lets scripts on any website send requests with the user's cookies and read the responses."
    why = (
        "Same-origin policy is what stops `evil.example` from reading a logged-in user's data from your "
        "API. Allowing every origin together with credentials hands that power back: a page the victim "
        "visits calls your API with their session cookie and exfiltrates the JSON (profile, tokens, "
        "CSRF tokens). CORS middlewares answer a wildcard-with-credentials configuration by echoing the "
        "caller's Origin, so the browser accepts it; a hand-written handler that copies the `Origin` "
        "header does the same."
    )
    how = (
        'List the trusted front-end origins explicitly (`allow_origins=["https://app.example.com"]`), '
        "or keep the wildcard but drop credentials for a truly public, cookie-less API."
    )
    example = (
        'app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"], allow_credentials=True)\n'
        'CORS(app, origins=["https://app.example.com"], supports_credentials=True)'
    )
    fix_safety = (
        "Unsafe: the rewrite keeps credentials and replaces the wildcard (Django's "
        "`CORS_ALLOW_ALL_ORIGINS = True` with `CORS_ALLOWED_ORIGINS`, or `False` when the module lists "
        "its origins already) with the origins listed in the "
        "`CORS_ALLOWED_ORIGINS` environment variable (comma-separated, e.g. "
        "`https://app.example.com,https://admin.example.com`); set it in every deployment, or write the "
        "list in the code. Turning credentials off instead would silently break cookie authentication."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/942.html",
        "https://developer.mozilla.org/en-US/docs/Web/HTTP/CORS#requests_with_credentials",
        "https://portswigger.net/web-security/cors",
    )
    VALID = (
        "from fastapi.middleware.cors import CORSMiddleware\n"
        "app.add_middleware(CORSMiddleware, allow_origins=['https://app.example.com'], allow_credentials=True)\n",
        "from fastapi.middleware.cors import CORSMiddleware\napp.add_middleware(CORSMiddleware, allow_origins=['*'])\n",
        "from flask_cors import CORS\nCORS(app, origins=['https://app.example.com'], supports_credentials=True)\n",
        "from flask_cors import CORS\nCORS(app)\n",
        Valid("CORS_ALLOW_ALL_ORIGINS = True\n", path="mysite/settings.py"),
        "def cors(response):\n    response.headers['Access-Control-Allow-Origin'] = '*'\n    return response\n",
        "from flask import request\n@app.after_request\ndef cors(response):\n"
        "    origin = request.headers.get('Origin')\n    if origin in ALLOWED_ORIGINS:\n"
        "        response.headers['Access-Control-Allow-Origin'] = origin\n"
        "        response.headers['Access-Control-Allow-Credentials'] = 'true'\n    return response\n",
        # CORS middleware assembling its headers from the options it was given (the call site is judged)
        "class Cors:\n    def __init__(self, app, allow_origins=(), allow_credentials=False):\n"
        "        allow_all = '*' in allow_origins\n        self.headers = {}\n        if allow_all:\n"
        "            self.headers['Access-Control-Allow-Origin'] = '*'\n        if allow_credentials:\n"
        "            self.headers['Access-Control-Allow-Credentials'] = 'true'\n",
    )
    INVALID = (
        Invalid(
            "from fastapi.middleware.cors import CORSMiddleware\n"
            "app.add_middleware(CORSMiddleware, allow_origins=['*'], allow_credentials=True)\n",
            "import os\nfrom fastapi.middleware.cors import CORSMiddleware\n"
            'app.add_middleware(CORSMiddleware, allow_origins=os.environ["CORS_ALLOWED_ORIGINS"].split(","), allow_credentials=True)\n',
        ),
        Invalid(
            "from flask_cors import CORS\nCORS(app, supports_credentials=True)\n",
            "import os\nfrom flask_cors import CORS\n"
            'CORS(app, supports_credentials=True, origins=os.environ["CORS_ALLOWED_ORIGINS"].split(","))\n',
        ),
        Invalid(
            "import os\nfrom flask_cors import CORS\nCORS(app, resources={r'/api/*': {'origins': '*'}}, supports_credentials=True)\n",
            "import os\nfrom flask_cors import CORS\n"
            "CORS(app, resources={r'/api/*': {'origins': os.environ[\"CORS_ALLOWED_ORIGINS\"].split(\",\")}}, supports_credentials=True)\n",
        ),
        Invalid(
            "CORS_ALLOW_CREDENTIALS = True\nCORS_ALLOW_ALL_ORIGINS = True\n",
            'import os\nCORS_ALLOW_CREDENTIALS = True\nCORS_ALLOWED_ORIGINS = os.environ["CORS_ALLOWED_ORIGINS"].split(",")\n',
            path="mysite/settings.py",
        ),
        # The origins are listed already: allow-all only has to go.
        Invalid(
            'CORS_ALLOW_CREDENTIALS = True\nCORS_ALLOWED_ORIGINS = ["https://app.example.com"]\nCORS_ALLOW_ALL_ORIGINS = True\n',
            'CORS_ALLOW_CREDENTIALS = True\nCORS_ALLOWED_ORIGINS = ["https://app.example.com"]\nCORS_ALLOW_ALL_ORIGINS = False\n',
            path="mysite/settings.py",
        ),
        Invalid(
            "from flask import request\n@app.after_request\ndef cors(response):\n"
            "    response.headers['Access-Control-Allow-Origin'] = request.headers.get('Origin')\n"
            "    response.headers['Access-Control-Allow-Credentials'] = 'true'\n    return response\n"
        ),
        # a middleware writing the headers on every response, whatever it was configured with
        Invalid(
            "class Cors:\n    def __init__(self, get_response):\n        self.get_response = get_response\n"
            "    def __call__(self, request):\n        response = self.get_response(request)\n"
            "        if request.method == 'OPTIONS':\n            response['Access-Control-Allow-Origin'] = '*'\n"
            "            response['Access-Control-Allow-Credentials'] = 'true'\n        return response\n"
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        callee = ctx.call_name(node) or ""
        tail = callee.rpartition(".")[2]
        if tail == "add_middleware" or tail == "Middleware":
            if node.args and (ctx.qualname(node.args[0]) or "").endswith("CORSMiddleware"):
                self._check(node, ctx, "allow_origins", "allow_credentials", default_any=False)
        elif tail == "CORSMiddleware":
            self._check(node, ctx, "allow_origins", "allow_credentials", default_any=False)
        elif callee.startswith("flask_cors.") and tail in ("CORS", "cross_origin"):
            self._check(node, ctx, "origins", "supports_credentials", default_any=True)

    def _check(self, node: ast.Call, ctx, origins_name: str, credentials_name: str, default_any: bool) -> None:
        credentials = ctx.keyword(node, credentials_name)
        if credentials is None or not is_true(credentials.value):
            return
        origins = ctx.keyword(node, origins_name)
        regex = ctx.keyword(node, "allow_origin_regex")
        if origins is not None:
            wildcard = self._any_origin(origins.value, ctx)
        elif regex is not None:
            wildcard = string_value(regex.value) in (".*", "^.*$", ".+", "^.+$")
        else:
            resources = ctx.keyword(node, "resources")
            wildcard = default_any if resources is None else self._resources_any(resources.value, ctx)
        if not wildcard:
            return
        anchor = origins or credentials
        ctx.report(
            self,
            anchor,
            details={"detail": f"any origin with `{credentials_name}=True`"},
            fix=self._explicit_origins_fix(ctx, node, origins, regex, origins_name),
        )

    def _explicit_origins_fix(self, ctx, node: ast.Call, origins, regex, origins_name: str):
        """Keep credentials (turning them off silently breaks cookie auth) and name the allowed
        origins: read from the deployment's `CORS_ALLOWED_ORIGINS` (comma-separated), since the
        right list is not in the code."""
        environ, imports = spell(ctx, "os.environ")
        allowed = f'{environ}["{_ORIGINS_VARIABLE}"].split(",")'
        title = f"Fix: allow only the origins listed in ${_ORIGINS_VARIABLE}"
        if origins is not None:
            return edits_fix([Edit(ctx.span(origins.value), allowed)], title, safe=False, imports=imports)
        if regex is not None:
            return None
        resources = ctx.keyword(node, "resources")
        if resources is None:
            return expression_fix(ctx, node, set_keyword(origins_name, allowed), title, safe=False, imports=imports)
        wildcards = [
            value
            for options in getattr(resources.value, "values", ())
            if isinstance(options, ast.Dict)
            for key, value in zip(options.keys, options.values)
            if string_value(key) == "origins" and self._any_origin(value, ctx)
        ]
        if not wildcards:
            return None
        return edits_fix([Edit(ctx.span(w), allowed) for w in wildcards], title, safe=False, imports=imports)

    def _any_origin(self, value: ast.expr, ctx) -> bool:
        if isinstance(value, ast.Name):
            constant = ctx.constant_value(value)
            return constant == "*" or (isinstance(constant, tuple) and "*" in constant)
        if string_value(value) in ("*", ".*"):
            return True
        return isinstance(value, (ast.List, ast.Tuple, ast.Set)) and any(string_value(e) == "*" for e in value.elts)

    def _resources_any(self, value: ast.expr, ctx) -> bool:
        if not isinstance(value, ast.Dict):
            return False
        for options in value.values:
            if isinstance(options, ast.Dict):
                origins = next((v for k, v in zip(options.keys, options.values) if string_value(k) == "origins"), None)
                if origins is None or self._any_origin(origins, ctx):
                    return True
        return False

    def visit_Assign(self, node: ast.Assign, ctx) -> None:
        self._check_django(node, ctx)
        self._check_headers(node, ctx)

    def _check_django(self, node: ast.Assign, ctx) -> None:
        # django-cors-headers: allow-all plus credentials, written as module settings.
        if ctx.function is not None or len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
            return
        if node.targets[0].id in ("CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL") and is_true(node.value):
            if ctx.module.constants.get("CORS_ALLOW_CREDENTIALS") is True:
                ctx.report(
                    self,
                    node,
                    details={"detail": f"`{node.targets[0].id} = True` with `CORS_ALLOW_CREDENTIALS = True`"},
                    fix=self._django_fix(ctx, node),
                )

    def _django_fix(self, ctx, node: ast.Assign):
        """`CORS_ALLOW_ALL_ORIGINS = True` -> `CORS_ALLOWED_ORIGINS = os.environ[...].split(",")`; just
        `= False` when the module lists its origins already (the list then applies)."""
        title = f"Fix: allow only the origins listed in ${_ORIGINS_VARIABLE}"
        if "CORS_ALLOWED_ORIGINS" in ctx.module.constants or "CORS_ORIGIN_WHITELIST" in ctx.module.constants:
            return edits_fix([Edit(ctx.span(node.value), "False")], "Fix: allow only the listed origins", safe=False)
        environ, imports = spell(ctx, "os.environ")
        allowed = f'CORS_ALLOWED_ORIGINS = {environ}["{_ORIGINS_VARIABLE}"].split(",")'
        return edits_fix([Edit(ctx.span(node), allowed)], title, safe=False, imports=imports)

    def _check_headers(self, node: ast.Assign, ctx) -> None:
        # `response.headers["Access-Control-Allow-Origin"] = "*" | request.headers["Origin"]`, with
        # credentials allowed in the same function.
        target = node.targets[0]
        if not isinstance(target, ast.Subscript) or (string_value(target.slice) or "").lower() != _ACAO:
            return
        reflected = self._reflects_origin(node.value, ctx)
        if not (reflected or string_value(node.value) == "*") or not self._credentials_allowed(ctx):
            return
        if _configured_choice(node, ctx):
            return
        how = "the request's Origin reflected" if reflected else "`*`"
        ctx.report(self, node, details={"detail": f"Access-Control-Allow-Origin set to {how}"})

    @staticmethod
    def _reflects_origin(value: ast.expr, ctx) -> bool:
        if ctx.taint(value) is None:
            return False
        if isinstance(value, ast.Name):
            # `if origin in ALLOWED_ORIGINS:` (or `==`) anywhere in the function is an allow-list check.
            for node in ast.walk(ctx.function or value):
                if isinstance(node, ast.Compare) and any(
                    isinstance(n, ast.Name) and n.id == value.id for n in ast.walk(node)
                ):
                    if any(isinstance(op, (ast.In, ast.NotIn, ast.Eq, ast.NotEq)) for op in node.ops):
                        return False
            return "origin" in value.id.lower()
        return any((string_value(n) or "").lower() in ("origin", "http_origin") for n in ast.walk(value))

    @staticmethod
    def _credentials_allowed(ctx) -> bool:
        scope: ast.AST | None = ctx.function
        if scope is None:
            return False
        for node in ast.walk(scope):
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript):
                key = (string_value(node.targets[0].slice) or "").lower()
                if key == _ACAC and (string_value(node.value) or "").lower() == "true":
                    return True
        return False


def _configured_choice(node: ast.AST, ctx) -> bool:
    """The header is written in a constructor, under a condition on its own options (`if allow_all_origins:`
    after `allow_all_origins = "*" in allow_origins`): middleware that implements what its user configures.
    No request exists yet; the choice is made, and judged, where the middleware is configured."""
    func = ctx.function
    if getattr(func, "name", None) != "__init__":
        return False
    options = {a.arg for a in (*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs)} - {"self"}
    for statement in ast.walk(func):
        if isinstance(statement, ast.Assign) and _mentions(statement.value, options):
            options |= {t.id for t in statement.targets if isinstance(t, ast.Name)}
    parent = ctx.parent(node)
    while parent is not None and parent is not func:
        if isinstance(parent, ast.If) and _mentions(parent.test, options):
            return True
        parent = ctx.parent(parent)
    return False


def _mentions(expr: ast.AST, names: set[str]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(expr))
