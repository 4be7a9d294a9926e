"""TG405: a JWT is decoded with signature verification switched off, so anyone can forge one."""

from __future__ import annotations

import ast
from typing import Optional

from tabguard.engine.fixes import chain, edits_fix, expression_fix, remove_keyword, set_keyword
from tabguard.engine.rule import Invalid, Rule
from tabguard.engine.types import Edit, Span
from tabguard.rules.access._jwt import (
    dict_entry,
    drop_option,
    jwt_call,
    jwt_call_names,
    key_algorithm,
    local_value,
    module_root,
)


# Calls that read a token's claims without checking its signature, and the calls that check it: a
# function reading claims with the first and never calling the second trusts whatever the client wrote.
_UNVERIFIED_READS = {
    "python_jwt.process_jwt": "`python_jwt.process_jwt` without `verify_jwt`",
    "jose.jwt.get_unverified_claims": "`jwt.get_unverified_claims` without `jwt.decode`",
    "jose.jws.get_unverified_claims": "`jws.get_unverified_claims` without `jws.verify`",
}
_VERIFIERS = frozenset({"verify_jwt", "decode", "verify"})


class JwtSignatureNotVerified(Rule):
    id = "TG405"
    name = "jwt-signature-not-verified"
    severity = "critical"
    confidence = "high"
    cwe = (347,)
    owasp = "A07:2025"
    message = "JWT decoded without verifying its signature ({how_disabled})"
    placeholders = {"how_disabled": '`options={"verify_signature": False}`'}
    call_names = jwt_call_names("decode") | frozenset(name.rpartition(".")[2] for name in _UNVERIFIED_READS)
    what = "The claims are read from the token ({how_disabled}) without checking that the server signed them."
    why = (
        "A JWT is three base64 strings; anyone can write one. With verification off, an attacker takes "
        'their own token, changes `"sub": "17"` to `"sub": "1"` or `"role": "user"` to '
        '`"role": "admin"`, re-encodes it (no key needed), and the server believes it. Assistants turn '
        "verification off to get past an `InvalidSignatureError` while testing; the shortcut ships."
    )
    how = (
        "Decode with the key and a fixed list of algorithms, and let the library verify: "
        '`jwt.decode(token, key, algorithms=["HS256"])`. If you only need a header field before '
        "verifying (to choose a key by `kid`), use `jwt.get_unverified_header(token)` and then verify "
        "with the chosen key. `python_jwt.process_jwt` and python-jose's `get_unverified_claims` only parse: "
        "verify with `python_jwt.verify_jwt(token, key, ['RS256'])` or `jose.jwt.decode(token, key, "
        "algorithms=[...])`."
    )
    example = 'claims = jwt.decode(token, settings.JWT_SECRET, algorithms=["HS256"])'
    fix_safety = (
        "Unsafe: the rewrite turns verification back on (and pins `algorithms` when missing, to "
        "HS256 unless the module defines `ALGORITHM`); tokens that are not signed with the key are now "
        "rejected, which is the point, but review the key and algorithm. Options built in a variable "
        'get `"verify_signature": True` there. A call without a key gets no rewrite: verifying '
        "needs the key, which the code does not name."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/347.html",
        "https://owasp.org/Top10/2025/A07_2025-Authentication_Failures/",
        "https://pyjwt.readthedocs.io/en/stable/usage.html#reading-the-claimset-without-validation",
        "https://cheatsheetseries.owasp.org/cheatsheets/JSON_Web_Token_for_Java_Cheat_Sheet.html",
    )
    VALID = (
        "import jwt\nclaims = jwt.decode(token, key, algorithms=['HS256'])\n",
        "import jwt\nclaims = jwt.decode(token, key, algorithms=['HS256'], options={'verify_signature': True})\n",
        "import jwt\ndef f(token):\n    opts = {'verify_signature': True}\n    return jwt.decode(token, key, algorithms=['RS256'], options=opts)\n",
        "import jwt\nCHECK_SIGNATURE = True\ndef claims(token):\n"
        "    return jwt.decode(token, KEY, algorithms=['HS256'], options={'verify_signature': CHECK_SIGNATURE})\n",
        "import jwt\nclaims = jwt.decode(token, key, algorithms=['HS256'], options={'verify_aud': False})\n",
        "import jwt\nheader = jwt.get_unverified_header(token)\n",
        "import python_jwt as jwt\ndef claims_of(token, public_key):\n"
        "    header, claims = jwt.verify_jwt(token, public_key, ['RS256'])\n    return claims\n",
        "import python_jwt\ndef claims_of(token, key):\n    python_jwt.process_jwt(token)\n"
        "    return python_jwt.verify_jwt(token, key, ['HS256'])[1]\n",
        "from jose import jwt\ndef claims_of(token, keys):\n    issuer = jwt.get_unverified_claims(token)['iss']\n"
        "    return jwt.decode(token, keys[issuer], algorithms=['RS256'])\n",
    )
    INVALID = (
        Invalid(
            "import jwt\nclaims = jwt.decode(token, SECRET, algorithms=['HS256'], options={'verify_signature': False})\n",
            "import jwt\nclaims = jwt.decode(token, SECRET, algorithms=['HS256'])\n",
        ),
        Invalid(
            'import jwt\nclaims = jwt.decode(token, SECRET, options={"verify_signature": False, "require": ["exp"]})\n',
            'import jwt\nclaims = jwt.decode(token, SECRET, options={"require": ["exp"]}, algorithms=["HS256"])\n',
        ),
        Invalid(
            "import jwt\npayload = jwt.decode(token, app.config['SECRET_KEY'], verify=False)\n",
            "import jwt\npayload = jwt.decode(token, app.config['SECRET_KEY'], algorithms=[\"HS256\"])\n",
        ),
        Invalid(
            "import jwt\ndef user_from(token):\n    opts = {'verify_signature': False}\n    return jwt.decode(token, KEY, options=opts)['sub']\n",
            "import jwt\ndef user_from(token):\n    opts = {'verify_signature': True}\n"
            "    return jwt.decode(token, KEY, options=opts, algorithms=[\"HS256\"])['sub']\n",
        ),
        Invalid("import jwt\nclaims = jwt.decode(token, options={'verify_signature': False})\n"),
        # the switch kept in a module constant
        Invalid(
            "import jwt\nCHECK_SIGNATURE = False\ndef claims(token):\n"
            "    return jwt.decode(token, KEY, algorithms=['HS256'], options={'verify_signature': CHECK_SIGNATURE})\n",
            "import jwt\nCHECK_SIGNATURE = False\ndef claims(token):\n"
            "    return jwt.decode(token, KEY, algorithms=['HS256'])\n",
        ),
        Invalid(
            "import python_jwt as jwt\ndef verify_token(token):\n    return jwt.process_jwt(token)\n",
            message="process_jwt",
        ),
        Invalid(
            "from python_jwt import process_jwt\nfrom flask import request\ndef current_user():\n"
            "    header, claims = process_jwt(request.headers['Authorization'].split()[1])\n    return claims['sub']\n",
        ),
        Invalid(
            "from jose import jwt\ndef user_id(token: str) -> str:\n    return jwt.get_unverified_claims(token)['sub']\n",
            message="get_unverified_claims",
        ),
        Invalid(
            "from jose import jwt\nclaims = jwt.decode(token, KEY, algorithms=['HS256'], options={'verify_signature': False})\n",
            "from jose import jwt\nclaims = jwt.decode(token, KEY, algorithms=['HS256'])\n",
        ),
        # `decode_complete` with the signature check off
        Invalid(
            "import jwt\ndef payload(token):\n"
            "    return jwt.decode_complete(token, options={'verify_signature': False})['payload']\n",
            fixed=None,
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        unverified = _UNVERIFIED_READS.get(ctx.call_name(node) or "")
        if unverified is not None:
            if not _verifies(ctx.function or module_root(ctx, node)):
                ctx.report(self, node, details={"how_disabled": unverified})
            return
        call = jwt_call(node, ctx)
        if call is None or call.operation != "decode" or call.library == "authlib":
            return
        verify = ctx.keyword(node, "verify")
        if verify is not None and _false(verify.value, ctx, node):
            ctx.report(self, verify, details={"how_disabled": "`verify=False`"}, fix=_fix(ctx, node, None))
            return
        options = ctx.keyword(node, "options")
        if options is None:
            return
        resolved = local_value(options.value, ctx, node)
        flag = dict_entry(resolved, "verify_signature") if isinstance(resolved, ast.Dict) else None
        if flag is None or not _false(flag, ctx, node):
            return
        literal = options.value if isinstance(options.value, ast.Dict) else None
        # Options built in a variable are reported where verification is switched off.
        ctx.report(
            self,
            options if literal is not None else resolved,
            details={"how_disabled": '`"verify_signature": False`'},
            fix=_fix(ctx, node, literal) if literal is not None else _variable_fix(ctx, node, flag),
        )


def _verifies(scope: ast.AST) -> bool:
    """The scope calls a verifying function (`verify_jwt`, `jwt.decode`, `jws.verify`)."""
    for node in ast.walk(scope):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in _VERIFIERS:
                return True
    return False


def _false(value: ast.AST, ctx, at: ast.AST) -> bool:
    """False or 0, written there, in a local, or in a module constant (`VERIFY_SIGNATURE = False`)."""
    value = local_value(value, ctx, at)
    if isinstance(value, ast.Name):
        constant = ctx.constant_value(value)
        return constant is not None and constant in (False, 0)
    return isinstance(value, ast.Constant) and value.value in (False, 0) and value.value is not None


def _fix(ctx, node: ast.Call, options: Optional[ast.Dict]):
    key = ctx.argument(node, 1, "key")
    if key is None or (isinstance(key, ast.Constant) and key.value is None):
        return None  # verifying needs a key the call does not have
    steps = [remove_keyword("verify")]
    if options is not None:
        steps.append(drop_option("verify_signature") if len(options.keys) > 1 else remove_keyword("options"))
    if ctx.keyword(node, "algorithms") is None:
        steps.append(set_keyword("algorithms", f'["{key_algorithm(ctx)}"]'))
    return expression_fix(ctx, node, chain(*steps), "Fix: verify the signature", safe=False)


def _variable_fix(ctx, node: ast.Call, flag: ast.expr):
    """Options built in a variable: `"verify_signature": True` there, and the algorithms pinned."""
    if ctx.argument(node, 1, "key") is None:
        return None
    edits = [Edit(ctx.span(flag), "True")]
    if ctx.keyword(node, "algorithms") is None:
        span = ctx.span(node)
        before = ctx.segment(span)[:-1].rstrip()
        keyword = f'algorithms=["{key_algorithm(ctx)}"]'
        edits.append(
            Edit(
                Span(span.end_line, span.end_col - 1, span.end_line, span.end_col - 1),
                keyword if before.endswith((",", "(")) else ", " + keyword,
            )
        )
    return edits_fix(edits, "Fix: verify the signature", safe=False)
