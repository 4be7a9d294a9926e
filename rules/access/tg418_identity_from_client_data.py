"""TG418: who the user is, or whether they are an administrator, decided by data the client controls."""

from __future__ import annotations

import ast
from typing import Optional

from tabguard.engine.facts import dotted_name
from tabguard.engine.rule import Invalid, Rule
from tabguard.guards import is_current_user, words
from tabguard.rules.access._handlers import client_value, enclosing_handler
from tabguard.rules.access._lookups import LOOKUP_NAMES, record_key
from tabguard.rules.access._owners import owner_values
from tabguard.rules.crypto._names import PASSWORD_WORDS

# Where a request carries what the client chose (Flask/Starlette/aiohttp, Django, DRF).
_CLIENT_PARTS = {
    "cookies": "cookie",
    "COOKIES": "cookie",
    "headers": "header",
    "META": "header",
    "form": "form field",
    "POST": "form field",
    "args": "query parameter",
    "GET": "query parameter",
    "query_params": "query parameter",
    "values": "request value",
    "json": "JSON field",
    "data": "request field",
}
# Keys that say what the user may do.
_PRIVILEGE_WORDS = frozenset(
    {
        "admin",
        "role",
        "roles",
        "staff",
        "superuser",
        "permission",
        "permissions",
        "privilege",
        "privileges",
        "access",
        "level",
        "group",
        "groups",
    }
)
# Keys that say who the user is; only cookies and headers claim it (a form's `user_id` picks a record).
_IDENTITY_WORDS = frozenset(
    {
        "user",
        "uid",
        "userid",
        "username",
        "login",
        "account",
        "identity",
        "principal",
        "customer",
        "member",
        "employee",
        "patient",
    }
)
# Headers anyone can set to any value, trusted as a network location or a client identity.
_SPOOFABLE_HEADERS = frozenset(
    {
        "user-agent",
        "x-forwarded-for",
        "x-real-ip",
        "x-forwarded-host",
        "host",
        "referer",
        "x-client-ip",
        "x-originating-ip",
        "true-client-ip",
        "forwarded",
    }
)
_SPOOFABLE_ATTRS = frozenset({"user_agent", "host", "access_route", "referrer"})
# Values that name the most privileged callers.
_PRIVILEGED_VALUES = frozenset({"admin", "administrator", "superuser", "root", "staff"})
_DENIALS = frozenset(
    {"abort", "HTTPException", "PermissionDenied", "Forbidden", "HttpResponseForbidden", "Unauthorized"}
)
_DECODERS = frozenset({"b64decode", "urlsafe_b64decode", "decodebytes"})
# Fields naming the person a record belongs to: chosen by the client while the server knows who is
# signed in, they let the caller act as someone else. (A team, tenant or account the caller picks is
# often theirs to pick, checked by membership elsewhere.)
_PERSON_FIELDS = frozenset(
    {
        "owner",
        "owner_id",
        "user",
        "user_id",
        "author",
        "author_id",
        "created_by",
        "created_by_id",
        "creator",
        "creator_id",
    }
)
_PERSON_KEYWORDS = frozenset(f"{field}{suffix}" for field in _PERSON_FIELDS for suffix in ("", "__id", "__pk"))


