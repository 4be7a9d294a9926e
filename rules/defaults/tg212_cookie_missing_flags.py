"""TG212: a response cookie set without `Secure` / `HttpOnly` (and `SameSite` for session cookies)."""

from __future__ import annotations

import ast
import re

from tabguard.engine.fixes import chain, expression_fix, set_keyword
from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.defaults._common import string_value

# Cookie names that carry a session or a credential.
_SENSITIVE = re.compile(
    r"sess|auth|token|jwt|sid|login|remember|user|csrf|xsrf|refresh|access|api.?key|credential|secret", re.IGNORECASE
)
_SECURE_VALUES = {"secure": "True", "httponly": "True", "samesite": '"Lax"'}


class CookieMissingFlags(Rule):
    id = "TG212"
    name = "cookie-missing-flags"
    severity = "medium"
    confidence = "medium"
    cwe = (614, 1004, 1275)
    owasp = "A02:2025"
    message = "Cookie `{cookie}` set without {missing}"
    placeholders = {"cookie": "session", "missing": "`secure=True`, `httponly=True`"}
    call_names = frozenset({"set_cookie"})
    what = (
        "`set_cookie({cookie}, ...)` is missing {missing}. Cookies whose name or stored value suggests a "
        "session or credential need `Secure`, `HttpOnly` and `SameSite`; other named cookies are flagged "
        "when they carry no attribute at all, switch one off, or set some flags but not `Secure`."
    )
    why = (
        "Without `Secure` the browser also sends the cookie over plain HTTP, where anyone on the network "
        "reads it (one `http://` link or a downgrade is enough). Without `HttpOnly` any XSS on the site "
        "reads `document.cookie` and ships the session to the attacker. Without `SameSite` a session "
        "cookie rides along on cross-site form posts, which is what CSRF needs."
    )
    how = (
        'Pass `secure=True, httponly=True, samesite="Lax"` (or `"Strict"`) to `set_cookie`. For a '
        "cookie that front-end JavaScript must read, keep `secure=True` and leave `httponly` off on "
        "purpose, and never put a credential in it."
    )
    example = 'response.set_cookie("session_id", token, secure=True, httponly=True, samesite="Lax", max_age=3600)'
    fix_safety = (
        "Unsafe: the rewrite adds the missing flags; a `Secure` cookie is not sent over plain-HTTP "
        "development servers, and an `HttpOnly` cookie can no longer be read by the page's JavaScript."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/614.html",
        "https://cwe.mitre.org/data/definitions/1004.html",
        "https://owasp.org/www-community/controls/SecureCookieAttribute",
        "https://developer.mozilla.org/en-US/docs/Web/HTTP/Cookies#restrict_access_to_cookies",
    )
    VALID = (
        "resp.set_cookie('session', token, secure=True, httponly=True, samesite='Lax')\n",
        "resp.set_cookie('theme', 'dark', secure=True, httponly=True)\n",
        "resp.set_cookie('cart', cart_id, secure=True)\n",
        "resp.set_cookie('cart', cart_id, secure=True, samesite='Lax')\n",
        "resp.set_cookie('prefs', json.dumps(prefs), secure=True, httponly=True)\n",
        "resp.set_cookie('session', token, **COOKIE_FLAGS)\n",
        "resp.set_cookie(name, value, secure=settings.SESSION_COOKIE_SECURE, httponly=settings.SESSION_COOKIE_HTTPONLY)\n",
        "jar.set_cookie(cookie)\n",
        "def set_cookie(self, name, value, secure=False):\n    pass\n",
        # a test client keeps the cookie in its own jar for the requests it sends next
        "from webtest import TestApp\ndef client(app):\n    c = TestApp(app)\n    c.set_cookie('csrf_token', 'dummy')\n    return c\n",
        "def client(app):\n    c = app.test_client()\n    c.set_cookie('session', 'abc')\n    return c\n",
    )
    INVALID = (
        # a response the function made sends the cookie to the browser
        Invalid(
            "from flask import make_response\ndef view():\n    resp = make_response('ok')\n    resp.set_cookie('csrf_token', 'dummy')\n",
            "from flask import make_response\ndef view():\n    resp = make_response('ok')\n"
            "    resp.set_cookie('csrf_token', 'dummy', secure=True, httponly=True, samesite=\"Lax\")\n",
        ),
        Invalid(
            "resp.set_cookie('session_id', token)\n",
            "resp.set_cookie('session_id', token, secure=True, httponly=True, samesite=\"Lax\")\n",
        ),
        Invalid(
            "resp.set_cookie('auth_token', token, httponly=True, max_age=3600)\n",
            "resp.set_cookie('auth_token', token, httponly=True, max_age=3600, secure=True, samesite=\"Lax\")\n",
        ),
        Invalid(
            "response.set_cookie('cart', cart_id, secure=False)\n",
            "response.set_cookie('cart', cart_id, secure=True, httponly=True)\n",
        ),
        Invalid(
            "response.set_cookie('lang', 'fr', httponly=True, samesite='Lax')\n",
            "response.set_cookie('lang', 'fr', httponly=True, samesite='Lax', secure=True)\n",
        ),
        Invalid(
            "response.set_cookie('theme', 'dark')\n",
            "response.set_cookie('theme', 'dark', secure=True, httponly=True)\n",
        ),
        Invalid(
            "response.set_cookie(key='jwt', value=token, secure=True, httponly=False, samesite='Strict')\n",
            "response.set_cookie(key='jwt', value=token, secure=True, httponly=True, samesite='Strict')\n",
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        if not (isinstance(node.func, ast.Attribute) and node.func.attr == "set_cookie"):
            return
        if any(k.arg is None for k in node.keywords):
            return  # flags passed through **kwargs
        value_given = len(node.args) >= 2 or ctx.keyword(node, "value") is not None
        if not value_given or _test_client(node.func.value, ctx):
            return  # `cookiejar.set_cookie(cookie)`, a test client's jar: not a response cookie
        name = ctx.argument(node, 0, "key")
        cookie = string_value(name) if name is not None else None
        value = ctx.argument(node, 1, "value")
        # Sensitive by name (`session_id`) or by what is stored (`set_cookie("c", access_token)`).
        sensitive = bool(cookie and _SENSITIVE.search(cookie)) or bool(
            isinstance(value, (ast.Name, ast.Attribute, ast.Call)) and _SENSITIVE.search(ast.unparse(value))
        )
        wanted = ("secure", "httponly", "samesite") if sensitive else ("secure", "httponly")
        missing = [flag for flag in wanted if self._unset(ctx.keyword(node, flag))]
        if not missing:
            return
        given = [ctx.keyword(node, flag) for flag in _SECURE_VALUES]
        switched_off = any(k is not None and self._unset(k) for k in given)
        # Flags taken from configuration (`secure=settings.SESSION_COOKIE_SECURE`) delegate the choice.
        configured = any(k is not None and not isinstance(k.value, ast.Constant) for k in given)
        # A named, non-credential cookie (`theme`, `cart`) is flagged when it carries no attribute at
        # all or one is switched off: partial flags show the attributes were considered.
        considered = configured or (cookie is not None and not sensitive and any(k is not None for k in given))
        if considered and not switched_off:
            if configured or ctx.keyword(node, "secure") is not None:
                return
            # HttpOnly may be left off on purpose (the page's JavaScript reads the cookie); Secure
            # has no such reason on an HTTPS site, so a plain cookie with other flags still needs it.
            missing = ["secure"]
        fix = chain(*(set_keyword(flag, _SECURE_VALUES[flag]) for flag in missing))
        # Point at an explicit `secure=False` when there is one, else at the whole call.
        explicit = [ctx.keyword(node, flag) for flag in missing if ctx.keyword(node, flag) is not None]
        ctx.report(
            self,
            explicit[0] if explicit else node,
            details={
                "cookie": cookie or ast.unparse(name) if name is not None else "?",
                "missing": ", ".join(f"`{flag}={_SECURE_VALUES[flag]}`" for flag in missing),
            },
            fix=expression_fix(ctx, node, fix, "Fix: add " + ", ".join(missing), safe=False),
        )

    @staticmethod
    def _unset(keyword) -> bool:
        """Absent, or explicitly off (`False` / `None`); a variable counts as set on purpose."""
        return keyword is None or (isinstance(keyword.value, ast.Constant) and keyword.value.value in (False, None))


# Test clients: what they are given a cookie for is the next request they send, not a browser.
_TEST_CLIENTS = frozenset({"test_client", "TestApp", "TestClient"})
_TEST_CLIENT_MODULES = ("webtest.", "django.test.", "starlette.testclient.", "fastapi.testclient.")


def _test_client(receiver: ast.expr, ctx) -> bool:
    if not isinstance(receiver, ast.Name):
        return False
    for value in ctx.model.values(receiver) or ():
        if isinstance(value, ast.Call):
            name = ctx.call_name(value) or ""
            if name.rpartition(".")[2] in _TEST_CLIENTS or name.startswith(_TEST_CLIENT_MODULES):
                return True
    return False
