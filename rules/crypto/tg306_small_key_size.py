"""TG306: an RSA or DSA key generated with fewer than 2048 bits."""

from __future__ import annotations

import ast

from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.crypto._literals import int_value, replace_number_fix

MINIMUM_BITS = 2048
RECOMMENDED_BITS = "3072"
# qualified callee -> (position, keyword) of the key size
_GENERATORS = {
    "cryptography.hazmat.primitives.asymmetric.rsa.generate_private_key": (1, "key_size"),
    "cryptography.hazmat.primitives.asymmetric.dsa.generate_private_key": (0, "key_size"),
    "cryptography.hazmat.primitives.asymmetric.dsa.generate_parameters": (0, "key_size"),
    "Crypto.PublicKey.RSA.generate": (0, "bits"),
    "Crypto.PublicKey.DSA.generate": (0, "bits"),
    "Cryptodome.PublicKey.RSA.generate": (0, "bits"),
    "Cryptodome.PublicKey.DSA.generate": (0, "bits"),
    "rsa.newkeys": (0, "nbits"),
    "paramiko.RSAKey.generate": (0, "bits"),
    "paramiko.DSSKey.generate": (0, "bits"),
    "paramiko.rsakey.RSAKey.generate": (0, "bits"),
}


class SmallKeySize(Rule):
    id = "TG306"
    name = "small-key-size"
    severity = "high"
    confidence = "high"
    cwe = (326,)
    owasp = "A04:2025"
    message = "{bits}-bit {algorithm} key is too small; use at least 2048 bits (3072 recommended)"
    placeholders = {"bits": "1024", "algorithm": "RSA"}
    aliases = ("B505", "S505")
    call_names = frozenset(name.rpartition(".")[2] for name in _GENERATORS)
    what = "Generates a {bits}-bit {algorithm} key, below the 2048-bit minimum."
    why = (
        "512-bit RSA keys are factored in hours on rented machines and 768-bit RSA has been publicly "
        "factored; 1024-bit keys are within reach of well-funded attackers and are rejected by browsers "
        "and certificate authorities. Once the key is factored the attacker signs as you or decrypts "
        "everything encrypted to you, including recorded past traffic."
    )
    how = (
        "Generate RSA and DSA keys with `key_size=3072` (2048 at the very least), or use an elliptic "
        "curve key (`ec.generate_private_key(ec.SECP256R1())`, `ed25519.Ed25519PrivateKey.generate()`), "
        "which is smaller and faster at equal strength."
    )
    example = (
        "from cryptography.hazmat.primitives.asymmetric import rsa\n\n"
        "key = rsa.generate_private_key(public_exponent=65537, key_size=3072)"
    )
    fix_safety = (
        "Unsafe: the rewrite generates 3072-bit keys; peers with hard-coded key size limits, or "
        "storage sized for the old key, may need updating. Key generation is a little slower."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/326.html",
        "https://csrc.nist.gov/pubs/sp/800/57/pt1/r5/final",
    )
    VALID = (
        "from cryptography.hazmat.primitives.asymmetric import rsa\nk = rsa.generate_private_key(65537, 2048)\n",
        "from Crypto.PublicKey import RSA\nk = RSA.generate(4096)\n",
        "import os\nfrom Crypto.PublicKey import DSA\nk = DSA.generate(int(os.environ['BITS']))\n",
        "def generate(bits=1024):\n    return bits\ngenerate(512)\n",
    )
    INVALID = (
        Invalid(
            "from cryptography.hazmat.primitives.asymmetric import rsa\n"
            "key = rsa.generate_private_key(public_exponent=65537, key_size=1024)\n",
            "from cryptography.hazmat.primitives.asymmetric import rsa\n"
            "key = rsa.generate_private_key(public_exponent=65537, key_size=3072)\n",
        ),
        Invalid(
            "from Crypto.PublicKey import RSA\nkey = RSA.generate(1024)\n",
            "from Crypto.PublicKey import RSA\nkey = RSA.generate(3072)\n",
        ),
        Invalid(
            "from Cryptodome.PublicKey import DSA as dsa\nkey = dsa.generate(bits=512)\n",
            "from Cryptodome.PublicKey import DSA as dsa\nkey = dsa.generate(bits=3072)\n",
        ),
        Invalid(
            "import rsa\npub, priv = rsa.newkeys(512)\n",
            "import rsa\npub, priv = rsa.newkeys(3072)\n",
        ),
        Invalid(
            "from cryptography.hazmat.primitives.asymmetric import dsa\nKEY_BITS = 1024\nk = dsa.generate_private_key(KEY_BITS)\n"
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        name = ctx.call_name(node) or ""
        where = _GENERATORS.get(name)
        if where is None:
            return
        size = ctx.argument(node, *where)
        bits = int_value(ctx, size)
        if bits is None or bits >= MINIMUM_BITS:
            return
        algorithm = "DSA" if ("DSA" in name or "dsa" in name or "DSS" in name) else "RSA"
        ctx.report(
            self,
            size,
            details={"bits": str(bits), "algorithm": algorithm},
            fix=replace_number_fix(ctx, size, RECOMMENDED_BITS, f"Fix: use {RECOMMENDED_BITS}-bit keys"),
        )
