"""TG118: user input written into an HTTP response header."""

from __future__ import annotations

import ast
import re

from tabguard.engine.facts import dotted_name
from tabguard.engine.fixes import edits_fix
from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.injection._rewrite import wrap_values

_HEADER_CLASSES = frozenset(
    {
        "werkzeug.datastructures.Headers",
        "werkzeug.Headers",
        "wsgiref.headers.Headers",
        "starlette.datastructures.MutableHeaders",
    }
)
_HEADER_METHODS = frozenset({"add", "set", "setdefault", "add_header", "__setitem__", "extend"})
_RESPONSE_NAME = re.compile(r"(?i)(^|[._])(resp|response|res|r)$")
_RESPONSE_CLASSES = frozenset(
    {
        "flask.Response",
        "flask.make_response",
        "werkzeug.Response",
        "werkzeug.wrappers.Response",
        "django.http.HttpResponse",
        "fastapi.responses.Response",
        "starlette.responses.Response",
        "fastapi.Response",
        "fastapi.responses.JSONResponse",
        "starlette.responses.JSONResponse",
        "fastapi.responses.HTMLResponse",
        "fastapi.responses.PlainTextResponse",
        "fastapi.responses.RedirectResponse",
        "flask.redirect",
        "django.http.HttpResponseRedirect",
        "aiohttp.web.Response",
    }
)
# Code that strips CR/LF before the value is used, and the rewrite that does it.
_STRIPS_NEWLINES = re.compile(r"""replace\(\s*['"]\\[rn]""")
_NO_NEWLINES = 'str({}).replace("\\r", "").replace("\\n", "")'


