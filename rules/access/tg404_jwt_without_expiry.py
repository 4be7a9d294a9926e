"""TG404: a JWT that identifies a user is issued without an `exp` claim, so it never expires."""

from __future__ import annotations

import ast
from typing import Optional

from tabguard.engine.fixes import expression_fix
from tabguard.engine.rule import Invalid, Rule
from tabguard.guards import words
from tabguard.rules.access._jwt import (
    add_dict_entry,
    jwt_call,
    jwt_call_names,
    local_value,
    quote_of,
    string_keys,
)

# Claims that make a token a credential: it says who the bearer is or what they may do.
_IDENTITY_WORDS = frozenset(
    {
        "sub",
        "user",
        "uid",
        "id",
        "email",
        "username",
        "login",
        "role",
        "roles",
        "scope",
        "scopes",
        "account",
        "admin",
        "tenant",
        "org",
        "customer",
        "permissions",
        "perms",
        "identity",
        "session",
        "sid",
        "member",
    }
)
_EXPIRY_CLAIMS = frozenset({"exp", "expires", "expires_at", "expiry"})


# Flask-JWT-Extended's token issuers: `expires_delta=False` leaves `exp` out.
_EXTENSION_ISSUERS = frozenset({"flask_jwt_extended.create_access_token", "flask_jwt_extended.create_refresh_token"})


