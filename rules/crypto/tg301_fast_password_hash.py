"""TG301: a password hashed with a fast, general-purpose hash (md5, sha1, sha256, ...)."""

from __future__ import annotations

import ast
from typing import Optional

from tabguard.engine.rule import Invalid, Rule, Valid
from tabguard.rules.crypto._hashing import FAST, HashCall, hash_call, hashes_password, stored_password
from tabguard.rules.defaults._common import is_settings_path, settings_written, string_value

_DIGEST_METHODS = frozenset({"hexdigest", "digest", "finalize", "encode", "decode", "upper", "lower"})
# Django's hashers that compute one fast digest: the first of `PASSWORD_HASHERS` hashes every new or
# changed password (those after it only verify old hashes).
_FAST_DJANGO_HASHERS = {
    "MD5PasswordHasher": "md5",
    "UnsaltedMD5PasswordHasher": "md5 (unsalted)",
    "SHA1PasswordHasher": "sha1",
    "UnsaltedSHA1PasswordHasher": "sha1 (unsalted)",
    "CryptPasswordHasher": "crypt",
}


class FastPasswordHash(Rule):
    id = "TG301"
    name = "fast-password-hash"
    severity = "high"
    confidence = "medium"
    cwe = (916, 759)
    owasp = "A04:2025"
    message = "Password hashed with fast hash `{algorithm}`; use a password hashing function (scrypt, argon2, bcrypt)"
    placeholders = {"algorithm": "sha256"}
    aliases = ("B324", "S324")
    what = (
        "Hashes a password with `{algorithm}`, a general-purpose hash designed to be fast, instead of a "
        "password hashing function that is deliberately slow and salted."
    )
    why = (
        "When the user table leaks (a SQL injection, a stolen backup), the attacker runs the hashes "
        "through a GPU cracker: a single card computes billions of MD5 or SHA-256 hashes per second, so "
        "every password from a common wordlist, and every 8-character password, falls within hours. "
        "Without a per-user salt, one precomputed table cracks all users at once, and equal passwords "
        "have equal hashes. A PIN hashed this way is recovered instantly."
    )
    how = (
        "Use a password hashing function with a random salt and a work factor: `argon2-cffi` "
        "(`PasswordHasher().hash(pw)`), `bcrypt.hashpw(pw, bcrypt.gensalt())`, your framework's helper "
        "(`django.contrib.auth.hashers.make_password`, `werkzeug.security.generate_password_hash`), or "
        "the standard library's `hashlib.scrypt(pw, salt=os.urandom(16), n=2**14, r=8, p=1)` storing the "
        "salt next to the hash. Verify with the library's `verify`/`check_password_hash`, which also "
        "compares in constant time. In Django, keep a slow hasher (Argon2, PBKDF2, bcrypt) first in "
        "`PASSWORD_HASHERS`: the first one hashes every new password."
    )
    example = (
        "from argon2 import PasswordHasher\n\n_hasher = PasswordHasher()\n\n"
        "def hash_password(password: str) -> str:\n    return _hasher.hash(password)\n\n"
        "def check_password(stored: str, password: str) -> bool:\n"
        "    try:\n        return _hasher.verify(stored, password)\n    except Exception:\n        return False"
    )
    fix_safety = (
        "No automatic rewrite: changing the hash function means storing a salt, choosing a library, and "
        "migrating existing hashes (rehash on next login)."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/916.html",
        "https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html",
        "https://docs.python.org/3/library/hashlib.html#hashlib.scrypt",
    )
    VALID = (
        "import hashlib\ndigest = hashlib.sha256(file_bytes).hexdigest()\n",
        "import hashlib\ntoken_hash = hashlib.sha256(reset_token.encode()).hexdigest()\n",
        "import hashlib, os\nsalt = os.urandom(16)\nkey = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)\n",
        "from werkzeug.security import generate_password_hash\npw_hash = generate_password_hash(password)\n",
        "import hashlib\nprint(hashlib.sha256(str(len(password)).encode()).hexdigest())\n",
        "import hashlib\ndef hash_password(password, salt):\n    return hashlib.pbkdf2_hmac('sha256', password.encode(), salt, 600_000)\n",
        "import bcrypt\ndef register(user, pw):\n    hashed = bcrypt.hashpw(pw, bcrypt.gensalt())\n    user.set_password(hashed)\n",
        # a slow hasher first; the md5 one only verifies hashes stored before the switch
        Valid(
            "PASSWORD_HASHERS = [\n    'django.contrib.auth.hashers.Argon2PasswordHasher',\n"
            "    'django.contrib.auth.hashers.MD5PasswordHasher',\n]\n",
            path="shop/settings.py",
        ),
        # test settings make the test suite fast on purpose
        Valid("PASSWORD_HASHERS = ['django.contrib.auth.hashers.MD5PasswordHasher']\n", path="shop/settings/test.py"),
    )
    INVALID = (
        Invalid("import hashlib\nhashed = hashlib.md5(password.encode()).hexdigest()\n"),
        Invalid("import hashlib\ndef hash_password(raw):\n    return hashlib.sha256(raw.encode()).hexdigest()\n"),
        Invalid("import hashlib\nuser.pw_hash = hashlib.sha512((salt + form['password']).encode()).hexdigest()\n"),
        Invalid("import hashlib\nh = hashlib.new('sha1', user_pin.encode())\n"),
        Invalid(
            "import hashlib\n\ndef store(user, password):\n    h = hashlib.sha256()\n"
            "    h.update(password.encode())\n    user.password_hash = h.hexdigest()\n"
        ),
        Invalid(
            "import hashlib\ndef register(user, text):\n    md5 = hashlib.md5(text).hexdigest()\n    user.set_password(md5)\n"
        ),
        Invalid(
            "PASSWORD_HASHERS = [\n    'django.contrib.auth.hashers.MD5PasswordHasher',\n"
            "    'django.contrib.auth.hashers.PBKDF2PasswordHasher',\n]\n",
            path="shop/settings.py",
            message="`md5`",
            at=(2, 5),
        ),
        Invalid(
            "from cryptography.hazmat.primitives import hashes\ndef register(form):\n"
            "    digest = hashes.Hash(hashes.SHA256())\n    digest.update(form.secret_answer)\n"
            "    return User(password_hash=digest.finalize())\n"
        ),
    )

    def visit_Assign(self, node: ast.Assign, ctx) -> None:
        """Django's `PASSWORD_HASHERS` led by a fast hasher, in a production settings module."""
        if not is_settings_path(ctx.path):
            return
        for setting in settings_written(node, ctx):
            hashers = setting.value
            if setting.key != "PASSWORD_HASHERS" or not isinstance(hashers, (ast.List, ast.Tuple)) or not hashers.elts:
                continue
            algorithm = _FAST_DJANGO_HASHERS.get((string_value(hashers.elts[0]) or "").rpartition(".")[2])
            if algorithm is not None:
                ctx.report(self, hashers.elts[0], details={"algorithm": algorithm})

    def visit_Call(self, node: ast.Call, ctx) -> None:
        found = hash_call(ctx, node)
        if found is not None and found.algorithm in FAST and hashes_password(ctx, found.data):
            ctx.report(self, node, details={"algorithm": found.algorithm})
            return
        # `user.set_password(md5)`, `User(password=digest)`: a fast digest stored as the password
        stored = stored_password(node)
        if stored is not None:
            origin = _hash_origin(ctx, node, stored)
            if origin is not None and origin.algorithm in FAST:
                ctx.report(self, stored, details={"algorithm": origin.algorithm})
                return
        # `h = hashlib.sha256(); h.update(password)`
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "update" and isinstance(func.value, ast.Name) and node.args:
            constructor = _constructor_of(ctx, node, func.value.id)
            if constructor is not None and constructor.algorithm in FAST and hashes_password(ctx, node.args[0]):
                ctx.report(self, node, details={"algorithm": constructor.algorithm})


