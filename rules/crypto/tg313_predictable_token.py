"""TG313: a token built from predictable values: the user's name or e-mail and the time, hashed or encoded."""

from __future__ import annotations

import ast
from typing import Optional

from tabguard.engine.fixes import expression_fix, parse_expression
from tabguard.engine.rule import Invalid, Rule
from tabguard.engine.walk import walk
from tabguard.guards import words
from tabguard.rules.crypto._names import enclosing_name, secret_kind

# Encodings and unkeyed hashes: they change how a value looks, not how guessable it is.
_SCRAMBLERS = frozenset(
    {
        "b64encode",
        "urlsafe_b64encode",
        "b32encode",
        "b16encode",
        "encodebytes",
        "hexlify",
        "md5",
        "sha1",
        "sha224",
        "sha256",
        "sha384",
        "sha512",
        "blake2b",
        "blake2s",
        "sha3_256",
        "sha3_512",
    }
)
_CLOCK = frozenset(
    {
        "time.time",
        "time.time_ns",
        "time.monotonic",
        "datetime.now",
        "datetime.utcnow",
        "datetime.today",
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
        "date.today",
        "datetime.date.today",
    }
)
# What an attacker knows or can look up about a user.
_KNOWN_FIELDS = frozenset({"username", "email", "id", "pk", "user_id", "name", "login", "phone", "created_at"})
# Words of a value that makes the input unpredictable (a key, a salt, random bytes) or that we cannot judge.
_UNKNOWN_WORDS = frozenset(
    {"secret", "key", "salt", "nonce", "pepper", "random", "urandom", "token", "uuid4", "entropy"}
)
_STATEMENTS = (ast.Assign, ast.AnnAssign, ast.Return, ast.keyword)