class IdentityFromClientData(Rule):
    id = "TG418"
    name = "identity-from-client-data"
    severity = "critical"
    confidence = "medium"
    cwe = (807, 565, 290, 347)
    owasp = "A01:2025"
    message = "{source} decides {decision}: the client sets it to anything"
    placeholders = {"source": "The cookie `is_admin`", "decision": "who is an administrator"}
    call_names = _DECODERS | {"get"} | LOOKUP_NAMES
    call_keywords = _PERSON_KEYWORDS
    what = (
        "{source} decides {decision}. Cookies, headers, form and query fields, and a token's payload decoded "
        "without checking its signature are all written by the client. In a handler that knows who is "
        "signed in, an owner field (`user_id`, `author_id`, `owner`) filled or filtered from request data "
        "lets the client pick whose records it reads or writes."
    )
    why = (
        'The attacker edits the value: `document.cookie = "is_admin=true"`, `curl -H "X-User-Id: 1"`, '
        '`-H "User-Agent: InternalMonitor"`, `-H "X-Forwarded-For: 10.0.0.1"`, a form field added in the '
        'browser\'s developer tools, or a JWT whose payload they re-encode with `"role": "admin"` (base64 is '
        "not a signature). They become any user, or an administrator, with no password."
    )
    how = (
        "Decide identity and privilege on the server from what the server signed or stored: the framework's "
        'session (`session["user_id"]`, `request.user`), a JWT checked with `jwt.decode(token, key, '
        "algorithms=[...])`, the role read from the database for that user. Trust forwarding headers only "
        "through a proxy configuration that sets them (`ProxyFix`, `SECURE_PROXY_SSL_HEADER`), never as a "
        "credential."
    )
    example = (
        '@app.get("/admin")\n@login_required\ndef admin_home():\n    if not current_user.is_admin:  # role stored in the database\n'
        "        abort(403)\n    ..."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/807.html",
        "https://cwe.mitre.org/data/definitions/565.html",
        "https://cwe.mitre.org/data/definitions/290.html",
        "https://owasp.org/Top10/2025/A01_2025-Broken_Access_Control/",
    )
    VALID = (
        # a signed-in page that asks for the name and password again: the credentials are checked
        (
            "from django.contrib.auth.decorators import login_required\n"
            "from django.http import HttpResponse\n@login_required\ndef confirm_identity(request):\n"
            "    name = request.POST.get('name')\n    password = request.POST.get('pass')\n"
            "    if Account.objects.filter(user=name, password_hash=digest(password)).exists():\n"
            "        return HttpResponse('confirmed')\n    return HttpResponse('no', status=403)\n"
        ),
        "from flask import session, abort\ndef admin():\n    if session.get('role') != 'admin':\n        abort(403)\n",
        "from flask import request\ndef theme():\n    return request.cookies.get('theme', 'light')\n",
        # the form names the record to act on, not who is asking
        "from flask import request\ndef transfer():\n    target = Account.query.get(request.form['account_id'])\n",
        "from flask import request\ndef log_agent():\n    logger.info('agent %s', request.headers.get('User-Agent'))\n",
        "import jwt\ndef claims(token):\n    return jwt.decode(token, KEY, algorithms=['HS256'])\n",
        # an administrator updating a user's role: a record update (mass assignment is TG120's)
        "from flask import request\ndef set_role(uid):\n    user = User.query.get(uid)\n    user.role = request.json['role']\n",
        # a header that is no credential, compared
        "from fastapi import FastAPI, Header\napp = FastAPI()\n@app.get('/')\ndef home(accept_language: str = Header('en')):\n"
        "    return {'fr': 1} if accept_language == 'fr' else {}\n",
        # the user agent picks a layout; the peer address is the connection's, not a header
        "from django.shortcuts import render\ndef home(request):\n    agent = request.META.get('HTTP_USER_AGENT', '')\n"
        "    if 'Mobile' in agent:\n        return render(request, 'home_mobile.html')\n    return render(request, 'home.html')\n",
        "from flask import request, abort\ndef internal():\n    peer = request.environ['REMOTE_ADDR']\n"
        "    if peer != '127.0.0.1':\n        abort(403)\n",
        # the forwarded address only changes what is logged
        "import logging\ndef audit(request):\n    ip = request.META.get('HTTP_X_FORWARDED_FOR', '')\n"
        "    if ip != '127.0.0.1':\n        logging.info('remote call from %s', ip)\n",
        # a cookie naming a saved cart, looked up by its own key
        "def cart(request):\n    items = CartItem.objects.filter(cart_key=request.COOKIES.get('cart'))\n"
        "    return render(request, 'cart.html', {'items': items})\n",
        # a display preference kept in a cookie, compared
        "def home(request):\n    theme = request.COOKIES.get('theme', 'light').split('-')[0]\n"
        "    if theme == 'dark':\n        return render(request, 'home_dark.html')\n    return render(request, 'home.html')\n",
        # display preferences decoded from a cookie decide nothing
        "import base64, json\ndef preferences(request):\n    raw = request.cookies.get('prefs', '')\n"
        "    prefs = json.loads(base64.b64decode(raw) or b'{}')\n    return prefs\n",
        # setting a cookie is not reading one
        "from flask import make_response\ndef login():\n    resp = make_response('ok')\n    resp.set_cookie('user_id', '1', httponly=True)\n",
        # the signed-in user's own account; the client names only the recipient
        "from flask import Flask, request, jsonify\nfrom flask_login import login_required, current_user\n"
        "app = Flask(__name__)\n@app.post('/api/transfer')\n@login_required\ndef transfer():\n"
        "    data = request.get_json()\n"
        "    sender = Account.query.filter_by(user_id=current_user.id).first_or_404()\n"
        "    receiver = Account.query.filter_by(number=data['to_account']).first_or_404()\n"
        "    sender.balance -= data['amount']\n    receiver.balance += data['amount']\n"
        "    db.session.commit()\n    return jsonify(balance=sender.balance)\n",
        # an administrator may list any user's orders
        "from fastapi import APIRouter, Depends\nrouter = APIRouter()\n@router.get('/admin/orders')\n"
        "def orders_of(user_id: int, admin: User = Depends(get_current_admin), db=Depends(get_db)):\n"
        "    return db.query(Order).filter(Order.user_id == user_id).all()\n",
        # sharing with a user the handler loaded: the row exists, chosen as the recipient
        "from flask import Flask, request\nfrom flask_login import login_required, current_user\n"
        "app = Flask(__name__)\n@app.post('/api/docs/<int:doc_id>/share')\n@login_required\n"
        "def share(doc_id):\n"
        "    doc = Document.query.filter_by(id=doc_id, owner_id=current_user.id).first_or_404()\n"
        "    target = User.query.get_or_404(request.json['user_id'])\n"
        "    db.session.add(Share(document_id=doc.id, user_id=target.id))\n    db.session.commit()\n",
        # nobody signs in: a public lookup by user id is no claim to be that user
        "from flask import Flask, request, jsonify\napp = Flask(__name__)\n@app.get('/api/posts')\n"
        "def posts_by():\n"
        "    return jsonify([p.to_dict() for p in Post.query.filter_by(author_id=request.args['author_id'])])\n",
        # a helper called with an owner keyword is not a record query: the helper is judged where it queries
        "from flask import Flask, request\nfrom flask_login import login_required\napp = Flask(__name__)\n"
        "@app.post('/api/reports')\n@login_required\ndef report():\n"
        "    audit.record(user_id=request.json['user_id'], action='report')\n",
        # the sender is the signed-in user; the client picks only the recipient
        "from flask import Flask, request\nfrom flask_login import login_required, current_user\n"
        "app = Flask(__name__)\n@app.post('/api/messages')\n@login_required\ndef send():\n"
        "    db.session.add(Message(sender_id=current_user.id, user_id=request.json['to'], body=request.json['body']))\n"
        "    db.session.commit()\n",
    )
    INVALID = (
        Invalid(
            "from flask import request, abort\ndef admin_panel():\n    if request.cookies.get('is_admin') != 'true':\n        abort(403)\n"
        ),
        Invalid(
            "from flask import request, g\ndef load_user():\n    user_id = request.cookies.get('user_id')\n"
            "    g.user = User.query.get(user_id)\n"
        ),
        Invalid(
            "from flask import request\ndef delete_all():\n    if request.form['is_admin'] == 'yes':\n        Post.query.delete()\n"
        ),
        Invalid(
            "from flask import request, session\ndef login():\n    session['role'] = request.form.get('role', 'user')\n"
        ),
        Invalid(
            "from fastapi import Request, HTTPException\nasync def internal(request: Request):\n"
            "    if request.headers.get('X-Forwarded-For') not in TRUSTED_IPS:\n        raise HTTPException(status_code=403)\n"
        ),
        Invalid(
            "from flask import request, abort\ndef metrics():\n    if request.headers.get('User-Agent') != 'InternalMonitor/1.0':\n        abort(403)\n"
        ),
        Invalid(
            "from fastapi import FastAPI, Header, HTTPException\napp = FastAPI()\n@app.get('/internal/stats')\n"
            "def stats(x_role: str = Header(default='user')):\n    if x_role != 'admin':\n        raise HTTPException(status_code=403)\n"
        ),
        Invalid(
            "def whoami(request):\n    username = request.META.get('HTTP_X_USERNAME')\n    return User.objects.get(username=username)\n"
        ),
        # the forwarded address, kept in a local, lets callers that claim to be local in
        Invalid(
            "from flask import request, abort, render_template\ndef internal_stats():\n"
            "    forwarded = request.headers.get('X-Forwarded-For', request.remote_addr)\n"
            "    client = forwarded.split(',')[0].strip()\n    if client == '127.0.0.1':\n"
            "        return render_template('stats.html', stats=load_stats())\n    abort(403)\n",
            message="The header `X-Forwarded-For` decides who may access this",
            at=(5, 8),
        ),
        Invalid(
            "from django.http import JsonResponse\ndef reports(request):\n"
            "    agent = request.META.get('HTTP_USER_AGENT', '')\n    if agent == 'ReportBot/2.0':\n"
            "        return JsonResponse({'reports': all_reports()})\n    return JsonResponse({}, status=403)\n",
        ),
        Invalid(
            "import base64, json\ndef current_role(token):\n"
            "    payload = json.loads(base64.urlsafe_b64decode(token.split('.')[1] + '=='))\n    return payload['role']\n"
        ),
        # the signed-in account loaded by the id a cookie names
        Invalid(
            "def dashboard(request):\n    account = Account.objects.filter(user_id=request.COOKIES['uid']).first()\n"
            "    return render(request, 'dashboard.html', {'account': account})\n",
            message="The cookie `uid` decides who the user is",
        ),
        # a plain "name|expiry" cookie whose first part is trusted as the role
        Invalid(
            "from django.http import HttpResponseForbidden\ndef audit_log(request):\n    ticket = request.COOKIES.get('ticket', '')\n"
            "    role = ticket.split('|')[0]\n    if role != 'admin':\n        return HttpResponseForbidden()\n"
            "    return render(request, 'audit.html', {'rows': AuditRow.objects.all()})\n",
            message="The cookie `ticket` decides what the caller may do",
        ),
        # the cookie kept in a local first, the decoded data taken for the session
        Invalid(
            "import base64, json\ndef load_session(request):\n    raw = request.cookies.get('app_session')\n"
            "    if not raw:\n        return {}\n    session = json.loads(base64.b64decode(raw))\n    return session\n",
            at=(6, 26),
        ),
        Invalid(
            "import base64, json\nfrom flask import request\ndef current_user():\n"
            "    data = json.loads(base64.b64decode(request.cookies['session_data']))\n    return data['user_id']\n"
        ),
        # a header parameter picks the user
        Invalid(
            "from fastapi import FastAPI, Header, Depends\napp = FastAPI()\n@app.get('/me')\n"
            "def read_me(x_user_id: int = Header(...), db=Depends(get_db)):\n    return db.get(User, x_user_id)\n"
        ),
        # a cookie parameter, declared with `Annotated`
        Invalid(
            "from typing import Annotated\nfrom fastapi import FastAPI, Cookie\napp = FastAPI()\n"
            "@app.get('/dashboard')\nasync def dashboard(user_id: Annotated[str, Cookie()]):\n"
            "    return await User.get(id=user_id)\n"
        ),
        # signed in, yet the body says whose account pays
        Invalid(
            "from flask import Flask, request, jsonify\nfrom flask_login import login_required\n"
            "app = Flask(__name__)\n@app.post('/api/transfer')\n@login_required\ndef transfer():\n"
            "    data = request.get_json()\n"
            "    sender = Account.query.filter_by(user_id=data['user_id']).first_or_404()\n"
            "    sender.balance -= data['amount']\n    db.session.commit()\n"
            "    return jsonify(balance=sender.balance)\n",
            message="whose records these are",
        ),
        # a post written in the name of whoever the form says
        Invalid(
            "from django.contrib.auth.decorators import login_required\nfrom django.shortcuts import redirect\n"
            "@login_required\ndef create_post(request):\n"
            "    Post.objects.create(title=request.POST['title'], author_id=request.POST['author_id'])\n"
            "    return redirect('posts')\n"
        ),
        # a query parameter filters the caller's own orders
        Invalid(
            "from fastapi import APIRouter, Depends\nrouter = APIRouter()\n@router.get('/my/orders')\n"
            "def my_orders(user_id: int, current_user: User = Depends(get_current_user), db=Depends(get_db)):\n"
            "    return db.query(Order).filter(Order.user_id == user_id).all()\n"
        ),
        # the parsed JSON body says who is an administrator
        Invalid(
            "from flask import Flask, request, jsonify\napp = Flask(__name__)\n@app.post('/api/settings')\n"
            "def update_settings():\n    data = request.get_json()\n    if not data.get('is_admin'):\n"
            "        return jsonify(error='forbidden'), 403\n    save_settings(data['settings'])\n"
        ),
    )

    def visit_Subscript(self, node: ast.Subscript, ctx) -> None:
        key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            self._judge(node, node.value, key.value, ctx)

    def visit_Call(self, node: ast.Call, ctx) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in _DECODERS:
            self._unsigned(node, ctx)
            return
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "get"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            self._judge(node, func.value, node.args[0].value, ctx)
        self._declared_identity(node, ctx)
        self._chosen_owner(node, ctx)

    def _declared_identity(self, call: ast.Call, ctx) -> None:
        """`db.get(User, x_user_id)` with `x_user_id: int = Header()`: a header or cookie picks the user."""
        key = record_key(call)
        while isinstance(key, ast.Call) and len(key.args) == 1:
            key = key.args[0]  # `int(user_id)`
        function = ctx.function
        if not isinstance(key, ast.Name) or function is None:
            return
        part = _declared_part(function, key.id)
        if part and set(words(key.id)) & _IDENTITY_WORDS:
            self._report(key, ctx, f"The {part} `{key.id}`", "who the user is")

    def _chosen_owner(self, call: ast.Call, ctx) -> None:
        """`filter_by(user_id=request.json["user_id"])` where the server knows who is signed in: the client
        picks whose records are read or written, and becomes that user."""
        pairs = [(f, v) for f, v in owner_values(call) if f.split("__")[0] in _PERSON_FIELDS]
        if not pairs:
            return
        found = enclosing_handler(ctx)
        if found is None or found.guards.authorization is not None:
            return  # an administrator may act for anyone; an ownership check ties the value to the caller
        users = found.guards.user_names
        if found.guards.authentication is None and not found.seen.reads_user(users):
            return
        if any(is_current_user(k.value, users) for k in call.keywords if k.arg is not None):
            return  # `Message(sender=current_user, user_id=data["to"])`: the client picks the other party
        if any(set(words(k.arg)) & PASSWORD_WORDS for k in call.keywords if k.arg is not None):
            return  # `filter(user=name, password=...)`: the client's credentials are checked, a sign-in
        for field, value in pairs:
            if is_current_user(value, users) or _looked_up(value, ctx):
                continue
            source = client_value(value, ctx, found)
            if source is not None:
                self._report(value, ctx, f"The client's `{field}` ({source.label})", "whose records these are")
                return

    def visit_Attribute(self, node: ast.Attribute, ctx) -> None:
        if node.attr in _SPOOFABLE_ATTRS and dotted_name(node.value) == "request" and _access_decision(node, ctx):
            self._report(node, ctx, f"`request.{node.attr}`", "who may access this")

    def visit_Compare(self, node: ast.Compare, ctx) -> None:
        """FastAPI `x_role: str = Header()` / `user_id: int = Cookie()` compared: the client's value decides."""
        function = ctx.function
        if function is not None:
            self._spoofed_local(node, ctx)
        if function is None or not function.args.defaults and not any(function.args.kw_defaults):
            return
        for side in (node.left, *node.comparators):
            part = _declared_part(function, side.id) if isinstance(side, ast.Name) else None
            said = set(words(side.id)) if part else set()
            if said & _PRIVILEGE_WORDS:
                self._report(side, ctx, f"The {part} `{side.id}`", "what the caller may do")
            elif said & _IDENTITY_WORDS and not said & {"agent"}:
                self._report(side, ctx, f"The {part} `{side.id}`", "who the user is")

    def _spoofed_local(self, node: ast.Compare, ctx) -> None:
        """`ip = request.META.get("HTTP_X_FORWARDED_FOR").split(",")[0]` ... `if ip == "127.0.0.1":`: a
        forgeable header, kept in a local, tested against the values that unlock something."""
        if len(node.ops) != 1 or not _in_if_test(node, ctx):
            return
        subject, other = node.left, node.comparators[0]
        if isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
            if isinstance(subject, ast.Constant):
                subject, other = other, subject
            chosen = isinstance(other, ast.Constant) and isinstance(other.value, str)
        elif isinstance(node.ops[0], (ast.In, ast.NotIn)):
            listed = isinstance(other, (ast.Name, ast.Tuple, ast.List, ast.Set))
            chosen = listed and not isinstance(subject, ast.Constant)
        else:
            return
        if not chosen or any(_client_part(sub) for sub in ast.walk(subject) if isinstance(sub, ast.Attribute)):
            return  # a read compared where it is made is judged with its key (`_judge`)
        origin = _client_origin(subject, ctx)
        if origin is None:
            return
        part, key = origin
        if part == "header" and _spoofable_key(key):
            self._report(node, ctx, f"The header `{key}`", "who may access this")
        elif isinstance(other, ast.Constant) and set(words(str(other.value))) & _PRIVILEGED_VALUES:
            # `role = request.COOKIES["session"].split("|")[0]` ... `if role == "admin":`
            self._report(node, ctx, f"The {part} `{key}`", "what the caller may do")

    def _judge(self, read: ast.AST, container: ast.AST, key: str, ctx) -> None:
        part = _client_part(container, ctx)
        if part is None:
            return
        said = set(words(key.lower().removeprefix("http_")))
        source = f"The {part} `{key}`"
        if said & _PRIVILEGE_WORDS and _decides(read, ctx):
            self._report(read, ctx, source, "what the caller may do")
        elif part == "cookie" or part == "header":
            if said & _IDENTITY_WORDS and not said & {"agent"} and _decides(read, ctx, identity=True):
                self._report(read, ctx, source, "who the user is")
            elif (
                part == "header"
                and key.lower().replace("_", "-").removeprefix("http-") in _SPOOFABLE_HEADERS
                and _access_decision(read, ctx)
            ):
                self._report(read, ctx, source, "who may access this")

    def _unsigned(self, node: ast.Call, ctx) -> None:
        """`b64decode(token.split(".")[1])`, `b64decode(request.cookies[...])`: a payload trusted unsigned."""
        arg = node.args[0] if node.args else None
        if arg is None:
            return
        jwt_part = any(
            isinstance(sub, ast.Subscript)
            and isinstance(sub.value, ast.Call)
            and isinstance(sub.value.func, ast.Attribute)
            and sub.value.func.attr == "split"
            and sub.value.args
            and isinstance(sub.value.args[0], ast.Constant)
            and sub.value.args[0].value == "."
            for sub in ast.walk(arg)
        )
        cookie = _client_sent(arg, ctx)
        if jwt_part:
            self._report(node, ctx, "A JWT payload decoded by hand, its signature never checked,", "the claims")
        elif cookie and (_identity_used(node, ctx) or _session_bound(node, ctx)):
            self._report(node, ctx, "Client data decoded from base64 without a signature", "who the user is")

    def _report(self, node: ast.AST, ctx, source: str, decision: str) -> None:
        ctx.report(self, node, details={"source": source, "decision": decision})


