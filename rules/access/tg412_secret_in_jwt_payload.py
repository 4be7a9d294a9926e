"""TG412: a password or other secret is put inside a JWT payload, which anyone holding it can read."""

from __future__ import annotations

import ast

from tabguard.engine.rule import Invalid, Rule
from tabguard.guards import words
from tabguard.rules.access._jwt import (
    jwt_call,
    jwt_call_names,
    local_value,
    string_keys,
)

# Claim names whose value must never leave the server.
_SECRET_WORDS = frozenset({"password", "passwd", "pwd", "passphrase", "secret", "ssn", "cvv", "cvc", "pin", "otp",
                           "mfa", "totp"})
_SECRET_PAIRS = ({"card", "number"}, {"credit", "card"}, {"api", "key"}, {"private", "key"}, {"social", "security"})
# Claim names about a secret rather than holding it (`password_changed_at`).
_METADATA = frozenset({"changed", "updated", "set", "expires", "expired", "reset", "version", "hint", "policy", "required"})


class SecretInJwtPayload(Rule):
    id = "TG412"
    name = "secret-in-jwt-payload"
    severity = "high"
    confidence = "high"
    cwe = (522, 312)
    owasp = "A04:2025"
    message = "JWT payload carries `{claim}`: token payloads are readable by anyone who holds the token"
    placeholders = {"claim": "password"}
    call_names = jwt_call_names("encode")
    what = (
        "The payload passed to `jwt.encode` has a `{claim}` claim. A signed JWT is not encrypted: its "
        "payload is base64, and anyone holding the token can decode it."
    )
    why = (
        "Tokens sit in browser storage, URLs, logs and HTTP proxies. Pasting one into any JWT debugger "
        "shows its claims, so a password (even hashed), card number or API key placed in it is handed to "
        "every script on the page, every log reader, and everyone the user forwards a link to."
    )
    how = (
        "Put only an identifier and the claims the server needs to authorize (`sub`, `role`, `exp`) in "
        "the token, and look everything else up on the server. If data must travel inside the token, "
        "encrypt it (JWE), but prefer not to."
    )
    example = 'jwt.encode({"sub": str(user.id), "exp": expires_at}, SECRET_KEY, algorithm="HS256")'
    references = (
        "https://cwe.mitre.org/data/definitions/522.html",
        "https://owasp.org/Top10/2025/A04_2025-Cryptographic_Failures/",
        "https://datatracker.ietf.org/doc/html/rfc8725#section-3.6",
    )
    VALID = (
        "import jwt\ntoken = jwt.encode({'sub': uid, 'exp': exp}, KEY, algorithm='HS256')\n",
        "import jwt\ntoken = jwt.encode({'sub': uid, 'password_changed_at': ts, 'exp': exp}, KEY, algorithm='HS256')\n",
    )
    INVALID = (
        Invalid("import jwt\ntoken = jwt.encode({'username': u.name, 'password': u.password, 'exp': exp}, KEY, algorithm='HS256')\n"),
        Invalid(
            "import jwt\ndef issue(user, value):\n    claims = {'sub': user.id, 'card_number': value, 'exp': exp}\n"
            "    return jwt.encode(claims, KEY, algorithm='HS256')\n"
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        call = jwt_call(node, ctx)
        if call is None or call.operation != "encode":
            return
        payload = local_value(ctx.argument(node, call.payload_position, "payload"), ctx, node)
        if not isinstance(payload, ast.Dict):
            return
        for claim in string_keys(payload):
            said = set(words(claim))
            if said & _METADATA:
                continue
            if said & _SECRET_WORDS or any(pair <= said for pair in _SECRET_PAIRS):
                ctx.report(self, payload, details={"claim": claim})
                return
