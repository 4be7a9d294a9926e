"""TG409: a timed signed token (itsdangerous, Django signing) is checked without `max_age`."""

from __future__ import annotations

import ast

from tabguard.engine.facts import dotted_name
from tabguard.engine.fixes import expression_fix, set_keyword
from tabguard.engine.rule import Invalid, Rule
from tabguard.guards import words

_TIMED_CLASSES = frozenset(
    {
        "itsdangerous.URLSafeTimedSerializer",
        "itsdangerous.TimedSerializer",
        "itsdangerous.TimestampSigner",
        "itsdangerous.url_safe.URLSafeTimedSerializer",
        "itsdangerous.timed.TimedSerializer",
        "itsdangerous.timed.TimestampSigner",
        "django.core.signing.TimestampSigner",
    }
)
_MODULE_LOADS = frozenset({"django.core.signing.loads"})
_SERIALIZER_WORDS = frozenset({"serializer", "signer", "s", "ts", "timed", "signing", "serializers"})
_VERIFY_METHODS = frozenset({"loads", "unsign", "loads_unsafe"})


class SignedTokenWithoutMaxAge(Rule):
    id = "TG409"
    name = "signed-token-without-max-age"
    severity = "medium"
    confidence = "medium"
    cwe = (613,)
    owasp = "A07:2025"
    message = "Signed token checked without `max_age`: a link issued years ago is still accepted"
    call_names = _VERIFY_METHODS
    what = (
        "A token made with a timed signer (`URLSafeTimedSerializer`, `TimestampSigner`, Django "
        "`signing`) is verified with `loads`/`unsign` but no `max_age`, so the timestamp it carries is "
        "never checked."
    )
    why = (
        "These tokens are how password-reset, email-confirmation, unsubscribe and magic-login links are "
        "built. Without `max_age` the signature is checked but not its age: a reset link from an old "
        "email, a leaked log line or a forwarded message resets the password today, and it keeps "
        "working until the secret key is rotated."
    )
    how = (
        'Pass the lifetime the flow needs when loading: `serializer.loads(token, salt="reset", '
        "max_age=3600)`, `signer.unsign(value, max_age=timedelta(hours=1))`, "
        "`signing.loads(value, max_age=3600)`, and handle `SignatureExpired`."
    )
    example = 'email = serializer.loads(token, salt="password-reset", max_age=3600)'
    fix_safety = (
        "Unsafe: the rewrite adds `max_age=3600`; tokens older than an hour now raise "
        "`SignatureExpired`, which the caller must handle."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/613.html",
        "https://owasp.org/Top10/2025/A07_2025-Authentication_Failures/",
        "https://itsdangerous.palletsprojects.com/en/stable/timed/",
        "https://docs.djangoproject.com/en/stable/topics/signing/",
    )
    VALID = (
        "from itsdangerous import URLSafeTimedSerializer\ns = URLSafeTimedSerializer(key)\n"
        "def confirm(token):\n    return s.loads(token, salt='confirm', max_age=3600)\n",
        "import json\nfrom itsdangerous import URLSafeTimedSerializer\ndef parse(body):\n    return json.loads(body)\n",
        "from django.core import signing\nvalue = signing.loads(token, max_age=600)\n",
    )
    INVALID = (
        Invalid(
            "from itsdangerous import URLSafeTimedSerializer\nserializer = URLSafeTimedSerializer(app.secret_key)\n"
            "def reset_password(token):\n    email = serializer.loads(token, salt='reset')\n    return email\n",
            "from itsdangerous import URLSafeTimedSerializer\nserializer = URLSafeTimedSerializer(app.secret_key)\n"
            "def reset_password(token):\n    email = serializer.loads(token, salt='reset', max_age=3600)\n    return email\n",
        ),
        Invalid(
            "from itsdangerous import TimestampSigner\nuid = TimestampSigner(KEY).unsign(cookie)\n",
            "from itsdangerous import TimestampSigner\nuid = TimestampSigner(KEY).unsign(cookie, max_age=3600)\n",
        ),
        Invalid(
            "from django.core import signing\nuser_id = signing.loads(request.GET['token'])\n",
            "from django.core import signing\nuser_id = signing.loads(request.GET['token'], max_age=3600)\n",
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        func = node.func
        if not isinstance(func, ast.Attribute) or func.attr not in _VERIFY_METHODS or not node.args:
            return
        if ctx.keyword(node, "max_age") is not None or any(k.arg is None for k in node.keywords):
            return
        if not (ctx.call_name(node) in _MODULE_LOADS or self._timed_receiver(func.value, ctx)):
            return
        ctx.report(
            self,
            node,
            fix=expression_fix(
                ctx, node, set_keyword("max_age", "3600"), "Fix: reject tokens older than an hour", safe=False
            ),
        )

    @staticmethod
    def _timed_receiver(receiver: ast.AST, ctx) -> bool:
        if isinstance(receiver, ast.Call) and ctx.call_name(receiver) in _TIMED_CLASSES:
            return True
        # A serializer kept in a variable or built by a helper (`serializer().loads(...)`) in a module
        # that imports a timed class.
        imported = any(target in _TIMED_CLASSES for target in ctx.module.imports.values())
        name = (dotted_name(receiver.func if isinstance(receiver, ast.Call) else receiver) or "").rsplit(".", 1)[-1]
        return imported and bool(set(words(name)) & _SERIALIZER_WORDS)
