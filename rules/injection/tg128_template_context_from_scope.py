"""TG128: a template rendered with `locals()` or `globals()` as its context."""

from __future__ import annotations

import ast

from tabguard.engine.rule import Invalid, Rule

# Calls that take a template context (Django, Flask/Quart, Jinja2 and Mako `.render`, Starlette).
_RENDER_CALLS = frozenset(
    {
        "render",
        "render_to_response",
        "render_to_string",
        "TemplateResponse",
        "SimpleTemplateResponse",
        "render_template",
        "render_template_string",
        "stream_template",
        "render_async",
        "Context",
        "RequestContext",
    }
)
# `locals()`, `globals()` and `vars()` (no argument: the local namespace).
_SCOPE_DICTS = frozenset({"locals", "globals", "vars"})
_MAX_DEPTH = 3


class TemplateContextFromScope(Rule):
    id = "TG128"
    name = "template-context-from-scope"
    severity = "low"
    confidence = "medium"
    cwe = (200,)
    owasp = "A01:2025"
    message = "Template rendered with `{scope}()` as its context: every {kind} variable is handed to it"
    placeholders = {"scope": "locals", "kind": "local"}
    call_names = _RENDER_CALLS
    what = (
        "The template receives `{scope}()`: every {kind} name (passwords, tokens, the user object, "
        "query results, and with `globals()` the imported modules and settings) becomes a template "
        "variable, not just the values the page shows."
    )
    why = (
        "What a template can reach, it can print: Django's `{{% debug %}}` tag, an error page, a later "
        "template edit or an include written for another view dumps the whole context, so a `password` "
        "or `api_key` variable of the view leaks into the page. With `globals()` the context holds "
        "`settings` (`{{{{ settings.SECRET_KEY }}}}`) and modules such as `os`; a template injection "
        "(TG108) then needs no gadget chain to reach them."
    )
    how = (
        'Pass an explicit dictionary of the values the template shows: `render(request, "p.html", {{"order": order}})`.'
    )
    example = 'return render(request, "orders/detail.html", {"order": order, "items": items})'
    fix_safety = "No automatic rewrite: which names the template uses is read from the template, not from the view."
    references = (
        "https://cwe.mitre.org/data/definitions/200.html",
        "https://docs.djangoproject.com/en/stable/ref/templates/builtins/#debug",
    )
    VALID = (
        "from django.shortcuts import render\ndef detail(request, pk):\n    order = get_order(pk)\n"
        '    return render(request, "detail.html", {"order": order})\n',
        'from flask import render_template\ndef page(title):\n    return render_template("page.html", title=title)\n',
        # Not a template: a debugging dump of the namespace is another matter.
        'import logging\ndef f(x):\n    logging.debug("state: %s", locals())\n',
        "def show(template, obj):\n    return template.render(vars(obj))\n",
    )
    INVALID = (
        Invalid(
            "from django.shortcuts import render\ndef profile(request):\n    user = request.user\n"
            '    api_key = user.profile.api_key\n    return render(request, "profile.html", locals())\n'
        ),
        Invalid(
            'from django.shortcuts import render\ndef search(request, q=""):\n    context = locals()\n'
            '    return render(request, "search.html", context)\n'
        ),
        Invalid(
            'from flask import render_template\ndef home(name):\n    return render_template("home.html", **globals())\n'
        ),
        Invalid("from jinja2 import Template\ndef mail(user, token):\n    return Template(BODY).render(**locals())\n"),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
        if name not in _RENDER_CALLS:
            return
        for value in (*node.args, *(k.value for k in node.keywords)):
            scope = _scope_dict(value, ctx)
            if scope is not None:
                kind = "module-level" if scope == "globals" else "local"
                ctx.report(self, value, details={"scope": scope, "kind": kind})
                return


def _scope_dict(expr: ast.expr, ctx, depth: int = 0) -> str | None:
    """`locals`, `globals` or `vars` when `expr` is that namespace (a call, a local holding it, or a
    dict that unpacks it: `{**locals(), "x": 1}`, `dict(locals(), x=1)`)."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(expr, ast.Call):
        callee = ctx.call_name(expr) or ""
        if callee in _SCOPE_DICTS and not expr.args and not expr.keywords:
            return "locals" if callee == "vars" else callee
        if callee == "dict":
            return next(filter(None, (_scope_dict(a, ctx, depth + 1) for a in expr.args)), None)
        return None
    if isinstance(expr, ast.Dict):
        return next(
            filter(None, (_scope_dict(v, ctx, depth + 1) for k, v in zip(expr.keys, expr.values) if k is None)), None
        )
    if isinstance(expr, ast.Name):
        values = ctx.model.values(expr)
        return _scope_dict(values[0], ctx, depth + 1) if values and len(values) == 1 else None
    return None
