"""TG508's rewrite: the redirect target, held in a name, is checked just before the redirect and
replaced by the site's root when it could leave the site.

Django code gets Django's own check (`url_has_allowed_host_and_scheme` against the request's host);
other code accepts only a path on this host: it starts with one `/` (not `//` or `/\\`, which
browsers read as another host) and has no network location once parsed.
"""

from __future__ import annotations

import ast

from tabguard.engine.facts import uses_django
from tabguard.engine.fixes import edits_fix, insert_before
from tabguard.engine.types import Edit
from tabguard.rules.injection._strings import source_of

TITLE = "Fix: redirect only to a path on this site, else to /"
_DJANGO_CHECK = "from django.utils.http import url_has_allowed_host_and_scheme"
_URLSPLIT = "from urllib.parse import urlsplit"


def guard_fix(ctx, call: ast.Call, target: ast.expr):
    """None unless the redirect's statement starts its line and the target is a local name or
    parameter, or an expression the statement passes straight to the redirect (`return
    redirect(request.args.get("next"))`), which is first held in `next_url`."""
    function = ctx.function
    statement = ctx.parent(call)
    while statement is not None and not isinstance(statement, ast.stmt):
        statement = ctx.parent(statement)
    if function is None or statement is None or statement is function:
        return None
    held = []
    if isinstance(target, ast.Name):
        name = target.id
    elif _passed_straight(statement, call) and not any(
        isinstance(n, ast.Name) and n.id == _HOLDER for n in ctx.scope_nodes()
    ):
        name = _HOLDER
        held = [f"{name} = {source_of(target, ctx)}"]
    else:
        return None
    params = {a.arg for a in (*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs)}
    if uses_django(ctx.module.imports) and "request" in params:
        test = f"not url_has_allowed_host_and_scheme({name}, allowed_hosts={{request.get_host()}})"
        spec = _DJANGO_CHECK
    else:
        test = f'not {name} or urlsplit({name}).netloc or not {name}.startswith("/") or {name}.startswith("/\\\\")'
        spec = _URLSPLIT
    edit = insert_before(ctx, statement, "\n".join([*held, f"if {test}:", f'    {name} = "/"']))
    if edit is None:
        return None
    edits = [edit, Edit(ctx.span(target), name)] if held else [edit]
    return edits_fix(edits, TITLE, safe=False, imports=(spec,))


_HOLDER = "next_url"


def _passed_straight(statement: ast.stmt, call: ast.Call) -> bool:
    """`return redirect(x)`, `redirect(x)` or `response = redirect(x)` with nothing else evaluated
    before the target: holding it in a variable first changes no order of effects."""
    value = statement.value if isinstance(statement, (ast.Return, ast.Expr, ast.Assign)) else None
    earlier = call.args[1:] + [k.value for k in call.keywords]
    return value is call and all(isinstance(a, (ast.Constant, ast.Name)) for a in earlier)
