"""TG605: a credential sent in the query string of an outbound HTTP request."""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from typing import Iterator, Optional

from tabguard.engine.rule import Invalid, Rule
from tabguard.guards import words
from tabguard.rules.crypto._names import expression_name, secret_kind

_CLIENT_ROOTS = ("requests.", "httpx.", "aiohttp.", "urllib3.", "urllib.request.")
_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "urlopen", "stream"})
# `?api_key=` / `&token=` at the end of a literal chunk of the URL.
_URL_WORDS = frozenset({"url", "uri", "endpoint"})
# One-time tokens that are meant to travel in links sent to users (password reset, email confirmation).
_LINK_TOKEN_WORDS = frozenset(
    {
        "reset",
        "verification",
        "verify",
        "confirm",
        "confirmation",
        "invite",
        "invitation",
        "magic",
        "activation",
        "unsubscribe",
    }
)
_QUERY_PARAM = re.compile(r"[?&]([A-Za-z0-9_.\-\[\]]+)=$")


class SecretInUrl(Rule):
    id = "TG605"
    name = "secret-in-url"
    severity = "low"
    confidence = "medium"
    cwe = (598,)
    owasp = "A04:2025"
    message = "Credential `{name}` sent in a URL query string; send it in a header (`Authorization`) instead"
    placeholders = {"name": "api_key"}
    what = "Puts `{name}` into the query string of an outbound request's URL."
    why = (
        "URLs are logged everywhere headers are not: proxy and load-balancer access logs, the remote "
        "server's logs, HTTP client debug logs, exception messages (`requests` puts the URL in "
        "`HTTPError`), and tracing systems. Anyone reading any of those gets a working key. A key in a "
        "header is kept out of all of them by default."
    )
    how = (
        'Send credentials in a header, e.g. `headers={{"Authorization": f"Bearer {{token}}"}}` or the '
        "provider's key header (`X-API-Key`). If the API only accepts the key as a query parameter, "
        "pass it with `params=` so it is encoded, and make sure request URLs are not logged."
    )
    example = (
        'import os\nimport requests\n\nresponse = requests.get(\n    "https://api.example.com/v1/reports",\n'
        '    headers={"Authorization": f"Bearer {os.environ[\'REPORTS_TOKEN\']}"},\n    timeout=10,\n)'
    )
    references = (
        "https://cwe.mitre.org/data/definitions/598.html",
        "https://owasp.org/www-community/vulnerabilities/Information_exposure_through_query_strings_in_url",
    )
    VALID = (
        "import requests\nr = requests.get(url, headers={'Authorization': f'Bearer {token}'}, timeout=5)\n",
        "import requests\nr = requests.get(f'https://api.example.com/items?page={page}', timeout=5)\n",
        "import requests\nr = requests.get(f'https://api.example.com/token/{token_id}', timeout=5)\n",
        "import requests\nr = requests.post('https://auth.example.com/oauth/token', data={'client_secret': secret}, timeout=5)\n",
        "reset_url = f'https://app.example.com/reset?token={reset_token}'\n",
    )
    INVALID = (
        Invalid(
            "import requests\nr = requests.get(f'https://api.example.com/v1/data?api_key={api_key}&q={q}', timeout=5)\n"
        ),
        Invalid("import httpx\nr = httpx.get(BASE + '/orders?token=' + settings.API_TOKEN)\n"),
        Invalid("import requests\nr = requests.get(url, params={'q': q, 'access_token': token}, timeout=5)\n"),
        Invalid("session = requests.Session()\nsession.get(f'{base}/me?key={GITHUB_TOKEN}')\n"),
        Invalid(
            "def forecast(city):\n    url = f'https://api.example.com/v1?city={city}&appid={OWM_API_KEY}'\n    return fetch(url)\n"
        ),
    )

    def visit_Assign(self, node: ast.Assign, ctx) -> None:
        # `url = f"https://...?api_key={KEY}"`, sent a few lines later
        if not any(_names_url(expression_name(t) or "") for t in node.targets):
            return
        if not _starts_like_url(node.value):
            return
        found = _secret_in_query(node.value)
        if found is not None:
            ctx.report(self, found[1], details={"name": found[0]})

    def visit_Call(self, node: ast.Call, ctx) -> None:
        if not (node.args or ctx.keyword(node, "url")):
            return
        callee = ctx.call_name(node) or ""
        if not (
            callee.startswith(_CLIENT_ROOTS) or (isinstance(node.func, ast.Attribute) and node.func.attr in _VERBS)
        ):
            return
        url = ctx.argument(node, 1, "url") if callee.endswith(".request") else ctx.argument(node, 0, "url")
        found = _secret_in_query(url) if url is not None else None
        if found is None:
            params = ctx.keyword(node, "params")
            found = _secret_in_params(params.value) if params is not None else None
        if found is not None:
            name, where = found
            ctx.report(self, where, details={"name": name})


@lru_cache(maxsize=4096)  # asked for the target of every assignment
def _names_url(name: str) -> bool:
    return any(w in _URL_WORDS for w in words(name))


def _secret_in_query(url: ast.expr) -> Optional[tuple[str, ast.AST]]:
    """(name, node) of a secret interpolated right after `?name=` / `&name=` in a built URL."""
    for literal, value in _chunks(url):
        match = _QUERY_PARAM.search(literal)
        if match is None:
            continue
        found = _credential(match.group(1), expression_name(value))
        if found:
            return found, value
    return None


def _credential(*names: Optional[str]) -> Optional[str]:
    """The first credential name among a parameter and its value, unless either is a link token."""
    if any(w in _LINK_TOKEN_WORDS for name in names for w in words(name or "")):
        return None
    return next((name for name in names if secret_kind(name)), None)


def _starts_like_url(value: ast.expr) -> bool:
    first = value.values[0] if isinstance(value, ast.JoinedStr) and value.values else _flatten(value)[0]
    return (
        isinstance(first, ast.Constant)
        and isinstance(first.value, str)
        and first.value.startswith(("http://", "https://"))
    )


def _chunks(url: ast.expr) -> Iterator[tuple[str, ast.expr]]:
    """(literal text before, interpolated value) pairs of an f-string or `+` concatenation."""
    if isinstance(url, ast.JoinedStr):
        text = ""
        for part in url.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                text += part.value
            elif isinstance(part, ast.FormattedValue):
                yield text, part.value
                text = ""
    elif isinstance(url, ast.BinOp) and isinstance(url.op, ast.Add):
        parts = _flatten(url)
        for before, value in zip(parts, parts[1:]):
            if (
                isinstance(before, ast.Constant)
                and isinstance(before.value, str)
                and not isinstance(value, ast.Constant)
            ):
                yield before.value, value


def _flatten(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _flatten(node.left) + _flatten(node.right)
    return [node]


def _secret_in_params(params: ast.expr) -> Optional[tuple[str, ast.AST]]:
    if not isinstance(params, ast.Dict):
        return None
    for key, value in zip(params.keys, params.values):
        if isinstance(key, ast.Constant) and isinstance(key.value, str) and not isinstance(value, ast.Constant):
            found = _credential(key.value, expression_name(value))
            if found:
                return found, value
    return None
