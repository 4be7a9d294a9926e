"""TG406: a JWT accepts the `none` algorithm or lets the token pick its own algorithm."""

from __future__ import annotations

import ast

import libcst as cst
from tabguard.engine.fixes import expression_fix, set_keyword
from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.access._jwt import (
    jwt_call,
    jwt_call_names,
    key_algorithm,
    local_value,
)


class JwtAlgorithmNotPinned(Rule):
    id = "TG406"
    name = "jwt-algorithm-not-pinned"
    severity = "high"
    confidence = "high"
    cwe = (327, 347)
    owasp = "A07:2025"
    message = "JWT {problem}"
    placeholders = {"problem": "decoded with the `none` algorithm allowed"}
    call_names = jwt_call_names("encode", "decode")
    what = (
        'A JWT is {problem}. The `none` algorithm means "this token is not signed"; a python-jose decode '
        "without `algorithms=`, or a list built from the token's unverified header, lets the token choose "
        "the algorithm it is checked with."
    )
    why = (
        "The algorithm in a token's header is chosen by whoever wrote the token. If the server accepts "
        '`alg: none`, an attacker sends `{{"alg":"none"}}.{{"sub":"1","role":"admin"}}.` with an empty '
        "signature and is admin. If it accepts whatever algorithm the header names, a server that "
        "verifies RS256 tokens with its public key can be handed an HS256 token signed with that public "
        "key as the HMAC secret (algorithm confusion): the public key is public, so anyone can sign."
    )
    how = (
        'Always pass the exact algorithms you issue: `jwt.decode(token, key, algorithms=["RS256"])`, never '
        "`none`, never a list read from the token or from configuration users can influence. Sign with a "
        "real algorithm (`HS256` with a long random secret, or `RS256`/`EdDSA` with a key pair)."
    )
    example = 'claims = jwt.decode(token, PUBLIC_KEY, algorithms=["RS256"])'
    fix_safety = (
        "Unsafe: the rewrite removes `none` from the accepted algorithms, or pins python-jose to the "
        "algorithm the module uses (`ALGORITHM`, else HS256); tokens signed otherwise are now rejected."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/347.html",
        "https://owasp.org/Top10/2025/A07_2025-Authentication_Failures/",
        "https://auth0.com/blog/critical-vulnerabilities-in-json-web-token-libraries/",
        "https://python-jose.readthedocs.io/en/latest/jwt/api.html",
    )
    VALID = (
        "import jwt\nclaims = jwt.decode(token, key, algorithms=['HS256'])\n",
        "import jwt\nencoded = jwt.encode({'some': 'payload'}, secret_key, algorithm='HS256')\n",
        "from jose import jwt\nclaims = jwt.decode(token, KEY, algorithms=[ALGORITHM])\n",
        # PyJWT 2 refuses to decode without `algorithms`: it fails closed
        "import jwt\nclaims = jwt.decode(token, key)\n",
        "import jwt\ndef verify(token):\n    header = jwt.get_unverified_header(token)\n"
        "    return jwt.decode(token, KEYS[header['kid']], algorithms=['RS256'])\n",
    )
    INVALID = (
        Invalid("import jwt\nencoded = jwt.encode({'sub': '1'}, None, algorithm='none')\n"),
        Invalid(
            "import jwt\nclaims = jwt.decode(token, key, algorithms=['HS256', 'none'])\n",
            "import jwt\nclaims = jwt.decode(token, key, algorithms=['HS256'])\n",
        ),
        Invalid("import jwt\nclaims = jwt.decode(token, None, algorithms=['none'])\n"),
        Invalid(
            "import jwt\ndef verify(token):\n    header = jwt.get_unverified_header(token)\n"
            "    return jwt.decode(token, KEYS[header['kid']], algorithms=[header['alg']])\n"
        ),
        Invalid(
            "import jwt\ndef verify(token):\n    alg = jwt.get_unverified_header(token).get('alg')\n"
            "    return jwt.decode(token, KEY, algorithms=[alg])\n"
        ),
        Invalid(
            "from jose import jwt\nALGORITHM = 'RS256'\ndef claims(token):\n    return jwt.decode(token, PUBLIC_KEY)\n",
            "from jose import jwt\nALGORITHM = 'RS256'\ndef claims(token):\n    return jwt.decode(token, PUBLIC_KEY, algorithms=[\"RS256\"])\n",
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        call = jwt_call(node, ctx)
        if call is None or call.library == "authlib":
            return
        if call.operation == "encode":
            algorithm = ctx.constant_value(local_value(ctx.argument(node, 2, "algorithm"), ctx, node))
            if isinstance(algorithm, str) and algorithm.lower() == "none":
                ctx.report(self, node, details={"problem": "signed with the `none` algorithm (not signed at all)"})
            return
        keyword = ctx.keyword(node, "algorithms")
        if keyword is None:
            if call.library == "jose" and not _verification_off(node):
                ctx.report(
                    self,
                    node,
                    details={"problem": "decoded without `algorithms=`: the token picks its own algorithm"},
                    fix=expression_fix(
                        ctx,
                        node,
                        set_keyword("algorithms", f'["{key_algorithm(ctx)}"]'),
                        "Fix: pin the accepted algorithm",
                        safe=False,
                    ),
                )
            return
        listed = local_value(keyword.value, ctx, node)
        if _from_token_header(listed, ctx, node):
            ctx.report(self, keyword, details={"problem": "decoded with the algorithm the token's own header names"})
            return
        elements = listed.elts if isinstance(listed, (ast.List, ast.Tuple, ast.Set)) else [listed]
        if not any(_is_none_name(e, ctx, node) for e in elements):
            return
        others = [e for e in elements if not _is_none_name(e, ctx, node)]
        fix = None
        if others and listed is keyword.value:
            fix = expression_fix(ctx, node, _drop_none, "Fix: stop accepting unsigned tokens", safe=False)
        ctx.report(self, keyword, details={"problem": "decoded with the `none` algorithm allowed"}, fix=fix)


def _is_none_name(node: ast.AST, ctx, at: ast.AST) -> bool:
    value = ctx.constant_value(local_value(node, ctx, at))
    return isinstance(value, str) and value.lower() == "none"


def _from_token_header(expr: ast.AST, ctx, at: ast.AST, depth: int = 0) -> bool:
    """`algorithms=[header["alg"]]` where the header was read from the token itself."""
    for sub in ast.walk(expr):
        if isinstance(sub, ast.Subscript) and isinstance(sub.slice, ast.Constant) and sub.slice.value == "alg":
            return True
        if isinstance(sub, ast.Call) and (ctx.call_name(sub) or "").endswith("get_unverified_header"):
            return True
        if isinstance(sub, ast.Name) and depth < 2:
            value = local_value(sub, ctx, at)
            if value is not sub and _from_token_header(value, ctx, at, depth + 1):
                return True
    return False


def _verification_off(node: ast.Call) -> bool:
    """TG405 already reports decode calls with verification off."""
    return any(k.arg in ("options", "verify") for k in node.keywords)


def _drop_none(call: cst.BaseExpression) -> cst.BaseExpression:
    assert isinstance(call, cst.Call)
    args = []
    for arg in call.args:
        if (
            arg.keyword is not None
            and arg.keyword.value == "algorithms"
            and isinstance(arg.value, (cst.List, cst.Tuple, cst.Set))
        ):
            kept = [
                e
                for e in arg.value.elements
                if not (isinstance(e.value, cst.SimpleString) and e.value.evaluated_value.lower() == "none")
            ]
            kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            arg = arg.with_changes(value=arg.value.with_changes(elements=kept))
        args.append(arg)
    return call.with_changes(args=args)
