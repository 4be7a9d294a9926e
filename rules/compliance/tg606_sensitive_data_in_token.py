"""TG606: a password, secret or personal data put into a JWT payload, which anyone can read."""

from __future__ import annotations

import ast
from typing import Iterator, Optional

from tabguard.engine.fixes import delete_statement, drop_dict_keys, expressions_fix
from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.access._jwt import sensitive_claim
from tabguard.rules.crypto._names import pii_kind, secret_kind

_ENCODERS = frozenset({"jwt.encode", "jose.jwt.encode", "authlib.jose.jwt.encode"})


class SensitiveDataInToken(Rule):
    id = "TG606"
    name = "sensitive-data-in-token"
    severity = "high"
    confidence = "high"
    cwe = (522, 312)
    owasp = "A04:2025"
    message = "`{name}` put into a JWT payload; JWT claims are only signed, not encrypted"
    placeholders = {"name": "password"}
    call_names = frozenset(name.rpartition(".")[2] for name in _ENCODERS)
    what = "Encodes a token whose claims include `{name}`."
    why = (
        "A signed JWT is base64: anyone holding it (the browser, its extensions, every proxy and log "
        "that sees the `Authorization` header) can decode the claims without any key, e.g. on "
        "jwt.io. A password or API secret in the payload is disclosed to all of them, and tokens are "
        "long-lived and copied into local storage."
    )
    how = (
        "Put only an identifier (`sub`) and the claims authorization needs in the token; look up "
        "everything else server-side. Never put passwords or secrets in a token; if confidential "
        "claims are unavoidable, use an encrypted token (JWE)."
    )
    example = (
        'claims = {"sub": str(user.id), "role": user.role, "exp": expires_at}\n'
        'token = jwt.encode(claims, signing_key, algorithm="HS256")'
    )
    fix_safety = (
        "Unsafe: the rewrite leaves the flagged claims out of the token (their dict entries, or the "
        '`payload["k"] = v` lines); code that reads them from decoded tokens must look them up '
        "server-side instead."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/522.html",
        "https://datatracker.ietf.org/doc/html/rfc7519#section-12",
    )
    VALID = (
        "import jwt\ntoken = jwt.encode({'sub': user_id, 'exp': exp}, key, algorithm='HS256')\n",
        "import jwt\ndef issue(user, key):\n    claims = {'sub': user.id, 'password_changed_at': user.changed}\n"
        "    return jwt.encode(claims, key, algorithm='HS256')\n",
    )
    INVALID = (
        Invalid(
            "import jwt\ntoken = jwt.encode({'sub': user.id, 'password': user.password}, key, algorithm='HS256')\n",
            "import jwt\ntoken = jwt.encode({'sub': user.id}, key, algorithm='HS256')\n",
        ),
        Invalid(
            "import jwt\ndef issue(user, key):\n    payload = {'sub': user.id}\n    payload['api_secret'] = user.api_secret\n"
            "    return jwt.encode(payload, key, algorithm='HS256')\n",
            "import jwt\ndef issue(user, key):\n    payload = {'sub': user.id}\n"
            "    return jwt.encode(payload, key, algorithm='HS256')\n",
        ),
        Invalid(
            "import jwt\ndef issue(user, key):\n    claims = {'sub': user.id, 'ssn': user.ssn, 'date_of_birth': user.dob}\n"
            "    return jwt.encode(claims, key, algorithm='HS256')\n",
            "import jwt\ndef issue(user, key):\n    claims = {'sub': user.id}\n"
            "    return jwt.encode(claims, key, algorithm='HS256')\n",
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        if ctx.call_name(node) not in _ENCODERS:
            return
        payload = ctx.argument(node, 0, "payload") or ctx.argument(node, 0, "claims")
        extra = ctx.options.get("pii-names", ())
        claims = list(_claims(ctx, payload))
        flagged = [
            claim for claim in claims if secret_kind(claim[0]) is not None or pii_kind(claim[0], extra) is not None
        ]
        if flagged:
            # Every sensitive claim goes in one rewrite (TG412's too): one left would be flagged next.
            dropped = [claim for claim in claims if sensitive_claim(ctx, claim[0])]
            ctx.report(self, flagged[0][1], details={"name": flagged[0][0]}, fix=_fix(ctx, dropped))


def _fix(ctx, flagged: list[tuple[str, ast.AST, ast.AST]]):
    """Every flagged claim left out (dropping only the first would leave the next one reported): its
    dict entry removed, or the `payload["k"] = v` statement deleted."""
    dicts: dict[int, tuple[ast.Dict, set[str]]] = {}
    deletions = []
    for key, _, holder in flagged:
        if isinstance(holder, ast.Dict):
            dicts.setdefault(id(holder), (holder, set()))[1].add(key)
            continue
        deletion = delete_statement(ctx, holder) if len(holder.targets) == 1 else None
        if deletion is None:
            return None
        deletions.append(deletion)
    names = ", ".join(dict.fromkeys(f"`{key}`" for key, _, _ in flagged))
    return expressions_fix(
        ctx,
        [(d, drop_dict_keys(frozenset(keys))) for d, keys in dicts.values()],
        f"Fix: leave {names} out of the token",
        safe=False,
        more=deletions,
    )


def _claims(ctx, payload: Optional[ast.expr]) -> Iterator[tuple[str, ast.AST, ast.AST]]:
    """(claim name, node, the dict or `payload["k"] = v` statement holding it) of a dict literal, or
    of a local dict built before the call (`payload = {...}`, `payload["k"] = v`)."""
    if isinstance(payload, ast.Dict):
        for key in payload.keys:
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                yield key.value, key, payload
    elif isinstance(payload, ast.Name) and ctx.function is not None:
        for node in ast.walk(ctx.function):
            if isinstance(node, ast.Assign) and node.lineno < payload.lineno:
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id == payload.id:
                        yield from _claims(ctx, node.value)
                    elif (
                        isinstance(target, ast.Subscript)
                        and isinstance(target.value, ast.Name)
                        and target.value.id == payload.id
                        and isinstance(target.slice, ast.Constant)
                        and isinstance(target.slice.value, str)
                    ):
                        yield target.slice.value, target, node
