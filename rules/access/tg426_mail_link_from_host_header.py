"""TG426: a link sent by e-mail (password reset, invitation, verification) built from the request's Host header."""

from __future__ import annotations

import ast
import re

from tabguard.engine.rule import Invalid, Rule
from tabguard.engine.taint import REQUEST_NAMES

# Request attributes read from the Host header (Flask/Werkzeug, Starlette `base_url`), and the raw
# header or WSGI key. Django's `get_host()` / `build_absolute_uri()` check ALLOWED_HOSTS (TG210).
_HOST_ATTRIBUTES = frozenset({"host", "host_url", "url_root", "base_url"})
_HOST_HEADERS = frozenset({"host", "x-forwarded-host", "http_host", "http_x_forwarded_host"})
_REQUEST_OBJECTS = frozenset({"flask.request", "quart.request", "bottle.request"})
# Sending mail: Django's send_mail, Flask-Mail's mail.send(Message(...)), smtplib, EmailMessage, helpers.
_MAIL_CALL = re.compile(
    r"(^|\.)(send_?(\w+_)?e?mails?|sendmail|send_message|mail_admins|EmailMessage|EmailMultiAlternatives)$"
)
_MAILER_SEND = re.compile(r"mail\w*\.(send|Message)$", re.IGNORECASE)


class MailLinkFromHostHeader(Rule):
    id = "TG426"
    name = "mail-link-from-host-header"
    severity = "high"
    confidence = "medium"
    cwe = (640, 20)
    owasp = "A07:2025"
    message = "Link e-mailed from this function is built from the request's Host header (`{read}`)"
    placeholders = {"read": "request.host"}
    call_names = frozenset({"get"})
    what = (
        "The function sends e-mail and builds a URL from `{read}`, which is whatever the client put in "
        "its `Host` (or `X-Forwarded-Host`) header."
    )
    why = (
        "Password-reset poisoning: the attacker asks for a reset of the victim's account with "
        "`Host: evil.test`; the victim receives a genuine e-mail whose link points to `https://evil.test/"
        "reset/<token>`, and one click (or a mail scanner fetching the link) hands the token to the "
        "attacker, who resets the password. Invitations and e-mail verification links are hijacked alike."
    )
    how = (
        "Build absolute links from configuration, not from the request: a setting such as `PUBLIC_URL` / "
        "`settings.SITE_URL`, or Flask's `url_for(..., _external=True)` with `SERVER_NAME` set; "
        "or reject unknown hosts first (Flask `TRUSTED_HOSTS`, Starlette `TrustedHostMiddleware`)."
    )
    example = 'link = f"{current_app.config[\'PUBLIC_URL\']}/reset/{token}"\nsend_mail("Reset your password", link, None, [user.email])'
    fix_safety = "No automatic rewrite: the public address of the site is configuration the code does not have."
    references = (
        "https://cwe.mitre.org/data/definitions/640.html",
        "https://portswigger.net/web-security/host-header/exploiting/password-reset-poisoning",
        "https://flask.palletsprojects.com/en/stable/config/#TRUSTED_HOSTS",
    )
    VALID = (
        "from flask import current_app, request\nfrom flask_mail import Message\ndef forgot(mail, user, token):\n"
        '    link = current_app.config["PUBLIC_URL"] + "/reset/" + token\n'
        '    mail.send(Message("Reset", recipients=[user.email], body=link))\n',
        # The host read, but nothing mailed from here.
        'from flask import request\ndef where():\n    return f"https://{request.host}/status"\n',
        # Mailed, but the host only logged.
        "import logging\nfrom django.core.mail import send_mail\ndef notify(request, user):\n"
        '    logging.info("reset asked via %s", request.get_host())\n'
        '    send_mail("Reset", "See your account page", None, [user.email])\n',
    )
    INVALID = (
        Invalid(
            "from flask import request\nfrom flask_mail import Message\ndef forgot(mail, user, token):\n"
            '    link = "https://" + request.host + "/reset/" + token\n'
            '    mail.send(Message("Reset your password", recipients=[user.email], body=link))\n'
        ),
        Invalid(
            "from flask import request\ndef invite(email, code):\n"
            '    url = f"{request.host_url}join?code={code}"\n    send_invite_email(email, url)\n'
        ),
        Invalid(
            "from django.core.mail import send_mail\ndef reset(request, user, token):\n"
            '    send_mail("Reset", "https://%s/reset/%s" % (request.META["HTTP_HOST"], token), None, [user.email])\n'
        ),
    )

    def visit_Attribute(self, node: ast.Attribute, ctx) -> None:
        if node.attr in _HOST_ATTRIBUTES and _is_request(node.value, ctx):
            self._check(node, ctx)

    def visit_Subscript(self, node: ast.Subscript, ctx) -> None:
        if _host_key(node.slice, ctx) and _headers_of_request(node.value, ctx):
            self._check(node, ctx)

    def visit_Call(self, node: ast.Call, ctx) -> None:
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "get"
            and node.args
            and _host_key(node.args[0], ctx)
            and _headers_of_request(func.value, ctx)
        ):
            self._check(node, ctx)

    def _check(self, read: ast.expr, ctx) -> None:
        func = ctx.function
        if func is None or not _in_built_string(read, ctx) or not _sends_mail(func, ctx):
            return
        ctx.report(self, read, details={"read": ctx.segment(ctx.span(read))})


def _is_request(node: ast.expr, ctx) -> bool:
    if isinstance(node, ast.Name):
        return node.id in REQUEST_NAMES or ctx.qualname(node) in _REQUEST_OBJECTS
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "request"
        and (ctx.qualname(node) in _REQUEST_OBJECTS or (isinstance(node.value, ast.Name) and node.value.id == "self"))
    )


def _headers_of_request(node: ast.expr, ctx) -> bool:
    """`request.headers`, `request.META` or `request.environ`."""
    return (
        isinstance(node, ast.Attribute) and node.attr in ("headers", "META", "environ") and _is_request(node.value, ctx)
    )


def _host_key(key: ast.expr, ctx) -> bool:
    value = ctx.constant_value(key)
    return isinstance(value, str) and value.lower() in _HOST_HEADERS


def _in_built_string(node: ast.expr, ctx) -> bool:
    """`node` is spliced into text: an f-string, `+`, `%` or `.format(...)`."""
    child, parent = node, ctx.parent(node)
    while isinstance(parent, ast.expr):
        if (
            isinstance(parent, (ast.JoinedStr, ast.FormattedValue))
            or (isinstance(parent, ast.BinOp) and isinstance(parent.op, (ast.Add, ast.Mod)))
            or (
                isinstance(parent, ast.Call)
                and isinstance(parent.func, ast.Attribute)
                and parent.func.attr == "format"
                and child is not parent.func
            )
        ):
            return True
        child, parent = parent, ctx.parent(parent)
    return False


def _sends_mail(func: ast.AST, ctx) -> bool:
    def compute() -> bool:
        for node in ctx.scope_nodes(func):
            if isinstance(node, ast.Call):
                name = ctx.call_name(node) or ""
                if _MAIL_CALL.search(name) or _MAILER_SEND.search(name):
                    return True
        return False

    return ctx.memo(("sends-mail", id(func)), compute)
