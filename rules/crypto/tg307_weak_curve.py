"""TG307: an elliptic curve below 224 bits (SECP192R1, SECT163K1, ...)."""

from __future__ import annotations

import ast

import libcst as cst

from tabguard.engine.fixes import expression_fix
from tabguard.engine.rule import Invalid, Rule

_EC = "cryptography.hazmat.primitives.asymmetric.ec."
_WEAK_CLASSES = frozenset({"SECP192R1", "SECT163K1", "SECT163R2"})
# pycryptodome / string spellings of the same curves
_WEAK_NAMES = frozenset({"p-192", "p192", "secp192r1", "prime192v1", "nist p-192", "sect163k1", "sect163r2"})
_ECC_GENERATE = frozenset({"Crypto.PublicKey.ECC.generate", "Cryptodome.PublicKey.ECC.generate"})


class WeakCurve(Rule):
    id = "TG307"
    name = "weak-elliptic-curve"
    severity = "high"
    confidence = "high"
    cwe = (326,)
    owasp = "A04:2025"
    message = "Elliptic curve `{curve}` is too small; use SECP256R1 (P-256) or larger"
    placeholders = {"curve": "SECP192R1"}
    call_names = frozenset(name.rpartition(".")[2] for name in _ECC_GENERATE)
    what = "Uses the elliptic curve `{curve}`, which gives less than 112 bits of security."
    why = (
        "Curves under 224 bits are below every current standard's minimum (NIST SP 800-57 and "
        "SP 800-186 deprecate them); their discrete logarithm is within reach of a determined attacker, "
        "after which signatures can be forged and key exchanges decrypted."
    )
    how = "Use `ec.SECP256R1()` (P-256), `ec.SECP384R1()`, or Ed25519/X25519 keys."
    example = (
        "from cryptography.hazmat.primitives.asymmetric import ec\n\nkey = ec.generate_private_key(ec.SECP256R1())"
    )
    fix_safety = "Unsafe: keys and signatures change size; peers must support P-256 (all mainstream libraries do)."
    references = ("https://cwe.mitre.org/data/definitions/326.html", "https://csrc.nist.gov/pubs/sp/800/186/final")
    VALID = (
        "from cryptography.hazmat.primitives.asymmetric import ec\nk = ec.generate_private_key(ec.SECP256R1())\n",
        "from Crypto.PublicKey import ECC\nk = ECC.generate(curve='P-256')\n",
        "SECP192R1 = 'legacy'\nprint(SECP192R1)\n",
    )
    INVALID = (
        Invalid(
            "from cryptography.hazmat.primitives.asymmetric import ec\nk = ec.generate_private_key(ec.SECP192R1())\n",
            "from cryptography.hazmat.primitives.asymmetric import ec\nk = ec.generate_private_key(ec.SECP256R1())\n",
        ),
        Invalid(
            "from cryptography.hazmat.primitives.asymmetric import ec\nk = ec.generate_private_key(curve=ec.SECT163K1)\n",
            "from cryptography.hazmat.primitives.asymmetric import ec\nk = ec.generate_private_key(curve=ec.SECP256R1)\n",
        ),
        Invalid(
            "from Crypto.PublicKey import ECC\nk = ECC.generate(curve='P-192')\n",
            "from Crypto.PublicKey import ECC\nk = ECC.generate(curve='P-256')\n",
        ),
    )

    def visit_Attribute(self, node: ast.Attribute, ctx) -> None:
        if node.attr in _WEAK_CLASSES and (ctx.qualname(node) or "").startswith(_EC):
            fix = expression_fix(
                ctx, node, lambda a: a.with_changes(attr=cst.Name("SECP256R1")), "Fix: use SECP256R1", safe=False
            )
            ctx.report(self, node, details={"curve": node.attr}, fix=fix)

    def visit_Call(self, node: ast.Call, ctx) -> None:
        if ctx.call_name(node) not in _ECC_GENERATE:
            return
        keyword = ctx.keyword(node, "curve")  # keyword-only in pycryptodome
        curve = keyword.value if keyword is not None else None
        if isinstance(curve, ast.Constant) and isinstance(curve.value, str) and curve.value.lower() in _WEAK_NAMES:
            quote = ctx.segment(ctx.span(curve))[0]
            fix = expression_fix(
                ctx, curve, lambda _: cst.SimpleString(f"{quote}P-256{quote}"), "Fix: use P-256", safe=False
            )
            ctx.report(self, curve, details={"curve": curve.value}, fix=fix)
