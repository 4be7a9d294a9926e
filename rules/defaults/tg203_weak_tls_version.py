"""TG203: a TLS protocol version older than TLS 1.2 chosen or allowed."""

from __future__ import annotations

import ast

from tabguard.engine.fixes import edits_fix, expression_fix
from tabguard.engine.rule import Invalid, Rule
from tabguard.engine.types import Edit
from tabguard.rules._spelling import spell
from tabguard.rules.defaults._common import replace_with

# ssl.PROTOCOL_SSLv3, OpenSSL.SSL.TLSv1_METHOD, ... (SSLv23 means "negotiate the best", so it passes).
_WEAK_VERSIONS = ("SSLv2", "SSLv3", "TLSv1", "TLSv1_1")
_WEAK_CONSTANTS = frozenset({*(f"PROTOCOL_{v}" for v in _WEAK_VERSIONS), *(f"{v}_METHOD" for v in _WEAK_VERSIONS)})
# ssl.TLSVersion members below TLS 1.2, used as `minimum_version`.
_WEAK_FLOOR = frozenset({"SSLv3", "TLSv1", "TLSv1_1", "MINIMUM_SUPPORTED"})
_TLS_MODULES = ("ssl.", "OpenSSL.", "SSL.", "pyOpenSSL.")


class WeakTlsVersion(Rule):
    id = "TG203"
    name = "weak-tls-version"
    severity = "high"
    confidence = "high"
    cwe = (326, 327)
    owasp = "A04:2025"
    message = "Obsolete TLS/SSL version `{version}`"
    placeholders = {"version": "ssl.PROTOCOL_TLSv1"}
    aliases = ("B502", "B503", "S502", "S503")
    what = "The code selects or allows `{version}`, a protocol version older than TLS 1.2."
    why = (
        "SSLv2, SSLv3, TLS 1.0 and TLS 1.1 have practical attacks (POODLE, BEAST, downgrade to weak "
        "ciphers) and are disabled by current servers and browsers. Pinning a connection to one of them, "
        "or setting `minimum_version` that low, lets an attacker on the path force the weakest version "
        "both sides accept and decrypt or tamper with the session."
    )
    how = (
        "Use `ssl.create_default_context()` (TLS 1.2+ negotiated automatically), or "
        "`ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)` / `PROTOCOL_TLS_SERVER`, and set "
        "`context.minimum_version = ssl.TLSVersion.TLSv1_2` when a floor must be explicit."
    )
    example = "context = ssl.create_default_context()\ncontext.minimum_version = ssl.TLSVersion.TLSv1_2"
    fix_safety = (
        "Unsafe: raising `minimum_version` to TLS 1.2 rejects peers that only speak older versions. "
        "`ssl.SSLContext(<old protocol>)` becomes `ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)`, which also "
        "verifies the certificate and host name (or `PROTOCOL_TLS_SERVER` when the function loads a "
        "certificate chain). Other pinned constants (a default argument, `wrap_socket(ssl_version=...)`, "
        "pyOpenSSL methods) have no rewrite: the right replacement depends on the code around them."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/327.html",
        "https://datatracker.ietf.org/doc/html/rfc8996",
        "https://docs.python.org/3/library/ssl.html#ssl.SSLContext.minimum_version",
    )
    VALID = (
        "import ssl\ncontext = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n",
        "import ssl\ncontext.minimum_version = ssl.TLSVersion.TLSv1_2\n",
        "import ssl\nif context.protocol == ssl.PROTOCOL_TLSv1:\n    warn('old')\n",
        "from OpenSSL import SSL\nctx = SSL.Context(SSL.TLS_METHOD)\n",
        "import ssl\nctx = ssl.SSLContext(ssl.PROTOCOL_SSLv23)\n",
        "import ssl\ncontext.maximum_version = ssl.TLSVersion.TLSv1_3\n",
        # a table translating one library's version constants into another's chooses no version
        "import ssl\nfrom OpenSSL import SSL\nVERSIONS = {ssl.PROTOCOL_TLSv1: SSL.TLSv1_METHOD}\n"
        "VERSIONS[ssl.PROTOCOL_TLSv1_1] = SSL.TLSv1_1_METHOD\n",
    )
    INVALID = (
        Invalid(
            "import ssl\ncontext = ssl.SSLContext(ssl.PROTOCOL_TLSv1)\n",
            "import ssl\ncontext = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n",
        ),
        Invalid(
            "import ssl\ndef serve(sock):\n    ctx = ssl.SSLContext(ssl.PROTOCOL_TLSv1_1)\n    ctx.load_cert_chain(CERT, KEY)\n"
            "    return ctx.wrap_socket(sock, server_side=True)\n",
            "import ssl\ndef serve(sock):\n    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n    ctx.load_cert_chain(CERT, KEY)\n"
            "    return ctx.wrap_socket(sock, server_side=True)\n",
        ),
        Invalid("import ssl\ns = ssl.wrap_socket(sock, ssl_version=ssl.PROTOCOL_SSLv3)\n"),
        Invalid("from OpenSSL import SSL\nctx = SSL.Context(SSL.TLSv1_1_METHOD)\n"),
        Invalid(
            "from ssl import PROTOCOL_TLSv1, SSLContext\nctx = SSLContext(PROTOCOL_TLSv1)\n",
            "from ssl import PROTOCOL_TLSv1, SSLContext, PROTOCOL_TLS_CLIENT\nctx = SSLContext(PROTOCOL_TLS_CLIENT)\n",
        ),
        Invalid("import ssl\ndef connect(host, version=ssl.PROTOCOL_SSLv2):\n    pass\n"),
        # a table of versions chosen by a setting's word is a choice
        Invalid("import ssl\nVERSIONS = {'legacy': ssl.PROTOCOL_TLSv1}\n"),
        Invalid("from OpenSSL import SSL\nVERSIONS = {}\nVERSIONS['legacy'] = SSL.TLSv1_1_METHOD\n"),
        Invalid(
            "import ssl\ncontext = ssl.create_default_context()\ncontext.minimum_version = ssl.TLSVersion.TLSv1\n",
            "import ssl\ncontext = ssl.create_default_context()\ncontext.minimum_version = ssl.TLSVersion.TLSv1_2\n",
        ),
    )

    def visit_Attribute(self, node: ast.Attribute, ctx) -> None:
        if node.attr in _WEAK_CONSTANTS:
            self._check_constant(node, ctx)

    def visit_Name(self, node: ast.Name, ctx) -> None:
        if node.id in _WEAK_CONSTANTS:  # `from ssl import PROTOCOL_TLSv1`
            self._check_constant(node, ctx)

    def _check_constant(self, node: ast.Attribute | ast.Name, ctx) -> None:
        if not isinstance(node.ctx, ast.Load):
            return
        name = ctx.qualname(node) or ""
        if not name.startswith(_TLS_MODULES) or self._compared(node, ctx):
            return
        ctx.report(self, node, details={"version": name}, fix=self._protocol_fix(node, name, ctx))

    @staticmethod
    def _protocol_fix(node: ast.Attribute | ast.Name, name: str, ctx):
        """`ssl.SSLContext(ssl.PROTOCOL_TLSv1)` -> `PROTOCOL_TLS_CLIENT` (TLS 1.2+ on current Python,
        certificate and host name checked), or `PROTOCOL_TLS_SERVER` for a context that loads a
        certificate chain. Other uses (a default argument, `wrap_socket(ssl_version=...)`) are left:
        their right version depends on the code around them."""
        parent = ctx.parent(node)
        if not (
            name.startswith("ssl.")
            and isinstance(parent, ast.Call)
            and parent.args[:1] == [node]
            and ctx.call_name(parent) == "ssl.SSLContext"
        ):
            return None
        server = any(isinstance(n, ast.Attribute) and n.attr == "load_cert_chain" for n in ctx.scope_nodes())
        protocol, imports = spell(ctx, "ssl.PROTOCOL_TLS_SERVER" if server else "ssl.PROTOCOL_TLS_CLIENT")
        return edits_fix([Edit(ctx.span(node), protocol)], f"Fix: use {protocol}", safe=False, imports=imports)

    def visit_Assign(self, node: ast.Assign, ctx) -> None:
        value = node.value
        if not (isinstance(value, ast.Attribute) and value.attr in _WEAK_FLOOR):
            return
        if not any(isinstance(t, ast.Attribute) and t.attr == "minimum_version" for t in node.targets):
            return
        ctx.report(
            self,
            node,
            details={"version": ast.unparse(value)},
            fix=expression_fix(
                ctx,
                value,
                replace_with(ast.unparse(value.value) + ".TLSv1_2"),
                "Fix: require TLS 1.2 or newer",
                safe=False,
            ),
        )

    @staticmethod
    def _compared(node: ast.AST, ctx) -> bool:
        """Reading the constant to compare or look it up is not choosing it, nor is the value a table
        translates a protocol constant into (`{ssl.PROTOCOL_TLSv1: SSL.TLSv1_METHOD}`)."""
        parent = ctx.parent(node)
        if isinstance(parent, ast.Dict) and node in parent.values:
            return _tls_constant(parent.keys[parent.values.index(node)], ctx)
        if isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Subscript):
            return _tls_constant(parent.targets[0].slice, ctx)
        return (
            isinstance(parent, ast.Compare)
            or (isinstance(parent, ast.Dict) and node in parent.keys)
            or (isinstance(parent, ast.Subscript) and parent.slice is node)
            or (isinstance(parent, ast.Call) and ctx.call_name(parent) in ("getattr", "hasattr", "isinstance"))
        )


def _tls_constant(node: ast.AST | None, ctx) -> bool:
    return isinstance(node, (ast.Attribute, ast.Name)) and (ctx.qualname(node) or "").startswith(_TLS_MODULES)
