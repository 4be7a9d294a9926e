"""Recognising hash constructors across hashlib, pycryptodome and cryptography, and what they hash."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Optional

from tabguard.guards import words
from tabguard.rules.crypto._names import expression_name, secret_kind, value_parts

BROKEN = frozenset({"md5", "sha1", "sha", "md4", "md2", "ripemd160"})
# Unkeyed, fast hashes: fine for data, far too fast for passwords.
FAST = BROKEN | frozenset(
    {
        "sha224",
        "sha256",
        "sha384",
        "sha512",
        "sha512_224",
        "sha512_256",
        "sha3_224",
        "sha3_256",
        "sha3_384",
        "sha3_512",
        "blake2b",
        "blake2s",
        "shake_128",
        "shake_256",
    }
)
_HASH_MODULES = ("Crypto.Hash.", "Cryptodome.Hash.")
_CRYPTOGRAPHY_HASHES = "cryptography.hazmat.primitives.hashes."
# cryptography's class names where they are not the upper-cased hashlib spelling.
_CRYPTOGRAPHY_CLASSES = {"blake2b": "BLAKE2b", "blake2s": "BLAKE2s"}
# Functions whose whole job is handling a password: what they hash is the password.
PASSWORD_FUNCTIONS = frozenset({"hash", "check", "verify", "set", "make", "encrypt", "store", "validate", "compare"})


@dataclass(frozen=True)
class HashCall:
    algorithm: str  # lower-case hashlib spelling: "md5", "sha256"
    data: Optional[ast.expr]  # what is hashed, when passed to the constructor
    kind: str  # "hashlib", "hashlib.new", "pycryptodome", "cryptography"


def hash_call(ctx, call: ast.Call) -> Optional[HashCall]:
    name = ctx.call_name(call) or ""
    if name == "hashlib.new":
        algorithm = ctx.constant_value(ctx.argument(call, 0, "name"))
        if isinstance(algorithm, str):
            return HashCall(_normalise(algorithm), ctx.argument(call, 1, "data"), "hashlib.new")
        return None
    if name.startswith("hashlib."):
        algorithm = name[len("hashlib.") :]
        if algorithm in FAST:
            return HashCall(algorithm, ctx.argument(call, 0, "data") or ctx.argument(call, 0, "string"), "hashlib")
        return None
    if name.startswith(_HASH_MODULES) and name.endswith(".new"):
        module = name.split(".")[-2]
        return HashCall(_normalise(module), ctx.argument(call, 0, "data"), "pycryptodome")
    if name.startswith(_CRYPTOGRAPHY_HASHES):
        return HashCall(_normalise(name.rsplit(".", 1)[-1]), None, "cryptography")
    return None


def hash_call_names(algorithms: frozenset[str]) -> frozenset[str]:
    """The callee last names under which `hash_call` finds one of `algorithms` (for
    `Rule.call_names`): hashlib's `md5`, `new` (`hashlib.new`, `MD5.new`), cryptography's `MD5`."""
    return frozenset({"new", *algorithms, *(_CRYPTOGRAPHY_CLASSES.get(a, a.upper()) for a in algorithms)})


def _normalise(algorithm: str) -> str:
    return algorithm.lower().replace("-", "_")


def hashes_password(ctx, data: Optional[ast.expr]) -> bool:
    """True when `data` is (or contains) a password: by its name, or because the enclosing
    function is a password handler (`hash_password(raw)`, `check_pw(candidate, stored)`)."""
    if data is None:
        return False
    if any(secret_kind(expression_name(part)) == "password" for part in value_parts(data)):
        return True
    function = ctx.function
    if function is None:
        return False
    ws = words(getattr(function, "name", ""))
    is_password_function = (
        any(w in PASSWORD_FUNCTIONS for w in ws)
        and secret_kind("_".join(w for w in ws if w not in PASSWORD_FUNCTIONS)) == "password"
    )
    if not is_password_function:
        return False
    params = {a.arg for a in function.args.args} | {a.arg for a in function.args.kwonlyargs}
    return any(isinstance(part, ast.Name) and part.id in params for part in value_parts(data))


def stored_password(call: ast.Call) -> Optional[ast.expr]:
    """The value a call stores as a password: `x.set_password(v)`, `f(password=v)`."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if len(call.args) == 1 and secret_kind(name) == "password" and words(name)[:1] == ["set"]:
        return call.args[0]
    for keyword in call.keywords:
        if keyword.arg and secret_kind(keyword.arg, digests=True) == "password":
            return keyword.value
    return None
