"""TG407: sessions or access tokens configured to live for weeks, months, or forever."""

from __future__ import annotations

import ast
import re
from typing import Optional

from tabguard.engine.fixes import text_fix
from tabguard.engine.rule import Invalid, Rule
from tabguard.rules._spelling import spell
from tabguard.rules.access._durations import DAY, describe, seconds, unit_of
from tabguard.rules.access._jwt import dict_entry, jwt_call, jwt_call_names, local_value

# No setting name is longer; the patterns below backtrack quadratically on a 50,000-letter one.
_LONGEST_SETTING = 200
_SESSION_SETTING = re.compile(
    r"^(PERMANENT_SESSION_LIFETIME|SESSION\w*_(AGE|LIFETIME|TTL|EXPIRE|EXPIRY|EXPIRES|TIMEOUT)\w*)$"
)
_TOKEN_SETTING = re.compile(
    r"^(?!.*(REFRESH|RESET|REMEMBER|VERIFY|VERIFICATION|CONFIRM|INVITE|EMAIL|CSRF|CACHE))"
    r"\w*(ACCESS_TOKEN|JWT|AUTH_TOKEN|API_TOKEN|BEARER|SLIDING_TOKEN)\w*_(LIFETIME|TTL|EXPIRE|EXPIRES|EXPIRY|EXPIRATION|EXPIRATION_DELTA|AGE)\w*$"
)
# Longest lifetime accepted without a finding: a month for sessions (Flask's default is 31 days),
# a day for access tokens.
_LIMITS = {"session": 31 * DAY, "token": DAY}
# What the rewrite sets, as the advice says: sessions of hours, access tokens of minutes.
_ADVISED = {"session": (12 * 3600, "hours=12"), "token": (15 * 60, "minutes=15")}
# `app.config.update(...)` / `from_mapping(...)` set options by keyword.
_CONFIG_METHODS = frozenset({"update", "from_mapping"})


class LongSessionLifetime(Rule):
    id = "TG407"
    name = "long-session-lifetime"
    severity = "medium"
    confidence = "high"
    cwe = (613,)
    owasp = "A07:2025"
    message = "{kind} lifetime of {lifetime} (`{setting}`): stolen {kind}s stay usable that long"
    placeholders = {"kind": "session", "lifetime": "365 days", "setting": "PERMANENT_SESSION_LIFETIME"}
    call_names = _CONFIG_METHODS | jwt_call_names("encode")
    what = (
        "`{setting}` lets a {kind} live for {lifetime}. Sessions longer than a month and access tokens "
        "longer than a day (or ones that never expire, such as `JWT_ACCESS_TOKEN_EXPIRES = False`) are "
        "flagged; refresh, password-reset and remember-me settings are not this rule's business."
    )
    why = (
        "A session cookie or bearer token is the account for as long as it lives. Cookies and tokens "
        "leak through XSS, shared or stolen devices, proxies and logs; a one-year lifetime means an "
        "attacker who copies a cookie from a café laptop in January is still signed in at Christmas, "
        "and for JWTs nothing server-side can cut that short."
    )
    how = (
        "Keep sessions to hours or days (`PERMANENT_SESSION_LIFETIME = timedelta(hours=12)`, "
        "`SESSION_COOKIE_AGE = 60 * 60 * 12`) and access tokens to minutes "
        "(`ACCESS_TOKEN_EXPIRE_MINUTES = 15`); keep users signed in longer with a refresh token or "
        "remember-me cookie that is stored server-side and can be revoked."
    )
    example = "PERMANENT_SESSION_LIFETIME = timedelta(hours=12)\nACCESS_TOKEN_EXPIRE_MINUTES = 15"
    fix_safety = (
        "Unsafe: the rewrite sets the lifetime the advice names, 12 hours for a session and 15 minutes "
        "for an access token, written as the value was (`timedelta(hours=12)`, `60 * 60 * 12`, `15` "
        "for a `_MINUTES` setting). Users are signed out sooner: add a refresh token or remember-me "
        "cookie where they must stay signed in longer."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/613.html",
        "https://owasp.org/Top10/2025/A07_2025-Authentication_Failures/",
        "https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html#session-expiration",
    )
    VALID = (
        "from datetime import timedelta\napp.config['PERMANENT_SESSION_LIFETIME'] = timedelta(hours=12)\n",
        "SESSION_COOKIE_AGE = 60 * 60 * 24 * 14\n",
        "ACCESS_TOKEN_EXPIRE_MINUTES = 30\nREFRESH_TOKEN_EXPIRE_DAYS = 30\n",
        "from datetime import timedelta\nSIMPLE_JWT = {'ACCESS_TOKEN_LIFETIME': timedelta(minutes=5), 'REFRESH_TOKEN_LIFETIME': timedelta(days=7)}\n",
        "REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 365\n",
    )
    INVALID = (
        Invalid(
            "from datetime import timedelta\napp.config['PERMANENT_SESSION_LIFETIME'] = timedelta(days=365)\n",
            "from datetime import timedelta\napp.config['PERMANENT_SESSION_LIFETIME'] = timedelta(hours=12)\n",
        ),
        Invalid(
            "SESSION_COOKIE_AGE = 60 * 60 * 24 * 365\n",
            "SESSION_COOKIE_AGE = 60 * 60 * 12\n",
        ),
        Invalid(
            "ACCESS_TOKEN_EXPIRE_MINUTES = 60 * 24 * 30\n",
            "ACCESS_TOKEN_EXPIRE_MINUTES = 15\n",
        ),
        Invalid(
            "app.config.update(SECRET_KEY=key, JWT_ACCESS_TOKEN_EXPIRES=False)\n",
            "import datetime\n"
            "app.config.update(SECRET_KEY=key, JWT_ACCESS_TOKEN_EXPIRES=datetime.timedelta(minutes=15))\n",
        ),
        Invalid(
            "from datetime import timedelta\nSIMPLE_JWT = {'ACCESS_TOKEN_LIFETIME': timedelta(days=30)}\n",
            "from datetime import timedelta\nSIMPLE_JWT = {'ACCESS_TOKEN_LIFETIME': timedelta(minutes=15)}\n",
        ),
        Invalid(
            "from datetime import timedelta\nclass Config:\n    PERMANENT_SESSION_LIFETIME = timedelta(weeks=52)\n",
            "from datetime import timedelta\nclass Config:\n    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)\n",
        ),
        Invalid(
            "import datetime, jwt\n"
            "token = jwt.encode({'sub': uid, 'exp': datetime.datetime.utcnow() + datetime.timedelta(days=365)}, KEY, algorithm='HS256')\n",
            "import datetime, jwt\n"
            "token = jwt.encode({'sub': uid, 'exp': datetime.datetime.utcnow() + datetime.timedelta(minutes=15)}, KEY, algorithm='HS256')\n",
        ),
    )

    def visit_Assign(self, node: ast.Assign, ctx) -> None:
        for target in node.targets:
            name = _setting_name(target)
            if name:
                self._check(name, node.value, ctx)

    def visit_Call(self, node: ast.Call, ctx) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in _CONFIG_METHODS and "config" in (ast.unparse(func.value)):
            for keyword in node.keywords:
                if keyword.arg:
                    self._check(keyword.arg, keyword.value, ctx)
            return
        call = jwt_call(node, ctx)
        if call is not None and call.operation == "encode":
            payload = local_value(ctx.argument(node, call.payload_position, "payload"), ctx, node)
            exp = dict_entry(payload, "exp") if isinstance(payload, ast.Dict) else None
            if isinstance(exp, ast.BinOp):
                lifetime = seconds(exp.right, ctx) if isinstance(exp.right, ast.Call) else None
                if lifetime is not None and lifetime > _LIMITS["token"]:
                    ctx.report(
                        self,
                        exp,
                        details={"kind": "token", "lifetime": describe(lifetime), "setting": "exp"},
                        fix=_shorten(ctx, exp.right, "token", 1),
                    )

    def visit_Dict(self, node: ast.Dict, ctx) -> None:
        for key, value in zip(node.keys, node.values):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                self._check(key.value, value, ctx)

    def _check(self, name: str, value: ast.AST, ctx) -> None:
        kind = _kind(name)
        if kind is None:
            return
        if kind == "session" and ctx.module.constants.get("SESSION_EXPIRE_AT_BROWSER_CLOSE") is True:
            return
        if isinstance(value, ast.Constant) and value.value is False and kind == "token":
            ctx.report(
                self,
                value,
                details={"kind": kind, "lifetime": "forever", "setting": name},
                fix=_shorten(ctx, value, kind, unit_of(name)),
            )
            return
        lifetime = seconds(value, ctx, unit_of(name))
        if lifetime is not None and lifetime > _LIMITS[kind]:
            ctx.report(
                self,
                value,
                details={"kind": kind, "lifetime": describe(lifetime), "setting": name},
                fix=_shorten(ctx, value, kind, unit_of(name)),
            )


