"""TG425: a response carries a full SSN or card number that the same module masks elsewhere."""

from __future__ import annotations

import ast
from typing import Optional

from tabguard.engine.fixes import edits_fix
from tabguard.engine.rule import Invalid, Rule
from tabguard.engine.types import Edit
from tabguard.guards import words
from tabguard.rules.access._handlers import handler
from tabguard.rules.crypto._names import expression_name, pii_kind

_MASK_WORDS = frozenset({"mask", "masked", "redact", "redacted", "last4", "obfuscate"})
_RESPONDERS = frozenset({"jsonify", "JSONResponse", "JsonResponse", "Response", "dict"})


class UnmaskedPersonalData(Rule):
    id = "TG425"
    name = "unmasked-personal-data"
    severity = "high"
    confidence = "medium"
    cwe = (359, 200)
    owasp = "A01:2025"
    message = "`{field}` is returned in full here but masked elsewhere in this module"
    placeholders = {"field": "ssn"}
    what = (
        "A response includes the full `{field}` of a record, while this module masks the same field "
        "(last four digits, `mask_...()`) where it shows it elsewhere: this endpoint skips the masking."
    )
    why = (
        "The masking shows the team decided the full value must not leave the server. One endpoint that "
        'returns it anyway (often a new "detail" or "export" route an assistant added) gives every caller '
        "who can reach it the complete SSN or card number: identity theft and card fraud, and a reportable "
        "breach under PCI DSS, HIPAA or GDPR."
    )
    how = "Return the masked form here too (the same helper), or leave the field out; keep full values server-side."
    example = "return jsonify(id=p.id, ssn_last4=p.ssn[-4:])"
    fix_safety = (
        "Unsafe: the rewrite masks the value the way this module already does for the field: through "
        "its masking function for it (`mask_card(c.card_number)`), else cut to the last four "
        "characters like its `x.ssn[-4:]`; clients of the endpoint no longer receive the full value."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/359.html",
        "https://owasp.org/Top10/2025/A01_2025-Broken_Access_Control/",
        "https://owasp.org/API-Security/editions/2023/en/0xa3-broken-object-property-level-authorization/",
    )
    _MASKED = (
        "from flask import Flask, jsonify\napp = Flask(__name__)\n"
        "@app.get('/patients')\ndef patients():\n"
        "    return jsonify([{'id': p.id, 'ssn': '***-**-' + p.ssn[-4:]} for p in Patient.query.all()])\n"
    )
    VALID = (
        _MASKED,
        _MASKED + "@app.get('/patients/<int:pid>')\ndef patient(pid):\n    p = Patient.query.get(pid)\n"
        "    return jsonify(id=p.id, ssn=mask_ssn(p.ssn))\n",
        # no masking anywhere: TG602/compliance review decides, not this rule
        "from flask import Flask, jsonify\napp = Flask(__name__)\n@app.get('/me')\ndef me():\n    return jsonify(ssn=current_user.ssn)\n",
    )
    INVALID = (
        Invalid(
            "from flask import Flask, jsonify\napp = Flask(__name__)\n@app.get('/patients')\ndef patients():\n"
            "    return jsonify([{'id': p.id, 'ssn': '***-**-' + p.ssn[-4:]} for p in Patient.query.all()])\n"
            "@app.get('/patients/<int:pid>')\ndef patient(pid):\n    p = Patient.query.get(pid)\n"
            "    return jsonify(id=p.id, name=p.name, ssn=p.ssn)\n",
            "from flask import Flask, jsonify\napp = Flask(__name__)\n@app.get('/patients')\ndef patients():\n"
            "    return jsonify([{'id': p.id, 'ssn': '***-**-' + p.ssn[-4:]} for p in Patient.query.all()])\n"
            "@app.get('/patients/<int:pid>')\ndef patient(pid):\n    p = Patient.query.get(pid)\n"
            "    return jsonify(id=p.id, name=p.name, ssn=p.ssn[-4:])\n",
        ),
        Invalid(
            "from fastapi import FastAPI\napp = FastAPI()\ndef mask_card(number):\n"
            "    return '**** ' + number[-4:]\n@app.get('/cards')\ndef cards():\n"
            "    return [{'card': mask_card(c.card_number)} for c in all_cards()]\n@app.get('/cards/{cid}')\n"
            "def card(cid: int):\n    c = get_card(cid)\n"
            "    return {'id': c.id, 'card_number': c.card_number}\n",
            "from fastapi import FastAPI\napp = FastAPI()\ndef mask_card(number):\n"
            "    return '**** ' + number[-4:]\n@app.get('/cards')\ndef cards():\n"
            "    return [{'card': mask_card(c.card_number)} for c in all_cards()]\n@app.get('/cards/{cid}')\n"
            "def card(cid: int):\n    c = get_card(cid)\n"
            "    return {'id': c.id, 'card_number': mask_card(c.card_number)}\n",
        ),
    )

    def visit_Return(self, node: ast.Return, ctx) -> None:
        if node.value is None or ctx.function is None or handler(ctx, ctx.function) is None:
            return
        extra = ctx.options.get("pii-names", ())
        flagged = []
        for value in _response_values(node.value):
            field = (
                pii_kind(expression_name(value), extra) if isinstance(value, (ast.Attribute, ast.Subscript)) else None
            )
            if field and _masked_in_module(ctx, field, extra):
                flagged.append((value, field))
        if flagged:
            # Every full value of the response is masked at once: one left would be reported next.
            edits = [_masked(ctx, value, field) for value, field in flagged]
            masked = [edit for edit in edits if edit is not None]
            fix = (
                edits_fix(masked, "Fix: mask it as the module does elsewhere", safe=False)
                if len(masked) == len(edits)
                else None
            )
            ctx.report(self, flagged[0][0], details={"field": expression_name(flagged[0][0])}, fix=fix)


def _masked(ctx, value: ast.AST, field: str) -> Optional[Edit]:
    """`value` written the way the module masks the field: through its masking function for that
    field (`mask_card(c.card_number)`), else cut to its last four characters as it does elsewhere."""
    code = ctx.segment(ctx.span(value))
    field_words = set(words(field)) - _MASK_WORDS
    for name in ctx.module.functions:
        said = set(words(name))
        if said & _MASK_WORDS and said & field_words:
            return Edit(ctx.span(value), f"{name}({code})")
    if any(pii_kind(name, ()) == field for name in ctx.module.masked):
        return Edit(ctx.span(value), f"{code}[-4:]")
    return None


def _response_values(expr: ast.AST) -> list[ast.AST]:
    """The values a returned dict or `jsonify(...)` puts in the response (not those wrapped in a call)."""
    found: list[ast.AST] = []
    for sub in ast.walk(expr):
        if isinstance(sub, ast.Dict):
            found += [v for v in sub.values if v is not None]
        elif (
            isinstance(sub, ast.Call)
            and (getattr(sub.func, "id", None) or getattr(sub.func, "attr", "")) in _RESPONDERS
        ):
            found += [k.value for k in sub.keywords]
    return found


def _masked_in_module(ctx, field: str, extra) -> bool:
    return ctx.memo(("TG425-masked", field), lambda: _find_mask(ctx, field, extra))


def _find_mask(ctx, field: str, extra) -> bool:
    """`x.ssn[-4:]` anywhere in the module, or a masking function defined or imported (`mask_ssn`, `redact`)."""
    if any(pii_kind(name, extra) == field for name in ctx.module.masked):
        return True
    names = set(ctx.module.functions) | set(ctx.module.imports)
    return any(set(words(name)) & _MASK_WORDS for name in names)