def _client_part(container: ast.AST, ctx=None) -> Optional[str]:
    """`request.cookies` -> "cookie"; `request.META` -> "header"; `request.get_json()`, or a local bound
    to it (`data = request.get_json()`, with `ctx`) -> "JSON field"; else None."""
    if isinstance(container, ast.Await):
        container = container.value
    if isinstance(container, ast.Call) and isinstance(container.func, ast.Attribute):
        return (
            "JSON field" if container.func.attr in ("get_json", "json") and _is_request(container.func.value) else None
        )
    if isinstance(container, ast.Name) and ctx is not None:
        values = ctx.model.values(container) or ()
        parts = {_client_part(v) for v in values if not isinstance(v, ast.Name)}
        return parts.pop() if len(parts) == 1 else None
    if isinstance(container, ast.Attribute) and container.attr in _CLIENT_PARTS:
        root = dotted_name(container.value) or ""
        if _is_request(container.value) or root == "info.context":  # graphene's resolve info: the request
            return _CLIENT_PARTS[container.attr]
    return None


def _is_request(expr: ast.AST) -> bool:
    root = dotted_name(expr) or ""
    return root.split(".")[-1] in ("request", "req", "self.request", "r") or root.endswith("request")


def _looked_up(value: ast.AST, ctx) -> bool:
    """`target.id` where `target` is a record the handler loaded: the row exists, picked for a reason the
    handler judges (sharing with another user), not a claim to be someone."""
    if not (isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name)):
        return False
    return any(isinstance(v, (ast.Call, ast.Await)) for v in ctx.model.values(value.value) or ())


