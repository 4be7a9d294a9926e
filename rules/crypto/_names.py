"""What a name says about the value it holds: passwords, secrets, tokens, personal data.

Crypto and compliance rules judge intent from identifiers (`reset_token`, `user.password`,
`data["card_number"]`). Names are split into lower-case words (snake_case and camelCase alike) so
`apiKey`, `API_KEY` and `api_key` read the same, and words that turn a secret into metadata about it
(`token_count`, `max_tokens`, `password_policy`) cancel the match.
"""

from __future__ import annotations

import ast
import math
from functools import lru_cache
from typing import Iterable, Iterator, Optional

from tabguard.guards import words

PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "pw", "passphrase", "pass", "pin", "passcode"})
# Words that name a secret on their own.
SECRET_WORDS = PASSWORD_WORDS | frozenset(
    {"secret", "token", "apikey", "otp", "totp", "credential", "credentials", "creds", "privkey", "jwt", "bearer"}
)
# `<word> key` is a secret (`api_key`, `signing_key`); `key` alone is usually a dict key.
_KEY_QUALIFIERS = frozenset(
    {
        "api",
        "secret",
        "private",
        "access",
        "signing",
        "encryption",
        "master",
        "auth",
        "client",
        "hmac",
        "aes",
        "jwt",
        "session",
        "app",
        "license",
        "stripe",
        "aws",
        "webhook",
        "decryption",
        "shared",
        "crypto",
        "fernet",
    }
)
# `<word> code` is a one-time secret (`reset_code`, `verification_code`); `code` alone is not.
_CODE_QUALIFIERS = frozenset(
    {
        "reset",
        "verification",
        "verify",
        "confirmation",
        "confirm",
        "auth",
        "mfa",
        "2fa",
        "sms",
        "login",
        "otp",
        "invite",
        "invitation",
        "activation",
        "recovery",
        "backup",
        "access",
        "security",
        "one",
        "magic",
    }
)
# `<word> token` that names or marks something rather than granting access: an identity map's key
# (`identity_token`), a placeholder or wildcard in a template or path, a page cursor.
_NAMING_TOKEN_QUALIFIERS = frozenset(
    {
        "identity",
        "omit",
        "wildcard",
        "placeholder",
        "sentinel",
        "marker",
        "relationship",
        "page",
        "pagination",
        "continuation",
        "cancellation",
    }
)
# Phrases that are secrets even though they contain a metadata word (`session_id`).
_SECRET_PHRASES = ("session_id", "sessionid", "session_token", "session_cookie", "csrf_token", "refresh_token")
# Words that make the name about the secret rather than the secret itself.
METADATA_WORDS = frozenset(
    {
        "count",
        "counts",
        "num",
        "number",
        "len",
        "length",
        "max",
        "min",
        "limit",
        "type",
        "types",
        "url",
        "uri",
        "endpoint",
        "path",
        "file",
        "filename",
        "dir",
        "name",
        "names",
        "id",
        "ids",
        "expiry",
        "expires",
        "expiration",
        "exp",
        "ttl",
        "lifetime",
        "age",
        "field",
        "fields",
        "header",
        "param",
        "usage",
        "used",
        "total",
        "index",
        "idx",
        "prefix",
        "hint",
        "policy",
        "strength",
        "valid",
        "validator",
        "required",
        "changed",
        "is",
        "has",
        "should",
        "use",
        "enabled",
        "label",
        "prompt",
        "form",
        "input",
        "regex",
        "pattern",
        "rules",
        "error",
        "errors",
        "message",
        "msg",
        "chars",
        "alphabet",
        "charset",
        "size",
        "bits",
        "bytes_len",
        "env",
        "var",
        "setting",
        "option",
        "mask",
        "masked",
        "redacted",
        "last4",
        "tokenizer",
        "tokenize",
        "manager",
        "provider",
        "service",
        "store",
        "backend",
        "class",
        "cls",
        "factory",
        "generator",
        "format",
        "version",
        "status",
        "state",
        "scope",
        "scopes",
        "kind",
        "mode",
        "style",
        "location",
        "cache",
        # whether a secret was supplied, and warnings about it (`secret_key_given`, `password_expire_warn`)
        "given",
        "provided",
        "supplied",
        "present",
        "missing",
        "expire",
        "warn",
        "warning",
    }
)
# Names for a digest of a secret: safe to log once hashed, but still compared and stored.
DIGEST_WORDS = frozenset({"hash", "hashed", "digest", "signature", "sig", "mac", "hmac"})
# Digests that are secret-derived on their own; a bare `hash` or `digest` is usually a checksum.
SIGNATURE_WORDS = frozenset({"signature", "mac", "hmac"})

