"""TG215: an outbound HTTP request that can wait forever (no timeout, or `timeout=None`)."""

from __future__ import annotations

import ast

from tabguard.engine.facts import dotted_name
from tabguard.engine.fixes import expression_fix, set_keyword
from tabguard.engine.rule import Invalid, Rule

_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"})
# requests has no default timeout at all; httpx and urllib have one unless it is set to None
# explicitly (urllib's default is the global socket timeout, None unless configured).
_NO_DEFAULT = frozenset(f"requests.{verb}" for verb in _VERBS)
_EXPLICIT_NONE_ONLY = frozenset(
    {*(f"httpx.{verb}" for verb in _VERBS), "httpx.stream", "httpx.Client", "httpx.AsyncClient"}
)
_URLOPEN = frozenset({"urllib.request.urlopen", "urllib2.urlopen"})
_LOCAL_SCHEMES = ("file:", "data:")


class RequestWithoutTimeout(Rule):
    id = "TG215"
    name = "request-without-timeout"
    severity = "medium"
    confidence = "high"
    cwe = (400, 1088)
    owasp = "A10:2025"
    message = "`{callee}` without a timeout can hang forever"
    placeholders = {"callee": "requests.get"}
    aliases = ("B113", "S113")
    call_names = frozenset(name.rpartition(".")[2] for name in _NO_DEFAULT | _EXPLICIT_NONE_ONLY | _URLOPEN)
    what = "`{callee}` is called without a timeout (or with `timeout=None`), so it waits as long as the server keeps the connection open."
    why = (
        "A slow or malicious server (or one reached through a user-supplied URL) can accept the "
        "connection and never answer. Each such request pins a worker thread or coroutine; a handful "
        "of them exhaust a gunicorn/uvicorn pool and the whole service stops answering, which is a "
        "cheap denial of service. `requests` has no default timeout at all."
    )
    how = "Pass an explicit `timeout=` (seconds, or a `(connect, read)` tuple) on every call, sized to what the caller can afford to wait."
    example = "requests.get(url, params=query, timeout=10)\nurllib.request.urlopen(req, timeout=10)\nhttpx.Client(timeout=httpx.Timeout(10.0, connect=5.0))"
    fix_safety = (
        "Unsafe: the rewrite adds `timeout=10`; calls that legitimately take longer (large downloads, "
        "slow reports) now raise a timeout error and need a larger value or streaming."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/400.html",
        "https://requests.readthedocs.io/en/latest/user/advanced/#timeouts",
        "https://www.python-httpx.org/advanced/timeouts/",
    )
    VALID = (
        "import requests\nrequests.get(url, timeout=5)\n",
        "import requests\nrequests.post(url, json=body, timeout=(3.05, 27))\n",
        "import requests\nrequests.get(url, **options)\n",
        "import httpx\nhttpx.get(url)\n",
        "import httpx\nclient = httpx.Client(timeout=10)\n",
        "import requests\ns = requests.Session()\ns.get(url)\n",
        "import urllib.request\nurllib.request.urlopen(url, timeout=10)\n",
        "import urllib.request\nurllib.request.urlopen(url, None, 10)\n",
        "import urllib.request\nurllib.request.urlopen('file:///etc/hosts')\n",
        "session.get(url)\nclient.request('GET', url)\n",
        "def pending(requests, key):\n    return requests.get(key)\n",
    )
    INVALID = (
        Invalid(
            "import requests\nresp = requests.get(url, params={'q': q})\n",
            "import requests\nresp = requests.get(url, params={'q': q}, timeout=10)\n",
        ),
        Invalid(
            "import requests\nresp = requests.request('POST', url, json=body, timeout=None)\n",
            "import requests\nresp = requests.request('POST', url, json=body, timeout=10)\n",
        ),
        Invalid(
            "from requests import post\npost(url, data=form)\n",
            "from requests import post\npost(url, data=form, timeout=10)\n",
        ),
        Invalid(
            "import httpx\nclient = httpx.AsyncClient(timeout=None)\n",
            "import httpx\nclient = httpx.AsyncClient(timeout=10)\n",
        ),
        Invalid(
            "import urllib.request\nwith urllib.request.urlopen(url) as resp:\n    body = resp.read()\n",
            "import urllib.request\nwith urllib.request.urlopen(url, timeout=10) as resp:\n    body = resp.read()\n",
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        callee = ctx.call_name(node) or ""
        root = (dotted_name(node.func) or "").partition(".")[0]
        if root not in ctx.module.imports:
            return  # a local `requests` dict or object, not the library
        if callee in _NO_DEFAULT:
            timeout = ctx.keyword(node, "timeout")
            missing = timeout is None and not any(k.arg is None for k in node.keywords)
        elif callee in _EXPLICIT_NONE_ONLY:
            timeout = ctx.keyword(node, "timeout")
            missing = False
        elif callee in _URLOPEN:
            url = ctx.constant_value(ctx.argument(node, 0, "url"))
            if isinstance(url, str) and url.lower().startswith(_LOCAL_SCHEMES):
                return  # read from this machine: no server to wait for
            timeout = ctx.keyword(node, "timeout")
            missing = timeout is None and len(node.args) < 3 and not any(k.arg is None for k in node.keywords)
        else:
            return
        explicit_none = timeout is not None and isinstance(timeout.value, ast.Constant) and timeout.value.value is None
        if not (missing or explicit_none):
            return
        ctx.report(
            self,
            node.func,
            details={"callee": callee},
            fix=expression_fix(ctx, node, set_keyword("timeout", "10"), "Fix: add timeout=10", safe=False),
        )
