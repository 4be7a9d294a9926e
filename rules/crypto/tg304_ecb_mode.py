"""TG304: a block cipher in ECB mode."""

from __future__ import annotations

import ast

from tabguard.engine.rule import Invalid, Rule

_ECB_CLASS = "cryptography.hazmat.primitives.ciphers.modes.ECB"
_ECB_CONSTANT_PREFIXES = ("Crypto.Cipher.", "Cryptodome.Cipher.")


class EcbMode(Rule):
    id = "TG304"
    name = "ecb-mode"
    severity = "high"
    confidence = "high"
    cwe = (327,)
    owasp = "A04:2025"
    message = "Block cipher in ECB mode reveals patterns in the plaintext; use an authenticated mode (GCM)"
    aliases = ("B305", "S305")
    call_names = frozenset({_ECB_CLASS.rpartition(".")[2]})
    what = "Encrypts with ECB mode, which encrypts each 16-byte block independently with the same key."
    why = (
        "Equal plaintext blocks give equal ciphertext blocks, so structure shows through (the famous "
        "'ECB penguin'), and an attacker can cut and paste blocks between messages: encrypting "
        "`role=user...` and `...admin` lets them assemble a valid ciphertext for `role=admin` without "
        "the key. With a per-block oracle (encrypted cookies) secrets are decrypted byte by byte."
    )
    how = (
        "Use an authenticated mode with a fresh random nonce per message: `AESGCM` from "
        "`cryptography.hazmat.primitives.ciphers.aead`, or `AES.new(key, AES.MODE_GCM)` in "
        "pycryptodome (read `cipher.nonce` and store it with the ciphertext and tag)."
    )
    example = (
        "import os\nfrom cryptography.hazmat.primitives.ciphers.aead import AESGCM\n\n"
        "nonce = os.urandom(12)\nciphertext = AESGCM(key).encrypt(nonce, plaintext, None)"
    )
    fix_safety = "No automatic rewrite: another mode needs a nonce stored with each ciphertext."
    references = (
        "https://cwe.mitre.org/data/definitions/327.html",
        "https://cryptography.io/en/latest/hazmat/primitives/symmetric-encryption/#cryptography.hazmat.primitives.ciphers.modes.ECB",
    )
    VALID = (
        "from cryptography.hazmat.primitives.ciphers import modes\nm = modes.GCM(nonce)\n",
        "from Crypto.Cipher import AES\nc = AES.new(key, AES.MODE_GCM)\n",
        "MODE_ECB = 'ecb'\nprint(MODE_ECB)\n",
    )
    INVALID = (
        Invalid(
            "from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes\n"
            "c = Cipher(algorithms.AES(key), modes.ECB())\n"
        ),
        Invalid("from Crypto.Cipher import AES\ncipher = AES.new(key, AES.MODE_ECB)\n"),
        Invalid("from cryptography.hazmat.primitives.ciphers.modes import ECB\nmode = ECB()\n"),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        if ctx.call_name(node) == _ECB_CLASS:
            ctx.report(self, node)

    def visit_Attribute(self, node: ast.Attribute, ctx) -> None:
        if node.attr == "MODE_ECB" and (ctx.qualname(node) or "").startswith(_ECB_CONSTANT_PREFIXES):
            ctx.report(self, node)