_PII_METADATA_WORDS = METADATA_WORDS - {"number"}  # `card_number` is the card itself
PII_NAMES = (
    "ssn",
    "social_security",
    "social_security_number",
    "credit_card",
    "card_number",
    "cc_number",
    "cvv",
    "cvc",
    "dob",
    "date_of_birth",
    "birth_date",
    "birthdate",
    "passport",
    "passport_number",
    "iban",
    "tax_id",
    "national_id",
    "driver_license",
    "drivers_license",
    "bank_account",
    "account_number",
    "routing_number",
)
CARD_NAMES = ("credit_card", "card_number", "cc_number", "cvv", "cvc", "pan")


def _joined(name_words: list[str]) -> str:
    """`_session_id_`: a phrase's words in a row are then a substring of the name's."""
    return "_" + "_".join(name_words) + "_"


_SECRET_PHRASE_KEYS = tuple(_joined(words(phrase)) for phrase in _SECRET_PHRASES)
_PII_KEYS = tuple((phrase, _joined(words(phrase))) for phrase in PII_NAMES)


# The same identifiers recur all over a file, so the verdicts on names are memoised.
@lru_cache(maxsize=8192)
def secret_kind(name: Optional[str], *, digests: bool = False) -> Optional[str]:
    """ "password" or "secret" when `name` holds a credential, else None.

    With `digests`, names of digests and signatures (`password_hash`, `signature`) count too: they
    are compared against attacker input.
    """
    if not name:
        return None
    ws = _without_verb_pass(words(name))
    joined = _joined(ws)
    if any(key in joined for key in _SECRET_PHRASE_KEYS):
        return "secret"
    if not ws or any(w in METADATA_WORDS for w in ws):
        return None
    if not digests and any(w in DIGEST_WORDS for w in ws):
        return None
    if any(w in PASSWORD_WORDS for w in ws):
        return "password"
    if any(w in SECRET_WORDS and not _qualified(ws, i, "token", _NAMING_TOKEN_QUALIFIERS) for i, w in enumerate(ws)):
        return "secret"
    if any(
        _qualified(ws, i, "key", _KEY_QUALIFIERS) or _qualified(ws, i, "code", _CODE_QUALIFIERS) for i in range(len(ws))
    ):
        return "secret"
    if digests and any(w in SIGNATURE_WORDS for w in ws):
        return "digest"
    return None


def lexical_token(ctx, name: Optional[str]) -> bool:
    """`token` is a piece of parsed text, not a credential, in a module that tokenizes: it defines a
    function or method named for it (`_tokenize_type_spec`) or imports the `tokenize` module. Only a name whose one
    secret word is `token` (`token`, `token0`); `api_token`, `password` keep their meaning there."""
    ws = words(name or "")
    if "token" not in ws or [w for w in ws if w in SECRET_WORDS or w in _KEY_QUALIFIERS] != ["token"]:
        return False
    module = ctx.module
    functions = [*module.functions, *(m for methods in module.classes.values() for m in methods)]
    return any("tokenize" in words(function) for function in functions) or any(
        target == "tokenize" or target.startswith("tokenize.") for target in module.imports.values()
    )


def _without_verb_pass(ws: list[str]) -> list[str]:
    """`pass` abbreviates a password as the name's last word (`db_pass`) or before a digest word
    (`pass_hash`); followed by anything else it is the verb (`pass_many`, `pass_through`, `pass_context`)."""
    return [w for i, w in enumerate(ws) if not (w == "pass" and i + 1 < len(ws) and ws[i + 1] not in DIGEST_WORDS)]


def _qualified(ws: list[str], i: int, word: str, qualifiers: frozenset[str]) -> bool:
    return ws[i] == word and i > 0 and ws[i - 1] in qualifiers


def pii_kind(name: Optional[str], extra: Iterable[str] = ()) -> Optional[str]:
    """The personal-data name `name` contains (`customer_ssn` -> "ssn"), else None."""
    return _pii_kind(name, tuple(extra)) if name else None


