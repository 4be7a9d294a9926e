"""Which variables a template renders without escaping: marked `|safe` (Jinja2 and Django), or all
of them under `{% autoescape false %}` / Django's `{% autoescape off %}`. A loop variable marked safe
marks the sequence it walks (`{% for post in posts %}{{ post.body|safe }}`)."""

from __future__ import annotations

import ast
import re
from typing import Optional

from tabguard.engine.templates import template_text

MARKED_SAFE = re.compile(r"\{\{-?\s*(\w+)[^{}]*?\|\s*safe(?:seq)?\b")
AUTOESCAPE_OFF = re.compile(r"\{%-?\s*autoescape\s+(?:false|off)\b")
_LOOP = re.compile(r"\{%-?\s*for\s+([\w\s,]+?)\s+in\s+(\w+)")
# Django's renderers: callee -> (position of the template name, position of the context).
DJANGO_RENDER = {
    "django.shortcuts.render": (1, 2),
    "django.shortcuts.render_to_response": (0, 1),
    "django.template.loader.render_to_string": (0, 1),
    "django.template.response.TemplateResponse": (1, 2),
}


def unescaped_names(text: str) -> tuple[bool, frozenset[str]]:
    """(escaping switched off for the whole template, the names marked safe)."""
    marked = set(MARKED_SAFE.findall(text))
    for targets, sequence in _LOOP.findall(text):
        if marked & {t.strip() for t in targets.split(",")}:
            marked.add(sequence)
    return AUTOESCAPE_OFF.search(text) is not None, frozenset(marked)


def file_context(call: ast.Call, callee: str, ctx) -> Optional[tuple[str, list[ast.keyword]]]:
    """The template file a render call names (a literal) and its variables as keywords: Flask's
    `render_template("t.html", q=q)`, Django's `render(request, "t.html", {"q": q})`."""
    if callee in DJANGO_RENDER:
        name_at, context_at = DJANGO_RENDER[callee]
        name = ctx.argument(call, name_at, "template_name")
        context = ctx.argument(call, context_at, "context")
        if isinstance(context, ast.Name) and ctx.function is not None:
            context = ctx.model.value_of(context)
        variables = (
            [
                ast.keyword(arg=k.value, value=v)
                for k, v in zip(context.keys, context.values)
                if isinstance(k, ast.Constant) and isinstance(k.value, str)
            ]
            if isinstance(context, ast.Dict)
            else []
        )
    else:
        name = call.args[0] if call.args else None
        variables = [k for k in call.keywords if k.arg is not None]
    if not (isinstance(name, ast.Constant) and isinstance(name.value, str) and variables):
        return None
    return name.value, variables


def unescaped_variables(call: ast.Call, callee: str, ctx) -> Optional[tuple[bool, list[ast.keyword]]]:
    """The variables a render call passes that its template file shows unescaped, with whether
    escaping is off altogether; None when the template is not found."""
    found = file_context(call, callee, ctx)
    if found is None:
        return None
    name, variables = found
    text = template_text(ctx.path, name)
    if text is None or "safe" not in text and "autoescape" not in text:
        return None
    off, marked = unescaped_names(text)
    chosen = [k for k in variables if off or k.arg in marked]
    return (off, chosen) if chosen else None
