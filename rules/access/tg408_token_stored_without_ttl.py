"""TG408: a session, reset token or one-time code is stored in Redis (or a cache) with no expiry."""

from __future__ import annotations

import ast

from tabguard.engine.facts import dotted_name
from tabguard.engine.fixes import expression_fix, set_keyword
from tabguard.engine.rule import Invalid, Rule
from tabguard.guards import words

# Words in a key that make the stored value a credential.
_CREDENTIAL_WORDS = frozenset(
    {
        "token",
        "tokens",
        "session",
        "sessions",
        "sess",
        "sid",
        "otp",
        "reset",
        "nonce",
        "magic",
        "verify",
        "verification",
        "confirm",
        "confirmation",
        "refresh",
        "apikey",
        "mfa",
        "twofa",
        "invite",
        "login",
        "auth",
    }
)
# Words that make the key a counter or lock about credentials rather than a credential.
_METADATA_WORDS = frozenset(
    {
        "count",
        "counter",
        "attempts",
        "attempt",
        "failures",
        "failed",
        "rate",
        "limit",
        "views",
        "hits",
        "stats",
        "lock",
        "lockout",
        "blocklist",
        "denylist",
        "revoked",
    }
)
_EXPIRY_KEYWORDS = frozenset({"ex", "px", "exat", "pxat", "keepttl", "timeout", "ttl", "expire", "expires"})
_REDIS_WORDS = frozenset({"redis", "r", "rdb", "rds", "kv", "valkey", "rc", "store"})
_GENERIC_CLIENT_WORDS = frozenset({"cache", "client", "conn", "connection", "db", "backend", "pool"})
_STORE_METHODS = frozenset({"set", "hset", "hmset"})


