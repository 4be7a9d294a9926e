"""TG209: a server bound to every network interface (`0.0.0.0`, `::`, or the empty host)."""

from __future__ import annotations

import ast

from tabguard.engine.fixes import edits_fix
from tabguard.engine.rule import Invalid, Rule
from tabguard.engine.types import Edit
from tabguard.rules.defaults._common import string_value

_ALL_INTERFACES = frozenset({"0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0"})
# Calls that take the listening address as `host=` (or first positional argument for the `run` methods).
_RUNNERS = ("run", "run_app", "run_simple", "serve", "create_server", "start_server", "make_server")
# Servers that take an `(host, port)` address tuple as their first argument.
_ADDRESS_SERVERS = (
    "bind",
    "HTTPServer",
    "ThreadingHTTPServer",
    "TCPServer",
    "ThreadingTCPServer",
    "UDPServer",
    "WSGIServer",
)
# Runners whose first positional argument is the host.
_HOST_FIRST = ("run", "run_simple", "make_server")


class BindAllInterfaces(Rule):
    id = "TG209"
    name = "bind-all-interfaces"
    severity = "low"
    confidence = "medium"
    cwe = (200, 1327)
    owasp = "A02:2025"
    message = "Listening on all network interfaces (`{host}`)"
    placeholders = {"host": "0.0.0.0"}
    aliases = ("B104", "S104")
    call_names = frozenset(_RUNNERS + _ADDRESS_SERVERS)
    what = "The server listens on `{host}`, which accepts connections on every interface of the machine, not only the local one."
    why = (
        "A development server, admin endpoint or debug console bound to `0.0.0.0` is reachable from the "
        "office network, the coffee-shop Wi-Fi or the internet when the machine has a public address. "
        "Combined with debug mode or a missing login, anyone on the same network gets in. Inside a "
        "container this is often intended (the port is then published deliberately), which is why this "
        "is a low-severity reminder rather than an error."
    )
    how = (
        "Bind to `127.0.0.1` for local development, and take the listening address from configuration "
        '(`host=os.environ.get("HOST", "127.0.0.1")`) where a container or reverse proxy needs another.'
    )
    example = 'app.run(host=os.environ.get("HOST", "127.0.0.1"), port=8000)\nsock.bind(("127.0.0.1", 9000))'
    fix_safety = (
        "Unsafe: the address becomes the loopback one (`127.0.0.1`, `::1` for `::`), so the service is "
        "no longer reachable from other machines; in a container that publishes the port, read the "
        'host from the environment instead (`os.environ.get("HOST", "127.0.0.1")`).'
    )
    references = (
        "https://cwe.mitre.org/data/definitions/1327.html",
        "https://docs.python.org/3/library/socket.html#socket.socket.bind",
    )
    VALID = (
        "app.run(host='127.0.0.1', port=5000)\n",
        "import uvicorn\nuvicorn.run(app, host='127.0.0.1', port=8000)\n",
        "import socket\ns = socket.socket()\ns.bind(('127.0.0.1', 8080))\n",
        "import socket\ns = socket.socket()\ns.bind(('192.168.0.10', 8080))\n",
        "import os\napp.run(host=os.environ.get('HOST', '127.0.0.1'))\n",
        "if host == '0.0.0.0':\n    print('listening everywhere')\n",
    )
    INVALID = (
        Invalid("app.run(host='0.0.0.0', port=5000)\n", "app.run(host='127.0.0.1', port=5000)\n"),
        Invalid(
            "import uvicorn\nuvicorn.run('main:app', host='0.0.0.0', port=8000)\n",
            "import uvicorn\nuvicorn.run('main:app', host='127.0.0.1', port=8000)\n",
        ),
        Invalid(
            "import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\ns.bind(('0.0.0.0', 9000))\n",
            "import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\ns.bind(('127.0.0.1', 9000))\n",
        ),
        Invalid(
            "import socket\ns = socket.socket(socket.AF_INET6)\ns.bind(('::', 9000))\n",
            "import socket\ns = socket.socket(socket.AF_INET6)\ns.bind(('::1', 9000))\n",
        ),
        Invalid(
            "from http.server import HTTPServer\nserver = HTTPServer(('', 8000), Handler)\n",
            "from http.server import HTTPServer\nserver = HTTPServer(('127.0.0.1', 8000), Handler)\n",
        ),
        Invalid('app.run("0.0.0.0")\n', 'app.run("127.0.0.1")\n'),
        Invalid(
            "from wsgiref.simple_server import make_server\nhttpd = make_server('0.0.0.0', 8000, app)\n",
            "from wsgiref.simple_server import make_server\nhttpd = make_server('127.0.0.1', 8000, app)\n",
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        tail = (ctx.call_name(node) or "").rpartition(".")[2]
        host: ast.expr | None = None
        if tail in _ADDRESS_SERVERS and node.args and isinstance(node.args[0], ast.Tuple) and node.args[0].elts:
            host = node.args[0].elts[0]
            empty_means_all = True
        elif tail in _RUNNERS:
            host = ctx.keyword(node, "host").value if ctx.keyword(node, "host") else None
            if host is None and tail in _HOST_FIRST and node.args:
                host = node.args[0]
            empty_means_all = False
        else:
            return
        value = string_value(host)
        if value is None:
            return
        if value in _ALL_INTERFACES or (empty_means_all and value == ""):
            loopback = "::1" if ":" in value else "127.0.0.1"
            fix = edits_fix(
                [Edit(ctx.span(host), repr(loopback).replace("'", _quote(ctx, host)))],
                f"Fix: listen on {loopback} only",
                safe=False,
            )
            ctx.report(self, host, details={"host": value or "'' (all interfaces)"}, fix=fix)


def _quote(ctx, literal: ast.expr) -> str:
    """The quote character the literal is written with, so the rewrite keeps the file's style."""
    return '"' if ctx.segment(ctx.span(literal)).endswith('"') else "'"