def _declared_part(function: ast.AST, name: str) -> Optional[str]:
    """ "header" / "cookie" when `name` is a parameter filled from one (`= Header(...)`, `= Cookie(...)`)."""
    args = function.args
    positional = [*args.posonlyargs, *args.args]
    pairs = list(zip(positional[len(positional) - len(args.defaults) :], args.defaults)) + list(
        zip(args.kwonlyargs, args.kw_defaults)
    )
    for arg, default in pairs:
        if arg.arg == name and isinstance(default, ast.Call):
            callee = (dotted_name(default.func) or "").rpartition(".")[2]
            return {"Header": "header", "Cookie": "cookie"}.get(callee)
    for arg in (*positional, *args.kwonlyargs):
        # `x_user_id: Annotated[int, Header()]`
        if arg.arg == name and isinstance(arg.annotation, ast.Subscript):
            for sub in ast.walk(arg.annotation.slice):
                if isinstance(sub, ast.Call):
                    part = {"Header": "header", "Cookie": "cookie"}.get(
                        (dotted_name(sub.func) or "").rpartition(".")[2]
                    )
                    if part:
                        return part
    return None


def _decides(node: ast.AST, ctx, identity: bool = False) -> bool:
    """The value is tested, or bound to a name that the code goes on to trust (`user_id = ...`); with
    `identity`, also the user a lookup loads by it (`Account.objects.get(user_id=<cookie>)`)."""
    parent = ctx.parent(node)
    while parent is not None and not isinstance(parent, ast.stmt):
        if identity and isinstance(parent, ast.keyword) and set(words(parent.arg or "")) & _IDENTITY_WORDS:
            return True
        if (
            isinstance(parent, (ast.Compare, ast.BoolOp, ast.IfExp))
            or isinstance(parent, ast.UnaryOp)
            and isinstance(parent.op, ast.Not)
        ):
            return True
        if isinstance(parent, ast.Call) and dotted_name(parent.func) not in ("int", "str", "bool", "UUID"):
            return False  # handed to a function (logging, a model): judged elsewhere
        parent = ctx.parent(parent)
    if isinstance(parent, (ast.If, ast.While, ast.Assert)):
        return True
    if isinstance(parent, (ast.Assign, ast.AnnAssign)):
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        return any(set(words(_trusted_name(t))) & (_PRIVILEGE_WORDS | _IDENTITY_WORDS) for t in targets)
    return isinstance(parent, ast.Return)


