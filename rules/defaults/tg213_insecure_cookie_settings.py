"""TG213: framework session/CSRF cookie settings that switch `Secure` or `HttpOnly` off."""

from __future__ import annotations

import ast

from tabguard.engine.fixes import chain, expression_fix, set_keyword
from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.defaults._common import CONFIG_METHODS, is_false, replace_with, settings_written

# Django and Flask (and Flask-Login's remember-me cookie) settings that must stay True.
_SETTINGS = frozenset(
    {
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_SECURE",
        "REMEMBER_COOKIE_SECURE",
        "REMEMBER_COOKIE_HTTPONLY",
    }
)
# Pyramid's auth-ticket cookie: `secure` defaults to False.
_AUTHTKT = ("AuthTktAuthenticationPolicy", "AuthTktCookieHelper")
# aiohttp-session's storages (cookie, Redis, Memcached): the session cookie is HttpOnly unless told not.
_SESSION_STORAGES = (
    "EncryptedCookieStorage",
    "NaClCookieStorage",
    "SimpleCookieStorage",
    "RedisStorage",
    "MemcachedStorage",
)


class InsecureCookieSettings(Rule):
    id = "TG213"
    name = "insecure-cookie-settings"
    severity = "medium"
    confidence = "high"
    cwe = (614, 1004)
    quiet_in_tests = True
    owasp = "A02:2025"
    message = "Session cookie protection off: `{setting}`"
    placeholders = {"setting": "SESSION_COOKIE_SECURE = False"}
    call_names = frozenset(_AUTHTKT) | frozenset(_SESSION_STORAGES) | CONFIG_METHODS
    what = "`{setting}` makes the framework issue its session (or CSRF / remember-me) cookie without that protection."
    why = (
        "The session cookie is the login. Sent without `Secure`, it leaks over any plain-HTTP request "
        "(a redirect, a mixed-content image) to whoever watches the network; without `HttpOnly`, a "
        "single XSS reads it from `document.cookie`. Either way the attacker replays it and is logged "
        "in as the victim. Pyramid's auth-ticket cookie is not `Secure` unless asked."
    )
    how = (
        "Keep `SESSION_COOKIE_SECURE = True`, `SESSION_COOKIE_HTTPONLY = True`, `CSRF_COOKIE_SECURE = True` "
        "in production settings; relax them only in development settings files (which are not flagged). "
        "For Pyramid pass `secure=True, http_only=True` to the auth-ticket policy; leave aiohttp-session's "
        "storages `httponly` (and set `secure=True` behind HTTPS)."
    )
    example = "SESSION_COOKIE_SECURE = True\nSESSION_COOKIE_HTTPONLY = True\nCSRF_COOKIE_SECURE = True"
    fix_safety = "Unsafe: with `Secure` on, the cookie is not sent to a plain-HTTP development server."
    references = (
        "https://docs.djangoproject.com/en/stable/ref/settings/#session-cookie-secure",
        "https://flask.palletsprojects.com/en/stable/security/#set-cookie-options",
        "https://docs.pylonsproject.org/projects/pyramid/en/latest/api/authentication.html",
    )
    VALID = (
        "SESSION_COOKIE_SECURE = True\nCSRF_COOKIE_SECURE = True\n",
        "app.config['SESSION_COOKIE_SECURE'] = True\n",
        "import os\nSESSION_COOKIE_SECURE = os.environ.get('HTTPS', '1') == '1'\n",
        "class TestingConfig(Config):\n    SESSION_COOKIE_SECURE = False\n",
        "from pyramid.authentication import AuthTktAuthenticationPolicy\n"
        "policy = AuthTktAuthenticationPolicy(SECRET, secure=True)\n",
        "from pyramid.authentication import AuthTktAuthenticationPolicy\npolicy = AuthTktAuthenticationPolicy(**params)\n",
        "from pyramid.authentication import AuthTktCookieHelper\nhelper = AuthTktCookieHelper(SECRET, secure=True)\n",
        "from aiohttp_session import setup\nfrom aiohttp_session.redis_storage import RedisStorage\n"
        "def init(app, pool):\n    setup(app, RedisStorage(pool, max_age=3600))\n",
    )
    INVALID = (
        Invalid("SESSION_COOKIE_SECURE = False\n", "SESSION_COOKIE_SECURE = True\n"),
        Invalid(
            "from flask import Flask\napp = Flask(__name__)\napp.config['SESSION_COOKIE_HTTPONLY'] = False\n",
            "from flask import Flask\napp = Flask(__name__)\napp.config['SESSION_COOKIE_HTTPONLY'] = True\n",
        ),
        Invalid(
            "app.config.update(SECRET_KEY=key, SESSION_COOKIE_SECURE=False)\n",
            "app.config.update(SECRET_KEY=key, SESSION_COOKIE_SECURE=True)\n",
        ),
        Invalid("CSRF_COOKIE_SECURE = False\n", "CSRF_COOKIE_SECURE = True\n", path="mysite/settings.py"),
        Invalid(
            "from aiohttp_session import setup\nfrom aiohttp_session.redis_storage import RedisStorage\n"
            "def init(app, pool):\n    setup(app, RedisStorage(pool, httponly=False))\n",
            "from aiohttp_session import setup\nfrom aiohttp_session.redis_storage import RedisStorage\n"
            "def init(app, pool):\n    setup(app, RedisStorage(pool, httponly=True))\n",
        ),
        Invalid(
            "from pyramid.authentication import AuthTktAuthenticationPolicy\npolicy = AuthTktAuthenticationPolicy(SECRET)\n",
            "from pyramid.authentication import AuthTktAuthenticationPolicy\npolicy = AuthTktAuthenticationPolicy(SECRET, secure=True)\n",
        ),
    )

    def visit_Assign(self, node: ast.Assign, ctx) -> None:
        self._check_settings(node, ctx)

    def visit_Call(self, node: ast.Call, ctx) -> None:
        tail = (ctx.call_name(node) or "").rpartition(".")[2]
        if tail in _AUTHTKT and (ctx.call_name(node) or "").startswith("pyramid"):
            self._check_authtkt(node, ctx, tail)
        elif tail in _SESSION_STORAGES and (ctx.call_name(node) or "").startswith("aiohttp_session"):
            for flag in ("httponly", "secure"):
                keyword = ctx.keyword(node, flag)
                if keyword is not None and is_false(keyword.value):
                    fix = expression_fix(ctx, keyword.value, replace_with("True"), f"Fix: {flag}=True", safe=False)
                    ctx.report(self, keyword, details={"setting": f"{tail}({flag}=False)"}, fix=fix)
        else:
            self._check_settings(node, ctx)

    def _check_settings(self, node: ast.AST, ctx) -> None:
        for setting in settings_written(node, ctx):
            if setting.key in _SETTINGS and is_false(setting.value):
                fix = expression_fix(ctx, setting.value, replace_with("True"), f"Fix: {setting.key} = True", safe=False)
                ctx.report(self, setting.anchor, details={"setting": f"{setting.key} = False"}, fix=fix)

    def _check_authtkt(self, node: ast.Call, ctx, tail: str) -> None:
        if any(k.arg is None for k in node.keywords):
            return
        # `secure` defaults to False; `http_only` (also False by default) only when turned off explicitly,
        # since an auth ticket kept from scripts is a hardening step, the clear-text leak is the hole.
        secure, http_only = ctx.keyword(node, "secure"), ctx.keyword(node, "http_only")
        missing = [
            flag
            for flag, k, default_bad in (("secure", secure, True), ("http_only", http_only, False))
            if (k is None and default_bad) or (k is not None and is_false(k.value))
        ]
        if not missing:
            return
        ctx.report(
            self,
            node,
            details={"setting": f"{tail} without " + " and ".join(f"{flag}=True" for flag in missing)},
            fix=expression_fix(
                ctx,
                node,
                chain(*(set_keyword(f, "True") for f in missing)),
                "Fix: " + ", ".join(f"{f}=True" for f in missing),
                safe=False,
            ),
        )
