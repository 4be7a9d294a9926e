"""TG415: a GET route that changes state (disables MFA, moves money, changes a password, deletes)."""

from __future__ import annotations

import ast


from tabguard.engine.fixes import expression_fix, replace_callee, set_keyword
from tabguard.engine.rule import Invalid, Rule
from tabguard.guards import words
from tabguard.routes import Handler
from tabguard.rules.access._handlers import handler, handler_words, route_label, route_span
from tabguard.rules.access._writes import writes_state

# What the route's name or path says it does: actions a forged link must not be able to take.
_ACTIONS = frozenset(
    {
        "delete",
        "remove",
        "destroy",
        "transfer",
        "withdraw",
        "pay",
        "payout",
        "refund",
        "disable",
        "enable",
        "deactivate",
        "activate",
        "change",
        "update",
        "reset",
        "cancel",
        "approve",
        "reject",
        "grant",
        "revoke",
        "promote",
        "demote",
        "ban",
        "unban",
        "block",
        "unblock",
        "mfa",
        "2fa",
        "totp",
        "password",
        "email",
        "archive",
        "purge",
        "wipe",
        "close",
        "send",
        "invite",
        "follow",
        "unfollow",
        "like",
        "vote",
        "toggle",
        "set",
        "clear",
        "off",
        "kick",
        "leave",
        "unlink",
        "disconnect",
    }
)
# Request data a form posts: a view with no method gate that reads it acts on the POST (a GET binds an
# empty form, which does not validate).
_POSTED = frozenset({"POST", "FILES", "data", "body"})
# Links in e-mails are GET by nature; their tokens are the protection.
_LINK_WORDS = frozenset(
    {"unsubscribe", "verify", "confirm", "confirmation", "activate", "activation", "magic", "logout", "signout"}
)


