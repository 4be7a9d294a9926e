"""TG420: a login or reset that answers "no such user" differently from "wrong password"."""

from __future__ import annotations

import ast
import re
from typing import Iterator, Optional

from tabguard.engine.rule import Invalid, Rule
from tabguard.engine.types import Edit, Fix
from tabguard.guards import words

_SIGN_IN_WORDS = frozenset(
    {
        "login",
        "signin",
        "authenticate",
        "auth",
        "token",
        "session",
        "sessions",
        "forgot",
        "reset",
        "recover",
        "password",
    }
)
_NO_SUCH_USER = re.compile(
    r"no such (user|account|email)|(user|account|email|username)\b.{0,20}\b(not found|does ?n[o']t exist|not registered|unknown)"
    r"|unknown (user|account|email|username)|no (user|account) (found|with)|not found|does ?n[o']t exist|isn'?t registered"
    r"|(do|did|does) ?n[o']t (have|find|know) (an|any|that) (account|user|email)|no account",
    re.IGNORECASE,
)
_BAD_PASSWORD = re.compile(
    r"(wrong|incorrect|invalid|bad)\s+password|password\s+(is\s+)?(wrong|incorrect|invalid)", re.IGNORECASE
)
_GENERIC = "Invalid username or password"
# Calls whose string arguments become the response.
_RESPONDERS = frozenset(
    {
        "abort",
        "jsonify",
        "flash",
        "HTTPException",
        "JSONResponse",
        "JsonResponse",
        "Response",
        "make_response",
        "HttpResponse",
        "AuthenticationFailed",
        "ValidationError",
        "render_template",
    }
)