def _shorten(ctx, value: ast.expr, kind: str, unit: float):
    """The lifetime the rule's advice names, written as the value was: a `timedelta` call keeps its
    callee, a number is counted in the setting's unit (`_MINUTES`: 15); `False` becomes a timedelta."""
    seconds_wanted, keyword = _ADVISED[kind]
    callee = next(
        (
            n.func
            for n in ast.walk(value)
            if isinstance(n, ast.Call) and (ctx.call_name(n) or "").rsplit(".", 1)[-1] == "timedelta"
        ),
        None,
    )
    imports: tuple[str, ...] = ()
    if callee is not None:
        new = f"{ctx.segment(ctx.span(callee))}({keyword})"
    elif isinstance(value, ast.Constant) and value.value is False:
        spelled = spell(ctx, "datetime.timedelta")
        if spelled is None:
            return None
        new, imports = f"{spelled[0]}({keyword})", spelled[1]
    elif seconds_wanted % unit == 0:
        count = int(seconds_wanted // unit)
        new = " * ".join(str(f) for f in _factors(count)) if unit == 1 else str(count)
    else:
        return None
    what = "hours" if kind == "session" else "minutes"
    return text_fix(
        ctx.span(value),
        new,
        f"Fix: shorten the {kind} lifetime to {keyword.split('=')[1]} {what}",
        safe=False,
        imports=imports,
    )


def _factors(count: int) -> list[int]:
    """Seconds as they are usually written: 43200 -> 60 * 60 * 12, 900 -> 60 * 15."""
    factors = []
    while count % 60 == 0 and count > 60 and len(factors) < 2:
        factors.append(60)
        count //= 60
    return [*factors, count]


def _kind(name: str) -> Optional[str]:
    if len(name) > _LONGEST_SETTING:
        return None
    if _SESSION_SETTING.match(name.upper()) and name.upper() == name or name == "permanent_session_lifetime":
        return "session"
    if _TOKEN_SETTING.match(name) and name.upper() == name:
        return "token"
    return None


def _setting_name(target: ast.AST) -> Optional[str]:
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    if (
        isinstance(target, ast.Subscript)
        and isinstance(target.slice, ast.Constant)
        and isinstance(target.slice.value, str)
    ):
        return target.slice.value
    return None
