"""TG305: an encryption key, IV or nonce written into the source."""

from __future__ import annotations

import ast
import re

from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.crypto._literals import fixed_value

# qualified callee -> {parameter role: (position, keyword)}
_MODES = "cryptography.hazmat.primitives.ciphers.modes."
_AEAD = "cryptography.hazmat.primitives.ciphers.aead."
_CRYPTOGRAPHY_ALGORITHMS = "cryptography.hazmat.primitives.ciphers.algorithms."
_PYCRYPTODOME_NEW = re.compile(
    r"^(?:Crypto|Cryptodome)\.Cipher\.(AES|ChaCha20|ChaCha20_Poly1305|Salsa20|DES3|DES|Blowfish|CAST|ARC2)\.new$"
)
_FRESH = "generate a fresh one per message with `os.urandom`"
_LOADED = "load it from a secret store or the environment"
_IV_MODES = frozenset({"CBC", "CTR", "OFB", "CFB", "CFB8", "GCM", "XTS"})
# The classes of cryptography's `algorithms` and `aead` modules, which take the key first.
_KEYED_CLASSES = frozenset(
    {
        "AES",
        "AES128",
        "AES256",
        "Camellia",
        "ChaCha20",
        "SM4",
        "TripleDES",
        "Blowfish",
        "CAST5",
        "ARC4",
        "IDEA",
        "SEED",
        "RC2",
        "AESGCM",
        "AESGCMSIV",
        "AESCCM",
        "AESOCB3",
        "AESSIV",
        "ChaCha20Poly1305",
    }
)


class StaticIvOrKey(Rule):
    id = "TG305"
    name = "static-iv-or-key"
    severity = "high"
    confidence = "high"
    cwe = (329, 321)
    owasp = "A04:2025"
    message = "Cipher {role} is a constant in the source; {advice}"
    placeholders = {"role": "IV", "advice": _FRESH}
    call_names = _IV_MODES | _KEYED_CLASSES | {"new", "encrypt"}
    what = 'Passes a {role} that is the same on every run: a literal, `b"\\x00" * 16`, or a variable bound to one.'
    why = (
        "A fixed IV makes CBC deterministic: equal messages encrypt equally and common prefixes show. A "
        "reused nonce in CTR or GCM is worse: XORing two ciphertexts cancels the keystream, revealing "
        "both plaintexts, and a GCM nonce reuse lets the attacker forge authenticated messages. A key "
        "in the source is readable by anyone with the repository, a wheel, or a container image, so "
        "every ciphertext ever produced is decryptable."
    )
    how = (
        "Generate a fresh IV or nonce per message with `os.urandom(16)` (12 bytes for GCM) and store "
        "it next to the ciphertext; it need not be secret. Load keys from a secret manager or "
        "environment variable, never from a literal."
    )
    example = (
        "import os\nfrom cryptography.hazmat.primitives.ciphers.aead import AESGCM\n\n"
        'key = bytes.fromhex(os.environ["DATA_KEY"])\nnonce = os.urandom(12)\n'
        "token = nonce + AESGCM(key).encrypt(nonce, plaintext, None)"
    )
    fix_safety = "No automatic rewrite: the random IV must also be stored for decryption, and keys must be provisioned."
    references = (
        "https://cwe.mitre.org/data/definitions/329.html",
        "https://cwe.mitre.org/data/definitions/321.html",
        "https://cryptography.io/en/latest/hazmat/primitives/aead/",
    )
    VALID = (
        "import os\nfrom cryptography.hazmat.primitives.ciphers import modes\niv = os.urandom(16)\nm = modes.CBC(iv)\n",
        "from Crypto.Cipher import AES\ncipher = AES.new(key, AES.MODE_GCM)\n",
        "from Crypto.Cipher import AES\ndef decrypt(key, iv, data):\n    return AES.new(key, AES.MODE_CBC, iv).decrypt(data)\n",
        "import os\nfrom cryptography.hazmat.primitives.ciphers.aead import AESGCM\n"
        "def seal(key, data):\n    nonce = os.urandom(12)\n    return nonce + AESGCM(key).encrypt(nonce, data, None)\n",
    )
    INVALID = (
        Invalid("from cryptography.hazmat.primitives.ciphers import modes\nm = modes.CBC(b'\\x00' * 16)\n"),
        Invalid("from Crypto.Cipher import AES\ncipher = AES.new(key, AES.MODE_CBC, iv=b'1234567890abcdef')\n"),
        Invalid(
            "from Crypto.Cipher import AES\ndef enc(data):\n    key = b'sixteen byte key'\n"
            "    return AES.new(key, AES.MODE_GCM).encrypt(data)\n"
        ),
        Invalid(
            "from cryptography.hazmat.primitives.ciphers.aead import AESGCM\n"
            "def seal(key, data):\n    nonce = bytes(12)\n    return AESGCM(key).encrypt(nonce, data, None)\n",
            message="nonce",
        ),
        Invalid("from cryptography.hazmat.primitives.ciphers import algorithms\nalgo = algorithms.AES(b'')\n"),
    )

    TODO = (  # the AEAD object held in a name: its encrypt call is not resolved to the aead module
        Invalid(
            "from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305\n"
            "def seal(key, data):\n    box = ChaCha20Poly1305(key)\n    return box.encrypt(b'fixed-nonce!', data, None)\n",
            message="nonce",
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        name = ctx.call_name(node) or ""
        checks: list[tuple[str, ast.expr | None, str]] = []
        if name.startswith(_MODES) and name.rsplit(".", 1)[-1] in _IV_MODES:
            iv = ctx.argument(node, 0, "initialization_vector") or ctx.argument(node, 0, "nonce")
            checks.append(("IV", iv, _FRESH))
        elif _aead_encrypt(node, name, ctx):
            checks.append(("nonce", ctx.argument(node, 0, "nonce"), _FRESH))
        elif name.startswith((_CRYPTOGRAPHY_ALGORITHMS, _AEAD)):
            checks.append(("key", ctx.argument(node, 0, "key"), _LOADED))
        elif _PYCRYPTODOME_NEW.match(name):
            checks.append(("key", ctx.argument(node, 0, "key"), _LOADED))
            iv = ctx.keyword(node, "iv")
            checks.append(("IV", iv.value if iv is not None else ctx.argument(node, 2, "IV"), _FRESH))
            nonce = ctx.keyword(node, "nonce")
            checks.append(("nonce", nonce.value if nonce is not None else None, _FRESH))
        for role, value, advice in checks:
            if fixed_value(ctx, value):
                ctx.report(self, value, details={"role": role, "advice": advice})
                return


def _aead_encrypt(node: ast.Call, name: str, ctx) -> bool:
    """`AESGCM(key).encrypt(nonce, ...)`, on the object or one held in a name: its first argument is the nonce."""
    if not (isinstance(node.func, ast.Attribute) and node.func.attr == "encrypt"):
        return False
    made = node.func.value
    return name.startswith(_AEAD) or (isinstance(made, ast.Call) and (ctx.call_name(made) or "").startswith(_AEAD))
