"""TG423: an authentication decorator written above the route decorator, where it does not guard the route."""

from __future__ import annotations

import ast

from tabguard.engine.facts import dotted_name
from tabguard.engine.rule import Invalid, Rule
from tabguard.engine.types import Edit, Fix
from tabguard.guards import authenticating_decorator
from tabguard.routes import decorator_routes, framework_of


class AuthDecoratorAboveRoute(Rule):
    id = "TG423"
    name = "auth-decorator-above-route"
    severity = "high"
    confidence = "high"
    cwe = (306, 862)
    owasp = "A07:2025"
    message = "`@{decorator}` sits above `@{route}`: the route was registered without it"
    placeholders = {"decorator": "login_required", "route": "app.route"}
    what = (
        "`@{decorator}` is written above the route decorator `@{route}`. Decorators apply from the bottom up: "
        "`@{route}` registers the plain function first, and `@{decorator}` wraps it afterwards, so the URL "
        "serves the unprotected function."
    )
    why = (
        "The code reads as protected in review, and the route is open to anyone: the login check never runs. "
        "Flask, Quart and FastAPI all register the function the route decorator receives; moving lines "
        'around (or an assistant listing decorators "most important first") is enough to lose the check.'
    )
    how = "Put the route decorator first (outermost), the authentication and permission decorators below it."
    example = '@app.route("/settings")\n@login_required\ndef settings():\n    ...'
    fix_safety = (
        "Unsafe: the decorators are reordered so the route registers the protected function, as was "
        "intended; requests without credentials, which reached the view until now, are refused."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/306.html",
        "https://owasp.org/Top10/2025/A07_2025-Authentication_Failures/",
        "https://flask.palletsprojects.com/en/stable/patterns/viewdecorators/",
    )
    VALID = (
        "from flask import Flask\napp = Flask(__name__)\n@app.route('/settings')\n@login_required\ndef settings():\n    pass\n",
        # a decorator that is not authentication may sit anywhere
        "from flask import Flask\napp = Flask(__name__)\n@cache.cached(60)\n@app.get('/feed')\ndef feed():\n    pass\n",
        # Django views have no route decorator
        "from django.contrib.auth.decorators import login_required\n@login_required\ndef home(request):\n    pass\n",
    )
    INVALID = (
        Invalid(
            "from flask import Flask\napp = Flask(__name__)\n@login_required\n@app.route('/settings')\ndef settings():\n    pass\n",
            "from flask import Flask\napp = Flask(__name__)\n@app.route('/settings')\n@login_required\ndef settings():\n    pass\n",
        ),
        Invalid(
            "from flask import Blueprint\nbp = Blueprint('admin', __name__)\n@admin_required\n@jwt_required()\n"
            "@bp.delete('/users/<int:uid>')\ndef delete_user(uid):\n    pass\n",
            "from flask import Blueprint\nbp = Blueprint('admin', __name__)\n@bp.delete('/users/<int:uid>')\n"
            "@admin_required\n@jwt_required()\ndef delete_user(uid):\n    pass\n",
        ),
    )

    def visit_FunctionDef(self, node: ast.AST, ctx) -> None:
        decls = decorator_routes(node)
        if not decls or framework_of(ctx.module.imports) not in ("flask", "fastapi", "unknown"):
            return
        first_route = min(node.decorator_list.index(d.node) for d in decls)
        above = [d for d in node.decorator_list[:first_route] if _authenticates(d, ctx)]
        if not above:
            return
        route = dotted_name(decls[0].node.func) or "route"
        ctx.report(
            self,
            above[0],
            details={"decorator": dotted_name(_callee(above[0])) or "", "route": route},
            fix=_fix(ctx, node, first_route),
        )

    visit_AsyncFunctionDef = visit_FunctionDef


def _callee(decorator: ast.AST) -> ast.AST:
    return decorator.func if isinstance(decorator, ast.Call) else decorator


def _authenticates(decorator: ast.AST, ctx) -> bool:
    name = ctx.qualname(_callee(decorator)) or dotted_name(_callee(decorator)) or ""
    return bool(name) and authenticating_decorator(name, ctx.options)


def _fix(ctx, node: ast.AST, first_route: int):
    """Move the decorators above the first route decorator to just below the route decorators."""
    decorators = node.decorator_list
    if any(d.lineno == e.lineno for d in decorators for e in decorators if d is not e):
        return None  # several on one line: leave it to a person
    lines = [ctx.segment(ctx.span(d)) for d in decorators]
    if any("\n" in text for text in lines):
        return None
    last_route = max(i for i, d in enumerate(decorators) if d in {r.node for r in decorator_routes(node)})
    order = decorators[first_route : last_route + 1] + decorators[:first_route] + decorators[last_route + 1 :]
    indent = " " * node.col_offset
    first = ctx.span(decorators[0])
    end = ctx.span(decorators[-1])
    text = "\n".join(f"{indent if i else ''}@{ctx.segment(ctx.span(d))}" for i, d in enumerate(order))
    span = first._replace(start_col=first.start_col - 1, end_line=end.end_line, end_col=end.end_col)
    return lambda: Fix("Fix: put the route decorator first", (Edit(span, text),), False)