def _trusted_name(target: ast.AST) -> str:
    """What an assignment makes the value: a local (`user_id`), `g.user`, `session["role"]`. A record's
    field (`user.role = ...`) is an update of that record, judged by the mass-assignment rule."""
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute) and dotted_name(target.value) == "g":
        return target.attr
    if isinstance(target, ast.Subscript) and dotted_name(target.value) in ("session", "request.session"):
        key = target.slice
        return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else ""
    return ""


def _access_decision(node: ast.AST, ctx) -> bool:
    """Compared inside an `if` that denies access (abort, raise, 401/403)."""
    parent = ctx.parent(node)
    compared = False
    while parent is not None and not isinstance(parent, ast.stmt):
        compared = compared or isinstance(parent, ast.Compare)
        parent = ctx.parent(parent)
    if not compared or not isinstance(parent, ast.If):
        return False
    for sub in ast.walk(ast.Module(body=parent.body + parent.orelse, type_ignores=[])):
        if isinstance(sub, ast.Raise):
            return True
        if isinstance(sub, ast.Call) and (dotted_name(sub.func) or "").rpartition(".")[2] in _DENIALS:
            return True
        if isinstance(sub, ast.Constant) and sub.value in (401, 403):
            return True
    return False


def _identity_used(node: ast.AST, ctx) -> bool:
    """The decoded data is read for a user, role or permission in the same function."""
    function = ctx.function
    if function is None:
        return False
    for sub in ast.walk(function):
        if isinstance(sub, ast.Subscript) and isinstance(sub.slice, ast.Constant) and isinstance(sub.slice.value, str):
            if set(words(sub.slice.value)) & (_IDENTITY_WORDS | _PRIVILEGE_WORDS):
                return True
    return False


