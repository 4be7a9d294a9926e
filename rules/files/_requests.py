"""Outbound HTTP/FTP requests, shared by the rules about where a request goes (TG507 SSRF, TG510
clear text): which calls send one, where their URL argument is, and which receivers are clients."""

from __future__ import annotations

import ast
import re
from typing import Optional

from tabguard.rules.files._flow import constructed_by

VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "stream"})
# Module-level request functions: callee -> (position, keyword) of the URL.
URL_FUNCTIONS = {
    **{f"{lib}.{verb}": (0, "url") for lib in ("requests", "httpx") for verb in VERBS},
    "requests.request": (1, "url"),
    "httpx.request": (1, "url"),
    "requests.Request": (1, "url"),
    "urllib3.request": (1, "url"),
    "aiohttp.request": (1, "url"),
    "urllib.request.urlopen": (0, "url"),
    "urllib.request.Request": (0, "url"),
    "urllib.request.urlretrieve": (0, "url"),
    # Python 2 spellings, still written by assistants trained on old code.
    "urllib.urlopen": (0, "url"),
    "urllib.urlretrieve": (0, "url"),
    "urllib2.urlopen": (0, "url"),
    "urllib2.Request": (0, "url"),
}
# Methods of a client object that send a request (`retrieve` is urllib's `URLopener` download).
CLIENT_METHODS = VERBS | {"request", "open", "retrieve"}
CLIENTS = (
    "requests.Session",
    "requests.session",
    "requests.sessions.Session",
    "httpx.Client",
    "httpx.AsyncClient",
    "aiohttp.ClientSession",
    "urllib3.PoolManager",
    "urllib3.ProxyManager",
    "urllib3.poolmanager.PoolManager",
    "urllib.request.build_opener",
    "urllib.request.OpenerDirector",
    "urllib.request.URLopener",
    "urllib.request.FancyURLopener",
    "urllib2.build_opener",
    "urllib2.OpenerDirector",
    "urllib.URLopener",
    "urllib.FancyURLopener",
)
# Receivers conventionally holding an HTTP client when their construction is out of sight (a bare
# `client` is as often Redis or boto3, so it needs a visible constructor).
_CLIENT_NAMES = re.compile(r"^(self\.)?_?(\w+_)?(session|http|http_client|httpx_client|async_client|web_client)$")
_NOT_CLIENTS = ("flask.session", "django", "sqlalchemy", "request.", "req.", "self.request.")
_CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "x-api-key", "api-key"})


def request_url(ctx, node: ast.Call, callee: str) -> Optional[ast.expr]:
    """The URL argument of a module-level request function or of a client method call (the caller
    checks the receiver with `is_client`), else None."""
    if callee in URL_FUNCTIONS:
        return ctx.argument(node, *URL_FUNCTIONS[callee])
    if isinstance(node.func, ast.Attribute) and node.func.attr in CLIENT_METHODS:
        return ctx.argument(node, 1, "url") if node.func.attr == "request" else ctx.argument(node, 0, "url")
    return None


def is_client(ctx, func: ast.Attribute) -> bool:
    """Whether the receiver of `func` is an HTTP client."""
    made_by = constructed_by(ctx, func.value)
    if made_by:
        return made_by.startswith(CLIENTS)
    receiver = ctx.qualname(func.value) or ""
    if receiver.startswith(_NOT_CLIENTS) or func.attr in ("open", "retrieve"):
        return False
    return bool(_CLIENT_NAMES.match(receiver.lower()))


def request_credential(call: ast.Call, ctx) -> Optional[str]:
    """What secret a request call sends (`auth=`, an `Authorization`-style header), else None."""
    auth = ctx.keyword(call, "auth")
    if auth is not None and not (isinstance(auth.value, ast.Constant) and auth.value.value is None):
        return "`auth=` credentials"
    headers = ctx.keyword(call, "headers")
    if headers is not None and isinstance(headers.value, ast.Dict):
        for key in headers.value.keys:
            if (
                isinstance(key, ast.Constant)
                and isinstance(key.value, str)
                and key.value.lower() in _CREDENTIAL_HEADERS
            ):
                return f"`{key.value}` header"
    return None
