"""TG202: an `ssl` context or socket that does not verify the peer's certificate or host name."""

from __future__ import annotations

import ast

from tabguard.engine.fixes import edits_fix, expression_fix
from tabguard.rules.injection._code_context import enclosing_class
from tabguard.engine.rule import Invalid, Rule
from tabguard.engine.types import Edit
from tabguard.rules.defaults._common import is_false, replace_with, string_value

_UNVERIFIED_FACTORIES = frozenset({"ssl._create_unverified_context", "ssl._create_stdlib_context"})
# `cert_reqs` values that mean "do not check" (ssl, urllib3, and the strings urllib3 accepts).
_NO_CHECK = frozenset({"ssl.CERT_NONE", "CERT_NONE", "NONE", "none"})


class SslContextUnverified(Rule):
    id = "TG202"
    name = "ssl-context-unverified"
    severity = "high"
    confidence = "high"
    cwe = (295, 297)
    owasp = "A04:2025"
    message = "TLS peer not verified: {setting}"
    placeholders = {"setting": "ssl._create_unverified_context()"}
    aliases = ("B323", "S323", "B504")
    call_names = frozenset(
        {
            *(name.rpartition(".")[2] for name in _UNVERIFIED_FACTORIES),
            "wrap_socket",
            "SSLContext",
            "Context",
            "set_verify",
        }
    )
    call_keywords = frozenset({"cert_reqs"})
    what = "The TLS connection is set up with `{setting}`, so any certificate is accepted for any host."
    why = (
        "`ssl._create_unverified_context()`, `verify_mode = ssl.CERT_NONE`, `cert_reqs='CERT_NONE'` "
        "and `check_hostname = False` all let a machine-in-the-middle present its own certificate "
        "(a rogue Wi-Fi access point, a poisoned DNS answer) and read or change the traffic, including "
        "credentials. `ssl.wrap_socket()` without `cert_reqs` verifies nothing by default. Replacing the "
        "global `ssl._create_default_https_context` switches verification off for every `urllib` call "
        "in the process. pyOpenSSL's `SSL.Context` verifies nothing until `set_verify(SSL.VERIFY_PEER, ...)` "
        "is called."
    )
    how = (
        "Use `ssl.create_default_context()` (certificate and host name checked). For a private CA, load "
        "it with `cafile=`; never turn checks off. Wrap sockets with "
        "`context.wrap_socket(sock, server_hostname=host)`. With pyOpenSSL, call "
        "`context.set_verify(SSL.VERIFY_PEER, callback)` and `context.set_default_verify_paths()` (or "
        "`load_verify_locations`), and check the host name of the peer's certificate."
    )
    example = (
        'context = ssl.create_default_context(cafile="/etc/ssl/internal-ca.pem")\n'
        "with context.wrap_socket(sock, server_hostname=host) as tls:\n    tls.sendall(payload)"
    )
    fix_safety = (
        "Unsafe: the rewrite restores verification (`ssl.create_default_context()`, `ssl.CERT_REQUIRED`, "
        "`check_hostname = True`); connections to hosts with invalid certificates will now fail. "
        "`check_hostname` and `verify_mode` of one context are rewritten together (re-enabling only the "
        "host name check makes a later `verify_mode = CERT_NONE` raise ValueError); in module-level "
        "code, where the rewrite sees one statement at a time, `check_hostname = False` gets no rewrite."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/295.html",
        "https://docs.python.org/3/library/ssl.html#security-considerations",
        "https://urllib3.readthedocs.io/en/stable/advanced-usage.html#certificate-verification",
    )
    VALID = (
        "import ssl\ncontext = ssl.create_default_context()\n",
        "import ssl\ncontext = ssl.create_default_context()\ncontext.verify_mode = ssl.CERT_REQUIRED\n",
        "import ssl\nif context.verify_mode == ssl.CERT_NONE:\n    raise ValueError('unverified')\n",
        "import ssl\nwill_verify = context.verify_mode != ssl.CERT_NONE\n",
        "import ssl\nsock = ssl.wrap_socket(s, cert_reqs=ssl.CERT_REQUIRED, ca_certs=CA)\n",
        "import urllib3\nhttp = urllib3.PoolManager(cert_reqs='CERT_REQUIRED')\n",
        "import ssl\ncontext = ssl.create_default_context()\ntls = context.wrap_socket(s, server_hostname=host)\n",
        "import ssl\ndef server_context():\n    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS)\n    ctx.load_cert_chain(CERT, KEY)\n    return ctx\n",
        "import ssl\nctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n",
        "import ssl\ndef client():\n    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS)\n    ctx.verify_mode = ssl.CERT_REQUIRED\n    return ctx\n",
        "from OpenSSL import SSL\ndef client_context():\n    ctx = SSL.Context(SSL.TLS_CLIENT_METHOD)\n"
        "    ctx.set_verify(SSL.VERIFY_PEER, lambda conn, cert, errno, depth, ok: ok)\n"
        "    ctx.set_default_verify_paths()\n    return ctx\n",
        # a context kept on the instance, verified by another method of the class
        "from OpenSSL import SSL\nclass Client:\n    def __init__(self):\n        self._ctx = SSL.Context(SSL.TLS_METHOD)\n"
        "    def require_peer(self, callback):\n        self._ctx.set_verify(SSL.VERIFY_PEER, callback)\n",
        "from OpenSSL import SSL\ndef server_context(cert, key):\n    ctx = SSL.Context(SSL.TLS_SERVER_METHOD)\n"
        "    ctx.use_certificate_chain_file(cert)\n    ctx.use_privatekey_file(key)\n    return ctx\n",
    )
    INVALID = (
        # kept on the instance, and no method of the class sets it up
        Invalid(
            "from OpenSSL import SSL\nclass Client:\n    def __init__(self):\n        self._ctx = SSL.Context(SSL.TLS_METHOD)\n"
            "    def wrap(self, sock):\n        return SSL.Connection(self._ctx, sock)\n",
            message="set_verify",
        ),
        Invalid(
            "import ssl\ncontext = ssl._create_unverified_context()\n",
            "import ssl\ncontext = ssl.create_default_context()\n",
        ),
        Invalid(
            "import ssl\nssl._create_default_https_context = ssl._create_unverified_context\n",
            "import ssl\nssl._create_default_https_context = ssl.create_default_context\n",
        ),
        Invalid(
            "import ssl\ncontext = ssl.create_default_context()\ncontext.verify_mode = ssl.CERT_NONE\n",
            "import ssl\ncontext = ssl.create_default_context()\ncontext.verify_mode = ssl.CERT_REQUIRED\n",
        ),
        Invalid(
            "import ssl\ndef insecure():\n    ctx = ssl.create_default_context()\n    ctx.check_hostname = False\n    return ctx\n",
            "import ssl\ndef insecure():\n    ctx = ssl.create_default_context()\n    ctx.check_hostname = True\n    return ctx\n",
        ),
        Invalid(
            "import ssl\ndef insecure():\n    ctx = ssl.create_default_context()\n    ctx.check_hostname = False\n"
            "    ctx.verify_mode = ssl.CERT_NONE\n    return ctx\n",
            "import ssl\ndef insecure():\n    ctx = ssl.create_default_context()\n    ctx.check_hostname = True\n"
            "    ctx.verify_mode = ssl.CERT_REQUIRED\n    return ctx\n",
        ),
        Invalid("import ssl\nctx = ssl.create_default_context()\nctx.check_hostname = False\n"),
        Invalid(
            "import urllib3\nhttp = urllib3.PoolManager(cert_reqs='CERT_NONE')\n",
            "import urllib3\nhttp = urllib3.PoolManager(cert_reqs='CERT_REQUIRED')\n",
        ),
        Invalid(
            "import ssl\nimport urllib3\npool = urllib3.HTTPSConnectionPool(host, cert_reqs=ssl.CERT_NONE)\n",
            "import ssl\nimport urllib3\npool = urllib3.HTTPSConnectionPool(host, cert_reqs=ssl.CERT_REQUIRED)\n",
        ),
        Invalid("import ssl\ntls = ssl.wrap_socket(sock)\n"),
        Invalid(
            "import ssl\ndef client_context():\n    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS)\n    return ctx\n",
            "import ssl\ndef client_context():\n    ctx = ssl.create_default_context()\n    return ctx\n",
        ),
        Invalid(
            "from OpenSSL import SSL\ndef get_context():\n    context = SSL.Context(SSL.TLSv1_2_METHOD)\n    return context\n",
            message="set_verify",
        ),
        Invalid(
            "import socket\nfrom OpenSSL import SSL\ndef connect(host):\n    ctx = SSL.Context(SSL.TLS_CLIENT_METHOD)\n"
            "    ctx.load_verify_locations('/etc/ssl/certs/ca.pem')\n"
            "    conn = SSL.Connection(ctx, socket.create_connection((host, 443)))\n"
            "    conn.set_tlsext_host_name(host.encode())\n    conn.do_handshake()\n    return conn\n",
        ),
        Invalid(
            "from OpenSSL import SSL\ndef context():\n    ctx = SSL.Context(SSL.TLS_METHOD)\n"
            "    ctx.set_verify(SSL.VERIFY_NONE, lambda *args: True)\n    return ctx\n",
            message="VERIFY_NONE",
        ),
        Invalid(
            "import ssl\nimport http.client\nconn = http.client.HTTPSConnection(host, context=ssl._create_unverified_context())\n",
            "import ssl\nimport http.client\nconn = http.client.HTTPSConnection(host, context=ssl.create_default_context())\n",
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        callee = ctx.call_name(node) or ""
        if callee in _UNVERIFIED_FACTORIES:
            fix = None
            if not node.args and not node.keywords:
                fix = _default_context_fix(ctx, node)
            ctx.report(self, node, details={"setting": f"{callee}()"}, fix=fix)
            return
        keyword = ctx.keyword(node, "cert_reqs")
        if keyword is not None and self._no_check(keyword.value, ctx):
            ctx.report(
                self,
                keyword,
                details={"setting": f"cert_reqs={ast.unparse(keyword.value)} in `{callee}`"},
                fix=self._required_fix(ctx, keyword.value),
            )
        elif callee == "ssl.wrap_socket" and keyword is None:
            ctx.report(self, node, details={"setting": "ssl.wrap_socket() without cert_reqs (verifies nothing)"})
        elif callee == "OpenSSL.SSL.Context" and _pyopenssl_unverified(node, ctx):
            ctx.report(
                self,
                node,
                details={"setting": "OpenSSL.SSL.Context() without set_verify (verifies nothing by default)"},
            )
        elif (
            isinstance(node.func, ast.Attribute)
            and node.func.attr == "set_verify"
            and node.args
            and (ctx.qualname(node.args[0]) or "").endswith("SSL.VERIFY_NONE")
        ):
            ctx.report(self, node, details={"setting": "set_verify(SSL.VERIFY_NONE)"})
        elif callee == "ssl.SSLContext" and self._bare_client_context(node, ctx):
            fix = None
            if isinstance(ctx.parent(node), ast.Assign):
                fix = _default_context_fix(ctx, node)
            ctx.report(
                self,
                node,
                details={"setting": "ssl.SSLContext() used as a client context (verify_mode defaults to CERT_NONE)"},
                fix=fix,
            )

    def visit_Assign(self, node: ast.Assign, ctx) -> None:
        for target in node.targets:
            if not isinstance(target, ast.Attribute):
                continue
            if target.attr == "verify_mode" and self._no_check(node.value, ctx):
                ctx.report(
                    self,
                    node,
                    details={"setting": "verify_mode = ssl.CERT_NONE"},
                    fix=self._verify_fix(ctx, node, target),
                )
            elif target.attr == "check_hostname" and is_false(node.value):
                ctx.report(
                    self, node, details={"setting": "check_hostname = False"}, fix=self._verify_fix(ctx, node, target)
                )
            elif (
                target.attr == "_create_default_https_context"  # cheap test first: most targets are `self.x`
                and ctx.qualname(target) == "ssl._create_default_https_context"
                and ctx.qualname(node.value) in _UNVERIFIED_FACTORIES
            ):
                ctx.report(
                    self,
                    node,
                    details={"setting": "the default HTTPS context replaced by an unverified one"},
                    fix=expression_fix(
                        ctx,
                        node.value,
                        replace_with("ssl.create_default_context"),
                        "Fix: keep the verifying default context",
                        safe=False,
                    ),
                )

    @staticmethod
    def _bare_client_context(node: ast.Call, ctx) -> bool:
        """`ssl.SSLContext(PROTOCOL_TLS)` (or no protocol) verifies nothing until told to. Server contexts
        (`load_cert_chain`), contexts whose `verify_mode` is set in the same function, and
        PROTOCOL_TLS_CLIENT are fine."""
        protocol = ctx.argument(node, 0, "protocol")
        if protocol is not None and (ctx.qualname(protocol) or "").rpartition(".")[2] not in (
            "PROTOCOL_TLS",
            "PROTOCOL_SSLv23",
        ):
            return False
        if ctx.function is None:
            return False  # module code is checked one statement at a time: a later `verify_mode =` is not visible
        for child in ast.walk(ctx.function):
            if isinstance(child, ast.Attribute) and child.attr in ("verify_mode", "load_cert_chain", "check_hostname"):
                return False
        return True

    @staticmethod
    def _no_check(value: ast.expr, ctx) -> bool:
        text = ctx.qualname(value) if isinstance(value, (ast.Name, ast.Attribute)) else string_value(value)
        return text in _NO_CHECK

    def _verify_fix(self, ctx, node: ast.Assign, target: ast.Attribute):
        """Turn `check_hostname = False` and `verify_mode = CERT_NONE` on the same context back on
        together: `check_hostname = True` followed by the old `verify_mode = CERT_NONE` raises
        ValueError at run time. At module level the other statement is not visible to the rewrite, so
        only the `verify_mode` line (safe on its own) is rewritten there."""
        assignments = [node]
        if ctx.function is not None:
            owner = ast.unparse(target.value)
            assignments = [
                stmt
                for stmt in ctx.scope_statements()
                if isinstance(stmt, ast.Assign)
                and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Attribute)
                and ast.unparse(stmt.targets[0].value) == owner
                and self._unverified(stmt, ctx)
            ]
        elif target.attr == "check_hostname":
            return None
        edits, imports = [], ()
        for stmt in assignments:
            if stmt.targets[0].attr == "check_hostname":
                edits.append(Edit(ctx.span(stmt.value), "True"))
            else:
                new, imports = self._required(stmt.value)
                edits.append(Edit(ctx.span(stmt.value), new))
        return edits_fix(edits, "Fix: verify the certificate and the host name", safe=False, imports=imports)

    def _unverified(self, stmt: ast.Assign, ctx) -> bool:
        attr = stmt.targets[0].attr
        return (attr == "check_hostname" and is_false(stmt.value)) or (
            attr == "verify_mode" and self._no_check(stmt.value, ctx)
        )

    @staticmethod
    def _required(value: ast.expr) -> tuple[str, tuple[str, ...]]:
        if isinstance(value, ast.Constant):
            return "'CERT_REQUIRED'", ()
        if isinstance(value, ast.Attribute):
            return ast.unparse(value.value) + ".CERT_REQUIRED", ()
        return "ssl.CERT_REQUIRED", ("ssl",)

    def _required_fix(self, ctx, value: ast.expr):
        new, imports = self._required(value)
        return edits_fix(
            [Edit(ctx.span(value), new)], "Fix: require a verified certificate", safe=False, imports=imports
        )


# pyOpenSSL context methods that make it verify its peer, or show it is a server's (whose clients
# usually present no certificate).
_PYOPENSSL_SETUP = frozenset(
    {"set_verify", "use_certificate", "use_certificate_file", "use_certificate_chain_file", "use_privatekey_file"}
)


def _pyopenssl_unverified(node: ast.Call, ctx) -> bool:
    """`SSL.Context(method)` in a function that never calls `set_verify` or sets up a server certificate;
    a context kept on the instance (`self._ctx = SSL.Context(...)`) may be set up by any method of its class."""
    if ctx.function is None:
        return False  # module code is checked one statement at a time: a later `set_verify` is not visible
    scope = ctx.function
    parent = ctx.parent(node)
    if isinstance(parent, ast.Assign) and any(_on_self(t) for t in parent.targets):
        scope = enclosing_class(ctx) or scope
    return not any(isinstance(n, ast.Attribute) and n.attr in _PYOPENSSL_SETUP for n in ast.walk(scope))


def _on_self(target: ast.expr) -> bool:
    return isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self"


def _default_context_fix(ctx, node: ast.Call):
    """Replace the call with `ssl.create_default_context()` (unsafe: it verifies what was not)."""
    return expression_fix(
        ctx,
        node,
        replace_with("ssl.create_default_context()"),
        "Fix: use ssl.create_default_context()",
        safe=False,
        imports=("ssl",),
    )
