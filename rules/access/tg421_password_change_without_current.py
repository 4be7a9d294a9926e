"""TG421: a signed-in password change that never asks for the current password."""

from __future__ import annotations

import ast
import re

from tabguard.engine.rule import Invalid, Rule
from tabguard.engine.facts import dotted_name
from tabguard.guards import Facts, is_current_user, last_part, words
from tabguard.routes import Handler
from tabguard.rules.access._handlers import handler, handler_words, route_label, route_span

_CHANGE_WORDS = frozenset({"change", "update", "set", "edit", "new"})
# Resets prove control of the mailbox with a token instead of the old password.
_RESET_WORDS = frozenset({"reset", "forgot", "recover", "recovery", "token", "admin", "invite", "activate", "setup"})
_SETTERS = frozenset({"set_password", "set_unusable_password"})
_VERIFIERS = re.compile(
    r"check_password|verify|authenticate|compare_digest|check_pw|checkpw|validate_password|password_matches|confirm_password"
)
_CURRENT_WORDS = frozenset({"current", "old", "existing", "previous"})


class PasswordChangeWithoutCurrent(Rule):
    id = "TG421"
    name = "password-change-without-current"
    severity = "medium"
    confidence = "medium"
    cwe = (620,)
    owasp = "A07:2025"
    message = "`{route}` changes the password without asking for the current one"
    placeholders = {"route": "/account/password"}
    what = (
        "The handler for `{route}` sets a new password for the signed-in user without verifying their current "
        "password: a route named for the change, or any update (a profile `PUT`) that sets the signed-in "
        "user's own password."
    )
    why = (
        "Whoever holds the session for a minute owns the account for good: a borrowed laptop, a stolen session "
        "cookie, an XSS payload or a forged cross-site request changes the password, and the real owner is locked "
        "out (and their other sessions may stay valid for the attacker)."
    )
    how = (
        'Ask for the current password and verify it (`check_password_hash(user.password_hash, form["current_password"])`, '
        "Django's `PasswordChangeForm`), require POST with a CSRF token, rotate the session and end the other "
        "sessions after the change. Reset flows verify a single-use token instead."
    )
    example = (
        'if not check_password_hash(current_user.password_hash, form["current_password"]):\n    abort(403)\n'
        'current_user.password_hash = generate_password_hash(form["new_password"])\ndb.session.commit()'
    )
    references = (
        "https://cwe.mitre.org/data/definitions/620.html",
        "https://owasp.org/Top10/2025/A07_2025-Authentication_Failures/",
        "https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html#change-password-feature",
    )
    VALID = (
        "from flask import Flask, request, abort\napp = Flask(__name__)\n@app.post('/account/password')\n@login_required\ndef change_password():\n"
        "    if not check_password_hash(current_user.password_hash, request.form['current_password']):\n        abort(403)\n"
        "    current_user.password_hash = generate_password_hash(request.form['new_password'])\n    db.session.commit()\n",
        "from django.contrib.auth.forms import PasswordChangeForm\nfrom django.views.decorators.http import require_POST\n"
        "@require_POST\ndef password_change(request):\n    form = PasswordChangeForm(request.user, request.POST)\n"
        "    if form.is_valid():\n        form.save()\n",
        # the helper is called once the current password checked out
        "from flask import Flask, request, session, abort\napp = Flask(__name__)\n@app.route('/settings/password', methods=['POST'])\n"
        "def new_password():\n    if not accounts.verify_password(session['uid'], request.form['current']):\n        abort(403)\n"
        "    accounts.update_password(session['uid'], request.form['password'])\n    return 'ok'\n",
        # a reset by token
        "from flask import Flask, request\napp = Flask(__name__)\n@app.post('/reset/<token>')\ndef reset_password(token):\n"
        "    user = user_for_token(token)\n    user.set_password(request.form['password'])\n    db.session.commit()\n",
        # creating an account sets a new user's password, not the caller's
        "from flask import Flask, request, jsonify\nfrom flask_login import login_required, current_user\n"
        "app = Flask(__name__)\n@app.post('/api/team/members')\n@login_required\ndef add_member():\n"
        "    member = User(email=request.json['email'], team_id=current_user.team_id)\n"
        "    member.set_password(request.json['password'])\n    db.session.add(member)\n"
        "    db.session.commit()\n    return jsonify(id=member.id), 201\n",
    )
    INVALID = (
        Invalid(
            "from flask import Flask, request\nfrom flask_login import current_user, login_required\napp = Flask(__name__)\n"
            "@app.post('/account/password')\n@login_required\ndef change_password():\n"
            "    current_user.password_hash = generate_password_hash(request.form['new_password'])\n    db.session.commit()\n"
            "    return redirect('/account')\n"
        ),
        Invalid(
            "from fastapi import APIRouter, Depends\nrouter = APIRouter()\n@router.put('/users/me/password')\n"
            "async def update_password(body: PasswordIn, user=Depends(get_current_user), db=Depends(get_db)):\n"
            "    user.hashed_password = hasher.hash(body.new_password)\n    await db.commit()\n"
        ),
        Invalid(
            "from django.views.decorators.http import require_POST\nfrom django.contrib.auth.decorators import login_required\n"
            "@require_POST\n@login_required\ndef set_password(request):\n    request.user.set_password(request.POST['password'])\n"
            "    request.user.save()\n    return redirect('profile')\n"
        ),
        # stored by a helper of the project
        Invalid(
            "from flask import Flask, request, session\napp = Flask(__name__)\n@app.route('/settings/chpasswd', methods=['POST'])\n"
            "def chpasswd():\n    if request.form['password'] != request.form['repeat']:\n        return 'mismatch', 400\n"
            "    accounts.update_password(session['uid'], request.form['password'])\n    return 'ok'\n"
        ),
        # a class-based view named for the change
        Invalid(
            "from rest_framework.views import APIView\nfrom rest_framework.response import Response\n"
            "from rest_framework.permissions import IsAuthenticated\nclass ChangePasswordView(APIView):\n"
            "    permission_classes = [IsAuthenticated]\n    def post(self, request):\n"
            "        request.user.set_password(request.data['new_password'])\n        request.user.save()\n"
            "        return Response({'detail': 'Password changed'})\n"
        ),
        # a profile update that also takes a new password for the signed-in user
        Invalid(
            "from flask import Flask, request, jsonify\nfrom flask_login import login_required, current_user\n"
            "app = Flask(__name__)\n@app.put('/api/profile')\n@login_required\ndef update_profile():\n"
            "    data = request.get_json()\n    current_user.email = data.get('email', current_user.email)\n"
            "    if data.get('password'):\n        current_user.set_password(data['password'])\n"
            "    db.session.commit()\n    return jsonify(current_user.to_dict())\n"
        ),
    )

    def visit_FunctionDef(self, node: ast.AST, ctx) -> None:
        found = handler(ctx, node)
        if found is None:
            return
        said = handler_words(found)
        if any("passwd" in w or w in ("pwd", "pw") for w in said):
            said = said | {"password"}  # `/chpasswd`, `change_pwd`
        if "password" in said and (said & _CHANGE_WORDS or found.mutating):
            sets = _sets_password(found.seen)
        else:
            # `PUT /api/profile` whose body may carry a new password for the signed-in user
            sets = found.mutating and found.guards.role is None and _sets_own_password(found)
        if said & _RESET_WORDS or not sets or _verifies_current(found.seen):
            return
        ctx.report(self, route_span(ctx, found), details={"route": route_label(found)})

    visit_AsyncFunctionDef = visit_FunctionDef


