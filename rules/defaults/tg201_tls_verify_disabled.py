"""TG201: an HTTP client call (or client session) with certificate verification switched off."""

from __future__ import annotations

import ast

from tabguard.engine.fixes import expression_fix, set_keyword
from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.defaults._common import is_false, replace_with

# Libraries whose request functions take `verify=`; any call through them (or through a session or
# client object whose method is an HTTP verb) with verify=False is flagged.
_CLIENT_ROOTS = ("requests.", "httpx.", "aiohttp.", "urllib3.")
_VERBS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "request", "send", "stream", "ws_connect"}
)
# aiohttp spells it `ssl=False` (any aiohttp call or session verb) or the older `verify_ssl=False`.
_AIOHTTP_KEYWORDS = ("ssl", "verify_ssl")


class TlsVerifyDisabled(Rule):
    id = "TG201"
    name = "tls-verify-disabled"
    severity = "high"
    confidence = "high"
    cwe = (295,)
    owasp = "A04:2025"
    message = "TLS certificate verification disabled (`{setting}`) in `{callee}`"
    placeholders = {"callee": "requests.get", "setting": "verify=False"}
    aliases = ("B501", "S501")
    # Every call finding is one of these keywords set to False.
    call_keywords = frozenset({"verify", *_AIOHTTP_KEYWORDS})
    what = "Calls `{callee}` with `{setting}`, so the client accepts any certificate for any host."
    why = (
        "Without verification, anyone on the network path (public Wi-Fi, a compromised router, a proxy "
        "in a container network) can present a self-made certificate, read every request, including "
        "the `Authorization` header and cookies, and change the response. Assistants write "
        "`verify=False` (requests, httpx, `session.verify = False`) or `ssl=False` (aiohttp) to silence a "
        "certificate error during development; it then ships. `urllib3.disable_warnings()` next to it "
        "only hides the warning that would have told you."
    )
    how = (
        "Keep verification on (it is the default). If the server uses a private CA, point `verify` at "
        "the CA bundle (or pass an `ssl.SSLContext` that loads it) instead of turning checks off."
    )
    example = (
        "requests.get(url, timeout=10)\n"
        'requests.get(url, verify="/etc/ssl/certs/internal-ca.pem", timeout=10)\n'
        "aiohttp.TCPConnector(ssl=ssl.create_default_context(cafile=CA_PATH))"
    )
    fix_safety = (
        "Unsafe: the rewrite sets `verify=True` (`ssl=True` for aiohttp); requests to hosts with invalid "
        "certificates will now fail, which is the point, but review that the endpoint has a valid "
        "certificate or CA bundle."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/295.html",
        "https://owasp.org/Top10/2025/A04_2025-Cryptographic_Failures/",
        "https://requests.readthedocs.io/en/latest/user/advanced/#ssl-cert-verification",
        "https://docs.aiohttp.org/en/stable/client_advanced.html#ssl-control-for-tcp-sockets",
    )
    VALID = (
        "import requests\nrequests.get('https://example.com', timeout=5)\n",
        "import requests\nrequests.get(url, verify='/etc/ssl/ca.pem', timeout=5)\n",
        "import requests\nrequests.get(url, verify=True, timeout=5)\n",
        "import requests\nrequests.get(url, verify=settings.CA_BUNDLE, timeout=5)\n",
        "def verify(x, verify=False):\n    return check(x, verify=False)\n",
        "import aiohttp\nconn = aiohttp.TCPConnector(ssl=ssl_context)\n",
        "import asyncio\nreader, writer = await asyncio.open_connection(host, 80, ssl=False)\n",
        "class Checker:\n    def __init__(self):\n        self.verify = False\n",
        # A name that is also set to True: a switch, judged where it is set.
        "import requests\ndef fetch(url, strict):\n    verify = False\n    if strict:\n        verify = True\n"
        "    return requests.get(url, verify=verify, timeout=5)\n",
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
        Invalid(
            "import requests\nsession = requests.Session()\nsession.verify = False\n",
            "import requests\nsession = requests.Session()\nsession.verify = True\n",
            message="(`verify = False`) in `session`",
            at=(3, 1, 3, 23),
        ),
        Invalid(
            "import aiohttp\nconnector = aiohttp.TCPConnector(ssl=False)\n",
            "import aiohttp\nconnector = aiohttp.TCPConnector(ssl=True)\n",
        ),
        Invalid(
            "async def fetch(session, url):\n    async with session.get(url, ssl=False) as resp:\n        return await resp.text()\n",
            "async def fetch(session, url):\n    async with session.get(url, ssl=True) as resp:\n        return await resp.text()\n",
        ),
        Invalid(
            "import aiohttp\nconn = aiohttp.TCPConnector(verify_ssl=False)\n",
            "import aiohttp\nconn = aiohttp.TCPConnector(verify_ssl=True)\n",
        ),
        # `False` reaching `verify=` through a name that is only ever set to it.
        Invalid(
            "import requests\ndef fetch(url):\n    verify = False\n    return requests.get(url, verify=verify, timeout=5)\n",
            message="`verify=verify`",
        ),
        Invalid(
            "import requests\nVERIFY_TLS = False\ndef fetch(url):\n    return requests.get(url, verify=VERIFY_TLS, timeout=5)\n",
            message="`verify=VERIFY_TLS`",
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        callee = ctx.call_name(node) or ""
        is_client = callee.startswith(_CLIENT_ROOTS) or (
            isinstance(node.func, ast.Attribute) and node.func.attr in _VERBS
        )
        if not is_client:
            return
        for name in ("verify", *_AIOHTTP_KEYWORDS):
            keyword = ctx.keyword(node, name)
            if keyword is None or not (is_false(keyword.value) or _always_false(keyword.value, ctx)):
                continue
            if name == "ssl" and callee.startswith(("requests.", "httpx.", "urllib3.")):
                continue  # only aiohttp spells verification `ssl=`
            literal = is_false(keyword.value)  # a name is fixed where it is set, not here
            ctx.report(
                self,
                keyword,
                details={"callee": callee, "setting": f"{name}={ctx.segment(ctx.span(keyword.value))}"},
                fix=expression_fix(ctx, node, set_keyword(name, "True"), f"Fix: set {name}=True", safe=False)
                if literal
                else None,
            )

    def visit_Assign(self, node: ast.Assign, ctx) -> None:
        # `session.verify = False` turns checks off for every request of a requests Session.
        for target in node.targets:
            if (
                isinstance(target, ast.Attribute)
                and target.attr == "verify"
                and is_false(node.value)
                and not (isinstance(target.value, ast.Name) and target.value.id in ("self", "cls"))
            ):
                ctx.report(
                    self,
                    node,
                    details={"callee": ast.unparse(target.value), "setting": "verify = False"},
                    fix=expression_fix(ctx, node.value, replace_with("True"), "Fix: set verify = True", safe=False),
                )


def _always_false(value: ast.expr, ctx) -> bool:
    """A name whose every binding in its scope is `False` (`verify = False`), or a module constant
    `False` (`VERIFY_TLS = False`)."""
    if not isinstance(value, ast.Name):
        return False
    scope = ctx.model.scope_of(value)
    target = ctx.model.resolve(scope, value.id) if scope is not None else None
    bindings = ctx.model.bindings(target, value.id) if target is not None else ()
    if bindings:
        return all(is_false(b.value) for b in bindings)
    return ctx.constant_value(value) is False
