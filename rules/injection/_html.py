"""Shared by the XSS rules: where HTML reaches a browser without escaping."""

from __future__ import annotations

import ast
import re

from tabguard.engine.fixes import edits_fix
from tabguard.rules._spelling import spell
from tabguard.rules.injection._rewrite import wrap_values
from tabguard.rules.injection._strings import built_string, built_strings, formatted_pieces

# Response classes whose body is HTML unless another content type is given.
HTML_BY_DEFAULT = frozenset(
    {
        "flask.make_response",
        "flask.Response",
        "werkzeug.Response",
        "werkzeug.wrappers.Response",
        "quart.make_response",
        "pyramid.response.Response",
        "pyramid.Response",
        "webob.Response",
    }
)
HTML_ALWAYS = frozenset({"fastapi.responses.HTMLResponse", "starlette.responses.HTMLResponse", "fastapi.HTMLResponse"})
# HttpResponse and its error-status subclasses (not the redirects, not 304 Not Modified).
DJANGO_RESPONSE = frozenset(
    f"django.http{module}.{name}"
    for module in ("", ".response")
    for name in (
        "HttpResponse",
        "HttpResponseBase",
        "HttpResponseBadRequest",
        "HttpResponseForbidden",
        "HttpResponseGone",
        "HttpResponseNotAllowed",
        "HttpResponseNotFound",
        "HttpResponseServerError",
    )
)
HTML_RESPONSES = HTML_BY_DEFAULT | HTML_ALWAYS | DJANGO_RESPONSE
TYPE_KEYWORDS = ("mimetype", "content_type", "media_type")
STRING_RETURN_FRAMEWORKS = ("flask", "quart", "bottle")
# Calls that mark text as already-safe HTML.
MARK_SAFE = frozenset(
    {
        "markupsafe.Markup",
        "flask.Markup",
        "jinja2.Markup",
        "jinja2.utils.Markup",
        "django.utils.safestring.mark_safe",
        "django.utils.safestring.SafeString",
        "django.utils.safestring.SafeText",
        "django.utils.html.format_html",
        "django.utils.html.mark_safe",
        "django.template.defaultfilters.safe",
    }
)
HTML_TAG = re.compile(r"</?[a-zA-Z][\w-]*[\s>/]")
FLASK_RENDER = frozenset({"flask.render_template", "flask.templating.render_template", "quart.render_template"})
# Flask's `select_jinja_autoescape`: only templates named like this are auto-escaped.
_AUTOESCAPED = (".html", ".htm", ".xml", ".xhtml", ".svg")


def is_html_response(callee: str) -> bool:
    return callee in HTML_RESPONSES


def returns_html(func: ast.AST | None, ctx) -> bool:
    """A Flask/Quart/Bottle route, whose returned string is sent as `text/html`."""
    if func is None or not ctx.route_decorators(func):
        return False
    roots = {target.split(".")[0] for target in ctx.module.imports.values()}
    return bool(roots & set(STRING_RETURN_FRAMEWORKS)) and "fastapi" not in roots


def unescaped_template(call: ast.Call, ctx) -> str | None:
    """The template a Flask `render_template` call renders without auto-escaping, as written (a
    literal or constant name, or the name expression when only its ending is known: `name + ".txt"`,
    `"%s.txt" % kind`); None for a name ending in .html/.htm/.xml/.xhtml/.svg or an unknown one."""
    if (ctx.call_name(call) or "") not in FLASK_RENDER or not call.args:
        return None
    known = _name_ending(call.args[0], ctx)
    if known is None:
        return None
    whole, text = known
    if text.lower().endswith(_AUTOESCAPED) or (not whole and "." not in text.rpartition("/")[2]):
        return None  # escaped, or an ending (`+ "_mail"`) that does not give the extension
    return text if whole else ctx.segment(ctx.span(call.args[0]))


def _name_ending(expr: ast.expr, ctx, depth: int = 0) -> tuple[bool, str] | None:
    """(True, name) for a name known whole, (False, its last literal text) for one built with a
    literal ending, else None."""
    value = ctx.constant_value(expr)
    if isinstance(value, str):
        return True, value
    if isinstance(expr, ast.Name):
        values = ctx.model.values(expr)
        return _name_ending(values[0], ctx, depth + 1) if values and len(values) == 1 and depth < 2 else None
    parts = formatted_pieces(expr)
    return (False, parts[-1]) if parts and isinstance(parts[-1], str) and parts[-1] else None