def _in_if_test(node: ast.AST, ctx) -> bool:
    """`node` is (part of) the test of an `if` statement that decides what the caller gets: one of its
    branches returns, raises or aborts (an `if` that only picks what to log decides nothing)."""
    child, parent = node, ctx.parent(node)
    while isinstance(parent, (ast.BoolOp, ast.UnaryOp)):
        child, parent = parent, ctx.parent(parent)
    if not (isinstance(parent, ast.If) and parent.test is child):
        return False
    branches = ast.Module(body=parent.body + parent.orelse, type_ignores=[])
    return any(
        isinstance(sub, (ast.Return, ast.Raise))
        or (isinstance(sub, ast.Call) and (dotted_name(sub.func) or "").rpartition(".")[2] in _DENIALS)
        for sub in ast.walk(branches)
    )


def _client_origin(expr: ast.AST, ctx, depth: int = 0) -> Optional[tuple[str, str]]:
    """(part, key) of the cookie or header a value was read from (`("header", "X-Forwarded-For")`),
    through locals and the string methods that pick a part of it (`.split(",")[0]`, `.strip()`)."""
    if depth > 8:
        return None
    if isinstance(expr, ast.Name):
        values = ctx.model.each_value(expr) or ()
        return next(filter(None, (_client_origin(v, ctx, depth + 1) for v in values)), None)
    key: Optional[ast.AST] = None
    if isinstance(expr, ast.Subscript):
        container, key = expr.value, expr.slice
    elif isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
        container = expr.func.value
        if expr.func.attr == "get" and expr.args:
            key = expr.args[0]
        elif expr.func.attr in ("split", "rsplit", "strip", "lower", "partition", "rpartition"):
            return _client_origin(container, ctx, depth + 1)
    else:
        return None
    part = _client_part(container)
    if part in ("cookie", "header") and isinstance(key, ast.Constant) and isinstance(key.value, str):
        return part, key.value
    return _client_origin(container, ctx, depth + 1) if isinstance(expr, ast.Subscript) else None


