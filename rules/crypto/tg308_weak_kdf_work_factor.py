"""TG308: a password KDF (PBKDF2, bcrypt, scrypt) with too small a work factor."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Optional

from tabguard.engine.fixes import expression_fix, set_keyword
from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.crypto._literals import int_value, replace_number_fix

# OWASP Password Storage Cheat Sheet minimums for PBKDF2-HMAC, by hash.
PBKDF2_MINIMUM = {"sha1": 1_300_000, "sha256": 600_000, "sha512": 210_000}


KEYWORD_ONLY = -1


@dataclass(frozen=True)
class _Kdf:
    position: int  # KEYWORD_ONLY when the work factor can only be passed by keyword
    keyword: str
    hash_position: Optional[int]  # where the hash is named, to pick the PBKDF2 minimum
    hash_keyword: Optional[str]
    default_hash: Optional[str]
    fixed_minimum: Optional[int] = None  # for KDFs whose minimum does not depend on a hash
    library_default: Optional[int] = None  # work factor when the argument is left out


_KDFS = {
    "hashlib.pbkdf2_hmac": _Kdf(3, "iterations", 0, "hash_name", "sha256"),
    "cryptography.hazmat.primitives.kdf.pbkdf2.PBKDF2HMAC": _Kdf(3, "iterations", 0, "algorithm", "sha256"),
    "Crypto.Protocol.KDF.PBKDF2": _Kdf(3, "count", None, "hmac_hash_module", "sha1", library_default=1000),
    "Cryptodome.Protocol.KDF.PBKDF2": _Kdf(3, "count", None, "hmac_hash_module", "sha1", library_default=1000),
    "bcrypt.gensalt": _Kdf(0, "rounds", None, None, None, fixed_minimum=10),
    "hashlib.scrypt": _Kdf(KEYWORD_ONLY, "n", None, None, None, fixed_minimum=2**14),
}


class WeakKdfWorkFactor(Rule):
    id = "TG308"
    name = "weak-kdf-work-factor"
    severity = "medium"
    confidence = "high"
    cwe = (916,)
    owasp = "A04:2025"
    message = "`{kdf}` work factor {value} is below the minimum {minimum}"
    placeholders = {"kdf": "hashlib.pbkdf2_hmac", "value": "1000", "minimum": "600000"}
    call_names = frozenset(name.rpartition(".")[2] for name in _KDFS)
    what = "Derives a key or password hash with `{kdf}` at a work factor of {value}; the minimum today is {minimum}."
    why = (
        "The work factor is the only thing slowing down an attacker who has the hashes. PBKDF2-SHA256 "
        "at 1,000 iterations runs millions of guesses per second on one GPU, so a leaked user table is "
        "cracked almost as fast as plain SHA-256; at 600,000 the same attack is 600 times slower. "
        "Assistants copy iteration counts from tutorials written a decade ago."
    )
    how = (
        "Use at least 600,000 iterations for PBKDF2-HMAC-SHA256 (210,000 for SHA-512, 1,300,000 for "
        "SHA-1), bcrypt cost 10 or more (12 is common), scrypt `n=2**14` or more. Store the work factor "
        "with each hash so it can be raised later and old hashes upgraded on login."
    )
    example = 'import hashlib\n\nkey = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 600_000)'
    fix_safety = (
        "Unsafe: the rewrite raises the work factor, so existing hashes computed with the old value no "
        "longer verify unless the old factor is stored with them; hashing also takes longer (tens to "
        "hundreds of milliseconds, by design)."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/916.html",
        "https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#pbkdf2",
    )
    VALID = (
        "import hashlib\nk = hashlib.pbkdf2_hmac('sha256', pw, salt, 600_000)\n",
        "import hashlib\nk = hashlib.pbkdf2_hmac('sha512', pw, salt, 210000)\n",
        "import bcrypt\nh = bcrypt.hashpw(pw, bcrypt.gensalt())\n",
        "import bcrypt\nh = bcrypt.hashpw(pw, bcrypt.gensalt(rounds=12))\n",
        "import hashlib\nk = hashlib.pbkdf2_hmac('sha256', pw, salt, settings.PBKDF2_ITERATIONS)\n",
        "import hashlib\nk = hashlib.scrypt(pw, salt=salt, n=2**14, r=8, p=1)\n",
    )
    INVALID = (
        Invalid(
            "import hashlib\nk = hashlib.pbkdf2_hmac('sha256', pw, salt, 1000)\n",
            "import hashlib\nk = hashlib.pbkdf2_hmac('sha256', pw, salt, 600_000)\n",
        ),
        Invalid(
            "import hashlib\nk = hashlib.pbkdf2_hmac('sha1', pw, salt, iterations=100_000)\n",
            "import hashlib\nk = hashlib.pbkdf2_hmac('sha1', pw, salt, iterations=1_300_000)\n",
        ),
        Invalid(
            "from cryptography.hazmat.primitives import hashes\n"
            "from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC\n"
            "kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=100000)\n",
            "from cryptography.hazmat.primitives import hashes\n"
            "from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC\n"
            "kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=600_000)\n",
        ),
        Invalid(
            "from Crypto.Protocol.KDF import PBKDF2\nkey = PBKDF2(password, salt, dkLen=32)\n",
            "from Crypto.Protocol.KDF import PBKDF2\nkey = PBKDF2(password, salt, dkLen=32, count=1_300_000)\n",
        ),
        Invalid(
            "import bcrypt\nh = bcrypt.hashpw(pw, bcrypt.gensalt(4))\n",
            "import bcrypt\nh = bcrypt.hashpw(pw, bcrypt.gensalt(12))\n",
        ),
        Invalid(
            "import hashlib\nk = hashlib.scrypt(pw, salt=salt, n=1024, r=8, p=1)\n",
            "import hashlib\nk = hashlib.scrypt(pw, salt=salt, n=16384, r=8, p=1)\n",
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        name = ctx.call_name(node) or ""
        kdf = _KDFS.get(name)
        if kdf is None:
            return
        minimum = kdf.fixed_minimum or PBKDF2_MINIMUM.get(_hash_name(ctx, node, kdf), PBKDF2_MINIMUM["sha256"])
        if kdf.position == KEYWORD_ONLY:
            keyword = ctx.keyword(node, kdf.keyword)
            argument = keyword.value if keyword is not None else None
        else:
            argument = ctx.argument(node, kdf.position, kdf.keyword)
        value = int_value(ctx, argument) if argument is not None else kdf.library_default
        if value is None or value >= minimum:
            return
        new = _spell(name, minimum)
        details = {
            "kdf": name.rsplit(".", 1)[-1] if "." in name else name,
            "value": f"{value:,}",
            "minimum": f"{minimum:,}",
        }
        if argument is None:
            fix = expression_fix(ctx, node, set_keyword(kdf.keyword, new), f"Fix: set {kdf.keyword}={new}", safe=False)
            ctx.report(self, node, details=details, fix=fix)
        else:
            ctx.report(self, argument, details=details, fix=replace_number_fix(ctx, argument, new, f"Fix: use {new}"))


def _hash_name(ctx, node: ast.Call, kdf: _Kdf) -> Optional[str]:
    """`sha256` from `"sha256"`, `hashes.SHA256()` or pycryptodome's `SHA256` module, else None."""
    if kdf.hash_keyword is None:
        return kdf.default_hash
    if kdf.hash_position is not None:
        expr = ctx.argument(node, kdf.hash_position, kdf.hash_keyword)
    else:
        keyword = ctx.keyword(node, kdf.hash_keyword)
        expr = keyword.value if keyword is not None else None
    if expr is None:
        return kdf.default_hash
    if isinstance(expr, ast.Call):
        expr = expr.func
    text = expr.value if isinstance(expr, ast.Constant) else (ctx.qualname(expr) or "").rsplit(".", 1)[-1]
    text = str(text or "").lower().replace("-", "")
    return text if text in PBKDF2_MINIMUM else None


def _spell(callee: str, minimum: int) -> str:
    """`600_000` for iteration counts; plain digits for bcrypt costs and scrypt's n."""
    if callee.endswith("gensalt"):
        return "12"
    return f"{minimum:_}" if minimum >= 100_000 else str(minimum)
