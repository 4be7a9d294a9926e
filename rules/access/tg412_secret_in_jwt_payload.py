"""TG412: a password or other secret is put inside a JWT payload, which anyone holding it can read."""

from __future__ import annotations

import ast

from tabguard.engine.fixes import drop_dict_keys, expression_fix
from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.access._jwt import (
    jwt_call,
    jwt_call_names,
    local_value,
    secret_claim,
    sensitive_claim,
    string_keys,
)


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
    fix_safety = (
        "Unsafe: the rewrite drops the secret claims from the payload dict; code that reads them back "
        "from decoded tokens must look them up server-side instead."
    )
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
        Invalid(
            "import jwt\ntoken = jwt.encode({'username': u.name, 'password': u.password, 'exp': exp}, KEY, algorithm='HS256')\n",
            "import jwt\ntoken = jwt.encode({'username': u.name, 'exp': exp}, KEY, algorithm='HS256')\n",
        ),
        Invalid(
            "import jwt\ndef issue(user, value):\n    claims = {'sub': user.id, 'card_number': value, 'exp': exp}\n"
            "    return jwt.encode(claims, KEY, algorithm='HS256')\n",
            "import jwt\ndef issue(user, value):\n    claims = {'sub': user.id, 'exp': exp}\n"
            "    return jwt.encode(claims, KEY, algorithm='HS256')\n",
        ),
        Invalid(
            "import jwt\ntoken = jwt.encode({\n    'sub': u.id,\n    'api_key': u.api_key,\n    'password': u.password,\n}, KEY, algorithm='HS256')\n",
            "import jwt\ntoken = jwt.encode({\n    'sub': u.id,\n}, KEY, algorithm='HS256')\n",
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        call = jwt_call(node, ctx)
        if call is None or call.operation != "encode":
            return
        payload = local_value(ctx.argument(node, call.payload_position, "payload"), ctx, node)
        if not isinstance(payload, ast.Dict):
            return
        claims = list(string_keys(payload))
        secrets = [claim for claim in claims if secret_claim(claim)]
        if secrets:
            # Every sensitive claim goes in one rewrite (TG606's too): one left would be flagged next.
            dropped = [claim for claim in claims if sensitive_claim(ctx, claim)]
            fix = expression_fix(
                ctx,
                payload,
                drop_dict_keys(frozenset(dropped)),
                f"Fix: leave {', '.join(f'`{c}`' for c in dropped)} out of the token",
                safe=False,
            )
            ctx.report(self, payload, details={"claim": secrets[0]}, fix=fix)
