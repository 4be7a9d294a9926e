"""TG508: a redirect to a URL the client chooses (open redirect)."""

from __future__ import annotations

import ast
from typing import Optional

from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.files._flow import constructed_by, note_returned_url, origin_source
from tabguard.rules.files._redirect_fix import guard_fix

# callee -> (position, keyword) of the target URL
_REDIRECTS = {
    "flask.redirect": (0, "location"),
    "werkzeug.utils.redirect": (0, "location"),
    "quart.redirect": (0, "location"),
    "bottle.redirect": (0, "url"),
    "django.shortcuts.redirect": (0, "to"),
    "django.http.HttpResponseRedirect": (0, "redirect_to"),
    "django.http.HttpResponsePermanentRedirect": (0, "redirect_to"),
    "django.http.response.HttpResponseRedirect": (0, "redirect_to"),
    "starlette.responses.RedirectResponse": (0, "url"),
    "fastapi.responses.RedirectResponse": (0, "url"),
    "aiohttp.web.HTTPFound": (0, "location"),
    "aiohttp.web.HTTPSeeOther": (0, "location"),
    "aiohttp.web.HTTPTemporaryRedirect": (0, "location"),
}
# Calls that write one header, name then value: `self.send_header(name, value)` (http.server),
# `response.headers.add(name, value)` and relatives.
_HEADER_WRITES = frozenset({"send_header", "add_header", "add", "set", "setdefault"})


