"""TG510: a request to a fixed public host over plain `http://` or `ftp://`."""

from __future__ import annotations

import ast
import ipaddress
import re
from typing import Optional

from tabguard.engine.fixes import expression_fix, replace_callee, text_fix
from tabguard.engine.rule import Invalid, Rule
from tabguard.engine.semantic import VALUE_KINDS, Binding
from tabguard.engine.types import Related
from tabguard.rules.files._requests import CLIENT_METHODS, URL_FUNCTIONS, is_client, request_credential, request_url

# The scheme and host written at the start of a URL literal; the host must end there (a `/`, `:`,
# `?`, `#` or the end of the literal), else part of it is filled in at run time.
_CLEARTEXT = re.compile(r"^(http|ftp)://(?:[^@/?#]*@)?([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?:[:/?#]|$)", re.IGNORECASE)
# Names that only resolve inside a machine or a private network: traffic to them never crosses the
# internet (service names in compose or Kubernetes, mDNS, the reserved `.test`/`.localhost`).
# Plain-HTTP connection classes whose first argument is a host name, with their TLS counterparts.
_HOST_CONNECTIONS = {
    "http.client.HTTPConnection": "HTTPSConnection",
    "httplib.HTTPConnection": "HTTPSConnection",
    "urllib3.HTTPConnectionPool": "HTTPSConnectionPool",
    "urllib3.connectionpool.HTTPConnectionPool": "HTTPSConnectionPool",
}
_HOST_PORT = re.compile(r"^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d+)?$")
_PRIVATE_SUFFIXES = (
    ".localhost",
    ".local",
    ".internal",
    ".lan",
    ".home",
    ".home.arpa",
    ".localdomain",
    ".intranet",
    ".corp",
    ".test",
    ".svc",
    ".invalid",
)


