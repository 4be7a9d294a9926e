"""TG417: a password-reset endpoint that hands the reset token (or link) back in its response."""

from __future__ import annotations

import ast
from typing import Iterator

from tabguard.engine.fixes import chain, drop_dict_keys, expressions_fix, remove_keyword
from tabguard.engine.rule import Invalid, Rule
from tabguard.guards import words
from tabguard.rules.access._handlers import handler, handler_words

_RESET_WORDS = frozenset({"reset", "forgot", "forgotten", "recover", "recovery", "lost"})
# Response keys that carry the secret (`reset_token`, `code`), or a link holding it (`reset_link`, not `next_url`).
_CARRIER_WORDS = frozenset({"token", "code", "otp", "key"})
_LINK_WORDS = frozenset({"link", "url"})
_RESPONDERS = frozenset({"jsonify", "JSONResponse", "JsonResponse", "Response", "make_response", "dict"})


class ResetTokenInResponse(Rule):
    id = "TG417"
    name = "reset-token-in-response"
    severity = "high"
    confidence = "medium"
    cwe = (640,)
    owasp = "A07:2025"
    message = "Password reset returns `{key}` to the caller instead of sending it to the account's e-mail"
    placeholders = {"key": "reset_token"}
    what = (
        "The password-reset endpoint puts the reset secret (`{key}`) in its HTTP response. Whoever asks "
        "for the reset receives it."
    )
    why = (
        "A reset token proves control of the account's mailbox only if it travels there and nowhere else. "
        "Returned to the caller, it lets anyone type the victim's e-mail into `/forgot-password`, read the "
        "token from the JSON, and set a new password: a full account takeover with one request. Assistants "
        'return it "for testing" or because no mail sender is configured yet.'
    )
    how = (
        "Send the token (or the link holding it) to the address on file, out of band, and answer every "
        'request with the same message whether or not the account exists ("If that address is registered, '
        'we sent a link"). Store only a hash of the token, with a short expiry.'
    )
    example = (
        "token = secrets.token_urlsafe(32)\nstore_reset(user, hashlib.sha256(token.encode()).hexdigest(), ttl=900)\n"
        'send_reset_email(user.email, url_for("reset", token=token, _external=True))\n'
        'return jsonify(message="If that address is registered, we sent a reset link.")'
    )
    fix_safety = (
        "Unsafe: the rewrite leaves the token or link out of every response of the endpoint; until the "
        "code sends it to the address on file, nobody receives it and resets stop working."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/640.html",
        "https://owasp.org/Top10/2025/A07_2025-Authentication_Failures/",
        "https://cheatsheetseries.owasp.org/cheatsheets/Forgot_Password_Cheat_Sheet.html",
    )
    VALID = (
        # the flashed message says the link was mailed
        "import secrets\nfrom flask import Flask, flash, redirect, request\napp = Flask(__name__)\n"
        "@app.post('/account/recover')\ndef recover():\n    token = secrets.token_urlsafe(24)\n"
        "    mail_reset_link(request.form['email'], token)\n    flash(f\"If {request.form['email']} is registered, a link is on its way\")\n"
        "    return redirect('/login')\n",
        "from flask import Flask, jsonify, request\napp = Flask(__name__)\n@app.post('/forgot-password')\ndef forgot():\n"
        "    token = make_token(request.json['email'])\n    send_reset_email(request.json['email'], token)\n"
        "    return jsonify(message='If that address is registered, we sent a link.')\n",
        # a login returns its access token: that is its job
        "from flask import Flask, jsonify\napp = Flask(__name__)\n@app.post('/login')\ndef login():\n    return jsonify(access_token=issue())\n",
        # the reset form page, rendered with the token from the link the user clicked
        "from flask import Flask, render_template\napp = Flask(__name__)\n@app.get('/reset/<token>')\ndef reset_form(token):\n"
        "    return render_template('reset.html', token=token)\n",
        # after the reset, where to go next
        "from flask import Flask, jsonify, url_for\napp = Flask(__name__)\n@app.post('/reset/<token>')\ndef reset(token):\n"
        "    apply_reset(token)\n    return jsonify(message='Password changed', next_url=url_for('login'))\n",
    )
    INVALID = (
        # the link with the token flashed to the page that follows
        Invalid(
            "import secrets\nfrom flask import Flask, flash, redirect, request\napp = Flask(__name__)\n"
            "@app.post('/account/recover')\ndef recover():\n    token = secrets.token_urlsafe(24)\n"
            "    store_reset(request.form['email'], token)\n    flash(f'Use this link to choose a new password: /reset/{token}')\n"
            "    return redirect('/login')\n",
            message="`token`",
        ),
        Invalid(
            "from flask import Flask, jsonify, request\napp = Flask(__name__)\n@app.post('/forgot-password')\n"
            "def forgot_password():\n"
            "    user = User.query.filter_by(email=request.json['email']).first_or_404()\n"
            "    token = secrets.token_urlsafe(32)\n    user.reset_token = token\n    db.session.commit()\n"
            "    return jsonify({'message': 'Reset token generated', 'reset_token': token})\n",
            "from flask import Flask, jsonify, request\napp = Flask(__name__)\n@app.post('/forgot-password')\n"
            "def forgot_password():\n"
            "    user = User.query.filter_by(email=request.json['email']).first_or_404()\n"
            "    token = secrets.token_urlsafe(32)\n    user.reset_token = token\n    db.session.commit()\n"
            "    return jsonify({'message': 'Reset token generated'})\n",
        ),
        Invalid(
            "from fastapi import APIRouter\nrouter = APIRouter()\n@router.post('/password/reset-request')\n"
            "async def request_reset(body: ResetRequest):\n    token = await create_reset_token(body.email)\n"
            "    return {'detail': 'sent', 'reset_url': f'https://app.example.com/reset?token={token}'}\n",
            "from fastapi import APIRouter\nrouter = APIRouter()\n@router.post('/password/reset-request')\n"
            "async def request_reset(body: ResetRequest):\n    token = await create_reset_token(body.email)\n"
            "    return {'detail': 'sent'}\n",
        ),
        Invalid(
            "from django.http import JsonResponse\nfrom django.views.decorators.http import require_POST\n"
            "@require_POST\ndef password_reset(request):\n    code = issue_code(request.POST['email'])\n"
            "    return JsonResponse({'ok': True, 'code': code})\n",
            "from django.http import JsonResponse\nfrom django.views.decorators.http import require_POST\n"
            "@require_POST\ndef password_reset(request):\n    code = issue_code(request.POST['email'])\n"
            "    return JsonResponse({'ok': True})\n",
        ),
    )

    def visit_FunctionDef(self, node: ast.AST, ctx) -> None:
        found = handler(ctx, node)
        if found is None:
            return
        said = handler_words(found)
        if not said & _RESET_WORDS or "GET" in found.methods and len(found.methods) == 1:
            return
        returns = [(s, s.value) for s in ast.walk(node) if isinstance(s, ast.Return) and s.value is not None]
        carried = [(statement, key, holder) for statement, value in returns for key, holder in _carried(value)]
        if carried:
            statement, key, _ = carried[0]
            ctx.report(self, statement, details={"key": key}, fix=_fix(ctx, carried))
            return
        for call, name in _flashed(node):
            ctx.report(self, call, details={"key": name})
            return

    visit_AsyncFunctionDef = visit_FunctionDef