def _spoofable_key(key: str) -> Optional[str]:
    name = key.lower().replace("_", "-").removeprefix("http-")
    return key if name in _SPOOFABLE_HEADERS and name != "host" else None


def _client_sent(expr: ast.AST, ctx, depth: int = 0) -> bool:
    """A cookie or header read is in `expr`, or in what a local it uses was bound to
    (`cookie = request.cookies.get("session")` ... `b64decode(cookie)`)."""
    for sub in ast.walk(expr):
        if isinstance(sub, ast.Attribute) and _client_part(sub) in ("cookie", "header"):
            return True
        if isinstance(sub, ast.Name) and depth < 2 and ctx.function is not None:
            if any(_client_sent(v, ctx, depth + 1) for v in ctx.model.each_value(sub) or ()):
                return True
    return False


def _session_bound(node: ast.AST, ctx) -> bool:
    """The decoded data is what the code takes for the session or the user: the statement binds it to
    a name that says so (`session = json.loads(b64decode(cookie))`, `username = ...split(":")[0]`)."""
    parent = ctx.parent(node)
    while parent is not None and not isinstance(parent, ast.stmt):
        parent = ctx.parent(parent)
    if not isinstance(parent, ast.Assign):
        return False
    said = {w for t in parent.targets if isinstance(t, ast.Name) for w in words(t.id)}
    return bool(said & (_IDENTITY_WORDS | _PRIVILEGE_WORDS | {"session"}))
