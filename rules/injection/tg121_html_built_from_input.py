"""TG121: HTML markup assembled by string formatting around user input."""

from __future__ import annotations

import ast

from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.injection._html import (
    HTML_TAG,
    MARK_SAFE,
    escape_fix,
    is_html_response,
    proxy_html_body,
    returns_html,
)
from tabguard.rules.injection._strings import constant_text, is_string_building


class HtmlBuiltFromInput(Rule):
    id = "TG121"
    name = "html-built-from-input"
    severity = "medium"
    confidence = "medium"
    cwe = (79, 80)
    owasp = "A05:2025"
    message = "HTML built by string formatting from user input ({source})"
    placeholders = {"source": "request data"}
    aliases = ()
    call_names = frozenset({"format"})
    what = (
        "Builds HTML markup with string formatting around {source}, so the value is part of the markup "
        "wherever the string goes next (a template context, a JSON field rendered with `innerHTML`, "
        "an email, a stored page)."
    )
    why = (
        "`'<a href=\"/u/' + name + '\">'` with a name of `\"><script>...</script>` closes the attribute and "
        "injects script. Hand-built HTML skips the escaping templates would apply, and once stored it is "
        "usually marked safe or rendered raw somewhere later (stored XSS)."
    )
    how = (
        "Build markup in a template, or escape each value as it is inserted: `markupsafe.escape`, "
        "`html.escape`, Django's `format_html(\"<a href='{{}}'>\", url)`."
    )
    example = 'link = format_html("<a href=\\"/u/{}\\">{}</a>", name, name)\nlink = f"<b>{escape(name)}</b>"'
    fix_safety = (
        "Unsafe: each value from user input spliced into the markup is wrapped in "
        "`html.escape(str(...))`; text containing `<`, `&` or quotes now shows literally."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/79.html",
        "https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html",
    )
    VALID = (
        'from markupsafe import escape\ndef v(request):\n    return {"html": f"<b>{escape(request.GET[\'q\'])}</b>"}\n',
        'def v(request):\n    return {"text": "Results for " + request.GET["q"]}\n',
        'def render(name):\n    return f"<b>{name}</b>"\n',
        # The loop variable escaped on every pass before it is used.
        "from markupsafe import escape\ndef environ_rows(request):\n    rows = []\n"
        "    for key, value in request.environ.items():\n        value = escape(repr(value))\n"
        '        rows.append(f"<tr><th>{escape(key)}</th><td>{value}</td></tr>")\n    return {"rows": rows}\n',
    )
    INVALID = (
        Invalid(
            "from markupsafe import escape\ndef environ_rows(request):\n    rows = []\n"
            "    for key, value in request.environ.items():\n        if key.startswith('HTTP_'):\n"
            "            value = escape(repr(value))\n"
            '        rows.append(f"<tr><th>{escape(key)}</th><td>{value}</td></tr>")\n    return {"rows": rows}\n',
            "import html\nfrom markupsafe import escape\ndef environ_rows(request):\n    rows = []\n"
            "    for key, value in request.environ.items():\n        if key.startswith('HTTP_'):\n"
            "            value = escape(repr(value))\n"
            '        rows.append(f"<tr><th>{escape(key)}</th><td>{html.escape(str(value))}</td></tr>")\n    return {"rows": rows}\n',
        ),
        Invalid(
            'from django.shortcuts import render\ndef v(request):\n    text = request.GET["q"]\n'
            "    context = {\"html\": '<a href=\"/search?q=' + text + '\">again</a>'}\n"
            '    return render(request, "r.html", context)\n',
            (
                'import html\nfrom django.shortcuts import render\ndef v(request):\n    text = request.GET["q"]\n'
                "    context = {\"html\": '<a href=\"/search?q=' + html.escape(str(text)) + '\">again</a>'}\n"
                '    return render(request, "r.html", context)\n'
            ),
        ),
        Invalid(
            'import json\ndef handler(event, context):\n    return {"body": json.dumps({"html": f"<div>{event[\'input\']}</div>"})}\n',
            (
                "import html\nimport json\ndef handler(event, context):\n"
                '    return {"body": json.dumps({"html": f"<div>{html.escape(str(event[\'input\']))}</div>"})}\n'
            ),
        ),
    )

    def visit_JoinedStr(self, node: ast.JoinedStr, ctx) -> None:
        self._check(node, ctx)

    def visit_BinOp(self, node: ast.BinOp, ctx) -> None:
        if isinstance(node.op, (ast.Add, ast.Mod)):
            self._check(node, ctx)

    def visit_Call(self, node: ast.Call, ctx) -> None:
        if isinstance(node.func, ast.Attribute) and node.func.attr == "format":
            self._check(node, ctx)

    def _check(self, node: ast.expr, ctx) -> None:
        parent = ctx.parent(node)
        if isinstance(parent, (ast.BinOp, ast.JoinedStr, ast.FormattedValue)):
            return  # the outermost string expression is checked
        # The cheap, selective tests first: most strings are not HTML, most values not user input.
        if not HTML_TAG.search(constant_text(node, ctx)) or not is_string_building(node, ctx):
            return
        source = ctx.taint(node)
        if source is None:
            return
        if isinstance(parent, ast.Call) and node in parent.args:
            callee = ctx.call_name(parent) or ""
            if callee in MARK_SAFE or is_html_response(callee):
                return  # TG109 / TG110 report this use
        if isinstance(parent, ast.Return) and returns_html(ctx.function, ctx):
            return  # TG110
        if isinstance(parent, ast.Assign) and _sent_as_page(parent, ctx):
            return  # TG110 reports where the page is sent
        ctx.report(self, node, details={"source": source.label}, source=source, fix=escape_fix(ctx, node))


def _sent_as_page(assign: ast.Assign, ctx) -> bool:
    """`page = "<h1>%s</h1>" % name` that the function later sends as an HTML response
    (`return page` from a route, `HttpResponse(page)`, a Lambda proxy response): TG110 reports it there."""
    names = {t.id for t in assign.targets if isinstance(t, ast.Name)}
    if not names:
        return False
    route = returns_html(ctx.function, ctx)
    for node in ctx.scope_nodes():
        if getattr(node, "lineno", 0) <= assign.lineno:
            continue
        if route and isinstance(node, ast.Return) and isinstance(node.value, ast.Name) and node.value.id in names:
            return True
        if (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id in names
            and is_html_response(ctx.call_name(node) or "")
        ):
            return True
        if isinstance(node, ast.Dict):
            body = proxy_html_body(node, ctx)
            if isinstance(body, ast.Name) and body.id in names:
                return True
    return False
