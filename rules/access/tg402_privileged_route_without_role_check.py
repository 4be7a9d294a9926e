"""TG402: an admin or bulk-destructive endpoint with no server-side role or permission check."""

from __future__ import annotations

import ast

from tabguard.engine.rule import Invalid, Rule
from tabguard.routes import is_public
from tabguard.rules.access._handlers import handler, route_label, route_span
from tabguard.rules.access._privilege import every_users_records, privilege


class PrivilegedRouteWithoutRoleCheck(Rule):
    id = "TG402"
    name = "privileged-route-without-role-check"
    severity = "high"
    confidence = "medium"
    cwe = (285, 862)
    owasp = "A01:2025"
    message = "Privileged endpoint `{route}` ({reason}) has no server-side role or permission check"
    placeholders = {"route": "/admin/users/<int:user_id>/promote", "reason": "admin action"}
    what = (
        "The handler for `{route}` performs a privileged action ({reason}): administration, roles and "
        "permissions, impersonation, refunds, data export, listing every user, listing every user's records of "
        "a model that the module elsewhere ties to its owner (`Order.user_id == current_user.id`), or deleting "
        "in bulk. Nothing "
        "on the server checks that the caller holds the right role: no `@admin_required`, "
        "`@roles_required`, `@permission_required`, `@staff_member_required`, DRF `permission_classes`, "
        "`Depends(require_admin)`, `has_perm(...)`, `is_staff` / `is_superuser` / `role ==` test, and no "
        "function listed in the `role-checks` or `auth-decorators` options. A blueprint or router named "
        "`admin` is not a check: one created in this module counts only with its `before_request` hook or "
        "`dependencies`."
    )
    why = (
        "Hiding the admin button in the template is not access control: the route is still there. Any "
        "signed-in customer who reads the JavaScript bundle, guesses `/admin/users`, or replays a request "
        "seen in a screenshot can call `POST /admin/users/42/promote` and make themselves an administrator, "
        "issue refunds to their own card, export the customer table, or impersonate another account. "
        'Assistants write the handler exactly as asked ("add an endpoint to promote a user") and the role '
        "check, never mentioned, is never written."
    )
    how = (
        "Check the role on the server, in the handler or a decorator/dependency that wraps it: "
        '`@admin_required`, `@permission_required("billing.refund")`, `Depends(require_admin)`, DRF '
        "`permission_classes = [IsAdminUser]`, or `if not current_user.is_admin: abort(403)`. If your "
        "project spells its check differently, list it in `role-checks` in `[tool.tabguard]`."
    )
    example = (
        '@app.post("/admin/users/<int:user_id>/promote")\n@login_required\n@roles_required("admin")\n'
        "def promote_user(user_id):\n    ..."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/285.html",
        "https://owasp.org/Top10/2025/A01_2025-Broken_Access_Control/",
        "https://cheatsheetseries.owasp.org/cheatsheets/Authorization_Cheat_Sheet.html",
    )
    VALID = (
        "from flask import Flask, abort\nfrom flask_login import login_required, current_user\napp = Flask(__name__)\n"
        "@app.post('/admin/users/<int:user_id>/promote')\n@login_required\ndef promote(user_id):\n"
        "    if not current_user.is_admin:\n        abort(403)\n    User.query.get_or_404(user_id).role = 'admin'\n    db.session.commit()\n",
        "from flask import Flask\napp = Flask(__name__)\n@app.post('/admin/refunds')\n@login_required\n@roles_required('admin')\n"
        "def refund():\n    issue_refund(request.json['order_id'])\n",
        "from fastapi import APIRouter, Depends\nrouter = APIRouter()\n"
        "@router.get('/admin/stats')\ndef stats(admin: User = Depends(require_admin)):\n    return compute_stats()\n",
        "from django.contrib.admin.views.decorators import staff_member_required\n"
        "@staff_member_required\ndef export_customers(request):\n    return csv_response(Customer.objects.all())\n",
        "from rest_framework.views import APIView\nfrom rest_framework.permissions import IsAdminUser\n"
        "class UserList(APIView):\n    permission_classes = [IsAdminUser]\n    def get(self, request):\n        return Response(list_users())\n",
        # exporting your own data is scoped by ownership
        "from flask import Flask\nfrom flask_login import login_required, current_user\napp = Flask(__name__)\n"
        "@app.get('/me/export')\n@login_required\ndef export_mine():\n"
        "    return jsonify([o.to_dict() for o in Order.query.filter_by(user_id=current_user.id)])\n",
        # the sign-in page of the admin area must be public
        "from flask import Flask\napp = Flask(__name__)\n@app.route('/admin/login', methods=['GET', 'POST'])\ndef admin_login():\n    ...\n",
        # exporting one record is judged by TG401 (ownership of that record)
        "from flask import Flask\napp = Flask(__name__)\n@app.get('/invoices/<int:invoice_id>/export')\n@login_required\ndef export_invoice(invoice_id):\n    ...\n",
        # a user deleting one of their own records is not privileged (TG401 covers the ownership check)
        "from flask import Flask\napp = Flask(__name__)\n@app.delete('/notes/<int:note_id>')\n@login_required\ndef delete_note(note_id):\n    ...\n",
        # role checks as assistants write them: the user, or the session's role, compared with a role name
        "from flask import Flask, g, abort\napp = Flask(__name__)\n@app.post('/admin/users/<int:uid>/ban')\n@login_required\n"
        "def ban(uid):\n    if g.user != 'admin':\n        abort(403)\n    User.query.get(uid).banned = True\n",
        "from flask import Flask, session, abort\napp = Flask(__name__)\n@app.post('/admin/users/<int:uid>/ban')\n"
        "def ban(uid):\n    if session.get('role') != 'admin':\n        abort(403)\n    User.query.get(uid).banned = True\n",
        "from flask import Flask, session, abort\napp = Flask(__name__)\n@app.post('/admin/purge')\n"
        "def purge():\n    if not session.get('is_admin'):\n        abort(403)\n    Log.query.delete()\n",
        "from flask import Blueprint, abort\nfrom flask_login import current_user, login_required\nbp = Blueprint('ops', __name__)\n"
        "@bp.delete('/admin/sessions')\n@login_required\ndef revoke_all():\n"
        "    if current_user.role not in ('admin', 'owner'):\n        abort(403)\n    Session.query.delete()\n",
        # an administration blueprint made elsewhere is guarded where it is made
        "from flask import abort\nfrom shop.admin import admin\n@admin.delete('/products/<int:pid>')\ndef delete_product(pid):\n    ...\n",
        # one made here, with a hook that checks the role
        "from flask import Blueprint, abort\nfrom flask_login import current_user\nadmin = Blueprint('admin', __name__)\n"
        "@admin.before_request\ndef only_admins():\n    if not current_user.is_admin:\n        abort(403)\n"
        "@admin.delete('/products/<int:pid>')\ndef delete_product(pid):\n    ...\n",
        # stubs that answer with literals and their own parameters read and change no stored data
        "from fastapi import FastAPI\napp = FastAPI()\n@app.get('/members')\nasync def members():\n"
        "    return [{'name': 'Ada'}, {'name': 'Grace'}]\n",
        "from fastapi import APIRouter\nrouter = APIRouter()\n@router.post('/admin/echo')\nasync def admin_echo(note: str):\n"
        "    reply = {'received': note}\n    return reply\n",
        # Django's 403 error handler: called with the exception that refused a request, never routed
        "from django.shortcuts import render\ndef permission_denied(request, exception):\n"
        "    return render(request, '403.html', {'reason': str(exception)}, status=403)\n",
        # a request method that hands over to another one takes no action of its own
        "from django.views import View\nclass Moved(View):\n    def get(self, request, *args, **kwargs):\n"
        "        return redirect('home')\n    def delete(self, request, *args, **kwargs):\n"
        "        return self.get(request, *args, **kwargs)\n",
        # the list is the caller's own
        "from flask import Flask, jsonify\nfrom flask_login import login_required, current_user\n"
        "app = Flask(__name__)\n@app.get('/api/orders')\n@login_required\ndef list_orders():\n"
        "    return jsonify([o.to_dict() for o in Order.query.filter_by(user_id=current_user.id).all()])\n"
        "@app.post('/api/orders')\n@login_required\ndef create_order():\n"
        "    order = Order(user_id=current_user.id, total=0)\n    db.session.add(order)\n"
        "    db.session.commit()\n    return jsonify(order.to_dict()), 201\n",
        # records nothing here ties to a user (a catalogue) are everyone's to list
        "from flask import Flask, jsonify\nfrom flask_login import login_required, current_user\n"
        "app = Flask(__name__)\n@app.get('/api/recipes')\n@login_required\ndef list_recipes():\n"
        "    return jsonify([r.to_dict() for r in Recipe.query.all()])\n",
        # the role comes with a type alias
        "from typing import Annotated\nfrom fastapi import APIRouter, Depends\n"
        "SuperUser = Annotated[User, Depends(get_current_active_superuser)]\n"
        "router = APIRouter(prefix='/admin')\n@router.post('/users/{user_id}/promote')\n"
        "def promote(user_id: int, admin: SuperUser, db: Session = Depends(get_db)):\n"
        "    db.get(User, user_id).role = 'admin'\n    db.commit()\n",
    )
    INVALID = (
        Invalid(
            "from flask import Flask\nfrom flask_login import login_required\napp = Flask(__name__)\n"
            "@app.post('/admin/users/<int:user_id>/promote')\n@login_required\ndef promote(user_id):\n"
            "    User.query.get_or_404(user_id).role = 'admin'\n    db.session.commit()\n    return '', 204\n"
        ),
        Invalid(
            "from fastapi import APIRouter, Depends\nrouter = APIRouter()\n"
            "@router.get('/users')\ndef list_users(db: Session = Depends(get_db), user: User = Depends(get_current_user)):\n"
            "    return db.query(User).all()\n"
        ),
        Invalid(
            "from django.contrib.auth.decorators import login_required\n"
            "@login_required\ndef impersonate(request, user_id):\n"
            "    login(request, User.objects.get(pk=user_id))\n    return redirect('/')\n"
        ),
        Invalid(
            "from flask import Blueprint, request\nbp = Blueprint('billing', __name__)\n"
            "@bp.route('/orders/refund', methods=['POST'])\n@login_required\ndef refund_order():\n"
            "    stripe.Refund.create(payment_intent=request.json['payment_intent'])\n    return {'ok': True}\n"
        ),
        Invalid(
            "from flask import Flask\napp = Flask(__name__)\n@app.delete('/comments')\n@login_required\ndef delete_all_comments():\n"
            "    Comment.query.delete()\n    db.session.commit()\n"
        ),
        # a blueprint named `admin` is not a role check: the route is open to anyone signed in, or to anyone
        Invalid(
            "from flask import Blueprint\nadmin = Blueprint('admin', __name__, url_prefix='/api/admin')\n"
            "@admin.route('/products/<int:pid>', methods=['DELETE'])\ndef delete_product(pid):\n"
            "    Product.query.filter_by(id=pid).delete()\n    db.session.commit()\n    return '', 204\n"
        ),
        Invalid(
            "from flask import Blueprint\nfrom flask_login import login_required\nadmin_bp = Blueprint('admin', __name__)\n"
            "@login_required\n@admin_bp.post('/orders/<int:oid>/refund')\ndef refund(oid):\n    ...\n"
        ),
        Invalid(
            "from django.contrib.auth.decorators import login_required\n"
            "@login_required\ndef grant_permission(request, user_id):\n"
            "    User.objects.get(pk=user_id).user_permissions.add(request.POST['perm'])\n    return redirect('/')\n"
        ),
        Invalid(
            "from django.views import View\nclass Comments(View):\n    def get(self, request):\n"
            "        return render(request, 'comments.html')\n    def delete(self, request):\n"
            "        Comment.objects.all().delete()\n        return self.get(request)\n"
        ),
        # module data is stored data: returning it lists every member
        Invalid(
            "from fastapi import FastAPI\napp = FastAPI()\nMEMBERS = load_members()\n@app.get('/members')\n"
            "async def members():\n    return MEMBERS\n"
        ),
        # every user's orders, where the module ties orders to their buyer
        Invalid(
            "from flask import Flask, jsonify\nfrom flask_login import login_required, current_user\n"
            "app = Flask(__name__)\n@app.get('/api/orders')\n@login_required\ndef list_orders():\n"
            "    return jsonify([o.to_dict() for o in Order.query.all()])\n@app.post('/api/orders')\n"
            "@login_required\ndef create_order():\n    order = Order(user_id=current_user.id, total=0)\n"
            "    db.session.add(order)\n    db.session.commit()\n    return jsonify(order.to_dict()), 201\n",
            message="every user's `Order` records",
        ),
        # a type alias that only signs the caller in
        Invalid(
            "from typing import Annotated\nfrom fastapi import APIRouter, Depends\n"
            "Caller = Annotated[User, Depends(get_current_user)]\nrouter = APIRouter(prefix='/admin')\n"
            "@router.post('/users/{user_id}/promote')\n"
            "def promote(user_id: int, caller: Caller, db: Session = Depends(get_db)):\n"
            "    db.get(User, user_id).role = 'admin'\n    db.commit()\n"
        ),
    )

    def visit_FunctionDef(self, node: ast.AST, ctx) -> None:
        found = handler(ctx, node)
        if found is None or is_public(found, ctx.options):
            return
        reason, owner_allowed = privilege(found)
        if reason is None:
            reason, owner_allowed = every_users_records(found, ctx.module.owned), True
        if reason is None:
            return
        guards = found.guards
        if guards.role is not None or (owner_allowed and guards.ownership is not None):
            return
        ctx.report(self, route_span(ctx, found), details={"route": route_label(found), "reason": reason})

    visit_AsyncFunctionDef = visit_FunctionDef
