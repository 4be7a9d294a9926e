"""JSON Web Token calls (PyJWT, python-jose, authlib) and the local values passed to them."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Optional

import libcst as cst
from tabguard.engine.fixes import Transform
from tabguard.guards import words
from tabguard.rules.crypto._names import pii_kind, secret_kind

# qualified call name -> (library, operation, position of the payload / token argument)
_CALLS = {
    "jwt.encode": ("pyjwt", "encode", 0),
    "jwt.decode": ("pyjwt", "decode", 0),
    "jwt.api_jwt.encode": ("pyjwt", "encode", 0),
    "jwt.api_jwt.decode": ("pyjwt", "decode", 0),
    "jwt.decode_complete": ("pyjwt", "decode", 0),
    "jwt.api_jwt.decode_complete": ("pyjwt", "decode", 0),
    "jose.jwt.encode": ("jose", "encode", 0),
    "jose.jwt.decode": ("jose", "decode", 0),
    "authlib.jose.jwt.encode": ("authlib", "encode", 1),
    "authlib.jose.jwt.decode": ("authlib", "decode", 0),
}


@dataclass(frozen=True)
class JwtCall:
    library: str
    operation: str
    payload_position: int


def jwt_call_names(*operations: str) -> frozenset[str]:
    """The callee names (last part) of the calls `jwt_call` recognises for these operations."""
    return frozenset(name.rpartition(".")[2] for name, (_, operation, _) in _CALLS.items() if operation in operations)


def jwt_call(call: ast.Call, ctx) -> Optional[JwtCall]:
    found = _CALLS.get(ctx.call_name(call) or "")
    return JwtCall(*found) if found else None


def local_value(expr: Optional[ast.AST], ctx, at: ast.AST) -> Optional[ast.AST]:
    """`expr`, or for a local name the value of its last plain assignment above `at` in the block."""
    if not isinstance(expr, ast.Name):
        return expr
    scope = ctx.function or module_root(ctx, at)
    latest = None
    for node in ast.walk(scope):
        if (
            isinstance(node, ast.Assign)
            and node.lineno < at.lineno
            and any(isinstance(t, ast.Name) and t.id == expr.id for t in node.targets)
        ):
            if latest is None or node.lineno >= latest.lineno:
                latest = node
    return latest.value if latest is not None else expr


def module_root(ctx, node: ast.AST) -> ast.AST:
    while ctx.parent(node) is not None:
        node = ctx.parent(node)
    return node


def string_keys(node: ast.Dict) -> list[str]:
    return [k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]


def dict_entry(node: ast.Dict, key: str) -> Optional[ast.expr]:
    for k, v in zip(node.keys, node.values):
        if isinstance(k, ast.Constant) and k.value == key:
            return v
    return None


def add_dict_entry(key_and_value: str) -> Transform:
    """Append `"key": value` to a dict literal, following its layout (one line or one entry a line)."""

    def transform(node: cst.BaseExpression) -> cst.BaseExpression:
        assert isinstance(node, cst.Dict)
        entry = cst.parse_expression("{" + key_and_value + "}").elements[0]
        elements = list(node.elements)
        if not elements:
            return node.with_changes(elements=[entry])
        if len(elements) >= 2 and isinstance(elements[-2].comma, cst.Comma):
            separator = elements[-2].comma
        elif isinstance(node.lbrace.whitespace_after, cst.ParenthesizedWhitespace):
            separator = cst.Comma(whitespace_after=node.lbrace.whitespace_after)
        else:
            separator = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        last = elements[-1]
        trailing = last.comma
        elements[-1] = last.with_changes(comma=separator)
        elements.append(entry.with_changes(comma=trailing))
        return node.with_changes(elements=elements)

    return transform


def quote_of(node: ast.Dict, ctx) -> str:
    """The quote character the dict's keys are written with."""
    for key in node.keys:
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            text = ctx.segment(ctx.span(key))
            if text[:1] in "'\"":
                return text[0]
    return '"'


def key_algorithm(ctx) -> str:
    """The algorithm the module signs with (`algorithm="RS256"` in an encode call), else HS256."""
    value = ctx.module.constants.get("ALGORITHM") or ctx.module.constants.get("JWT_ALGORITHM")
    return value if isinstance(value, str) and value.lower() != "none" else "HS256"


def drop_option(name: str) -> Transform:
    """Remove the `name` entry of a call's literal `options={...}` dict (other entries stay)."""

    def transform(call: cst.BaseExpression) -> cst.BaseExpression:
        assert isinstance(call, cst.Call)
        args = []
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == "options" and isinstance(arg.value, cst.Dict):
                kept = [
                    e
                    for e in arg.value.elements
                    if not (
                        isinstance(e, cst.DictElement)
                        and isinstance(e.key, cst.SimpleString)
                        and e.key.evaluated_value == name
                    )
                ]
                kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
                arg = arg.with_changes(value=arg.value.with_changes(elements=kept))
            args.append(arg)
        return call.with_changes(args=args)

    return transform


# Claim names whose value must never leave the server.
_SECRET_WORDS = frozenset(
    {"password", "passwd", "pwd", "passphrase", "secret", "ssn", "cvv", "cvc", "pin", "otp", "mfa", "totp"}
)
_SECRET_PAIRS = ({"card", "number"}, {"credit", "card"}, {"api", "key"}, {"private", "key"}, {"social", "security"})
# Claim names about a secret rather than holding it (`password_changed_at`).
_METADATA = frozenset(
    {"changed", "updated", "set", "expires", "expired", "reset", "version", "hint", "policy", "required"}
)


def secret_claim(claim: str) -> bool:
    """A claim holding a secret (TG412): a password, a card number, an API key."""
    said = set(words(claim))
    return not said & _METADATA and bool(said & _SECRET_WORDS or any(pair <= said for pair in _SECRET_PAIRS))


def sensitive_claim(ctx, claim: str) -> bool:
    """A claim TG412 or TG606 flags: a rewrite leaving one out leaves out all of them."""
    return (
        secret_claim(claim)
        or secret_kind(claim) is not None
        or pii_kind(claim, ctx.options.get("pii-names", ())) is not None
    )