@lru_cache(maxsize=8192)
def _pii_kind(name: str, extra: tuple[str, ...]) -> Optional[str]:
    ws = words(name)
    if any(w in _PII_METADATA_WORDS for w in ws):
        return None
    joined = _joined(ws)
    for phrase, key in _PII_KEYS:
        if key in joined:
            return phrase
    return next((phrase for phrase in extra if phrase and _joined(words(phrase)) in joined), None)


def expression_name(node: ast.AST) -> Optional[str]:
    """The identifier an expression is known by: `password`, `user.password`, `form["password"]`,
    `form.get("password")`."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript):
        key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value
        return None
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("get", "getenv", "pop")
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return node.args[0].value
    return None


# Calls that return their argument's text unchanged enough to still be the secret.
_TRANSPARENT_CALLS = frozenset({"str", "repr", "bytes", "format", "bytearray", "dict", "list", "tuple", "vars"})
_TRANSPARENT_METHODS = frozenset(
    {
        "encode",
        "decode",
        "strip",
        "lstrip",
        "rstrip",
        "lower",
        "upper",
        "format",
        "join",
        "hex",
        "replace",
        "casefold",
        "dumps",
    }
)


def value_parts(node: ast.AST) -> Iterator[ast.AST]:
    """The named values whose text ends up in `node`: through f-strings, `%`, `+`, `.format()`,
    `.encode()`, `str()`, containers; not through other calls (`len(pw)`, `mask(token)`) or slices
    (`token[:6]`), which no longer carry the whole value."""
    if isinstance(node, (ast.Name, ast.Attribute)):
        yield node
        if isinstance(node, ast.Attribute):
            return
    elif isinstance(node, ast.Subscript):
        if isinstance(node.slice, ast.Slice):
            return
        yield node
    elif isinstance(node, ast.JoinedStr):
        for value in node.values:
            yield from value_parts(value)
    elif isinstance(node, ast.FormattedValue):
        yield from value_parts(node.value)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        yield from value_parts(node.left)
        yield from value_parts(node.right)
    elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        for element in node.elts:
            yield from value_parts(element)
    elif isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values):
            if key is None:
                yield from value_parts(value)
            elif isinstance(key, ast.Constant) and isinstance(key.value, str):
                # `{"password": pw}` logs a password whatever the variable is called.
                yield ast.Subscript(value=value, slice=key, ctx=ast.Load(), lineno=0, col_offset=0)
                yield from value_parts(value)
    elif isinstance(node, ast.Call):
        if (
            expression_name(node) is not None
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("get", "pop")
        ):
            yield node
        func = node.func
        if isinstance(func, ast.Name) and func.id in _TRANSPARENT_CALLS:
            for arg in node.args:
                yield from value_parts(arg)
        elif isinstance(func, ast.Attribute) and func.attr in _TRANSPARENT_METHODS:
            yield from value_parts(func.value)
            for arg in node.args:
                yield from value_parts(arg)


def shannon_entropy(text: str) -> float:
    """Bits per character of `text`'s character distribution."""
    if not text:
        return 0.0
    counts = {c: text.count(c) for c in set(text)}
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


_UNBOUND = object()


def binding_name(parent: ast.AST, child: ast.AST) -> object:
    """The name `child` is given by its `parent`: an assignment target, a keyword, or a dict key.
    `_UNBOUND` when the parent binds no name (callers then look further)."""
    if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        return next((n for n in map(expression_name, targets) if n), None)
    if isinstance(parent, ast.keyword):
        return parent.arg
    if isinstance(parent, ast.Dict):
        for key, value in zip(parent.keys, parent.values):
            if value is child and isinstance(key, ast.Constant) and isinstance(key.value, str):
                return key.value
        return None
    return _UNBOUND


def enclosing_name(ctx, node: ast.AST) -> Optional[str]:
    """The name `node`'s value is bound to: assignment target, keyword, dict key, or (for a
    `return`) the function's name."""
    child, parent = node, ctx.parent(node)
    while parent is not None:
        name = binding_name(parent, child)
        if name is not _UNBOUND:
            return name
        if isinstance(parent, ast.Return):
            function = ctx.function
            return getattr(function, "name", None)
        if isinstance(parent, (ast.stmt, ast.Lambda)):
            return None
        child, parent = parent, ctx.parent(parent)
    return None