class TokenStoredWithoutTtl(Rule):
    id = "TG408"
    name = "token-stored-without-ttl"
    severity = "medium"
    confidence = "medium"
    cwe = (613,)
    owasp = "A07:2025"
    message = "Credential stored under `{key}` with no expiry: it stays valid until deleted"
    placeholders = {"key": 'f"reset:{token}"'}
    call_names = _STORE_METHODS
    what = (
        "A session id, password-reset token, one-time code or API token is written to Redis "
        "(`{key}`) with `set`/`hset` and no `ex=`/`px=` and no `expire()` afterwards, or to a cache with "
        "`timeout=None`. Nothing ever removes it except the code path that is supposed to use it."
    )
    why = (
        "Reset links and one-time codes are mailed, logged, forwarded and left in inboxes. Without a "
        "TTL, a reset link found in a mailbox breach a year later still resets the password, a session "
        "id stolen once works forever, and the keys pile up until the store runs out of memory."
    )
    how = (
        "Give every credential a lifetime when it is stored: `r.set(key, value, ex=900)` (or `setex`), "
        "`cache.set(key, value, timeout=900)`, or call `r.expire(key, 900)` right after `hset`."
    )
    example = 'redis_client.set(f"reset:{token}", user.id, ex=15 * 60)'
    fix_safety = (
        "Unsafe: the rewrite adds a one-hour expiry (`ex=3600`); entries older than that disappear, "
        "which is the intent, but choose the lifetime the flow needs."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/613.html",
        "https://owasp.org/Top10/2025/A07_2025-Authentication_Failures/",
        "https://redis.io/docs/latest/commands/set/",
        "https://cheatsheetseries.owasp.org/cheatsheets/Forgot_Password_Cheat_Sheet.html",
    )
    VALID = (
        "import redis\nr = redis.Redis()\ndef remember(token, uid):\n    r.set(f'reset:{token}', uid, ex=900)\n",
        "def store(token, uid):\n    redis_client.setex(f'session:{token}', 3600, uid)\n",
        "def store(sid, data):\n    redis_client.hset(f'session:{sid}', mapping=data)\n    redis_client.expire(f'session:{sid}', 3600)\n",
        "def count(page):\n    redis_client.set(f'views:{page}', 0)\n",
        "def fail(ip):\n    redis_client.set(f'login_attempts:{ip}', 0)\n",
        "def store(token):\n    cache.set(f'otp:{token}', 1, timeout=300)\n",
    )
    INVALID = (
        Invalid(
            "def save_reset(token, uid):\n    redis_client.set(f'password_reset:{token}', uid)\n",
            "def save_reset(token, uid):\n    redis_client.set(f'password_reset:{token}', uid, ex=3600)\n",
        ),
        Invalid(
            "def login(user):\n    session_id = secrets.token_urlsafe(32)\n    r.set('session:' + session_id, user.id)\n    return session_id\n",
            "def login(user):\n    session_id = secrets.token_urlsafe(32)\n    r.set('session:' + session_id, user.id, ex=3600)\n    return session_id\n",
        ),
        Invalid("def keep(code, uid):\n    cache.set(f'otp:{uid}', code, timeout=None)\n"),
        Invalid("def create(sid, data):\n    redis.hset(f'session:{sid}', mapping=data)\n"),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        func = node.func
        if not isinstance(func, ast.Attribute) or func.attr not in _STORE_METHODS or not node.args:
            return
        receiver = dotted_name(func.value) or ""
        key = node.args[0]
        if not _names_credential(key):
            return
        redis_like = _redis_client(receiver, func.value, ctx)
        if redis_like and func.attr == "set" and len(node.args) <= 2 and not _has_expiry(node):
            if not _expired_later(ctx, receiver, key):
                ctx.report(
                    self,
                    node,
                    details={"key": ast.unparse(key)},
                    fix=expression_fix(ctx, node, set_keyword("ex", "3600"), "Fix: expire after one hour", safe=False),
                )
        elif redis_like and func.attr in ("hset", "hmset") and not _expired_later(ctx, receiver, key):
            ctx.report(self, node, details={"key": ast.unparse(key)})
        elif "cache" in words(receiver) and func.attr == "set" and _timeout_none(node):
            ctx.report(self, node, details={"key": ast.unparse(key)})


def _redis_client(receiver: str, node: ast.AST, ctx) -> bool:
    """A Redis client: named like one, or a generic `cache`/`client` in a module that imports redis and
    no cache framework (Django's and Flask-Caching's `cache.set` expire after a default timeout)."""
    said = set(words(receiver.rsplit(".", 1)[-1]))
    if said & _REDIS_WORDS or (ctx.qualname(node) or "").startswith("redis"):
        return True
    roots = {target.lstrip(".").split(".")[0] for target in ctx.module.imports.values()}
    cache_framework = any(
        t.startswith(("django.core.cache", "flask_caching", "cachetools")) for t in ctx.module.imports.values()
    )
    return bool(roots & {"redis", "aioredis", "valkey"}) and not cache_framework and bool(said & _GENERIC_CLIENT_WORDS)


def _names_credential(key: ast.AST) -> bool:
    said: set[str] = set()
    for sub in ast.walk(key):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            said.update(words(sub.value))
        elif isinstance(sub, ast.Name):
            said.update(words(sub.id))
    return bool(said & _CREDENTIAL_WORDS) and not said & _METADATA_WORDS


def _has_expiry(call: ast.Call) -> bool:
    return any(k.arg in _EXPIRY_KEYWORDS or k.arg is None for k in call.keywords)


def _timeout_none(call: ast.Call) -> bool:
    for keyword in call.keywords:
        if keyword.arg == "timeout":
            return isinstance(keyword.value, ast.Constant) and keyword.value.value is None
    return len(call.args) >= 3 and isinstance(call.args[2], ast.Constant) and call.args[2].value is None


def _expired_later(ctx, receiver: str, key: ast.AST) -> bool:
    """An `expire`/`pexpire`/`expireat` call on the same client in the same function."""
    scope = ctx.function
    if scope is None:
        return False
    for node in ast.walk(scope):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("expire", "pexpire", "expireat", "pexpireat")
        ):
            if (dotted_name(node.func.value) or "") == receiver or isinstance(node.func.value, ast.Call):
                return True
    return False
