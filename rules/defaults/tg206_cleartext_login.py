"""TG206: credentials sent over a clear-text protocol (SMTP without STARTTLS, FTP, Telnet, SNMP, HTTP)."""

from __future__ import annotations

import ast
import re

from tabguard.engine.fixes import expression_fix, replace_callee, text_fix
from tabguard.engine.rule import Invalid, Rule
from tabguard.engine.types import Span
from tabguard.rules.files._requests import request_credential


# HTTP client calls: the verb functions of requests/httpx and the same methods on their sessions/clients.
_HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"})
_HTTP_CLIENTS = ("requests", "httpx")
_LOOPBACK = re.compile(r"^http://(localhost|127\.[\d.]+|\[::1\])([:/]|$)", re.IGNORECASE)


class CleartextLogin(Rule):
    id = "TG206"
    name = "cleartext-login"
    severity = "high"
    confidence = "medium"
    cwe = (319, 523)
    owasp = "A04:2025"
    message = "Credentials sent in clear text: {detail}"
    placeholders = {"detail": "`smtplib.SMTP` login without `starttls()`"}
    aliases = ("B312", "B321", "B401", "B402", "S312", "S321", "S401", "S402")
    # HTTP calls are only flagged when they pass credentials (`auth=`, `headers=`).
    call_names = frozenset({"Telnet", "SMTP", "FTP", "CommunityData", "UsmUserData"})
    call_keywords = frozenset({"auth", "headers"})
    what = "{detail}: the user name and password cross the network unencrypted."
    why = (
        "SMTP without STARTTLS, FTP, Telnet and plain `http://` requests with `auth=` send `AUTH`/`USER`/`PASS` as readable text (SNMP v1/v2c "
        "the community string, SNMPv3 without a privacy key the data). Anyone on "
        "the path (shared Wi-Fi, a cloud neighbour, a compromised switch) captures the mailbox or "
        "server password with a packet sniffer and reuses it; every file or command that follows is "
        "readable and modifiable too."
    )
    how = (
        "SMTP: call `server.starttls(context=ssl.create_default_context())` before `login()`, or use "
        "`smtplib.SMTP_SSL`. FTP: use `ftplib.FTP_TLS` (and `prot_p()` for the data channel), or SFTP. "
        "Telnet: use SSH (paramiko, asyncssh). SNMP: use v3 with both `authKey` and `privKey`. HTTP: "
        "send `auth=` or an `Authorization` header only to `https://` URLs."
    )
    example = (
        "with smtplib.SMTP(host, 587, timeout=10) as server:\n"
        "    server.starttls(context=ssl.create_default_context())\n"
        "    server.login(user, password)"
    )
    fix_safety = (
        "Unsafe: inserting `starttls()` before `login()` (or switching to `FTP_TLS`) fails against a "
        "server that does not offer TLS; that server must not receive the password anyway."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/319.html",
        "https://docs.python.org/3/library/smtplib.html#smtplib.SMTP.starttls",
        "https://docs.python.org/3/library/ftplib.html#ftplib.FTP_TLS",
    )
    VALID = (
        "import smtplib\ndef send(user, pw):\n    with smtplib.SMTP(HOST, 587) as s:\n"
        "        s.starttls()\n        s.login(user, pw)\n",
        "import smtplib\ndef send(user, pw):\n    with smtplib.SMTP_SSL(HOST, 465) as s:\n        s.login(user, pw)\n",
        "import smtplib\ndef relay(msg):\n    with smtplib.SMTP('localhost') as s:\n        s.send_message(msg)\n",
        "import ftplib\nftp = ftplib.FTP_TLS(HOST, USER, PASSWORD)\n",
        "import ftplib\nftp = ftplib.FTP('ftp.debian.org')\nftp.login()\n",
        "import requests\nr = requests.get('https://api.example.com/me', auth=(USER, TOKEN), timeout=10)\n",
        "import requests\nr = requests.get('http://localhost:8080/health', auth=(USER, TOKEN), timeout=10)\n",
        "import requests\nr = requests.get('http://example.com/feed.xml', timeout=10)\n",
        "from pysnmp.hlapi import UsmUserData, usmHMACSHAAuthProtocol, usmAesCfb128Protocol\n"
        "user = UsmUserData('monitor', AUTH_KEY, PRIV_KEY, authProtocol=usmHMACSHAAuthProtocol, privProtocol=usmAesCfb128Protocol)\n",
    )
    INVALID = (
        Invalid(
            "import smtplib\ndef send(user, pw, msg):\n    server = smtplib.SMTP(HOST, 587)\n"
            "    server.login(user, pw)\n    server.send_message(msg)\n",
            "import smtplib\ndef send(user, pw, msg):\n    server = smtplib.SMTP(HOST, 587)\n"
            "    server.starttls()\n    server.login(user, pw)\n    server.send_message(msg)\n",
        ),
        Invalid(
            "import ftplib\ndef upload(path):\n    ftp = ftplib.FTP('files.example.com', 'deploy', PASSWORD)\n",
            "import ftplib\ndef upload(path):\n    ftp = ftplib.FTP_TLS('files.example.com', 'deploy', PASSWORD)\n",
        ),
        Invalid(
            "from ftplib import FTP\ndef upload(user, pw):\n    ftp = FTP(HOST)\n    ftp.login(user, pw)\n",
        ),
        Invalid("import telnetlib\ntn = telnetlib.Telnet(host)\n"),
        Invalid("from pysnmp.hlapi import CommunityData\nauth = CommunityData('public', mpModel=0)\n"),
        Invalid("from pysnmp.hlapi import UsmUserData\nuser = UsmUserData('monitor', 'authpass123')\n"),
        Invalid(
            "import requests\nr = requests.post('http://api.example.com/v1/jobs', auth=(USER, TOKEN), timeout=10)\n",
            "import requests\nr = requests.post('https://api.example.com/v1/jobs', auth=(USER, TOKEN), timeout=10)\n",
        ),
        Invalid(
            "from requests import get\nr = get('http://api.example.com/me', auth=(USER, TOKEN), timeout=10)\n",
            "from requests import get\nr = get('https://api.example.com/me', auth=(USER, TOKEN), timeout=10)\n",
        ),
        Invalid(
            "import httpx\ndef fetch(token):\n    url = 'http://billing.internal/api/invoices'\n"
            "    return httpx.get(url, headers={'Authorization': f'Bearer {token}'})\n",
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        callee = ctx.call_name(node) or ""
        if callee == "telnetlib.Telnet":
            ctx.report(self, node, details={"detail": "`telnetlib.Telnet` (Telnet has no encryption)"})
        elif callee == "smtplib.SMTP":
            self._check_smtp(node, ctx)
        elif callee == "ftplib.FTP":
            self._check_ftp(node, ctx, callee)
        elif callee.startswith("pysnmp.") and callee.endswith(".CommunityData"):
            ctx.report(
                self, node, details={"detail": "SNMP v1/v2c community string (sent unencrypted in every packet)"}
            )
        elif callee.rsplit(".", 1)[-1] in _HTTP_VERBS:
            self._check_http(node, ctx, callee)
        elif callee.startswith("pysnmp.") and callee.endswith(".UsmUserData"):
            if (
                len(node.args) < 3
                and ctx.keyword(node, "privKey") is None
                and not any(k.arg is None for k in node.keywords)
            ):
                ctx.report(self, node, details={"detail": "SNMPv3 user without a privacy key (no encryption)"})

    def _check_smtp(self, node: ast.Call, ctx) -> None:
        host = ctx.argument(node, 0, "host")
        if isinstance(host, ast.Constant) and host.value in ("localhost", "127.0.0.1", "::1"):
            return  # a local relay: the password never leaves the machine
        name, body = _bound_name(node, ctx)
        if name is None:
            return
        logins = _method_calls(body, name, "login")
        if not logins or _method_calls(body, name, "starttls"):
            return
        ctx.report(
            self,
            node,
            details={"detail": f"`smtplib.SMTP` login without `{name}.starttls()`"},
            fix=_insert_before(ctx, logins[0], f"{name}.starttls()"),
        )

    def _check_http(self, node: ast.Call, ctx, callee: str) -> None:
        """`requests.get("http://...", auth=...)`: Basic auth and bearer tokens travel in every request."""
        if not (
            callee.split(".")[0] in _HTTP_CLIENTS
            or (isinstance(node.func, ast.Attribute) and _client_receiver(node.func.value, ctx))
        ):
            return
        credential = request_credential(node, ctx)
        if credential is None:
            return
        url = ctx.argument(node, 1, "url") if callee.endswith("request") else ctx.argument(node, 0, "url")
        text = _string_at(url, ctx)
        if not text or not text.lower().startswith("http://") or _LOOPBACK.match(text):
            return
        fix = None
        if isinstance(url, ast.Constant):
            literal = ctx.segment(ctx.span(url))
            fix = text_fix(ctx.span(url), literal.replace("http://", "https://", 1), "Fix: use https://", safe=False)
        ctx.report(self, node, details={"detail": f"{credential} sent to a plain `http://` URL"}, fix=fix)

    def _check_ftp(self, node: ast.Call, ctx, callee: str) -> None:
        with_credentials = len(node.args) >= 3 or ctx.keyword(node, "passwd") is not None
        if not with_credentials:
            name, body = _bound_name(node, ctx)
            with_credentials = name is not None and any(
                c.args or c.keywords for c in _method_calls(body, name, "login")
            )
        if not with_credentials:
            return  # anonymous FTP sends no secret
        fix = None
        if isinstance(node.func, ast.Attribute):
            fix = expression_fix(
                ctx, node, replace_callee(ast.unparse(node.func.value) + ".FTP_TLS"), "Fix: use FTP_TLS", safe=False
            )
        ctx.report(self, node, details={"detail": f"`{callee}` login"}, fix=fix)


def _client_receiver(receiver: ast.expr, ctx) -> bool:
    """`requests.Session()`/`httpx.Client()` called inline or a name conventionally holding one."""
    name = ctx.qualname(receiver) or ""
    return name.split(".")[0] in _HTTP_CLIENTS or name.rsplit(".", 1)[-1] in ("session", "http", "client")


def _string_at(node: ast.expr | None, ctx) -> str | None:
    """The text of a string literal, a module constant, or a local name assigned one string literal."""
    value = ctx.constant_value(node)
    if value is None and isinstance(node, ast.Name) and ctx.function is not None:
        values = [
            n.value
            for n in ctx.scope_nodes()
            if isinstance(n, ast.Assign)
            and n.lineno < node.lineno
            and any(isinstance(t, ast.Name) and t.id == node.id for t in n.targets)
        ]
        value = ctx.constant_value(values[-1]) if values else None
    return value if isinstance(value, str) else None


def _bound_name(call: ast.Call, ctx) -> tuple[str | None, list[ast.AST]]:
    """The variable a client is bound to (`x = Ctor()` / `with Ctor() as x`) and the statements where
    it is used: the enclosing function, else the statement itself (module code is checked per statement)."""
    parent = ctx.parent(call)
    name = None
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name):
        name = parent.targets[0].id
    elif isinstance(parent, ast.withitem) and isinstance(parent.optional_vars, ast.Name):
        name = parent.optional_vars.id
        parent = ctx.parent(parent)
    scope = ctx.function if ctx.function is not None else parent
    return name, [scope] if scope is not None else []


def _method_calls(body: list[ast.AST], name: str, method: str) -> list[ast.Call]:
    found = []
    for root in body:
        for node in ast.walk(root):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == method
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == name
            ):
                found.append(node)
    return sorted(found, key=lambda c: (c.lineno, c.col_offset))


def _insert_before(ctx, call: ast.Call, statement: str):
    """Insert `statement` on its own line before the statement holding `call`, same indentation."""
    line = call.lineno - 1
    text = ctx.lines[line] if line < len(ctx.lines) else ""
    indent = text[: len(text) - len(text.lstrip())]
    if not text.lstrip().startswith(ast.unparse(call.func)):
        return None  # the call is not at the start of its line (e.g. `ok = s.login(...)`): no safe spot
    at = Span(line, 0, line, 0)
    return text_fix(at, f"{indent}{statement}\n", f"Fix: call {statement} before login", safe=False)
