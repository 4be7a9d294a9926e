"""TG507: an outbound request whose host the user chooses (server-side request forgery)."""

from __future__ import annotations

import ast
from typing import Optional

from tabguard.engine.rule import Invalid, Rule
from tabguard.engine.taint import Source
from tabguard.rules.files._flow import origin_source, remote_taint
from tabguard.rules.files._requests import CLIENT_METHODS, URL_FUNCTIONS, is_client, request_url

# Constructors whose first argument is a host name, not a URL.
_HOST_FUNCTIONS = {
    "http.client.HTTPConnection": (0, "host"),
    "http.client.HTTPSConnection": (0, "host"),
    "socket.create_connection": (0, "address"),
}


class ServerSideRequestForgery(Rule):
    id = "TG507"
    name = "ssrf"
    severity = "high"
    confidence = "medium"
    cwe = (918,)
    owasp = "A01:2025"
    message = "`{callee}` fetches a URL whose host comes from the request ({source}): server-side request forgery"
    placeholders = {"callee": "requests.get", "source": "request.args"}
    call_names = frozenset(name.rpartition(".")[2] for name in (*URL_FUNCTIONS, *_HOST_FUNCTIONS)) | CLIENT_METHODS
    what = (
        "`{callee}` sends a request to a URL (or host) whose scheme or host part is taken from request "
        "data ({source}), so the client decides which machine this server talks to."
    )
    why = (
        "The server sits inside the network the attacker cannot reach. Given `?url=http://169.254.169.254/"
        'latest/meta-data/iam/security-credentials/`, a "fetch preview" or webhook endpoint returns the '
        "cloud instance's credentials; `http://localhost:6379/`, `http://10.0.0.5/admin` or `file:///` URLs "
        "reach internal services and files that trust the server. Values that only fill the path or "
        'query of a fixed origin (`f"https://api.example.com/users/{{uid}}"`) are not flagged; note that '
        '`"https://api.example.com" + user` without a `/` lets `@evil.example` change the host.'
    )
    how = (
        "Prefer fixed origins and put user values only in the path or query (quoted). When the feature "
        "needs arbitrary URLs (webhooks, link previews): allow only `https`, compare "
        "`urlparse(url).hostname` with an allow-list, and if any public host is allowed resolve it and "
        "refuse private, loopback and link-local addresses (`ipaddress.ip_address(...).is_global`), "
        "disable redirects, and send the request through an egress proxy."
    )
    example = (
        "host = urlparse(url).hostname\n"
        "if urlparse(url).scheme != 'https' or host not in ALLOWED_HOSTS:\n"
        "    abort(400)\n"
        "requests.get(url, timeout=5, allow_redirects=False)"
    )
    references = (
        "https://cwe.mitre.org/data/definitions/918.html",
        "https://owasp.org/www-community/attacks/Server_Side_Request_Forgery",
        "https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html",
    )
    VALID = (
        # A service class's method called with the code's own URL.
        "import requests\nfrom flask import Flask\napp = Flask(__name__)\n"
        "class Client:\n    def fetch(self, url):\n        return requests.get(url, timeout=5).text\n"
        "client = Client()\n@app.route('/status')\ndef status():\n    return client.fetch('https://status.example.com/')\n",
        "import requests\nfrom flask import request\n@app.route('/u')\ndef u():\n"
        "    uid = request.args['id']\n    return requests.get(f'https://api.example.com/users/{uid}', timeout=5).json()\n",
        "import requests\nfrom urllib.parse import urlparse\nfrom flask import request, abort\nALLOWED = {'api.example.com'}\n"
        "@app.route('/f')\ndef f():\n    url = request.args['url']\n    if urlparse(url).hostname not in ALLOWED:\n"
        "        abort(400)\n    return requests.get(url, timeout=5).text\n",
        "import requests\nfrom flask import request\n@app.route('/s')\ndef s():\n"
        "    return requests.get(API_BASE + '/search', params={'q': request.args['q']}, timeout=5).text\n",
        "import requests, sys\nprint(requests.get(sys.argv[1], timeout=5).status_code)\n",
        "from flask import request\n@app.route('/d')\ndef d():\n    data = request.get_json()\n    return data.get(request.args['k'])\n",
        "from flask import request\n@app.route('/c')\ndef c():\n    return redis_client.get(request.args['key'])\n",
        "def view(request):\n    return request.session.get(request.GET['k'])\n",
        # A service URL from the environment is configuration (see engine/inputs.py).
        "import os, requests\ndef ping():\n    return requests.get(os.environ['HEALTH_URL'], timeout=5).ok\n",
    )
    INVALID = (
        # A service class's method, called on a module-level instance with the request's URL.
        Invalid(
            "import requests\nfrom flask import Flask, request\napp = Flask(__name__)\n"
            "class Client:\n    def fetch(self, url):\n        return requests.get(url, timeout=5).text\n"
            "client = Client()\n@app.route('/preview')\ndef preview():\n    return client.fetch(request.args['url'])\n",
            message="through `fetch()`",
        ),
        Invalid(
            "import requests\nfrom flask import request\n@app.route('/preview')\ndef preview():\n"
            "    url = request.args.get('url')\n    return requests.get(url, timeout=5).text\n"
        ),
        Invalid(
            "import httpx\n@app.get('/proxy')\nasync def proxy(host: str, path: str):\n"
            "    async with httpx.AsyncClient() as client:\n        r = await client.get(f'http://{host}/{path}')\n"
            "    return r.text\n"
        ),
        Invalid(
            "from flask import request\n@app.post('/hook')\ndef hook():\n"
            "    return http_session.post(request.json['callback'], json={'ok': True}).status_code\n"
        ),
        Invalid(
            "from urllib.request import urlopen\nfrom flask import request\n@app.post('/hook')\ndef hook():\n"
            "    return urlopen(request.json['callback']).read()\n"
        ),
        Invalid(
            "import requests\nfrom flask import request\n@app.route('/a')\ndef a():\n"
            "    return requests.get('https://api.example.com' + request.args['p'], timeout=5).text\n"
        ),
        # A Celery task's arguments are set by whoever enqueues it (here, a webhook's target).
        Invalid(
            "import requests\nfrom celery import shared_task\n@shared_task\ndef deliver(url, payload):\n"
            "    requests.post(url, json=payload, timeout=5)\n"
        ),
        # Messages a Kafka consumer yields.
        Invalid(
            "import requests\nfrom kafka import KafkaConsumer\ndef fetch_all():\n"
            "    consumer = KafkaConsumer('fetch-jobs')\n    for message in consumer:\n"
            "        requests.get(message.value.decode(), timeout=5)\n"
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        callee = ctx.call_name(node) or ""
        source: Optional[Source] = None
        if callee in _HOST_FUNCTIONS:
            host = ctx.argument(node, *_HOST_FUNCTIONS[callee])
            if isinstance(host, ast.Tuple) and host.elts:
                host = host.elts[0]
            source = remote_taint(ctx, host)
        else:
            # The URL first: most client-method calls are `dict.get("key")`, and telling a client
            # from a dict means finding where the receiver was bound.
            source = origin_source(ctx, request_url(ctx, node, callee))
            if source is not None and callee not in URL_FUNCTIONS:
                if is_client(ctx, node.func):
                    callee = ast.unparse(node.func)
                else:
                    source = None
        if source is not None:
            ctx.report(self, node, details={"callee": callee}, source=source)