def sent_as_page(node: ast.expr, ctx, depth: int = 0) -> bool:
    """`node`'s text leaves the function as the HTML body of its response: returned alone, first in a
    `(body, status, headers)` tuple, through a string method (`.replace(...)`), through
    `make_response`/`Response` or a local that is returned; not when a non-HTML content type is
    declared (`{"Content-Type": "text/plain"}`, `mimetype="text/plain"`)."""
    child, parent = node, ctx.parent(node)
    while parent is not None:
        if isinstance(parent, ast.Return):
            return True
        if isinstance(parent, ast.Tuple):
            if parent.elts[0] is not child or _declares_plain(parent.elts[1:], ctx):
                return False
        elif isinstance(parent, ast.Attribute) and parent.value is child:
            call = ctx.parent(parent)
            if not (isinstance(call, ast.Call) and call.func is parent):
                return False
            parent = call  # `text.replace(a, b)`: still the text
        elif isinstance(parent, ast.Call):
            if not (is_html_response(ctx.call_name(parent) or "") and parent.args and parent.args[0] is child):
                return False
            declared = [k.value for k in parent.keywords if k.arg in TYPE_KEYWORDS]
            if any(not _html_type(ctx.constant_value(v)) for v in declared):
                return False
        elif isinstance(parent, ast.Assign) and depth == 0:
            return _returned_local(parent, child, ctx)
        else:
            return False
        child, parent = parent, ctx.parent(parent)
    return False


def _returned_local(assign: ast.Assign, value: ast.expr, ctx) -> bool:
    """`page = render(...)` ... `return page`."""
    if len(assign.targets) != 1 or not isinstance(assign.targets[0], ast.Name) or assign.value is not value:
        return False
    target = assign.targets[0]
    scope = ctx.model.scope_of(target)
    binding = next((b for b in ctx.model.bindings(scope, target.id) if b.node is assign), None) if scope else None
    return binding is not None and any(sent_as_page(use, ctx, 1) for use in ctx.model.uses(binding))


def _declares_plain(rest: list[ast.expr], ctx) -> bool:
    """A `headers` dict in a returned tuple that gives a content type other than HTML."""
    for headers in rest:
        if isinstance(headers, ast.Dict):
            for key, value in zip(headers.keys, headers.values):
                if isinstance(key, ast.Constant) and str(key.value).lower() == "content-type":
                    return not _html_type(ctx.constant_value(value))
    return False


def _html_type(declared: object) -> bool:
    """An HTML content type, or one not known here (a variable)."""
    return not isinstance(declared, str) or "html" in declared.lower()


def proxy_html_body(node: ast.Dict, ctx) -> ast.expr | None:
    """The `"body"` of an API Gateway / Lambda proxy response dict whose `Content-Type` header is HTML:
    `{"statusCode": 200, "headers": {"Content-Type": "text/html"}, "body": page}`."""
    entries = {
        k.value: v for k, v in zip(node.keys, node.values) if isinstance(k, ast.Constant) and isinstance(k.value, str)
    }
    body, headers = entries.get("body"), entries.get("headers")
    if body is None or not isinstance(headers, ast.Dict):
        return None
    for key, value in zip(headers.keys, headers.values):
        if isinstance(key, ast.Constant) and str(key.value).lower() == "content-type":
            declared = ctx.constant_value(value)
            return body if isinstance(declared, str) and "html" in declared.lower() else None
    return None


def escape_fix(ctx, body: ast.expr, *, only_tainted: bool = True, escaped: frozenset[str] = frozenset()):
    """Wrap each value spliced into the markup `body` (an f-string, `+`, `%` or `.format`, inline or
    in a local built earlier in the function) in `html.escape(str(...))`; `body` itself when it is
    the value. Values from user input only, unless `only_tainted` is False. None when a value
    cannot be wrapped where it is written (a format spec, an f-string position that is off). Calls
    named in `escaped` (`escape(x)`) are left as they are."""
    if _rendered_as_template(ctx):
        return None
    parts: list = []
    for built in built_strings(body, ctx) or ():  # every branch that builds the markup
        pieces = formatted_pieces(built) or _joined_pieces(built)
        if pieces is None or _unused_format_arguments(built, pieces):
            return None
        parts.extend(pieces)
    if not parts:
        if built_string(body, ctx) is not None:
            return None  # built through another name: not rewritten
        parts = [body]
    values = [
        p
        for p in parts
        if not isinstance(p, str)
        and (not only_tainted or ctx.taint(p) is not None)
        and not (isinstance(p, ast.Call) and (ctx.call_name(p) or "").rsplit(".", 1)[-1] in escaped)
    ]
    if not values or any(isinstance(v, ast.FormattedValue) for v in values):
        return None
    escape, imports = spell(ctx, "html.escape")
    edits = wrap_values(ctx, values, escape + "(str({}))")
    return edits_fix(edits, "Fix: escape the values with html.escape", safe=False, imports=imports) if edits else None


def _joined_pieces(built: ast.expr) -> list | None:
    """`sep.join(f"<p>{x}</p>" for x in xs)`, `sep.join([a, f"<b>{b}</b>"])`: the pieces of the
    joined elements as they are written."""
    if not (isinstance(built, ast.Call) and isinstance(built.func, ast.Attribute) and built.func.attr == "join"):
        return None
    joined = built.args[0] if len(built.args) == 1 else None
    if isinstance(joined, (ast.GeneratorExp, ast.ListComp)):
        elements = [joined.elt]
    elif isinstance(joined, (ast.List, ast.Tuple)):
        elements = list(joined.elts)
    else:
        return None
    return [piece for element in elements for piece in formatted_pieces(element) or [element]]


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
