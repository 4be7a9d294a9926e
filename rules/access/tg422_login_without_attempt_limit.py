"""TG422 (low confidence): a login or one-time-code check with no attempt limit anywhere in the module."""

from __future__ import annotations

import ast
import re

from tabguard.engine.rule import Invalid, Rule
from tabguard.guards import facts, last_part, words
from tabguard.rules.access._handlers import handler, handler_words, route_label, route_span

_SIGN_IN_WORDS = frozenset({"login", "signin", "authenticate", "otp", "totp", "mfa", "2fa"})
_RESET_WORDS = frozenset({"reset", "forgot", "recover", "register", "signup"})
_SECRET_INPUTS = frozenset({"password", "passwd", "pwd", "otp", "totp", "code", "pin", "passcode"})
# Rate limiting recognised by name: Flask-Limiter, slowapi, django-ratelimit, django-axes, DRF throttles,
# fastapi-limiter, and hand-written counters of failed attempts. More through the `rate-limits` option.
_LIMITERS = re.compile(
    r"limit|throttl|axes|lockout|locked_out|brute|attempt|failed_login|login_failures|backoff|captcha"
)


class LoginWithoutAttemptLimit(Rule):
    id = "TG422"
    name = "login-without-attempt-limit"
    severity = "medium"
    confidence = "low"
    cwe = (307,)
    owasp = "A07:2025"
    message = "`{route}` checks a {secret} with no attempt limit in this module (low confidence)"
    placeholders = {"route": "/login", "secret": "password"}
    what = (
        "The handler for `{route}` checks a {secret}, and nothing in this module limits how often it may be "
        "tried: no rate-limit decorator (Flask-Limiter `@limiter.limit`, slowapi, `@ratelimit`, DRF "
        "`throttle_classes`, django-axes), no count of failed attempts, no lockout. Low confidence: the limit "
        "may live in a proxy, a middleware or another module (name yours in `rate-limits`)."
    )
    why = (
        "Without a limit the endpoint is an oracle: password spraying and credential stuffing try thousands "
        "of passwords per minute, and a 6-digit one-time code falls to 1,000,000 requests, a few minutes from "
        "a small botnet."
    )
    how = (
        'Limit attempts per account and per client address (`@limiter.limit("5 per minute")`, '
        '`@ratelimit(key="post:username", rate="5/m")`, `throttle_classes = [ScopedRateThrottle]`), lock or '
        "slow down after repeated failures, and expire one-time codes after a few wrong tries. If your project "
        "limits attempts elsewhere, add its decorator or function to `rate-limits` in `[tool.tabguard]`."
    )
    example = (
        'limiter = Limiter(get_remote_address, app=app)\n\n@app.post("/login")\n@limiter.limit("5 per minute")\n'
        "def login():\n    ..."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/307.html",
        "https://owasp.org/Top10/2025/A07_2025-Authentication_Failures/",
        "https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html#protect-against-automated-attacks",
    )
    _LOGIN = (
        "@app.post('/login')\ndef login():\n    user = User.query.filter_by(email=request.form['email']).first()\n"
        "    if user is None or not check_password_hash(user.password_hash, request.form['password']):\n        abort(401)\n"
    )
    VALID = (
        "from flask import Flask, request\nfrom flask_limiter import Limiter\napp = Flask(__name__)\nlimiter = Limiter(app)\n"
        "@app.post('/login')\n@limiter.limit('5 per minute')\ndef login():\n    check(request.form['password'])\n",
        "from flask import Flask, request\napp = Flask(__name__)\n@app.post('/login')\ndef login():\n"
        "    if failed_attempts(request.form['email']) > 5:\n        abort(429)\n    check(request.form['password'])\n",
        # registering is not signing in
        "from flask import Flask, request\napp = Flask(__name__)\n@app.post('/register')\ndef register():\n    create(request.form['password'])\n",
    )
    INVALID = (
        Invalid("from flask import Flask, request, abort\napp = Flask(__name__)\n" + _LOGIN),
        Invalid(
            "from fastapi import APIRouter\nrouter = APIRouter()\n@router.post('/auth/verify-otp')\n"
            "async def verify_otp(body: OtpIn, user=Depends(pending_user)):\n    if body.code != user.otp_code:\n"
            "        raise HTTPException(status_code=400)\n    return issue_tokens(user)\n"
        ),
    )

    def visit_FunctionDef(self, node: ast.AST, ctx) -> None:
        found = handler(ctx, node)
        if found is None or not found.mutating and "ANY" not in found.methods:
            return
        said = handler_words(found)
        token_grant = any(path.rstrip("/").endswith("/token") for path in found.paths)  # OAuth2 password grant
        if not (said & _SIGN_IN_WORDS or token_grant) or said & _RESET_WORDS:
            return
        seen = facts(node, ctx)
        mentioned = {k for k in seen.keys if isinstance(k, str)} | seen.attrs | seen.names
        secret = next((w for name in sorted(mentioned) for w in words(name) if w in _SECRET_INPUTS), None)
        if secret is None or _limited(ctx, node, mentioned):
            return
        ctx.report(self, route_span(ctx, found), details={"route": route_label(found), "secret": secret})

    visit_AsyncFunctionDef = visit_FunctionDef


def _limited(ctx, func: ast.AST, mentioned: set[str]) -> bool:
    """Some rate limit in sight: the handler's names, the module's imports and decorators, the options."""
    configured = set(ctx.options.get("rate-limits", ()))
    names = set(mentioned) | set(ctx.module.imports) | set(ctx.module.imports.values())
    for function in ctx.module.functions.values():
        names.update(function.decorators)
    names.update(ast.unparse(d) for d in func.decorator_list)
    return any(_LIMITERS.search(name.lower()) or name in configured or last_part(name) in configured for name in names)
