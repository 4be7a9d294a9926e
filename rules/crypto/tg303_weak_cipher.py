"""TG303: a broken or legacy block/stream cipher (DES, 3DES, RC4, RC2, Blowfish, IDEA, CAST5, XOR)."""

from __future__ import annotations

import ast
import re

from tabguard.engine.rule import Invalid, Rule

# cryptography's `algorithms.X(key)`, pycryptodome's `Crypto.Cipher.X.new(...)`, pyDes.
_CRYPTOGRAPHY_CIPHERS = ("TripleDES", "Blowfish", "ARC4", "IDEA", "CAST5", "SEED", "RC2")
_PYDES_CIPHERS = ("des", "triple_des")
_CRYPTOGRAPHY = re.compile(
    rf"^cryptography\.hazmat\.(?:primitives|decrepit)\.ciphers\.algorithms\.({'|'.join(_CRYPTOGRAPHY_CIPHERS)})$"
)
_PYCRYPTODOME = re.compile(r"^(?:Crypto|Cryptodome)\.Cipher\.(DES|DES3|ARC2|ARC4|Blowfish|XOR|CAST)\.new$")
_PYDES = re.compile(rf"^pyDes\.({'|'.join(_PYDES_CIPHERS)})$")


class WeakCipher(Rule):
    id = "TG303"
    name = "weak-cipher"
    severity = "high"
    confidence = "high"
    cwe = (327,)
    owasp = "A04:2025"
    message = "Weak cipher `{cipher}`; use AES-GCM or ChaCha20-Poly1305"
    placeholders = {"cipher": "DES"}
    aliases = ("B304", "B305", "S304", "S305")
    call_names = frozenset({*_CRYPTOGRAPHY_CIPHERS, "new", *_PYDES_CIPHERS})
    what = "Encrypts with `{cipher}`, a cipher that is broken or has too small a key or block size."
    why = (
        "DES keys (56 bits) are brute-forced in a day on rented hardware; RC4's keystream is biased "
        "enough to recover cookies and passwords sent repeatedly over it; 64-bit block ciphers (3DES, "
        "Blowfish, IDEA, CAST5) leak plaintext after a few gigabytes under one key (the Sweet32 attack). "
        "Data encrypted today with them should be considered readable by a motivated attacker."
    )
    how = (
        "Use an authenticated cipher from a maintained library: `cryptography`'s "
        "`AESGCM(AESGCM.generate_key(bit_length=256)).encrypt(os.urandom(12), data, aad)` or "
        "`ChaCha20Poly1305`, or simply `Fernet` when you only need to encrypt and decrypt your own data. "
        "Re-encrypt stored data under the new key."
    )
    example = (
        "import os\nfrom cryptography.hazmat.primitives.ciphers.aead import AESGCM\n\n"
        "key = AESGCM.generate_key(bit_length=256)\nnonce = os.urandom(12)\n"
        "ciphertext = AESGCM(key).encrypt(nonce, plaintext, None)"
    )
    fix_safety = "No automatic rewrite: a new cipher needs a new key size, nonce handling and data migration."
    references = (
        "https://cwe.mitre.org/data/definitions/327.html",
        "https://sweet32.info/",
        "https://cryptography.io/en/latest/hazmat/primitives/aead/",
    )
    VALID = (
        "from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes\n"
        "c = Cipher(algorithms.AES(key), modes.GCM(iv))\n",
        "from Crypto.Cipher import AES\ncipher = AES.new(key, AES.MODE_GCM)\n",
        "from cryptography.fernet import Fernet\nf = Fernet(key)\n",
        "class DES:\n    @staticmethod\n    def new(key):\n        return key\nDES.new(b'k')\n",
    )
    INVALID = (
        Invalid(
            "from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes\n"
            "c = Cipher(algorithms.TripleDES(key), modes.CBC(iv))\n"
        ),
        Invalid("from Crypto.Cipher import DES\ncipher = DES.new(key, DES.MODE_CBC, iv)\n"),
        Invalid("from Cryptodome.Cipher import ARC4 as rc4\nstream = rc4.new(key)\n"),
        Invalid(
            "import Crypto.Cipher.Blowfish\nc = Crypto.Cipher.Blowfish.new(key, Crypto.Cipher.Blowfish.MODE_CBC, iv)\n"
        ),
        Invalid("import pyDes\nk = pyDes.triple_des(key)\n"),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        name = ctx.call_name(node) or ""
        for pattern in (_CRYPTOGRAPHY, _PYCRYPTODOME, _PYDES):
            match = pattern.match(name)
            if match:
                ctx.report(self, node, details={"cipher": match.group(1)})
                return