def _sets_password(seen: Facts) -> bool:
    if seen.attrs & _SETTERS:
        return True
    # a helper that stores it: `accounts.update_password(uid, new)`, `password_change(user, pw)`
    for name in seen.attrs | seen.names:
        said = set(words(name))
        if "password" in said and said & _CHANGE_WORDS:
            return True
    for node in seen.assignments:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute) and "password" in words(target.attr):
                return True
    return False


def _sets_own_password(found: Handler) -> bool:
    """The signed-in user's password is set (`current_user.set_password(...)`, `request.user.password = ...`)."""
    users = found.guards.user_names - _created(found.seen)
    if not found.seen.reads_user(users):
        return False
    for node in found.seen.checks:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _SETTERS:
            if is_current_user(node.func.value, users):
                return True
    for node in found.seen.assignments:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute) and "password" in words(target.attr):
                if is_current_user(target.value, users):
                    return True
    return False


def _created(seen: Facts) -> set[str]:
    """Names bound to a new record (`member = User(team_id=current_user.team_id)`): built from the
    signed-in user's data, they are someone else."""
    names: set[str] = set()
    for node in seen.assignments:
        value = node.value
        if isinstance(value, ast.Call) and last_part(dotted_name(value.func))[:1].isupper():
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def _verifies_current(seen: Facts) -> bool:
    if any(_VERIFIERS.search(name.lower()) for name in seen.attrs | seen.names):
        return True
    keys = {k for k in seen.keys if isinstance(k, str)} | seen.attrs
    return (
        any(set(words(k)) & _CURRENT_WORDS and "password" in words(k) for k in keys)
        or "PasswordChangeForm" in seen.names
    )