class PredictableToken(Rule):
    id = "TG313"
    name = "predictable-token"
    severity = "high"
    confidence = "medium"
    cwe = (330, 340)
    owasp = "A04:2025"
    message = "`{target}` is built from predictable values ({inputs}); use `secrets.token_urlsafe()`"
    placeholders = {"target": "reset_token", "inputs": "the user's e-mail and the time"}
    call_names = _SCRAMBLERS
    what = (
        "Builds `{target}`, a value that must be unguessable, by hashing or encoding {inputs}. Hashing and "
        "base64 change how the value looks; they add no secret to it."
    )
    why = (
        "Anyone who knows the inputs computes the token: the user name or e-mail is public or guessable, "
        "and the time is known to the second (the reset e-mail's `Date:` header, the moment the attacker "
        'clicked "forgot password" for the victim). `base64("alice:1717171717")` or '
        "`sha256(email + str(time.time()))` is then a few thousand guesses away, offline, and the attacker "
        "resets the victim's password or takes over their session."
    )
    how = (
        "Generate tokens with the `secrets` module (`secrets.token_urlsafe(32)`), store them server-side "
        "(hashed) with an expiry, and look them up; or sign a short-lived payload with a secret key "
        '(`itsdangerous.URLSafeTimedSerializer(os.environ["SECRET_KEY"])` with `max_age`).'
    )
    example = "import secrets\n\nreset_token = secrets.token_urlsafe(32)"
    fix_safety = (
        "Unsafe: the token becomes random, so code that recomputed it from the user and the time to check "
        "it must instead store it and compare with `hmac.compare_digest`."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/330.html",
        "https://cwe.mitre.org/data/definitions/340.html",
        "https://owasp.org/Top10/2025/A04_2025-Cryptographic_Failures/",
        "https://cheatsheetseries.owasp.org/cheatsheets/Forgot_Password_Cheat_Sheet.html",
    )
    VALID = (
        "import secrets\nreset_token = secrets.token_urlsafe(32)\n",
        # keyed with a secret: not computable from public values
        "import hashlib, time\ntoken = hashlib.sha256(f'{SECRET_KEY}{user.email}{time.time()}'.encode()).hexdigest()\n",
        "import hashlib, os\ntoken = hashlib.sha256(os.urandom(32)).hexdigest()\n",
        # not a credential: a cache key, an ETag
        "import hashlib\netag = hashlib.md5(f'{user.id}:{user.updated_at}'.encode()).hexdigest()\n",
        "import base64\nheader = base64.b64encode(f'{user.username}:{password}'.encode())\n",
        # a digest of a token for storage
        "import hashlib\ntoken_hash = hashlib.sha256(token.encode()).hexdigest()\n",
    )
    INVALID = (
        Invalid(
            "import base64, time\ndef make_reset_token(user):\n"
            "    return base64.b64encode(f'{user.username}:{int(time.time())}'.encode()).decode()\n",
            "import secrets\nimport base64, time\ndef make_reset_token(user):\n    return secrets.token_urlsafe(32)\n",
        ),
        Invalid(
            "import hashlib\nfrom datetime import datetime\n"
            "user.api_token = hashlib.sha256((user.email + str(datetime.now())).encode()).hexdigest()\n",
            "import secrets\nimport hashlib\nfrom datetime import datetime\nuser.api_token = secrets.token_urlsafe(32)\n",
        ),
        Invalid(
            "import hashlib, time\ndef login(user):\n"
            "    session_id = hashlib.md5(str(time.time()).encode()).hexdigest()\n    sessions[session_id] = user.id\n",
            "import secrets\nimport hashlib, time\ndef login(user):\n"
            "    session_id = secrets.token_urlsafe(32)\n    sessions[session_id] = user.id\n",
        ),
        Invalid(
            "from base64 import urlsafe_b64encode\n"
            "send_mail(user.email, reset_token=urlsafe_b64encode(str(user.id).encode()).decode())\n",
            "import secrets\nfrom base64 import urlsafe_b64encode\n"
            "send_mail(user.email, reset_token=secrets.token_urlsafe(32))\n",
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        if (ctx.call_name(node) or "").rpartition(".")[2] not in _SCRAMBLERS or not node.args:
            return
        inputs = _predictable_inputs(node, ctx)
        if inputs is None or _inside_scrambler(node, ctx):
            return
        value = _bound_value(node, ctx)
        target = enclosing_name(ctx, node)
        if value is None or not target or secret_kind(target) is None:
            return
        fix = expression_fix(
            ctx,
            value,
            lambda _: parse_expression("secrets.token_urlsafe(32)"),
            "Fix: generate it with secrets.token_urlsafe",
            safe=False,
            imports=("secrets",),
        )
        ctx.report(self, node, details={"target": target, "inputs": inputs}, fix=fix)


def _predictable_inputs(node: ast.Call, ctx) -> Optional[str]:
    """What known values the call's arguments are made of, or None when something unpredictable (or
    that we cannot judge) goes in."""
    clock = fields = False
    for sub in walk(node):
        if sub is node:
            continue
        if isinstance(sub, ast.Call) and (ctx.call_name(sub) or "") in _CLOCK:
            clock = True
        elif isinstance(sub, ast.Attribute):
            if set(words(sub.attr)) & _UNKNOWN_WORDS:
                return None
            fields = fields or sub.attr in _KNOWN_FIELDS
        elif isinstance(sub, ast.Name):
            if set(words(sub.id)) & (_UNKNOWN_WORDS | {"password", "pw", "passwd"}):
                return None
    if clock and fields:
        return "the user's details and the time"
    if clock:
        return "the time"
    return "the user's details" if fields else None


def _inside_scrambler(node: ast.AST, ctx) -> bool:
    """Nested scramblers (`b64encode(sha256(...).digest())`) are reported once, at the outermost."""
    parent = ctx.parent(node)
    while parent is not None and not isinstance(parent, (ast.stmt, ast.keyword)):
        if isinstance(parent, ast.Call) and (ctx.call_name(parent) or "").rpartition(".")[2] in _SCRAMBLERS:
            return True
        parent = ctx.parent(parent)
    return False


def _bound_value(node: ast.AST, ctx) -> Optional[ast.AST]:
    """The whole expression the token is (through `.hexdigest()`, `.decode()`, `str()`): what the fix replaces."""
    child, parent = node, ctx.parent(node)
    while parent is not None and not isinstance(parent, _STATEMENTS):
        if isinstance(parent, ast.stmt):
            return None
        child, parent = parent, ctx.parent(parent)
    return child if parent is not None and getattr(parent, "value", None) is child else None
