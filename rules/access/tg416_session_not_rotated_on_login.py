"""TG416: a login that writes the user into the session without starting a new session."""

from __future__ import annotations

import ast
from typing import Optional

from tabguard.engine.fixes import text_fix
from tabguard.engine.rule import Invalid, Rule
from tabguard.engine.facts import dotted_name
from tabguard.engine.types import Span
from tabguard.guards import facts, words
from tabguard.routes import framework_of

# Session keys that say who is signed in.
_IDENTITY_WORDS = frozenset({"user", "uid", "account", "member", "logged", "login", "username", "customer", "patient"})
# Calls that start a fresh session (or clear the old one first).
_ROTATIONS = frozenset({"clear", "cycle_key", "flush", "regenerate", "invalidate", "renew", "rotate", "new_session"})
_SESSIONS = {"session": "session.clear()", "request.session": "request.session.cycle_key()"}


class SessionNotRotatedOnLogin(Rule):
    id = "TG416"
    name = "session-not-rotated-on-login"
    severity = "medium"
    confidence = "medium"
    cwe = (384,)
    owasp = "A07:2025"
    message = "Login stores the user in `{session}` without starting a new session (session fixation)"
    placeholders = {"session": "session"}
    what = (
        'Writes who is signed in (`{session}["user_id"] = ...`) into the session that existed before the '
        "login, without clearing or cycling it first."
    )
    why = (
        "An attacker who can set the victim's session identifier before they log in (a link with the id, a "
        "cookie set from a sibling subdomain, a shared kiosk) keeps that identifier after the victim signs in, "
        "and with it the victim's account: the login upgraded the attacker's session. Anything the anonymous "
        "session held (a cart, a `next` URL, a half-finished OAuth state) also survives into the signed-in one."
    )
    how = (
        "Start a new session at login: Django `request.session.cycle_key()` (or `django.contrib.auth.login`, "
        "which does it), Flask `session.clear()` before setting the user (with server-side sessions, also a "
        "new session id), Starlette `request.session.clear()`."
    )
    example = (
        'if user and check_password_hash(user.password_hash, form["password"]):\n    session.clear()\n'
        '    session["user_id"] = user.id'
    )
    fix_safety = (
        "Unsafe: the session changes at login, as it must: `clear()` drops its contents (copy what must "
        "survive, such as the `next` URL or a cart, before the clear), and `cycle_key()` keeps them under "
        "a new key, so anything stored under the old session key no longer finds it."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/384.html",
        "https://owasp.org/Top10/2025/A07_2025-Authentication_Failures/",
        "https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html#renew-the-session-id-after-any-privilege-level-change",
    )
    VALID = (
        "from flask import session, request\ndef login():\n    user = User.query.filter_by(email=request.form['email']).first()\n"
        "    if user and user.check_password(request.form['password']):\n        session.clear()\n        session['user_id'] = user.id\n",
        "def login_view(request):\n    user = authenticate(request, username=u, password=p)\n    request.session.cycle_key()\n"
        "    request.session['user_id'] = user.pk\n",
        # Django's login() rotates the session itself
        "from django.contrib.auth import login\ndef login_view(request):\n    login(request, user)\n    request.session['theme'] = 'dark'\n",
        # logging out, and settings that say nothing about identity
        "from flask import session\ndef logout():\n    session.pop('user_id', None)\n",
        "from flask import session\ndef set_lang(lang):\n    session['lang'] = lang\n",
        # not a login: reading who is signed in
        "from flask import session\ndef profile():\n    uid = session['user_id']\n    return render(uid)\n",
    )
    INVALID = (
        Invalid(
            "from flask import session, request\ndef login():\n    user = User.query.filter_by(email=request.form['email']).first()\n"
            "    if user and user.check_password(request.form['password']):\n        session['user_id'] = user.id\n        return redirect('/')\n",
            "from flask import session, request\ndef login():\n    user = User.query.filter_by(email=request.form['email']).first()\n"
            "    if user and user.check_password(request.form['password']):\n        session.clear()\n        session['user_id'] = user.id\n        return redirect('/')\n",
        ),
        Invalid(
            "def login_view(request):\n    user = authenticate(request, username=u, password=p)\n    if user is not None:\n"
            "        request.session['user_id'] = user.pk\n        request.session['logged_in'] = True\n",
            "def login_view(request):\n    user = authenticate(request, username=u, password=p)\n    if user is not None:\n"
            "        request.session.cycle_key()\n        request.session['user_id'] = user.pk\n        request.session['logged_in'] = True\n",
        ),
        Invalid(
            "from fastapi import Request\nasync def sign_in(request: Request, form: LoginForm):\n"
            "    account = await verify(form)\n    request.session.update({'account_id': account.id})\n",
            "from fastapi import Request\nasync def sign_in(request: Request, form: LoginForm):\n"
            "    account = await verify(form)\n    request.session.clear()\n    request.session.update({'account_id': account.id})\n",
        ),
    )

    def visit_FunctionDef(self, node: ast.AST, ctx) -> None:
        seen = facts(node, ctx)
        if "session" not in seen.names and "session" not in seen.attrs:
            return  # `session[...]` or `request.session[...]`: no session, nothing to rotate
        if not (seen.keys & _keys_of_interest(seen.keys)) and "update" not in seen.attrs:
            return
        if seen.attrs & _ROTATIONS or "login" in seen.names:
            return  # rotated (or Django's login(), which cycles the key), somewhere in the handler
        first = _first_identity_write(node)
        if first is None:
            return
        statement, session = first
        indent = " " * statement.col_offset
        line = ctx.span(statement).start_line
        rotation = _SESSIONS[session]
        if session == "request.session" and framework_of(ctx.module.imports) == "fastapi":
            rotation = "request.session.clear()"  # Starlette's session is a dict: no key to cycle
        fix = text_fix(
            Span(line, 0, line, 0), f"{indent}{rotation}\n", f"Fix: start a new session ({rotation})", safe=False
        )
        ctx.report(self, statement, details={"session": session}, fix=fix)

    visit_AsyncFunctionDef = visit_FunctionDef


def _keys_of_interest(keys: set) -> set:
    return {k for k in keys if isinstance(k, str) and set(words(k)) & _IDENTITY_WORDS}


def _first_identity_write(func: ast.AST) -> Optional[tuple[ast.stmt, str]]:
    """The first statement (in source order) that writes an identity key into the session, and which session."""
    for node in sorted(
        (n for n in ast.walk(func) if isinstance(n, (ast.Assign, ast.Expr))), key=lambda n: (n.lineno, n.col_offset)
    ):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if (
                    isinstance(target, ast.Subscript)
                    and dotted_name(target.value) in _SESSIONS
                    and _identity_key(target.slice)
                ):
                    return node, dotted_name(target.value)
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            call = node.value
            if (
                isinstance(call.func, ast.Attribute)
                and call.func.attr == "update"
                and dotted_name(call.func.value) in _SESSIONS
            ):
                updated = call.args[0] if call.args and isinstance(call.args[0], ast.Dict) else None
                keys = list(updated.keys) if updated is not None else []
                if any(_identity_key(k) for k in keys if k is not None) or any(
                    k.arg and _identity_key(ast.Constant(k.arg)) for k in call.keywords
                ):
                    return node, dotted_name(call.func.value)
    return None


def _identity_key(key: ast.AST) -> bool:
    return (
        isinstance(key, ast.Constant) and isinstance(key.value, str) and bool(set(words(key.value)) & _IDENTITY_WORDS)
    )