class HeaderInjection(Rule):
    id = "TG118"
    name = "http-header-injection"
    severity = "medium"
    confidence = "medium"
    cwe = (113, 93)
    owasp = "A05:2025"
    message = "Response header {part} set from user input ({source})"
    placeholders = {"part": "value", "source": "request data"}
    aliases = ()
    # A response class counts only with `headers=`.
    call_names = _HEADER_METHODS | {"send_header"}
    call_keywords = frozenset({"headers"})
    what = "A response header {part} comes from {source} without validation."
    why = (
        "Where a framework or proxy does not reject line breaks, `x\\r\\nSet-Cookie: session=attacker` in "
        "the value adds headers or a second response (response splitting, session fixation, cache "
        "poisoning). Even without CR/LF, a user-chosen `Content-Type`, `Location` or "
        "`Access-Control-Allow-Origin` value changes how browsers treat the response."
    )
    how = (
        "Set headers from fixed values or an allow-list; when a value must echo input (a file name in "
        "`Content-Disposition`), validate it with a strict pattern or encode it "
        "(`urllib.parse.quote`)."
    )
    example = 'response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8\'\'{quote(name)}"'
    fix_safety = (
        "Unsafe: the rewrite removes carriage returns and line feeds from each user-controlled header "
        "part (`str(value).replace(...)`, twice); a value that carried line breaks is sent without them. "
        "It does not check the value against an allow-list: do that where the value decides how the "
        "response is treated (`Location`, `Content-Type`, CORS headers)."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/113.html",
        "https://owasp.org/www-community/attacks/HTTP_Response_Splitting",
    )
    VALID = (
        'from flask import request, make_response\nfrom urllib.parse import quote\ndef f():\n    resp = make_response("ok")\n'
        '    resp.headers["Content-Disposition"] = "attachment; filename=" + quote(request.args["n"])\n    return resp\n',
        'from flask import request\nimport requests\ndef f():\n    requests.get("https://api", headers={"X-User": request.args["u"]}, timeout=5)\n',
        'from flask import request\ndef f():\n    data = {}\n    data["name"] = request.args["n"]\n',
    )
    INVALID = (
        Invalid(
            'from flask import request, make_response\ndef f():\n    resp = make_response("ok")\n'
            '    resp.headers["X-Trace"] = request.args["trace"]\n    return resp\n',
            'from flask import request, make_response\ndef f():\n    resp = make_response("ok")\n'
            '    resp.headers["X-Trace"] = str(request.args["trace"]).replace("\\r", "").replace("\\n", "")\n'
            "    return resp\n",
        ),
        Invalid(
            'from django.http import HttpResponse\ndef v(request):\n    response = HttpResponse("ok")\n'
            '    response["Content-Language"] = request.GET["lang"]\n    return response\n',
            'from django.http import HttpResponse\ndef v(request):\n    response = HttpResponse("ok")\n'
            '    response["Content-Language"] = str(request.GET["lang"]).replace("\\r", "").replace("\\n", "")\n'
            "    return response\n",
        ),
        Invalid(
            "from flask import Response, request\ndef f():\n"
            '    return Response("ok", headers={"Link": request.args["next"]})\n',
            "from flask import Response, request\ndef f():\n"
            '    return Response("ok", headers={"Link": str(request.args["next"]).replace("\\r", "").replace("\\n", "")})\n',
        ),
        Invalid(
            "from http.server import BaseHTTPRequestHandler\nimport sys\nclass H(BaseHTTPRequestHandler):\n"
            '    def do_GET(self):\n        self.send_header("X-Name", sys.argv[1])\n',
            "from http.server import BaseHTTPRequestHandler\nimport sys\nclass H(BaseHTTPRequestHandler):\n"
            "    def do_GET(self):\n"
            '        self.send_header("X-Name", str(sys.argv[1]).replace("\\r", "").replace("\\n", ""))\n',
        ),
    )

    def visit_Assign(self, node: ast.Assign, ctx) -> None:
        for target in node.targets:
            if not isinstance(target, ast.Subscript):
                continue
            owner = dotted_name(target.value) or ""
            if (
                owner.endswith(".headers")
                and _RESPONSE_NAME.search(owner[: -len(".headers")])
                or _RESPONSE_NAME.search(owner)
            ):
                self._check([(node.value, "value"), (target.slice, "name")], node, ctx)

    def visit_Call(self, node: ast.Call, ctx) -> None:
        func = node.func
        callee = ctx.call_name(node) or ""
        if callee in _RESPONSE_CLASSES:
            headers = ctx.keyword(node, "headers")
            if headers is not None and isinstance(headers.value, ast.Dict):
                self._check(
                    [
                        (e, part)
                        for key, value in zip(headers.value.keys, headers.value.values)
                        for e, part in ((value, "value"), (key, "name"))
                        if e is not None
                    ],
                    node,
                    ctx,
                )
            return
        if not isinstance(func, ast.Attribute) or len(node.args) < 2:
            return
        owner = dotted_name(func.value) or ""
        is_headers = func.attr in _HEADER_METHODS and (
            owner.endswith("headers")
            and _RESPONSE_NAME.search(owner.rsplit(".", 1)[0])
            or _headers_object(func.value, ctx)
        )
        if is_headers or func.attr == "send_header":
            self._check([(node.args[1], "value"), (node.args[0], "name")], node, ctx)

    def _check(self, parts: list[tuple[ast.expr, str]], node: ast.AST, ctx) -> None:
        """Report the first header part written from user input; the rewrite strips CR/LF from every
        such part of `node` (one left would still be reported)."""
        tainted = [
            (value, part, source)
            for value, part in parts
            if (source := ctx.taint(value)) is not None and not _STRIPS_NEWLINES.search(ctx.segment(ctx.span(value)))
        ]
        if not tainted:
            return
        _, part, source = tainted[0]
        edits = wrap_values(ctx, [value for value, _, _ in tainted], _NO_NEWLINES)
        fix = edits_fix(edits, "Fix: strip CR and LF from the header", safe=False) if edits else None
        ctx.report(self, node, details={"part": part, "source": source.label}, source=source, fix=fix)


def _headers_object(receiver: ast.expr, ctx) -> bool:
    """A local bound to a headers collection (`headers = Headers()`), which is then sent."""
    values = ctx.model.each_value(receiver) if isinstance(receiver, ast.Name) else None
    return any(isinstance(v, ast.Call) and (ctx.call_name(v) or "") in _HEADER_CLASSES for v in values or ())
