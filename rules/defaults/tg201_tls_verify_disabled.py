"""TG201: an HTTP client call with certificate verification switched off."""

from __future__ import annotations

import ast

from tabguard.engine.fixes import expression_fix, set_keyword
from tabguard.engine.rule import Invalid, Rule

# Libraries whose request functions take `verify=`; any call through them (or through a session or
# client object whose method is an HTTP verb) with verify=False is flagged.
_CLIENT_ROOTS = ("requests.", "httpx.", "aiohttp.", "urllib3.")
_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "send", "stream"})


class TlsVerifyDisabled(Rule):
    id = "TG201"
    name = "tls-verify-disabled"
    severity = "high"
    confidence = "high"
    cwe = (295,)
    owasp = "A04:2025"
    message = "TLS certificate verification disabled (`verify=False`) in `{callee}`"
    placeholders = {"callee": "requests.get"}
    aliases = ("B501", "S501")
    what = "Calls `{callee}` with `verify=False`, so the client accepts any certificate for any host."
    why = (
        "Without verification, anyone on the network path (public Wi-Fi, a compromised router, a proxy "
        "in a container network) can present a self-made certificate, read every request, including "
        "the `Authorization` header and cookies, and change the response. Assistants write "
        "`verify=False` to silence a certificate error during development; it then ships."
    )
    how = (
        "Keep verification on (it is the default). If the server uses a private CA, point `verify` at "
        "the CA bundle instead of turning checks off."
    )
    example = 'requests.get(url, timeout=10)\nrequests.get(url, verify="/etc/ssl/certs/internal-ca.pem", timeout=10)'
    fix_safety = (
        "Unsafe: the rewrite sets `verify=True`; requests to hosts with invalid certificates will now "
        "fail, which is the point, but review that the endpoint has a valid certificate or CA bundle."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/295.html",
        "https://owasp.org/Top10/2025/A04_2025-Cryptographic_Failures/",
        "https://requests.readthedocs.io/en/latest/user/advanced/#ssl-cert-verification",
    )
    VALID = (
        "import requests\nrequests.get('https://example.com', timeout=5)\n",
        "import requests\nrequests.get(url, verify='/etc/ssl/ca.pem', timeout=5)\n",
        "import requests\nrequests.get(url, verify=True, timeout=5)\n",
        "def verify(x, verify=False):\n    return check(x, verify=False)\n",
    )
    INVALID = (
        Invalid(
            "import requests\nr = requests.get(url, verify=False, timeout=5)\n",
            "import requests\nr = requests.get(url, verify=True, timeout=5)\n",
        ),
        Invalid(
            "import httpx\nclient = httpx.Client(verify=False)\n",
            "import httpx\nclient = httpx.Client(verify=True)\n",
        ),
        Invalid(
            "import requests\ns = requests.Session()\ns.post(url, json=data, verify=False)\n",
            "import requests\ns = requests.Session()\ns.post(url, json=data, verify=True)\n",
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        keyword = ctx.keyword(node, "verify")
        if keyword is None or not (isinstance(keyword.value, ast.Constant) and keyword.value.value is False):
            return
        callee = ctx.call_name(node) or ""
        is_client = callee.startswith(_CLIENT_ROOTS) or (
            isinstance(node.func, ast.Attribute) and node.func.attr in _VERBS
        )
        if not is_client:
            return
        ctx.report(
            self,
            keyword,
            details={"callee": callee},
            fix=expression_fix(ctx, node, set_keyword("verify", "True"), "Fix: set verify=True", safe=False),
        )