def _fix(ctx, carried: list[tuple[ast.Return, str, ast.AST]]):
    """Every carrying key of every response left out (one left would be reported next)."""
    holders: dict[int, tuple[ast.AST, list[str]]] = {}
    for _, key, holder in carried:
        holders.setdefault(id(holder), (holder, []))[1].append(key)
    spans = [ctx.span(holder) for holder, _ in holders.values()]
    if any(a is not b and a.contains(b) for a in spans for b in spans):
        return None  # `jsonify(code=c, data={"token": t})`: one edit would overwrite the other
    changes = [
        (holder, drop_dict_keys(frozenset(keys)) if isinstance(holder, ast.Dict) else chain(*map(remove_keyword, keys)))
        for holder, keys in holders.values()
    ]
    names = ", ".join(dict.fromkeys(f"`{key}`" for _, key, _ in carried))
    return expressions_fix(ctx, changes, f"Fix: leave {names} out of the response", safe=False)


def _flashed(func: ast.AST) -> Iterator[tuple[ast.Call, str]]:
    """A message shown on the next page that spells the secret out: `flash(f"Reset link: /reset/{token}")`,
    Django's `messages.info(request, f"... {code}")`."""
    for call in ast.walk(func):
        if not isinstance(call, ast.Call):
            continue
        name = getattr(call.func, "id", None) or getattr(call.func, "attr", "")
        receiver = getattr(call.func, "value", None)
        if name != "flash" and not (isinstance(receiver, ast.Name) and receiver.id == "messages"):
            continue
        for text in call.args:
            for part in ast.walk(text):
                if isinstance(part, ast.FormattedValue) and isinstance(part.value, ast.Name):
                    if set(words(part.value.id)) & _CARRIER_WORDS:
                        yield call, part.value.id


def _carried(value: ast.AST) -> Iterator[tuple[str, ast.AST]]:
    """The response keys that carry a secret, with the dict or call holding each:
    `{"reset_token": t}`, `jsonify(code=c)`."""
    for sub in ast.walk(value):
        keys: list[str] = []
        if isinstance(sub, ast.Dict):
            keys = [
                k.value
                for k, v in zip(sub.keys, sub.values)
                if isinstance(k, ast.Constant) and isinstance(k.value, str) and not isinstance(v, ast.Constant)
            ]
        elif (
            isinstance(sub, ast.Call)
            and (getattr(sub.func, "id", None) or getattr(sub.func, "attr", "")) in _RESPONDERS
        ):
            keys = [k.arg for k in sub.keywords if k.arg and not isinstance(k.value, ast.Constant)]
        for key in keys:
            said = set(words(key))
            if said & _CARRIER_WORDS or said & _LINK_WORDS and said & _RESET_WORDS:
                yield key, sub
