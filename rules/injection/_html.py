"""Shared by the XSS rules: where HTML reaches a browser without escaping."""

from __future__ import annotations

import ast
import re

# Response classes whose body is HTML unless another content type is given.
HTML_BY_DEFAULT = frozenset(
    {
        "flask.make_response", "flask.Response", "werkzeug.Response", "werkzeug.wrappers.Response",
        "quart.make_response", "pyramid.response.Response", "pyramid.Response", "webob.Response",
    }
)
HTML_ALWAYS = frozenset(
    {"fastapi.responses.HTMLResponse", "starlette.responses.HTMLResponse", "fastapi.HTMLResponse"}
)
# HttpResponse and its error-status subclasses (not the redirects, not 304 Not Modified).
DJANGO_RESPONSE = frozenset(
    f"django.http{module}.{name}"
    for module in ("", ".response")
    for name in (
        "HttpResponse", "HttpResponseBase", "HttpResponseBadRequest", "HttpResponseForbidden", "HttpResponseGone",
        "HttpResponseNotAllowed", "HttpResponseNotFound", "HttpResponseServerError",
    )
)
HTML_RESPONSES = HTML_BY_DEFAULT | HTML_ALWAYS | DJANGO_RESPONSE
TYPE_KEYWORDS = ("mimetype", "content_type", "media_type")
STRING_RETURN_FRAMEWORKS = ("flask", "quart", "bottle")
# Calls that mark text as already-safe HTML.
MARK_SAFE = frozenset(
    {
        "markupsafe.Markup", "flask.Markup", "jinja2.Markup", "jinja2.utils.Markup", "django.utils.safestring.mark_safe",
        "django.utils.safestring.SafeString", "django.utils.safestring.SafeText", "django.utils.html.format_html",
        "django.utils.html.mark_safe", "django.template.defaultfilters.safe",
    }
)
HTML_TAG = re.compile(r"</?[a-zA-Z][\w-]*[\s>/]")


def is_html_response(callee: str) -> bool:
    return callee in HTML_RESPONSES


def returns_html(func: ast.AST | None, ctx) -> bool:
    """A Flask/Quart/Bottle route, whose returned string is sent as `text/html`."""
    if func is None or not ctx.route_decorators(func):
        return False
    roots = {target.split(".")[0] for target in ctx.module.imports.values()}
    return bool(roots & set(STRING_RETURN_FRAMEWORKS)) and "fastapi" not in roots


def proxy_html_body(node: ast.Dict, ctx) -> ast.expr | None:
    """The `"body"` of an API Gateway / Lambda proxy response dict whose `Content-Type` header is HTML:
    `{"statusCode": 200, "headers": {"Content-Type": "text/html"}, "body": page}`."""
    entries = {k.value: v for k, v in zip(node.keys, node.values) if isinstance(k, ast.Constant) and isinstance(k.value, str)}
    body, headers = entries.get("body"), entries.get("headers")
    if body is None or not isinstance(headers, ast.Dict):
        return None
    for key, value in zip(headers.keys, headers.values):
        if isinstance(key, ast.Constant) and str(key.value).lower() == "content-type":
            declared = ctx.constant_value(value)
            return body if isinstance(declared, str) and "html" in declared.lower() else None
    return None
