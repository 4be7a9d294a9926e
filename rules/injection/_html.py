"""Shared by the XSS rules: where HTML reaches a browser without escaping."""

from __future__ import annotations

import ast
import re

from tabguard.engine.fixes import edits_fix
from tabguard.rules._spelling import spell
from tabguard.rules.injection._rewrite import wrap_values
from tabguard.rules.injection._strings import built_string, formatted_pieces, is_string_building

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


def escape_fix(ctx, body: ast.expr, *, only_tainted: bool = True):
    """Wrap each value spliced into the markup `body` (an f-string, `+`, `%` or `.format`, inline or
    in a local built earlier in the function) in `html.escape(str(...))`; `body` itself when it is
    the value. Values from user input only, unless `only_tainted` is False. None when a value
    cannot be wrapped where it is written (a format spec, an f-string position that is off)."""
    built = body if is_string_building(body, ctx) else built_string(body, ctx)
    parts = formatted_pieces(built) if built is not None else [body]
    if parts is None or _unused_format_arguments(built, parts) or _rendered_as_template(ctx):
        return None
    values = [p for p in parts if not isinstance(p, str) and (not only_tainted or ctx.taint(p) is not None)]
    if not values or any(isinstance(v, ast.FormattedValue) for v in values):
        return None
    escape, imports = spell(ctx, "html.escape")
    edits = wrap_values(ctx, values, escape + "(str({}))")
    return edits_fix(edits, "Fix: escape the values with html.escape", safe=False, imports=imports) if edits else None


def _unused_format_arguments(built, parts) -> bool:
    """`"{}".format(a, b)`: `b` is not in the text but still reaches the call; escaping only `a`
    would leave the finding."""
    if not (isinstance(built, ast.Call) and isinstance(built.func, ast.Attribute) and built.func.attr == "format"):
        return False
    used = {id(p) for p in parts if not isinstance(p, str)}
    return any(id(a) not in used for a in (*built.args, *(k.value for k in built.keywords)))


def _rendered_as_template(ctx) -> bool:
    """Markup handed to `render_template_string` in the same function is template source: escaping
    its values does not stop template injection (TG108's case)."""
    return any(
        isinstance(node, ast.Call) and (ctx.call_name(node) or "").endswith("render_template_string")
        for node in ctx.scope_nodes()
    )