class StateChangeOnGet(Rule):
    id = "TG415"
    name = "state-change-on-get"
    severity = "medium"
    confidence = "medium"
    cwe = (352, 650)
    owasp = "A01:2025"
    message = "`{route}` changes state on GET: any page can trigger it with an image tag"
    placeholders = {"route": "/account/mfa/disable"}
    what = (
        "The handler for `{route}` accepts GET requests and changes stored state (it writes to the "
        "database or calls an action such as transfer, disable or delete). A Django view with no method "
        "restriction (`@require_POST`, a `request.method` test) that reads no posted data counts: it runs "
        "on GET as on POST."
    )
    why = (
        "Browsers send GET requests with the user's cookies from anywhere: `<img src=\"https://bank.example"
        "/account/mfa/disable\">` on any web page, in a forum post or an HTML e-mail turns off the victim's "
        "second factor the moment they look at it. CSRF tokens protect POST forms; GET requests carry none, and "
        "`SameSite=Lax` cookies are still sent on top-level GET navigations. GET responses are also "
        "prefetched, cached and logged with their parameters."
    )
    how = (
        "Accept the action on POST (or PUT/PATCH/DELETE) only, from a form or fetch call that carries the "
        "CSRF token (Flask-WTF `CSRFProtect`, Django `{{% csrf_token %}}`), and keep the GET route for "
        "showing the confirmation page."
    )
    example = (
        '@app.route("/account/mfa/disable", methods=["POST"])  # form posts the CSRF token\n@login_required\n'
        'def disable_mfa():\n    current_user.mfa_enabled = False\n    db.session.commit()\n    return redirect(url_for("settings"))'
    )
    fix_safety = (
        "Unsafe: links and clients that call the route with GET stop working; turn them into forms that "
        "POST the CSRF token (Flask-WTF `CSRFProtect` or Django's middleware checks it)."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/352.html",
        "https://cwe.mitre.org/data/definitions/650.html",
        "https://owasp.org/Top10/2025/A01_2025-Broken_Access_Control/",
        "https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html",
    )
    VALID = (
        "from flask import Flask\napp = Flask(__name__)\n@app.route('/account/mfa/disable', methods=['POST'])\n@login_required\n"
        "def disable_mfa():\n    current_user.mfa_enabled = False\n    db.session.commit()\n",
        # GET shows the confirmation page
        "from flask import Flask\napp = Flask(__name__)\n@app.get('/account/delete')\n@login_required\ndef confirm_delete():\n"
        "    return render_template('confirm_delete.html')\n",
        # e-mail links are GET by nature
        "from flask import Flask\napp = Flask(__name__)\n@app.get('/newsletter/unsubscribe/<token>')\ndef unsubscribe(token):\n"
        "    Subscriber.query.filter_by(token=token).delete()\n    db.session.commit()\n",
        # both methods, the write only on POST (judged by TG214 and TG403)
        "from flask import Flask, request\napp = Flask(__name__)\n@app.route('/settings/email', methods=['GET', 'POST'])\n"
        "def change_email():\n    if request.method == 'POST':\n        current_user.email = request.form['email']\n        db.session.commit()\n",
        # a read that updates a counter is not an action
        "from flask import Flask\napp = Flask(__name__)\n@app.get('/articles/<int:aid>')\ndef article(aid):\n"
        "    a = Article.query.get_or_404(aid)\n    a.views += 1\n    db.session.commit()\n    return render_template('a.html', a=a)\n",
        # the same view accepting POST only
        "from django.contrib.auth.decorators import login_required\n"
        "from django.shortcuts import get_object_or_404, redirect\n"
        "from django.views.decorators.http import require_POST\n@require_POST\n@login_required\n"
        "def delete_task(request, pk):\n    get_object_or_404(Task, pk=pk, owner=request.user).delete()\n"
        "    return redirect('task_list')\n",
        # a view with no method gate that acts on posted data: a GET binds an empty form
        "from django.shortcuts import redirect, render\ndef update_profile(request):\n"
        "    form = ProfileForm(request.POST or None, instance=request.user.profile)\n    if form.is_valid():\n"
        "        form.save()\n        return redirect('profile')\n"
        "    return render(request, 'profile.html', {'form': form})\n",
    )
    INVALID = (
        Invalid(
            "from flask import Flask\napp = Flask(__name__)\n@app.route('/account/mfa/disable')\n@login_required\n"
            "def disable_mfa():\n    current_user.mfa_enabled = False\n    db.session.commit()\n    return redirect('/settings')\n",
            "from flask import Flask\napp = Flask(__name__)\n@app.route('/account/mfa/disable', methods=[\"POST\"])\n@login_required\n"
            "def disable_mfa():\n    current_user.mfa_enabled = False\n    db.session.commit()\n    return redirect('/settings')\n",
        ),
        Invalid(
            "from flask import Blueprint, request\nbp = Blueprint('bank', __name__)\n@bp.get('/transfer')\n@login_required\n"
            "def transfer():\n    bank.transfer(current_user.account, request.args['to'], request.args['amount'])\n    return 'sent'\n",
            "from flask import Blueprint, request\nbp = Blueprint('bank', __name__)\n@bp.post('/transfer')\n@login_required\n"
            "def transfer():\n    bank.transfer(current_user.account, request.args['to'], request.args['amount'])\n    return 'sent'\n",
        ),
        Invalid(
            "from fastapi import FastAPI, Depends\napp = FastAPI()\n@app.get('/users/{uid}/delete')\n"
            "def delete_user(uid: int, db=Depends(get_db), admin=Depends(require_admin)):\n"
            "    db.query(User).filter(User.id == uid).delete()\n    db.commit()\n",
            "from fastapi import FastAPI, Depends\napp = FastAPI()\n@app.post('/users/{uid}/delete')\n"
            "def delete_user(uid: int, db=Depends(get_db), admin=Depends(require_admin)):\n"
            "    db.query(User).filter(User.id == uid).delete()\n    db.commit()\n",
        ),
        Invalid(
            "from django.views.decorators.http import require_GET\nfrom django.contrib.auth.decorators import login_required\n"
            "@require_GET\n@login_required\ndef change_password(request):\n"
            "    request.user.set_password(request.GET['new'])\n    request.user.save()\n    return redirect('home')\n"
        ),
        # a Django view with no method gate answers GET like POST
        Invalid(
            "from django.contrib.auth.decorators import login_required\n"
            "from django.shortcuts import get_object_or_404, redirect\n@login_required\n"
            "def delete_task(request, pk):\n    get_object_or_404(Task, pk=pk, owner=request.user).delete()\n"
            "    return redirect('task_list')\n"
        ),
        # a class-based view's `get` that deletes
        Invalid(
            "from django.contrib.auth.mixins import LoginRequiredMixin\nfrom django.shortcuts import redirect\n"
            "from django.views import View\nclass DeleteTaskView(LoginRequiredMixin, View):\n"
            "    def get(self, request, pk):\n        Task.objects.filter(pk=pk, owner=request.user).delete()\n"
            "        return redirect('task_list')\n"
        ),
        # DRF: a GET that clears the cart
        Invalid(
            "from rest_framework.decorators import api_view\nfrom rest_framework.response import Response\n"
            "@api_view(['GET'])\ndef clear_cart(request):\n"
            "    CartItem.objects.filter(user=request.user).delete()\n    return Response({'cleared': True})\n"
        ),
        # Flask `add_url_rule` with the default GET
        Invalid(
            "from flask import Flask, redirect\nfrom flask_login import login_required, current_user\n"
            "app = Flask(__name__)\n@login_required\ndef remove_item(item_id):\n"
            "    CartItem.query.filter_by(id=item_id, user_id=current_user.id).delete()\n"
            "    db.session.commit()\n    return redirect('/cart')\n"
            "app.add_url_rule('/cart/remove/<int:item_id>', view_func=remove_item)\n"
        ),
    )

    def visit_FunctionDef(self, node: ast.AST, ctx) -> None:
        found = handler(ctx, node)
        if found is None or not (set(found.methods) == {"GET"} or _any_method_view(found)):
            return
        said = handler_words(found)
        if not said & _ACTIONS or said & _LINK_WORDS:
            return
        if not (writes_state(found) or _action_call(found)):
            return
        decl = found.decls[0] if len(found.decls) == 1 else None
        ctx.report(self, route_span(ctx, found), details={"route": route_label(found)}, fix=_fix(ctx, decl))

    visit_AsyncFunctionDef = visit_FunctionDef


def _any_method_view(found: Handler) -> bool:
    """A Django function view with no method gate (no `@require_POST`, no `request.method` test): a GET
    runs it like a POST. Left out when it reads posted data, which only a POST carries."""
    return found.methods == ("ANY",) and not found.decls and found.cls is None and found.seen.attrs.isdisjoint(_POSTED)


def _action_call(found: Handler) -> bool:
    """A call named for an action (`bank.transfer(...)`, `disable_mfa(user)`, `user.set_password(...)`)."""
    for node in found.seen.checks:
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if set(words(name)) & (_ACTIONS - {"set", "send"}) or name == "set_password":
                return True
    return False


def _fix(ctx, decl):
    """`@app.get(...)` -> `@app.post(...)`; `@app.route(...)` gets `methods=["POST"]`."""
    if decl is None:
        return None
    verb = decl.node.func.attr
    title = "Fix: accept POST only (send the CSRF token with the form)"
    if verb == "get":
        receiver = ctx.segment(ctx.span(decl.node.func.value))
        return expression_fix(ctx, decl.node, replace_callee(f"{receiver}.post"), title, safe=False)
    if verb == "route":
        return expression_fix(ctx, decl.node, set_keyword("methods", '["POST"]'), title, safe=False)
    return None