def _hash_origin(ctx, node: ast.AST, expr: ast.expr, depth: int = 0) -> Optional[HashCall]:
    """The hash constructor a digest comes from: `hashlib.md5(x).hexdigest()`, `h.hexdigest()` after
    `h = MD5.new()`, `digest.finalize()` after `digest = hashes.Hash(hashes.MD5())`, or a local
    variable bound to one of those."""
    if depth > 4:
        return None
    while isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr in _DIGEST_METHODS:
        expr = expr.func.value
    if isinstance(expr, ast.Call):
        if (ctx.call_name(expr) or "").endswith("hashes.Hash") and expr.args and isinstance(expr.args[0], ast.Call):
            return hash_call(ctx, expr.args[0])
        return hash_call(ctx, expr)
    if isinstance(expr, ast.Name) and ctx.function is not None:
        for stmt in ast.walk(ctx.function):
            if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == expr.id for t in stmt.targets):
                if stmt.lineno < getattr(node, "lineno", 0):
                    found = _hash_origin(ctx, node, stmt.value, depth + 1)
                    if found is not None:
                        return found
    return None


def _constructor_of(ctx, node: ast.AST, name: str) -> Optional[HashCall]:
    """The hash constructor last assigned to `name` in the enclosing function (or the block)."""
    scope = ctx.function
    if scope is None:
        scope = node
        while ctx.parent(scope) is not None:
            scope = ctx.parent(scope)
    found = None
    for stmt in ast.walk(scope):
        if (
            isinstance(stmt, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets)
            and isinstance(stmt.value, ast.Call)
        ):
            found = hash_call(ctx, stmt.value) or found
    return found