class CleartextRequest(Rule):
    id = "TG510"
    name = "cleartext-request"
    severity = "medium"
    confidence = "medium"
    cwe = (319,)
    owasp = "A04:2025"
    message = "`{callee}` talks to `{host}` over plain {scheme}: anyone on the path can read and change the traffic"
    placeholders = {"callee": "requests.get", "host": "api.example.com", "scheme": "http"}
    call_names = frozenset(name.rpartition(".")[2] for name in (*URL_FUNCTIONS, *_HOST_CONNECTIONS)) | CLIENT_METHODS
    what = (
        "`{callee}` sends its request to `{host}` with the `{scheme}://` scheme, which has no "
        "encryption and no server authentication."
    )
    why = (
        "Whoever sits on the network path (public Wi-Fi, a hostile router, an ISP or cloud neighbour) "
        "reads what is sent and rewrites the response: a downloaded file or script is replaced by "
        "malware, a JSON answer by forged data, a redirect target by a phishing page, and cookies, "
        "API keys or personal data in the request are copied. Nothing tells the program it happened."
    )
    how = (
        "Use `https://` (for files, HTTPS or SFTP instead of FTP), and keep certificate verification "
        "on. Hosts on the same machine or private network (`localhost`, `10.x`, `*.internal`, service "
        "names without a dot) are not flagged."
    )
    example = 'requests.get("https://api.example.com/v1/rates", timeout=10)'
    fix_safety = (
        "Unsafe: the rewrite changes `http://` to `https://` in the URL literal; a server that does not "
        "offer HTTPS on that host now fails to connect, which must be fixed on the server side."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/319.html",
        "https://owasp.org/Top10/2025/A04_2025-Cryptographic_Failures/",
        "https://cheatsheetseries.owasp.org/cheatsheets/Transport_Layer_Security_Cheat_Sheet.html",
    )
    VALID = (
        "import requests\nr = requests.get('https://api.example.com/v1/rates', timeout=10)\n",
        "import requests\nr = requests.get('http://localhost:8080/health', timeout=2)\n",
        "import requests\nr = requests.get('http://169.254.169.254/latest/meta-data/', timeout=2)\n",
        "import requests\nr = requests.get('http://backend:8000/api/items', timeout=5)\n",
        "import requests\nr = requests.get('http://metadata.google.internal/computeMetadata/v1/', timeout=2)\n",
        "import requests\nr = requests.get('http://10.0.4.12/status', timeout=2)\n",
        "import requests\ndef fetch(host):\n    return requests.get(f'http://{host}/status', timeout=2)\n",
        "from urllib.request import urlopen\ndef fetch(url='https://example.org/feed'):\n    return urlopen(url, timeout=5).read()\n",
        "import requests\ndef ping(url):\n    url = 'https://status.example.com'\n    return requests.head(url, timeout=5)\n",
        "cache = {}\nvalue = cache.get('http://example.com/a')\n",
        "import requests\ns = requests.Session()\nr = s.get('ftps://files.example.com/a.csv')\n",
        "import http.client\nconn = http.client.HTTPConnection('localhost', 8080)\n",
        "import http.client\nconn = http.client.HTTPSConnection('api.example.com')\n",
    )
    INVALID = (
        Invalid(
            "import requests\nrates = requests.get('http://api.example.com/v1/rates', timeout=10).json()\n",
            "import requests\nrates = requests.get('https://api.example.com/v1/rates', timeout=10).json()\n",
        ),
        Invalid(
            "from urllib.request import urlopen\ndef fetch():\n    url = 'http://downloads.example.org/tool.tar.gz'\n"
            "    return urlopen(url, timeout=30).read()\n",
            "from urllib.request import urlopen\ndef fetch():\n    url = 'https://downloads.example.org/tool.tar.gz'\n"
            "    return urlopen(url, timeout=30).read()\n",
        ),
        Invalid(
            "import requests\ndef post_event(event, url='http://hooks.example.com/ingest'):\n"
            "    with requests.Session() as session:\n        return session.post(url, json=event, timeout=5)\n",
            "import requests\ndef post_event(event, url='https://hooks.example.com/ingest'):\n"
            "    with requests.Session() as session:\n        return session.post(url, json=event, timeout=5)\n",
        ),
        Invalid(
            "import httpx\nasync def user(uid):\n    async with httpx.AsyncClient() as client:\n"
            "        return await client.get(f'http://users.example.com/{uid}')\n",
            "import httpx\nasync def user(uid):\n    async with httpx.AsyncClient() as client:\n"
            "        return await client.get(f'https://users.example.com/{uid}')\n",
        ),
        Invalid(
            "import http.client\nconn = http.client.HTTPConnection('api.example.com', timeout=10)\n",
            "import http.client\nconn = http.client.HTTPSConnection('api.example.com', timeout=10)\n",
        ),
        Invalid(
            "from urllib.request import urlretrieve\nurlretrieve('ftp://ftp.example.org/pub/data.csv', 'data.csv')\n"
        ),
        Invalid(
            "import urllib.request\nBASE_URL = 'http://www.example.com'\ndef page(name):\n"
            "    opener = urllib.request.build_opener()\n    return opener.open(BASE_URL + '/' + name).read()\n"
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        callee = ctx.call_name(node) or ""
        if callee in _HOST_CONNECTIONS:
            self._check_connection(node, ctx, callee)
            return
        url = request_url(ctx, node, callee)
        if url is None:
            return
        found = next(filter(_public_cleartext, _literal_urls(ctx, url, 0)), None)
        if found is None:
            return
        text, literal = found
        match = _CLEARTEXT.match(text)
        if match is None:
            return
        if callee not in URL_FUNCTIONS:
            if not is_client(ctx, node.func):
                return
            callee = ast.unparse(node.func)
        scheme = match.group(1).lower()
        if scheme == "http" and request_credential(node, ctx) is not None:
            return  # TG206 reports credentials sent in clear text
        related, fix = (), None
        if literal is not None:
            if literal is not url:
                related = (Related(ctx.span(literal), "the URL is written here"),)
            if scheme == "http":
                source = ctx.segment(ctx.span(literal))
                fixed = re.sub(r"(?i)http://", "https://", source, count=1)
                fix = text_fix(ctx.span(literal), fixed, "Fix: use https://", safe=False)
        ctx.report(
            self, url, details={"callee": callee, "host": match.group(2), "scheme": scheme}, related=related, fix=fix
        )

    def _check_connection(self, node: ast.Call, ctx, callee: str) -> None:
        """`http.client.HTTPConnection("api.example.com")`: a plain-HTTP connection to a fixed public host."""
        host = ctx.argument(node, 0, "host")
        found = next(filter(_public_host, _literal_urls(ctx, host, 0) if host is not None else ()), None)
        match = _HOST_PORT.match(found[0]) if found is not None else None
        if match is None:
            return
        fix = None
        if isinstance(node.func, ast.Attribute):
            secure = f"{ast.unparse(node.func.value)}.{_HOST_CONNECTIONS[callee]}"
            fix = expression_fix(ctx, node, replace_callee(secure), f"Fix: use {_HOST_CONNECTIONS[callee]}", safe=False)
        ctx.report(self, host, details={"callee": callee, "host": match.group(1), "scheme": "http"}, fix=fix)


def _literal_urls(ctx, expr: ast.AST, depth: int) -> list[tuple[str, Optional[ast.Constant]]]:
    """The literal texts a URL expression may start with, each with the literal when it is in this
    block: the string itself, the head of an f-string, `+` chain, `%` or `.format` template, what a
    local name was assigned (in each branch that binds it), a parameter's default, or a module
    constant."""
    if depth > 4:
        return []
    if isinstance(expr, ast.Constant):
        return [(expr.value, expr)] if isinstance(expr.value, str) else []
    if isinstance(expr, ast.JoinedStr):
        return _literal_urls(ctx, expr.values[0], depth + 1) if expr.values else []
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Add, ast.Mod)):
        return _literal_urls(ctx, expr.left, depth + 1)
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "format":
        return _literal_urls(ctx, expr.func.value, depth + 1)
    if isinstance(expr, ast.Name):
        starts = [_start(binding) for binding in ctx.model.reaching(expr) if binding.kind != "augmented"]
        found = [url for start in starts if start is not None for url in _literal_urls(ctx, start, depth + 1)]
        value = ctx.constant_value(expr) if not found else None
        return found or ([(value, None)] if isinstance(value, str) else [])
    return []


def _start(binding: Binding) -> Optional[ast.expr]:
    """The value a binding gives its name: an assignment's, or a parameter's default."""
    if binding.kind in VALUE_KINDS:
        return binding.value
    if binding.kind != "param":
        return None
    args = binding.scope.node.args
    positional = [*args.posonlyargs, *args.args]
    pairs = [
        *zip(positional[len(positional) - len(args.defaults) :], args.defaults),
        *zip(args.kwonlyargs, args.kw_defaults),
    ]
    return next((default for arg, default in pairs if arg is binding.node), None)


def _public_cleartext(found: tuple[str, Optional[ast.Constant]]) -> bool:
    match = _CLEARTEXT.match(found[0])
    return match is not None and not _private_host(match.group(2))


def _public_host(found: tuple[str, Optional[ast.Constant]]) -> bool:
    match = _HOST_PORT.match(found[0])
    return match is not None and not _private_host(match.group(1))


def _private_host(host: str) -> bool:
    host = host.strip("[]").rstrip(".").lower()
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." not in host or host == "localhost" or host.endswith(_PRIVATE_SUFFIXES)
    return not address.is_global