class OpenRedirect(Rule):
    id = "TG508"
    name = "open-redirect"
    severity = "medium"
    confidence = "medium"
    cwe = (601,)
    owasp = "A01:2025"
    message = "Redirect to a URL taken from the request ({source}): open redirect"
    placeholders = {"source": "request.args"}
    call_names = frozenset(name.rpartition(".")[2] for name in _REDIRECTS) | {"redirect"} | _HEADER_WRITES
    call_keywords = frozenset({"headers"})  # `Response(status=302, headers={"Location": ...})`
    what = (
        "The response redirects to a URL whose scheme or host comes from request data ({source}), "
        "typically a `next` or `return_to` parameter, without checking that it stays on this site."
    )
    why = (
        "A phishing mail links to `https://yourapp.example/login?next=https://yourapp-login.example/`; "
        "the victim sees your real domain, logs in, and is sent to a look-alike page that asks for the "
        "password again or a 2FA code. OAuth flows that redirect with tokens in the URL leak them the "
        'same way. `"/" + next` is not enough: `//evil.example` is a different host to a browser. '
        "Redirects back to the request's own URL or its `Referer` are not flagged."
    )
    how = (
        "Redirect to a route you build (`url_for(...)`), or accept only relative paths on this host: "
        "`url_has_allowed_host_and_scheme(url, allowed_hosts={{request.get_host()}})` in Django, or "
        "`urlparse(url).netloc == ''` together with `url.startswith('/') and not url.startswith('//')`, "
        "and fall back to a default page otherwise."
    )
    example = (
        "target = request.args.get('next', '')\n"
        "if urlparse(target).netloc or not target.startswith('/'):\n"
        "    target = url_for('index')\n"
        "return redirect(target)"
    )
    fix_safety = (
        "Unsafe: a redirect whose target is a name (or an expression first held in `next_url`) gets a "
        "check just before it that sends the browser to `/` instead when the target could leave the "
        "site: Django's `url_has_allowed_host_and_scheme` against the request's host in a Django view, "
        "else a path on this host (starting with one `/`, not `//` or `/\\`, with no network location). "
        "Legitimate redirects to other hosts (a partner site, another subdomain) stop working."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/601.html",
        "https://cheatsheetseries.owasp.org/cheatsheets/Unvalidated_Redirects_and_Forwards_Cheat_Sheet.html",
        "https://docs.djangoproject.com/en/stable/ref/utils/#django.utils.http.url_has_allowed_host_and_scheme",
    )
    VALID = (
        # The URL is used only when the check stored in a name passed.
        "from django.http import HttpResponseRedirect\nfrom django.utils.http import url_has_allowed_host_and_scheme\n"
        "def go(request):\n    target = request.POST.get('next')\n"
        "    safe = url_has_allowed_host_and_scheme(url=target, allowed_hosts={request.get_host()})\n"
        "    return HttpResponseRedirect(target if safe else '/')\n",
        "from flask import redirect, url_for, request\n@app.route('/l')\ndef l():\n"
        "    return redirect(url_for('profile', name=request.args['name']))\n",
        "from urllib.parse import urlparse\nfrom flask import redirect, request, url_for\n@app.route('/l')\ndef l():\n"
        "    target = request.args.get('next', '')\n    if urlparse(target).netloc or not target.startswith('/'):\n"
        "        target = url_for('index')\n    return redirect(target)\n",
        "from django.shortcuts import redirect\nfrom django.utils.http import url_has_allowed_host_and_scheme\n"
        "def login_done(request):\n    nxt = request.GET.get('next', '/')\n"
        "    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={{request.get_host()}}):\n        nxt = '/'\n"
        "    return redirect(nxt)\n",
        "from flask import redirect\n@app.route('/u/<int:uid>')\ndef u(uid):\n    return redirect(f'/users/{uid}/profile')\n",
        # Replaced when the check fails, with a fallback that is checked again; an empty value skips it.
        "from flask import redirect, request, url_for\nfrom werkzeug.urls import url_parse\n@app.route('/login')\n"
        "def login():\n    next_page = request.args.get('next')\n"
        "    if not next_page or url_parse(next_page).netloc != '':\n        next_page = url_for('index')\n"
        "    return redirect(next_page)\n",
        "from django.conf import settings\nfrom django.http import HttpResponse, HttpResponseRedirect\n"
        "from django.utils.http import url_has_allowed_host_and_scheme\ndef set_language(request):\n"
        "    nxt = request.POST.get('next')\n    hosts = settings.ALLOWED_HOSTS\n"
        "    if (nxt or request.accepts('text/html')) and not url_has_allowed_host_and_scheme(url=nxt, allowed_hosts=hosts):\n"
        "        nxt = request.META.get('HTTP_REFERER')\n"
        "        if not url_has_allowed_host_and_scheme(url=nxt, allowed_hosts=hosts):\n            nxt = '/'\n"
        "    return HttpResponseRedirect(nxt) if nxt else HttpResponse(status=204)\n",
        "from flask import redirect, request\n@app.before_request\ndef https():\n"
        "    return redirect(request.url.replace('http://', 'https://', 1))\n",
        # a method builds the URL: the route's own, with the query string appended after it
        "from django.http import HttpResponseRedirect\nfrom django.urls import reverse\nfrom django.views import View\n"
        "class Forward(View):\n    def target(self):\n        url = reverse('home')\n"
        "        query = self.request.META.get('QUERY_STRING', '')\n        if query:\n"
        "            url = '%s?%s' % (url, query)\n        return url\n"
        "    def get(self, request):\n        return HttpResponseRedirect(self.target())\n",
        # A prefix that ends the host with the path's slash: only this site's URLs start with it.
        "from flask import redirect, request\n@app.route('/back')\ndef back():\n    target = request.args.get('next', '')\n"
        "    if target.startswith('https://shop.example.com/'):\n        return redirect(target)\n    return redirect('/')\n",
        # A dict that is not a response, and a header other than Location.
        "from flask import request\ndef f():\n    place = {}\n    place['location'] = request.args['city']\n    return place\n",
        "from http.server import BaseHTTPRequestHandler\nclass H(BaseHTTPRequestHandler):\n    def do_GET(self):\n"
        "        self.send_response(302)\n        self.send_header('Location', '/login')\n        self.end_headers()\n",
    )
    INVALID = (
        Invalid(  # the stored check is not about the URL used
            "from django.http import HttpResponseRedirect\n"
            "def go(request):\n    target = request.POST.get('next')\n"
            "    safe = bool(target)\n"
            "    return HttpResponseRedirect(target if safe else '/')\n",
            fixed=(
                "from django.utils.http import url_has_allowed_host_and_scheme\n"
                "from django.http import HttpResponseRedirect\n"
                "def go(request):\n"
                "    target = request.POST.get('next')\n"
                "    safe = bool(target)\n"
                "    next_url = target if safe else '/'\n"
                "    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):\n"
                '        next_url = "/"\n'
                "    return HttpResponseRedirect(next_url)\n"
            ),
        ),
        # a method returns the URL the client sent
        Invalid(
            "from django.http import HttpResponseRedirect\nfrom django.views import View\n"
            "class Back(View):\n    def target(self):\n        return self.request.GET.get('next', '/')\n"
            "    def get(self, request):\n        return HttpResponseRedirect(self.target())\n",
            "from django.utils.http import url_has_allowed_host_and_scheme\n"
            "from django.http import HttpResponseRedirect\n"
            "from django.views import View\n"
            "class Back(View):\n"
            "    def target(self):\n"
            "        return self.request.GET.get('next', '/')\n"
            "    def get(self, request):\n"
            "        next_url = self.target()\n"
            "        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):\n"
            '            next_url = "/"\n'
            "        return HttpResponseRedirect(next_url)\n",
        ),
        # One branch keeps the route's own URL, the other takes the client's.
        Invalid(
            "from django.http import HttpResponseRedirect\nfrom django.urls import reverse\ndef done(request):\n"
            "    url = reverse('home')\n    nxt = request.GET.get('next')\n    if nxt:\n        url = nxt\n"
            "    return HttpResponseRedirect(url)\n",
            "from django.utils.http import url_has_allowed_host_and_scheme\n"
            "from django.http import HttpResponseRedirect\n"
            "from django.urls import reverse\n"
            "def done(request):\n"
            "    url = reverse('home')\n"
            "    nxt = request.GET.get('next')\n"
            "    if nxt:\n"
            "        url = nxt\n"
            "    if not url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):\n"
            '        url = "/"\n'
            "    return HttpResponseRedirect(url)\n",
        ),
        # Replaced when the check fails, but with another value from the request that nothing checks.
        Invalid(
            "from django.conf import settings\nfrom django.http import HttpResponseRedirect\n"
            "from django.utils.http import url_has_allowed_host_and_scheme\ndef set_language(request):\n"
            "    nxt = request.POST.get('next')\n"
            "    if not url_has_allowed_host_and_scheme(url=nxt, allowed_hosts=settings.ALLOWED_HOSTS):\n"
            "        nxt = '/'\n        nxt = request.META.get('HTTP_REFERER')\n    return HttpResponseRedirect(nxt)\n",
            "from django.conf import settings\n"
            "from django.http import HttpResponseRedirect\n"
            "from django.utils.http import url_has_allowed_host_and_scheme\n"
            "def set_language(request):\n"
            "    nxt = request.POST.get('next')\n"
            "    if not url_has_allowed_host_and_scheme(url=nxt, allowed_hosts=settings.ALLOWED_HOSTS):\n"
            "        nxt = '/'\n"
            "        nxt = request.META.get('HTTP_REFERER')\n"
            "    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):\n"
            '        nxt = "/"\n'
            "    return HttpResponseRedirect(nxt)\n",
        ),
        Invalid(
            'from flask import redirect, request\n@app.route("/go")\ndef go():\n    next_url = request.args.get("next", "/")\n'
            "    return redirect(next_url)\n",
            'from urllib.parse import urlsplit\nfrom flask import redirect, request\n@app.route("/go")\ndef go():\n'
            '    next_url = request.args.get("next", "/")\n'
            '    if not next_url or urlsplit(next_url).netloc or not next_url.startswith("/") or next_url.startswith("/\\\\"):\n'
            '        next_url = "/"\n    return redirect(next_url)\n',
        ),
        # Django view, the target passed straight from the request: held in `next_url`, checked with Django's helper.
        Invalid(
            "from django.http import HttpResponseRedirect\ndef back(request):\n"
            '    return HttpResponseRedirect(request.GET.get("next"))\n',
            "from django.utils.http import url_has_allowed_host_and_scheme\nfrom django.http import HttpResponseRedirect\n"
            'def back(request):\n    next_url = request.GET.get("next")\n'
            "    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):\n"
            '        next_url = "/"\n    return HttpResponseRedirect(next_url)\n',
        ),
        Invalid(
            "from flask import redirect, request\n@app.route('/login', methods=['POST'])\ndef login():\n"
            "    return redirect(request.args.get('next') or '/')\n",
            "from urllib.parse import urlsplit\n"
            "from flask import redirect, request\n"
            "@app.route('/login', methods=['POST'])\n"
            "def login():\n"
            "    next_url = request.args.get('next') or '/'\n"
            '    if not next_url or urlsplit(next_url).netloc or not next_url.startswith("/") or next_url.startswith("/\\\\"):\n'
            '        next_url = "/"\n'
            "    return redirect(next_url)\n",
        ),
        Invalid(
            "from fastapi.responses import RedirectResponse\n@app.get('/go')\ndef go(to: str):\n"
            "    return RedirectResponse(to)\n",
            "from urllib.parse import urlsplit\nfrom fastapi.responses import RedirectResponse\n@app.get('/go')\n"
            'def go(to: str):\n    if not to or urlsplit(to).netloc or not to.startswith("/") or to.startswith("/\\\\"):\n'
            '        to = "/"\n    return RedirectResponse(to)\n',
        ),
        Invalid(
            "from django.http import HttpResponseRedirect\ndef done(request):\n"
            "    return HttpResponseRedirect(request.GET['return_to'])\n",
            "from django.utils.http import url_has_allowed_host_and_scheme\n"
            "from django.http import HttpResponseRedirect\n"
            "def done(request):\n"
            "    next_url = request.GET['return_to']\n"
            "    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):\n"
            '        next_url = "/"\n'
            "    return HttpResponseRedirect(next_url)\n",
        ),
        Invalid(
            "from flask import redirect, request\n@app.route('/r')\ndef r():\n"
            "    return redirect('/' + request.args['path'])\n",
            "from urllib.parse import urlsplit\n"
            "from flask import redirect, request\n"
            "@app.route('/r')\n"
            "def r():\n"
            "    next_url = '/' + request.args['path']\n"
            '    if not next_url or urlsplit(next_url).netloc or not next_url.startswith("/") or next_url.startswith("/\\\\"):\n'
            '        next_url = "/"\n'
            "    return redirect(next_url)\n",
        ),
        Invalid(
            "from flask import request, make_response\n@app.route('/r')\ndef r():\n"
            "    resp = make_response('', 302)\n    resp.headers['Location'] = request.args['to']\n    return resp\n"
        ),
        Invalid(
            "from flask import Response, request\n@app.route('/r')\ndef r():\n"
            "    return Response(status=302, headers={'Location': request.args['to']})\n"
        ),
        # A prefix that leaves the host open: `https://shop.example.com.attacker.net` starts with it.
        Invalid(
            "from flask import redirect, request\n@app.route('/back')\ndef back():\n    target = request.args.get('next', '')\n"
            "    if target.startswith('https://shop.example.com'):\n        return redirect(target)\n    return redirect('/')\n",
            "from urllib.parse import urlsplit\n"
            "from flask import redirect, request\n"
            "@app.route('/back')\n"
            "def back():\n"
            "    target = request.args.get('next', '')\n"
            "    if target.startswith('https://shop.example.com'):\n"
            '        if not target or urlsplit(target).netloc or not target.startswith("/") or target.startswith("/\\\\"):\n'
            '            target = "/"\n'
            "        return redirect(target)\n"
            "    return redirect('/')\n",
            message="open redirect",
        ),
        # Django: the header set by subscripting the response itself.
        Invalid(
            "from django.http import HttpResponse\ndef jump(request):\n    resp = HttpResponse(status=302)\n"
            "    resp['Location'] = request.GET['to']\n    return resp\n",
            message="open redirect",
        ),
        # http.server: a handler writing its own Location header from the query string.
        Invalid(
            "from http.server import BaseHTTPRequestHandler\nfrom urllib.parse import parse_qs, urlparse\n"
            "class Handler(BaseHTTPRequestHandler):\n    def do_GET(self):\n"
            "        params = parse_qs(urlparse(self.path).query)\n        self.send_response(302)\n"
            "        self.send_header('Location', params['next'][0])\n        self.end_headers()\n",
            message="open redirect",
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        callee = ctx.call_name(node) or ""
        redirect = True
        if callee in _REDIRECTS:
            target = ctx.argument(node, *_REDIRECTS[callee])
        elif isinstance(node.func, ast.Attribute) and node.func.attr == "redirect" and _is_self(node.func.value):
            target = ctx.argument(node, 0, "url")  # Tornado/Django class-based handlers
        elif _writes_location(node):
            target, redirect = node.args[1], False
        else:
            target, redirect = _location_in_headers(ctx.keyword(node, "headers")), False
        self._check(ctx, node, target, redirect)

    def visit_Return(self, node: ast.Return, ctx) -> None:
        note_returned_url(ctx, node)  # for the callers of a function that builds the URL

    def visit_Assign(self, node: ast.Assign, ctx) -> None:
        for target in node.targets:
            if isinstance(target, ast.Subscript) and _is_location_header(target, ctx):
                self._check(ctx, node, node.value)

    def _check(self, ctx, node: ast.AST, url, redirect: bool = False) -> None:
        if url is None:
            return
        source = origin_source(ctx, url)
        if source is not None:
            fix = guard_fix(ctx, node, url) if redirect and isinstance(node, ast.Call) else None
            ctx.report(self, node, source=source, fix=fix)


def _location_in_headers(headers) -> Optional[ast.expr]:
    """The `Location` value of a `headers={...}` keyword (`Response(status=302, headers=...)`)."""
    if headers is None or not isinstance(headers.value, ast.Dict):
        return None
    for key, value in zip(headers.value.keys, headers.value.values):
        if _is_location(key):
            return value
    return None


def _is_self(expr: ast.AST) -> bool:
    return isinstance(expr, ast.Name) and expr.id == "self"


def _is_location(key: Optional[ast.AST]) -> bool:
    return isinstance(key, ast.Constant) and isinstance(key.value, str) and key.value.lower() == "location"


def _writes_location(call: ast.Call) -> bool:
    """`self.send_header("Location", url)`, `response.headers.add("Location", url)`."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in _HEADER_WRITES or len(call.args) < 2:
        return False
    on_headers = isinstance(func.value, ast.Attribute) and func.value.attr == "headers"
    return (func.attr == "send_header" or on_headers) and _is_location(call.args[0])


def _is_location_header(target: ast.Subscript, ctx) -> bool:
    """`response.headers["Location"] = url`, or Django's `response["Location"] = url` on a response
    the function made (`HttpResponse(status=302)`)."""
    if not _is_location(target.slice):
        return False
    owner = target.value
    if isinstance(owner, ast.Attribute) and owner.attr == "headers":
        return True
    return constructed_by(ctx, owner).rpartition(".")[2].endswith("Response")
