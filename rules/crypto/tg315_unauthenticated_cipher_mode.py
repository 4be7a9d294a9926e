"""TG315: data encrypted or decrypted in CBC, CTR, CFB or OFB mode with no MAC in the same function."""

from __future__ import annotations

import ast

from tabguard.engine.rule import Invalid, Rule

_MODES = frozenset({"CBC", "CTR", "CFB", "CFB8", "OFB"})
_HAZMAT_MODES = "cryptography.hazmat.primitives.ciphers.modes."
_PYCRYPTODOME = ("Crypto.Cipher.", "Cryptodome.Cipher.")
# Calls that use the cipher on data, and calls that compute or check a MAC.
_CIPHER_USES = frozenset({"encrypt", "decrypt", "encryptor", "decryptor", "encrypt_and_digest"})
_MACS = frozenset({"HMAC", "CMAC", "Poly1305", "hmac.new", "hmac.digest", "hmac.compare_digest"})


class UnauthenticatedCipherMode(Rule):
    id = "TG315"
    name = "unauthenticated-cipher-mode"
    severity = "medium"
    confidence = "low"
    cwe = (353, 327)
    owasp = "A04:2025"
    message = "{mode} mode encrypts without integrity: nothing in this function computes or checks a MAC"
    placeholders = {"mode": "CBC"}
    call_names = frozenset({*_MODES, "new"})
    what = (
        "The function encrypts or decrypts with AES (or another block cipher) in {mode} mode and computes "
        "no MAC (HMAC, CMAC, Poly1305) over the ciphertext, so nothing detects a modified ciphertext."
    )
    why = (
        "Unauthenticated modes are malleable: flipping a bit of a CTR/OFB/CFB ciphertext flips the same "
        "plaintext bit (`amount=10` becomes `amount=90`), and in CBC it rewrites the next block. When a "
        "service decrypts tokens or cookies it receives, the padding error it returns is a padding oracle: "
        "an attacker decrypts any token byte by byte in a few thousand requests, then forges new ones."
    )
    how = (
        "Use an authenticated mode: `AESGCM` / `ChaCha20Poly1305` from "
        "`cryptography.hazmat.primitives.ciphers.aead`, `Fernet` for tokens, or `AES.new(key, AES.MODE_GCM)` "
        "in pycryptodome (`encrypt_and_digest`, `decrypt_and_verify`). If CBC must stay, encrypt-then-MAC "
        "with a separate HMAC key and verify the tag with `hmac.compare_digest` before decrypting."
    )
    example = (
        "import os\nfrom cryptography.hazmat.primitives.ciphers.aead import AESGCM\n\n"
        "nonce = os.urandom(12)\nblob = nonce + AESGCM(key).encrypt(nonce, plaintext, None)"
    )
    fix_safety = "No automatic rewrite: an authenticated mode changes the stored format (nonce and tag)."
    references = (
        "https://cwe.mitre.org/data/definitions/353.html",
        "https://cryptography.io/en/latest/hazmat/primitives/aead/",
        "https://cryptopals.com/sets/3/challenges/17",
    )
    VALID = (
        "from cryptography.hazmat.primitives.ciphers.aead import AESGCM\ndef seal(key, nonce, data):\n"
        "    return AESGCM(key).encrypt(nonce, data, None)\n",
        # Encrypt-then-MAC in the same function.
        "import hmac, hashlib, os\nfrom Crypto.Cipher import AES\nfrom Crypto.Util.Padding import pad\n"
        "def seal(enc_key, mac_key, data):\n    cipher = AES.new(enc_key, AES.MODE_CBC)\n"
        "    body = cipher.iv + cipher.encrypt(pad(data, 16))\n"
        "    return body + hmac.new(mac_key, body, hashlib.sha256).digest()\n",
        # A cipher built but not used here: where the data is sealed decides.
        "from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes\n"
        "def make_cipher(key, iv):\n    return Cipher(algorithms.AES(key), modes.CBC(iv))\n",
    )
    INVALID = (
        Invalid(
            "import os\nfrom cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes\n"
            "def encrypt(key, padded):\n    iv = os.urandom(16)\n"
            "    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()\n"
            "    return iv + encryptor.update(padded) + encryptor.finalize()\n"
        ),
        Invalid(
            "from Crypto.Cipher import AES\nfrom Crypto.Util.Padding import unpad\ndef read_token(key, blob):\n"
            "    cipher = AES.new(key, AES.MODE_CBC, iv=blob[:16])\n    return unpad(cipher.decrypt(blob[16:]), 16)\n"
        ),
        Invalid(
            "from Crypto.Cipher import AES\ndef stream(key, nonce, data):\n"
            "    return AES.new(key, AES.MODE_CTR, nonce=nonce).encrypt(data)\n"
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        mode_node = _mode(node, ctx)
        if mode_node is None or ctx.function is None:
            return
        scope = ctx.scope_nodes()
        calls = [n for n in scope if isinstance(n, ast.Call)]
        if not any(isinstance(c.func, ast.Attribute) and c.func.attr in _CIPHER_USES for c in calls):
            return  # the cipher is not used on data here
        if any(_is_mac(c, ctx) for c in calls):
            return
        name = (
            mode_node.attr if isinstance(mode_node, ast.Attribute) else (ctx.call_name(node) or "").rpartition(".")[2]
        )
        ctx.report(self, mode_node, details={"mode": name.removeprefix("MODE_")})


def _mode(node: ast.Call, ctx) -> ast.expr | None:
    """The unauthenticated mode a call selects: `modes.CBC(iv)` itself, or the `AES.MODE_CBC` argument
    of a pycryptodome `AES.new(key, mode, ...)`."""
    callee = ctx.call_name(node) or ""
    if callee.startswith(_HAZMAT_MODES) and callee.rpartition(".")[2] in _MODES:
        return node
    if not (callee.startswith(_PYCRYPTODOME) and callee.endswith(".new")):
        return None
    mode = ctx.argument(node, 1, "mode")
    if (
        isinstance(mode, ast.Attribute)
        and mode.attr.removeprefix("MODE_") in _MODES
        and (ctx.qualname(mode) or "").startswith(_PYCRYPTODOME)
    ):
        return mode
    return None


def _is_mac(call: ast.Call, ctx) -> bool:
    name = ctx.call_name(call) or ""
    parts = name.split(".")
    return name in _MACS or any(part in _MACS for part in parts[-2:])
