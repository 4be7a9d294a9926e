"""TG123: Twilio call instructions (TwiML) assembled by string formatting."""

from __future__ import annotations

import ast

from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.injection._html import HTML_TAG, escape_fix
from tabguard.rules.injection._strings import all_values_through, built_string, constant_text, raised, unconfirmed

# Escaping any of these makes a value plain text inside the markup.
_ESCAPERS = frozenset({"escape", "quoteattr", "xml.sax.saxutils.escape", "html.escape", "markupsafe.escape"})


class TwimlBuiltByFormatting(Rule):
    id = "TG123"
    name = "twiml-built-by-formatting"
    severity = "medium"
    confidence = "medium"
    lowers_confidence_without_taint = True
    raises_when_tainted = True
    cwe = (91,)
    owasp = "A05:2025"
    message = "TwiML built with string formatting from {what}: the value can add call instructions"
    placeholders = {"what": "a variable"}
    aliases = ()
    what = (
        "The `twiml=` markup handed to Twilio is assembled by formatting {what} into XML, so the value "
        "is parsed as TwiML rather than spoken or sent as text."
    )
    why = (
        "A message such as `</Say><Dial>+1900...</Dial><Say>` closes the `<Say>` element and adds its "
        "own verbs: the call dials a premium number, forwards the caller, or records them, billed to "
        "the account. Text read from an SMS, a form or a database ends up in `<Say>` all the time."
    )
    how = (
        "Build the response with Twilio's `VoiceResponse`/`MessagingResponse` helpers (`r.say(msg)` escapes "
        "the text), or escape each value with `xml.sax.saxutils.escape` before formatting."
    )
    example = (
        "from twilio.twiml.voice_response import VoiceResponse\n"
        "response = VoiceResponse()\nresponse.say(msg)\nresponse.hangup()\n"
        "client.calls.create(twiml=str(response), to=to, from_=FROM)"
    )
    fix_safety = (
        "Unsafe: each value spliced into the TwiML is wrapped in `html.escape(str(...))` (valid XML "
        "escaping), so it is spoken as text. A template held in a variable (`TEMPLATE.format(msg)`) gets "
        "no rewrite: build the response with `VoiceResponse` instead."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/91.html",
        "https://www.twilio.com/docs/voice/twiml",
    )
    VALID = (
        'def call(client, to, msg):\n    client.calls.create(twiml="<Response><Say>Hello</Say></Response>", to=to, from_=FROM)\n',
        "from xml.sax.saxutils import escape\ndef call(client, to, msg):\n"
        '    client.calls.create(twiml=f"<Response><Say>{escape(msg)}</Say></Response>", to=to, from_=FROM)\n',
        "from xml.sax.saxutils import escape\ndef call(client, to, msg):\n    text = escape(msg)\n"
        '    client.calls.create(twiml="<Response><Say>" + text + "</Say></Response>", to=to, from_=FROM)\n',
        "from twilio.twiml.voice_response import VoiceResponse\ndef call(client, to, msg):\n"
        "    r = VoiceResponse()\n    r.say(msg)\n    client.calls.create(twiml=str(r), to=to, from_=FROM)\n",
    )
    INVALID = (
        Invalid(
            'def call(client, to, msg):\n    client.calls.create(twiml=f"<Response><Say>{msg}</Say></Response>", to=to, from_=FROM)\n',
            (
                "import html\ndef call(client, to, msg):\n"
                '    client.calls.create(twiml=f"<Response><Say>{html.escape(str(msg))}</Say></Response>", to=to, from_=FROM)\n'
            ),
        ),
        Invalid(
            'TEMPLATE = "<Response><Say>{}</Say><Hangup/></Response>"\ndef call(client, sid, msg):\n'
            "    twiml = TEMPLATE.format(msg)\n    client.calls(sid).update(twiml=twiml)\n"
        ),
    )

    def visit_keyword(self, node: ast.keyword, ctx) -> None:
        if node.arg != "twiml":
            return
        built = built_string(node.value, ctx)
        if (
            built is None
            or not HTML_TAG.search(constant_text(built, ctx))
            or all_values_through(built, ctx, _ESCAPERS, follow_locals=True)
        ):
            return
        source = ctx.taint(node.value)
        what = f"user input ({source.label})" if source else "a variable"
        ctx.report(
            self,
            node.value,
            details={"what": what},
            source=source,
            severity=raised(self, source),
            confidence=unconfirmed(self, source),
            fix=escape_fix(ctx, node.value, only_tainted=False),
        )
