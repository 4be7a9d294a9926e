"""TG414: a route without the authentication decorator that every other route of its module wears."""

from __future__ import annotations

import ast

from tabguard.engine.fixes import text_fix
from tabguard.engine.rule import Invalid, Rule
from tabguard.engine.types import Span
from tabguard.routes import is_public
from tabguard.rules.access._handlers import handler, route_label, route_span
from tabguard.rules.access._siblings import public_by_design, sibling_decorator


class RouteMissingSiblingAuth(Rule):
    id = "TG414"
    name = "route-missing-sibling-auth"
    severity = "high"
    confidence = "medium"
    cwe = (306,)
    owasp = "A07:2025"
    message = "`{route}` lacks `@{decorator}`, which every other route in this module uses"
    placeholders = {"route": "/api/invoices/<int:invoice_id>/pdf", "decorator": "login_required"}
    what = (
        "Every other route of this module is wrapped in `@{decorator}`; the handler for `{route}` is not, "
        "and nothing in its body checks who is calling. It is reachable without signing in."
    )
    why = (
        "This is the commonest shape of a missing authentication check in assistant-written code (CWE-306): "
        'asked to "add an endpoint that exports the invoice as PDF", the assistant copies the body of a '
        "neighbouring view and drops its decorator. The new route then serves every customer's data to "
        "anyone who can guess the URL, while the rest of the module looks protected in review."
    )
    how = (
        "Add the same decorator the sibling routes use, below the route decorator (Flask registers the "
        "function the route decorator receives, so `@{decorator}` must sit under it). If the route is "
        "public on purpose, mark it (`@login_not_required`, or list it in `public-routes` in `[tool.tabguard]`)."
    )
    example = (
        '@app.get("/api/invoices/<int:invoice_id>/pdf")\n@login_required\ndef invoice_pdf(invoice_id):\n'
        "    invoice = Invoice.query.filter_by(id=invoice_id, owner_id=current_user.id).first_or_404()\n"
        "    return render_pdf(invoice)"
    )
    fix_safety = (
        "Unsafe: the decorator is the one every sibling already uses (imported in this module), but "
        "anonymous clients of the route now get the login redirect or a 401, and a route that is public "
        "on purpose (a webhook, a health check) stops working for them."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/306.html",
        "https://owasp.org/Top10/2025/A07_2025-Authentication_Failures/",
        "https://flask-login.readthedocs.io/en/latest/#flask_login.login_required",
    )
    _SIBLINGS = (
        "from flask import Flask, jsonify\nfrom flask_login import login_required, current_user\napp = Flask(__name__)\n"
        "@app.get('/api/invoices')\n@login_required\ndef invoices():\n    return jsonify(current_user.invoices)\n"
        "@app.post('/api/invoices')\n@login_required\ndef create_invoice():\n    return jsonify(ok=True)\n"
    )
    VALID = (
        _SIBLINGS
        + "@app.get('/api/invoices/<int:invoice_id>/pdf')\n@login_required\ndef invoice_pdf(invoice_id):\n    return render_pdf(invoice_id)\n",
        # public by design
        _SIBLINGS
        + "@app.route('/login', methods=['GET', 'POST'])\ndef login():\n    return render_template('login.html')\n",
        _SIBLINGS + "@app.get('/health')\ndef health():\n    return 'ok'\n",
        # checked in the body
        _SIBLINGS
        + "@app.get('/api/me')\ndef me():\n    if not current_user.is_authenticated:\n        abort(401)\n    return jsonify(id=current_user.id)\n",
        # a public page that shows more to a signed-in user: it checks the login flag itself
        _SIBLINGS
        + "@app.get('/posts/<slug>')\ndef post(slug):\n    query = Post.select() if session.get('logged_in') else Post.public()\n"
        "    return render_template('post.html', post=query.where(Post.slug == slug).get())\n",
        # the siblings disagree: no convention to apply
        "from flask import Flask\napp = Flask(__name__)\n@app.get('/a')\n@login_required\ndef a():\n    pass\n"
        "@app.get('/b')\ndef b():\n    pass\n@app.get('/c')\ndef c():\n    pass\n",
        # one sibling is not a convention
        "from flask import Flask\napp = Flask(__name__)\n@app.get('/a')\n@login_required\ndef a():\n    pass\n@app.get('/b')\ndef b():\n    pass\n",
    )
    INVALID = (
        Invalid(
            _SIBLINGS
            + "@app.get('/api/invoices/<int:invoice_id>/pdf')\ndef invoice_pdf(invoice_id):\n    return render_pdf(invoice_id)\n",
            _SIBLINGS
            + "@app.get('/api/invoices/<int:invoice_id>/pdf')\n@login_required\ndef invoice_pdf(invoice_id):\n    return render_pdf(invoice_id)\n",
        ),
        # the same page with no look at the login: the sibling's decorator applies
        Invalid(
            _SIBLINGS
            + "@app.get('/posts/<slug>')\ndef post(slug):\n    query = Post.select() if session.get('theme') else Post.public()\n"
            "    return render_template('post.html', post=query.where(Post.slug == slug).get())\n",
            _SIBLINGS + "@app.get('/posts/<slug>')\n@login_required\ndef post(slug):\n"
            "    query = Post.select() if session.get('theme') else Post.public()\n"
            "    return render_template('post.html', post=query.where(Post.slug == slug).get())\n",
        ),
        # a blueprint, a decorator of the project's own, an async view
        Invalid(
            "from flask import Blueprint\nfrom .auth import token_required\nbp = Blueprint('notes', __name__)\n"
            "@bp.route('/notes', methods=['GET'])\n@token_required\ndef list_notes():\n    ...\n"
            "@bp.route('/notes/<int:nid>', methods=['PUT'])\n@token_required\ndef edit_note(nid):\n    ...\n"
            "@bp.route('/notes/<int:nid>', methods=['DELETE'])\nasync def delete_note(nid):\n    ...\n",
            "from flask import Blueprint\nfrom .auth import token_required\nbp = Blueprint('notes', __name__)\n"
            "@bp.route('/notes', methods=['GET'])\n@token_required\ndef list_notes():\n    ...\n"
            "@bp.route('/notes/<int:nid>', methods=['PUT'])\n@token_required\ndef edit_note(nid):\n    ...\n"
            "@bp.route('/notes/<int:nid>', methods=['DELETE'])\n@token_required\nasync def delete_note(nid):\n    ...\n",
        ),
        # Django function views; the siblings' decorators in another order
        Invalid(
            "from django.contrib.auth.decorators import login_required\nfrom django.views.decorators.http import require_POST\n"
            "@login_required\ndef orders(request):\n    ...\n@require_POST\n@login_required\ndef cancel_order(request, pk):\n    ...\n"
            "def order_receipt(request, pk):\n    ...\n",
            "from django.contrib.auth.decorators import login_required\nfrom django.views.decorators.http import require_POST\n"
            "@login_required\ndef orders(request):\n    ...\n@require_POST\n@login_required\ndef cancel_order(request, pk):\n    ...\n"
            "@login_required\ndef order_receipt(request, pk):\n    ...\n",
        ),
    )

    def visit_FunctionDef(self, node: ast.AST, ctx) -> None:
        found = handler(ctx, node)
        if found is None or found.guards.authentication is not None or found.guards.public or found.cls is not None:
            return
        if is_public(found, ctx.options) or public_by_design(found.func.name, found.paths):
            return
        if found.seen.reads_user(found.guards.user_names):
            return
        decorator = sibling_decorator(ctx, found)
        if decorator is None:
            return
        span = ctx.span(node)
        indent = " " * node.col_offset
        fix = text_fix(
            Span(span.start_line, 0, span.start_line, 0),
            f"{indent}@{decorator}\n",
            f"Fix: add `@{decorator}`",
            safe=False,
        )
        ctx.report(self, route_span(ctx, found), details={"route": route_label(found), "decorator": decorator}, fix=fix)

    visit_AsyncFunctionDef = visit_FunctionDef
