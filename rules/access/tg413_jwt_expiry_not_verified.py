"""TG413: a JWT decoded with its expiry check switched off, so an expired token still signs the user in."""

from __future__ import annotations

import ast

from tabguard.engine.fixes import expression_fix, remove_keyword
from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.access._jwt import dict_entry, drop_option, jwt_call, jwt_call_names, local_value


class JwtExpiryNotVerified(Rule):
    id = "TG413"
    name = "jwt-expiry-not-verified"
    severity = "high"
    confidence = "high"
    cwe = (613,)
    owasp = "A07:2025"
    message = "JWT decoded with `verify_exp` off: expired tokens are still accepted"
    call_names = jwt_call_names("decode")
    what = (
        'Decodes a JSON Web Token with `options={{"verify_exp": False}}`: the signature is checked, but the '
        "`exp` claim is ignored, so a token issued once is accepted for ever. authlib's `jwt.decode` "
        "checks no claim at all until `claims.validate()` is called."
    )
    why = (
        "Expiry is what limits a stolen token. A token copied from a log, a browser extension, a shared "
        "laptop or a leaked HAR file keeps working after the user logged out, changed their password or "
        "left the company. Assistants switch the check off to silence `ExpiredSignatureError` during "
        'development, or to "let the refresh endpoint read old tokens", and the option ships.'
    )
    how = (
        "Leave `verify_exp` on (the default) and issue short-lived tokens with an `exp` claim. A refresh "
        "flow should accept a separate refresh token (random, stored server-side with a TTL, rotated on "
        "use), never an expired access token."
    )
    example = 'claims = jwt.decode(token, os.environ["JWT_SECRET"], algorithms=["HS256"])'
    fix_safety = (
        "Unsafe: expired tokens are rejected after the rewrite, so clients that relied on old tokens must refresh them."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/613.html",
        "https://owasp.org/Top10/2025/A07_2025-Authentication_Failures/",
        "https://pyjwt.readthedocs.io/en/stable/usage.html#expiration-time-claim-exp",
    )
    VALID = (
        "import jwt\nclaims = jwt.decode(token, KEY, algorithms=['HS256'])\n",
        "import jwt\nclaims = jwt.decode(token, KEY, algorithms=['HS256'], options={'verify_exp': True, 'require': ['exp']})\n",
        "import jwt\nclaims = jwt.decode(token, KEY, algorithms=['HS256'], options={'verify_aud': False})\n",
        # not a JWT library
        "claims = codec.decode(token, options={'verify_exp': False})\n",
        # authlib, with the claims validated
        "from authlib.jose import jwt\ndef current_claims(token):\n    claims = jwt.decode(token, PUBLIC_KEY)\n"
        "    claims.validate()\n    return dict(claims)\n",
    )
    INVALID = (
        Invalid(
            "import jwt\nclaims = jwt.decode(token, KEY, algorithms=['HS256'], options={'verify_exp': False})\n",
            "import jwt\nclaims = jwt.decode(token, KEY, algorithms=['HS256'])\n",
        ),
        Invalid(
            "import jwt\ndef user_id(token):\n"
            "    data = jwt.decode(token, settings.SECRET_KEY, algorithms=['HS256'], options={'verify_exp': False, 'verify_aud': False})\n"
            "    return data['sub']\n",
            "import jwt\ndef user_id(token):\n"
            "    data = jwt.decode(token, settings.SECRET_KEY, algorithms=['HS256'], options={'verify_aud': False})\n"
            "    return data['sub']\n",
        ),
        Invalid(
            "from jose import jwt\npayload = jwt.decode(token, KEY, algorithms=['HS256'], options={\"verify_exp\": 0})\n",
            "from jose import jwt\npayload = jwt.decode(token, KEY, algorithms=['HS256'])\n",
        ),
        # authlib checks the claims only in `claims.validate()`
        Invalid(
            "from authlib.jose import jwt\ndef current_claims(token):\n"
            "    claims = jwt.decode(token, PUBLIC_KEY)\n    return dict(claims)\n",
            message="claims.validate()",
        ),
        # the options built in a variable
        Invalid(
            "import jwt\ndef decode(token):\n    options = {'verify_exp': False}\n"
            "    return jwt.decode(token, KEY, algorithms=['HS256'], options=options)\n"
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        call = jwt_call(node, ctx)
        if call is None or call.operation != "decode":
            return
        if call.library == "authlib":
            if not _claims_validated(ctx):
                ctx.report(self, node, message=_AUTHLIB_MESSAGE)
            return
        options = ctx.keyword(node, "options")
        resolved = local_value(options.value, ctx, node) if options is not None else None
        if not isinstance(resolved, ast.Dict):
            return
        flag = dict_entry(resolved, "verify_exp")
        if not (isinstance(flag, ast.Constant) and flag.value in (False, 0) and flag.value is not None):
            return
        if resolved is not options.value:  # options built in a variable: reported where the check is switched off
            ctx.report(self, flag)
            return
        step = drop_option("verify_exp") if len(resolved.keys) > 1 else remove_keyword("options")
        ctx.report(self, options, fix=expression_fix(ctx, node, step, "Fix: check the expiry", safe=False))


_AUTHLIB_MESSAGE = (
    "authlib's `jwt.decode` checks only the signature: without `claims.validate()` expired tokens are accepted"
)


def _claims_validated(ctx) -> bool:
    """`claims.validate()` (authlib checks `exp`, `nbf` and `iat` there, not in `decode`) in the function."""
    scope = ctx.function
    return scope is None or any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "validate"
        for n in ast.walk(scope)
    )
