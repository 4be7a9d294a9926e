"""When MD5 or SHA-1 is the other side's choice, not the code's (TG302).

A protocol that names its hash leaves an implementation no choice: HTTP digest authentication runs
the algorithm the server's challenge names, an SSH key exchange method carries its hash in its name
(`diffie-hellman-group1-sha1`). Code shaped like that implements the protocol; replacing the hash
would break it, and the weakness is the protocol's, chosen when the method was negotiated.
"""

from __future__ import annotations

import ast
import re

_WORD = re.compile(r"[a-z0-9]+")
# The spellings protocols use for a hash (`SHA` is SHA-1 in RFC 2617, `MD5-sess` a variant of MD5).
_SPELLINGS = {"md5": ("md5",), "sha1": ("sha1", "sha"), "sha": ("sha1", "sha"), "md4": ("md4",), "md2": ("md2",)}


def chosen_by_protocol(ctx, node: ast.Call, algorithm: str) -> bool:
    """Run under a branch taken when a negotiated value names the algorithm (`if algorithm == "MD5":`),
    in a class whose protocol name contains it, in a function registered under the hash's name (an
    `MD5()` SQL function: `create_function("MD5", 1, _md5)`), or as the fallback of a `try` that passes
    `usedforsecurity` (the code said what the digest is for; the fallback serves old Pythons)."""
    spellings = _SPELLINGS.get(algorithm, (algorithm,))
    child: ast.AST = node
    parent = ctx.parent(node)
    while parent is not None:
        if isinstance(parent, ast.If) and child in parent.body and _names_algorithm(parent.test, spellings):
            return True
        if isinstance(parent, ast.ClassDef) and _protocol_name_in(parent, spellings):
            return True
        if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) and _registered_as(
            ctx, parent, spellings
        ):
            return True
        if isinstance(parent, ast.ExceptHandler):
            attempt = ctx.parent(parent)
            if isinstance(attempt, ast.Try) and _passes_usedforsecurity(attempt.body):
                return True
        child, parent = parent, ctx.parent(parent)
    return False


def _registered_as(
    ctx, function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, spellings: tuple[str, ...]
) -> bool:
    """`function` handed to a call together with a string that names the hash: the caller (a SQL
    engine, a template or plugin registry) asks for that algorithm by name; the function computes it."""
    if isinstance(function, ast.Lambda):
        call = ctx.parent(function)
        labels = [a.value for a in getattr(call, "args", ()) if isinstance(a, ast.Constant)]
    else:
        labels = list(ctx.module.registered.get(function.name, ()))
    return any(isinstance(label, str) and _spelled(label, spellings) for label in labels)


def _spelled(text: str, spellings: tuple[str, ...]) -> bool:
    return "".join(_WORD.findall(text.lower())).removesuffix("sess") in spellings


def _names_algorithm(test: ast.expr, spellings: tuple[str, ...]) -> bool:
    """`x == "MD5"`, `x in ("MD5", "MD5-SESS")`: a string naming the hash, compared with a value."""
    for compare in ast.walk(test):
        if isinstance(compare, ast.Compare):
            for side in (compare.left, *compare.comparators):
                for literal in ast.walk(side):
                    if isinstance(literal, ast.Constant) and isinstance(literal.value, str):
                        if _spelled(literal.value, spellings):
                            return True
    return False


def _protocol_name_in(cls: ast.ClassDef, spellings: tuple[str, ...]) -> bool:
    """A class attribute set to a method identifier of several words, one of them the hash:
    `NAME = "diffie-hellman-group14-sha1"`. A bare `"md5"` is a setting, not a protocol's name."""
    for statement in cls.body:
        value = statement.value if isinstance(statement, (ast.Assign, ast.AnnAssign)) else None
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            parts = _WORD.findall(value.value.lower())
            if len(parts) >= 3 and any(part in spellings for part in parts):
                return True
    return False


def _passes_usedforsecurity(body: list[ast.stmt]) -> bool:
    return any(
        isinstance(node, ast.Call) and any(k.arg == "usedforsecurity" for k in node.keywords)
        for statement in body
        for node in ast.walk(statement)
    )