class UserEnumeration(Rule):
    id = "TG420"
    name = "user-enumeration"
    severity = "medium"
    confidence = "medium"
    cwe = (204, 203)
    owasp = "A07:2025"
    message = "`{missing}` and `{wrong}` tell apart unknown accounts from wrong passwords"
    placeholders = {"missing": "No such user", "wrong": "Wrong password"}
    what = (
        "The sign-in (or reset) answers `{missing}` when the account does not exist and `{wrong}` when the "
        "password is wrong, so each answer says whether an account exists."
    )
    why = (
        "An attacker runs a list of e-mail addresses through the form and learns which ones have accounts, "
        "then aims password spraying, credential stuffing and phishing at exactly those. On a clinic, dating or "
        "debt-advice service, that someone has an account is itself private."
    )
    how = (
        'Give one message and one status code for both cases ("Invalid username or password", 401), and '
        "spend the same time on both (verify against a dummy hash when the user is missing). A reset form "
        'answers "If that address is registered, we sent a link" whatever happened.'
    )
    example = (
        "user = User.query.filter_by(email=email).first()\n"
        "if user is None or not check_password_hash(user.password_hash, password):\n"
        '    return jsonify(error="Invalid username or password"), 401'
    )
    fix_safety = (
        'Unsafe: both messages become "Invalid username or password", so a client or page that told the '
        "two failures apart by their text no longer can; the status codes are left as they are (make "
        "them equal too)."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/204.html",
        "https://owasp.org/Top10/2025/A07_2025-Authentication_Failures/",
        "https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html#authentication-and-error-messages",
    )
    VALID = (
        "from flask import Flask, jsonify, request\napp = Flask(__name__)\n@app.post('/login')\ndef login():\n"
        "    user = find(request.json['email'])\n    if user is None or not user.check(request.json['password']):\n"
        "        return jsonify(error='Invalid username or password'), 401\n    return jsonify(ok=True)\n",
        # not a sign-in: a lookup may say it found nothing
        "from flask import Flask, abort\napp = Flask(__name__)\n@app.get('/users/<int:uid>')\ndef profile(uid):\n"
        "    abort(404, 'User not found')\n",
    )
    INVALID = (
        Invalid(
            "from flask import Flask, jsonify, request\napp = Flask(__name__)\n@app.post('/login')\ndef login():\n"
            "    user = User.query.filter_by(username=request.json['username']).first()\n    if user is None:\n"
            "        return jsonify(error='User not found'), 404\n    if not user.check_password(request.json['password']):\n"
            "        return jsonify(error='Incorrect password'), 401\n    return jsonify(ok=True)\n",
            "from flask import Flask, jsonify, request\napp = Flask(__name__)\n@app.post('/login')\ndef login():\n"
            "    user = User.query.filter_by(username=request.json['username']).first()\n    if user is None:\n"
            "        return jsonify(error='Invalid username or password'), 404\n    if not user.check_password(request.json['password']):\n"
            "        return jsonify(error='Invalid username or password'), 401\n    return jsonify(ok=True)\n",
        ),
        Invalid(
            "from fastapi import APIRouter, HTTPException\nrouter = APIRouter()\n@router.post('/auth/token')\nasync def token(form: Form):\n"
            '    user = await users.get(form.username)\n    if not user:\n        raise HTTPException(status_code=400, detail="No such user")\n'
            '    if not verify(form.password, user.hashed_password):\n        raise HTTPException(status_code=400, detail="Wrong password")\n',
            "from fastapi import APIRouter, HTTPException\nrouter = APIRouter()\n@router.post('/auth/token')\nasync def token(form: Form):\n"
            '    user = await users.get(form.username)\n    if not user:\n        raise HTTPException(status_code=400, detail="Invalid username or password")\n'
            '    if not verify(form.password, user.hashed_password):\n        raise HTTPException(status_code=400, detail="Invalid username or password")\n',
        ),
        Invalid(
            "from django.contrib import messages\ndef login_view(request):\n    try:\n        user = User.objects.get(email=request.POST['email'])\n"
            "    except User.DoesNotExist:\n        messages.error(request, 'No account with that email')\n        return redirect('login')\n"
            "    if not user.check_password(request.POST['password']):\n        messages.error(request, 'Invalid password')\n        return redirect('login')\n",
            "from django.contrib import messages\ndef login_view(request):\n    try:\n        user = User.objects.get(email=request.POST['email'])\n"
            "    except User.DoesNotExist:\n        messages.error(request, 'Invalid username or password')\n        return redirect('login')\n"
            "    if not user.check_password(request.POST['password']):\n        messages.error(request, 'Invalid username or password')\n        return redirect('login')\n",
        ),
    )

    def visit_FunctionDef(self, node: ast.AST, ctx) -> None:
        if not set(words(node.name)) & _SIGN_IN_WORDS:
            return
        missing = wrong = None
        for constant in _messages(node):
            if missing is None and _NO_SUCH_USER.search(constant.value) and not _BAD_PASSWORD.search(constant.value):
                missing = constant
            elif wrong is None and _BAD_PASSWORD.search(constant.value) and not _NO_SUCH_USER.search(constant.value):
                wrong = constant
        if missing is None or wrong is None:
            return
        fix = _fix(ctx, missing, wrong)
        ctx.report(self, missing, details={"missing": missing.value, "wrong": wrong.value}, fix=fix)

    visit_AsyncFunctionDef = visit_FunctionDef


def _messages(func: ast.AST) -> Iterator[ast.Constant]:
    """String constants that become the response: returned, raised, or passed to a responder."""
    for node in ast.walk(func):
        holders: list[ast.AST] = []
        if (
            isinstance(node, (ast.Return, ast.Raise))
            and (node.value if isinstance(node, ast.Return) else node.exc) is not None
        ):
            holders.append(node.value if isinstance(node, ast.Return) else node.exc)
        elif isinstance(node, ast.Call) and (getattr(node.func, "id", None) or getattr(node.func, "attr", "")) in (
            _RESPONDERS | {"error", "warning"}
        ):
            holders.append(node)
        for holder in holders:
            for sub in ast.walk(holder):
                if isinstance(sub, ast.Constant) and isinstance(sub.value, str) and len(sub.value) < 120:
                    yield sub


def _fix(ctx, *constants: ast.Constant) -> Optional[object]:
    edits = []
    for constant in constants:
        segment = ctx.segment(ctx.span(constant))
        quote = segment[-1:]
        if quote not in ("'", '"') or "\n" in segment:
            return None
        prefix = segment[: segment.index(quote)]
        edits.append(Edit(ctx.span(constant), f"{prefix.replace('f', '').replace('F', '')}{quote}{_GENERIC}{quote}"))
    return lambda: Fix("Fix: one message for both failures", tuple(edits), False)