class JwtWithoutExpiry(Rule):
    id = "TG404"
    name = "jwt-without-expiry"
    severity = "medium"
    confidence = "high"
    cwe = (613,)
    owasp = "A07:2025"
    message = "JWT issued without an `exp` claim: the token stays valid forever"
    call_names = jwt_call_names("encode") | {name.rpartition(".")[2] for name in _EXTENSION_ISSUERS}
    what = (
        "`jwt.encode` signs a payload that identifies a user (a `sub`, `user_id`, `email` or `role` claim) "
        "but has no `exp` claim. Libraries only reject expired tokens when the token says when it expires, "
        "so this one is accepted until the signing key changes. Flask-JWT-Extended's "
        "`create_access_token(..., expires_delta=False)` issues the same token."
    )
    why = (
        "Tokens leak: into browser storage read by an XSS payload, into logs and analytics URLs, into a "
        "support ticket screenshot, onto a stolen laptop. A token without `exp` turns any of those into "
        "permanent access to the account, and since JWTs are not stored server-side there is nothing to "
        "revoke: logging out, changing the password or deleting the session does not stop it. An attacker "
        "who finds a two-year-old token in a public bucket still gets in."
    )
    how = (
        "Add `exp` (and usually `iat`) to every token that grants access: "
        '`"exp": datetime.datetime.now(tz=datetime.timezone.utc) + datetime.timedelta(hours=1)`. Keep '
        "access tokens short (minutes to an hour) and use a refresh token, stored server-side so it can be "
        "revoked, for longer sessions."
    )
    example = (
        'token = jwt.encode(\n    {"sub": str(user.id), "exp": datetime.datetime.now(tz=datetime.timezone.utc) '
        '+ datetime.timedelta(hours=1)},\n    SECRET_KEY,\n    algorithm="HS256",\n)'
    )
    fix_safety = (
        "Unsafe: the rewrite adds a one-hour `exp`. Clients holding a token longer than that must now "
        "refresh it; choose the lifetime your sessions need."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/613.html",
        "https://owasp.org/Top10/2025/A07_2025-Authentication_Failures/",
        "https://datatracker.ietf.org/doc/html/rfc7519#section-4.1.4",
        "https://pyjwt.readthedocs.io/en/stable/usage.html#expiration-time-claim-exp",
    )
    VALID = (
        "import datetime\nimport jwt\n"
        "token = jwt.encode({'sub': user_id, 'exp': datetime.datetime.now(tz=datetime.timezone.utc) + datetime.timedelta(minutes=15)}, key, algorithm='HS256')\n",
        "import jwt\ndef issue(user):\n    payload = {'user_id': user.id}\n    payload['exp'] = expiry()\n"
        "    return jwt.encode(payload, KEY, algorithm='HS256')\n",
        # not a credential: a signed payload that names nobody
        "import jwt\nencoded = jwt.encode({'some': 'payload'}, secret_key, algorithm='HS256')\n",
        "from jose import jwt\ndef make(claims):\n    return jwt.encode({**claims, 'role': 'user'}, KEY)\n",
        # Flask-JWT-Extended with a lifetime of its own
        "from datetime import timedelta\nfrom flask_jwt_extended import create_access_token\ndef issue(user):\n"
        "    return create_access_token(identity=user.id, expires_delta=timedelta(minutes=15))\n",
    )
    INVALID = (
        Invalid(
            "import jwt\ntoken = jwt.encode({'user_id': user.id, 'role': user.role}, SECRET, algorithm='HS256')\n",
            "import datetime\nimport jwt\ntoken = jwt.encode({'user_id': user.id, 'role': user.role, 'exp': datetime.datetime.now(tz=datetime.timezone.utc) + datetime.timedelta(hours=1)}, SECRET, algorithm='HS256')\n",
        ),
        Invalid(
            'import jwt\n\ndef create_access_token(user):\n    payload = {\n        "sub": str(user.id),\n        "email": user.email,\n    }\n'
            '    return jwt.encode(payload, settings.SECRET_KEY, algorithm="HS256")\n',
            'import datetime\nimport jwt\n\ndef create_access_token(user):\n    payload = {\n        "sub": str(user.id),\n        "email": user.email,\n'
            '        "exp": datetime.datetime.now(tz=datetime.timezone.utc) + datetime.timedelta(hours=1),\n    }\n'
            '    return jwt.encode(payload, settings.SECRET_KEY, algorithm="HS256")\n',
        ),
        Invalid(
            'from datetime import datetime\nfrom jose import jwt\ntoken = jwt.encode({"sub": username, "iat": datetime.utcnow()}, KEY)\n',
            'import time\nfrom datetime import datetime\nfrom jose import jwt\ntoken = jwt.encode({"sub": username, "iat": datetime.utcnow(), "exp": int(time.time()) + 3600}, KEY)\n',
        ),
        # Flask-JWT-Extended told to leave the expiry out
        Invalid(
            "from flask_jwt_extended import create_access_token\ndef issue(user):\n"
            "    return create_access_token(identity=user.id, expires_delta=False)\n"
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        if ctx.call_name(node) in _EXTENSION_ISSUERS:
            never = ctx.keyword(node, "expires_delta")
            if never is not None and isinstance(never.value, ast.Constant) and never.value.value is False:
                ctx.report(self, never)  # Flask-JWT-Extended: `expires_delta=False` issues a token without `exp`
            return
        call = jwt_call(node, ctx)
        if call is None or call.operation != "encode":
            return
        payload = local_value(ctx.argument(node, call.payload_position, "payload"), ctx, node)
        if not isinstance(payload, ast.Dict) or None in payload.keys:  # `**spread` may carry exp
            return
        keys = string_keys(payload)
        if set(keys) & _EXPIRY_CLAIMS or not any(set(words(k)) & _IDENTITY_WORDS for k in keys):
            return
        name = ctx.argument(node, call.payload_position, "payload")
        if isinstance(name, ast.Name) and _expiry_added_later(ctx, name.id):
            return
        ctx.report(self, node, fix=_fix(ctx, payload))


def _expiry_added_later(ctx, name: str) -> bool:
    """`payload["exp"] = ...` or `payload.update(exp=...)` somewhere in the function."""
    scope = ctx.function
    if scope is None:
        return False
    for node in ast.walk(scope):
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == name:
            if isinstance(node.slice, ast.Constant) and node.slice.value in _EXPIRY_CLAIMS:
                return True
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("update", "setdefault")
        ):
            if isinstance(node.func.value, ast.Name) and node.func.value.id == name:
                return True
    return False


def _fix(ctx, payload: ast.Dict):
    expiry, imports = _expiry_expression(ctx)
    if expiry is None:
        return None
    quote = quote_of(payload, ctx)
    return expression_fix(
        ctx,
        payload,
        add_dict_entry(f"{quote}exp{quote}: {expiry}"),
        "Fix: add a one-hour `exp` claim",
        safe=False,
        imports=imports,
    )


def _expiry_expression(ctx) -> tuple[Optional[str], tuple[str, ...]]:
    """An expiry one hour from now written with the names the module has (or can import)."""
    imports = ctx.module.imports
    if imports.get("datetime", "datetime") == "datetime" and "datetime" not in ctx.module.functions:
        return "datetime.datetime.now(tz=datetime.timezone.utc) + datetime.timedelta(hours=1)", ("datetime",)
    if imports.get("time", "time") == "time":
        return "int(time.time()) + 3600", ("time",)
    return None, ()
