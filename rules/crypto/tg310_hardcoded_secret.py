"""TG310: a credential written into the source: provider keys, private keys, passwords, signing keys."""

from __future__ import annotations

import ast
import re
from typing import Optional

import libcst as cst

from tabguard.engine.fixes import expression_fix
from tabguard.engine.rule import Invalid, Rule, Valid
from tabguard.guards import words
from tabguard.rules.crypto._literals import fixed_value
from tabguard.rules.crypto._names import binding_name, expression_name, secret_kind
from tabguard.rules.crypto._secrets import (
    is_placeholder,
    is_private_name,
    is_template,
    known_format,
    looks_like_secret,
    random_key,
    signing_key_name,
)

# Parameters that are a signing or encryption key whatever the argument is called.
_KEY_SINKS = {
    "jwt.encode": (1, "key"),
    "jwt.decode": (1, "key"),
    "hmac.new": (0, "key"),
    "hmac.digest": (0, "key"),
    "itsdangerous.URLSafeTimedSerializer": (0, "secret_key"),
    "itsdangerous.URLSafeSerializer": (0, "secret_key"),
    "itsdangerous.TimestampSigner": (0, "secret_key"),
    "itsdangerous.Signer": (0, "secret_key"),
    "cryptography.fernet.Fernet": (0, "key"),
}
_ENV_LOOKUPS = frozenset({"os.environ.get", "os.getenv", "os.environ.setdefault"})
# Database drivers: a password written into the connect call is a credential however weak it looks.
_CONNECTS = frozenset({"connect", "create_pool", "Connection", "MongoClient", "Redis", "StrictRedis"})
_PASSWORD_KEYWORDS = frozenset({"password", "passwd", "pwd"})
# `postgresql://app:@db.example.com/shop`: a user named, its password left empty.
_EMPTY_PASSWORD_URL = re.compile(r"[a-z][a-z0-9+.\-]*://[^\s:/@]+:@[^\s/@]")
# `update_password`, `change_password`: a setting about what to do with the password, not the password.
_OPTION_VERBS = frozenset(
    {
        "update",
        "change",
        "set",
        "require",
        "force",
        "expire",
        "show",
        "hide",
        "remember",
        "save",
        "allow",
        "enable",
        "disable",
        "skip",
        "use",
        "prompt",
        "ask",
    }
)
# Test code holds throwaway credentials, and key pairs and tokens it generated for itself; a provider's
# key format is issued by the provider, so a match is a real account's key wherever it is committed.
_FIXTURE_FORMATS = frozenset({"private key", "JSON Web Token"})


class HardcodedSecret(Rule):
    id = "TG310"
    name = "hardcoded-secret"
    severity = "high"
    confidence = "medium"
    cwe = (798, 259, 258)
    owasp = "A07:2025"
    message = "Hardcoded {kind} `{name}`; load it from the environment or a secret manager"
    placeholders = {"kind": "secret", "name": "SECRET_KEY"}
    aliases = ("B105", "B106", "B107", "S105", "S106", "S107")
    call_names = frozenset(name.rpartition(".")[2] for name in _KEY_SINKS) | _CONNECTS
    what = (
        "Writes a {kind} (`{name}`) as a literal in the source code. A key that signs this application's "
        'own sessions or tokens is reported even when it reads like a placeholder (`"dev-secret-change-me"`, '
        '`"django-insecure-..."`, an environment lookup\'s fallback): the application runs with it as written. '
        "The placeholder exemption is kept for credentials of outside services, which cannot work as written. "
        "Test code (test modules and test trees) is not checked: its passwords, keys and key pairs are fixtures; "
        "a provider's key format (AWS, GitHub, Stripe live, ...) is reported there too, as a real account's key. "
        'An empty database password (`password=""` in a connect call, `"PASSWORD": ""` beside a `USER` in '
        "Django's `DATABASES`, `postgresql://app:@host/db`) is reported as well: anyone who reaches the "
        "server logs in as that user."
    )
    why = (
        "Source code is copied far more widely than secrets should be: every clone, CI log, wheel, "
        "container image and code-search index carries it, and git history keeps it after it is "
        "deleted. Bots scan public pushes for provider key formats and use AWS or Stripe keys within "
        "minutes. A hardcoded Flask or Django `SECRET_KEY` or JWT key lets anyone who reads the code "
        'forge session cookies and tokens and log in as any user: with `app.secret_key = "super-secret-key-123"` '
        'an attacker signs `{{"user_id": 1}}` with `itsdangerous` and is the administrator. Placeholder keys are '
        'the worst case: `"changeme"` and `"dev"` are the first values tried.'
    )
    how = (
        'Read the value at runtime (`os.environ["SECRET_KEY"]`, a secret manager, a mounted file) and '
        "keep it out of version control (`.env` in `.gitignore`). Rotate any credential that was ever "
        "committed: removing it from the code does not remove it from history. Give a signing key no "
        'fallback (`os.environ.get("SECRET_KEY", "dev")` signs with `"dev"` whenever the variable is '
        'missing): fail at start-up instead. Generate one with `python -c "import secrets; print(secrets.token_hex(32))"`.'
    )
    example = (
        'import os\n\nSECRET_KEY = os.environ["SECRET_KEY"]\n'
        'stripe.api_key = os.environ["STRIPE_API_KEY"]\n'
        'token = jwt.encode(claims, os.environ["JWT_SIGNING_KEY"], algorithm="HS256")'
    )
    fix_safety = (
        "Unsafe: the rewrite reads the value from an environment variable named after the setting (for "
        "a value in a dict, after the keys that lead to it: `DATABASES_DEFAULT_PASSWORD`); "
        "the program now fails at start-up until that variable is set (move the old value there, and "
        "rotate it)."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/798.html",
        "https://cwe.mitre.org/data/definitions/321.html",
        "https://cwe.mitre.org/data/definitions/258.html",
        "https://owasp.org/Top10/2025/A07_2025-Authentication_Failures/",
        "https://docs.github.com/en/code-security/secret-scanning/introduction/supported-secret-scanning-patterns",
    )
    VALID = (
        "import os\nSECRET_KEY = os.environ['SECRET_KEY']\n",
        "import os\nAPI_KEY = os.getenv('API_KEY')\n",
        "PASSWORD_FIELD = 'password'\n",
        "password = ''\n",
        "api_key = '<your-api-key>'\n",
        "SECRET_KEY = '${SECRET_KEY}'\n",
        "db_password = 'changeme'\n",
        "TOKEN_URL = 'https://oauth2.googleapis.com/token'\n",
        "max_tokens = '4096'\n",
        "aws_key = 'AKIAIOSFODNN7EXAMPLE'\n",
        "def login(password=None):\n    pass\n",
        # test code (engine/testcode.py): a fixture's credentials and the key pairs it signs with
        Valid("PASSWORD = 'hunter22'\n", path="tests/test_login.py"),
        Valid(
            "def login(client):\n    password = 'correct-horse-42'\n    client.login(password=password)\n",
            path="tests/conftest.py",
        ),
        "def test_login(client):\n    password = 'correct-horse-42'\n    client.login(password=password)\n",
        Valid(
            "KEY = '''-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----'''\n",
            path="test_sign.py",
        ),
        "import jwt\ndef make(claims, key):\n    return jwt.encode(claims, key, algorithm='HS256')\n",
        "auth_header = 'Authorization'\n",
        # outside services' placeholders cannot work as written
        "STRIPE_API_KEY = 'sk_test_changeme'\nclient_secret = 'your-client-secret'\n",
        "import os\nGITHUB_TOKEN = os.environ.get('GITHUB_TOKEN', 'changeme')\n",
        "client = PartnerClient(client_id='demo', secret='changeme')\n",
        # a template filled in at deploy time, and a key read with no fallback
        "import os\napp.config['SECRET_KEY'] = os.environ['SECRET_KEY']\nJWT_SECRET = '${JWT_SECRET}'\n",
        # the key defined once is reported there, not at its uses (see INVALID)
        "import jwt\nfrom settings import JWT_SECRET\ndef issue(uid):\n    return jwt.encode({'sub': uid}, JWT_SECRET, algorithm='HS256')\n",
        "import psycopg2\nimport os\nconn = psycopg2.connect(host='db', password=os.environ['PGPASSWORD'])\n",
        # comparisons that hold no credential: a setting about the password, a mode compared with
        # several values, a test's expectation
        "def sync(user, wanted):\n    if wanted.update_password == 'always':\n        user.set_password(wanted.password)\n",
        "def step(token, out):\n    if token == 'open-group':\n        out.push()\n    elif token == 'close-group':\n        out.pop()\n",
        "def check(session):\n    assert session.shard_token == 'eu-west'\n",
        # where a value is kept (a session entry's private name), a sentinel word
        "SESSION_KEY = '_auth_user_id'\nCSRF_SESSION_KEY = '_csrftoken'\n",
        "def render(csrf_token):\n    if csrf_token == 'NOTPROVIDED':\n        return ''\n",
        # A value made only of example words is no credential, compared or not.
        "def login(password):\n    if password == 'your-secret-password':\n        raise ValueError('set a password')\n",
        # a parameter's default that names what the parameter marks (a template's placeholder word)
        "def render(script, upgrade_token='upgrades', downgrade_token='downgrades'):\n    pass\n",
        # the user part of a URL's `user:password@` (no `:`, no password), and a table of argument names
        "def redact(netloc):\n    user_pass, host = netloc.split('@', 1)\n    if user_pass == 'git':\n        return netloc\n"
        "    return host\n",
        "def connect_args(url):\n    names = dict(database='db', username='user', password='passwd')\n"
        "    return url.translate(**names)\n",
        "def weak(password):\n    if password == 'password':\n        raise ValueError('choose another password')\n",
        "def pick(field, kind):\n    return field == 'name' and kind == 'password'\n",
        "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': 'dev.db', 'USER': '', 'PASSWORD': ''}}\n",
        "import os\nDATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql', 'USER': 'shop',\n"
        "    'PASSWORD': os.environ['DB_PASSWORD']}}\n",
        "SQLALCHEMY_DATABASE_URI = 'postgresql://shop@db.internal/shop'\n",
        "DOCS = 'see https://user:password@host for the format'\n",
        "RECAPTCHA_SITE_KEY = '6Lc9vQ2pAAAAAHx7Rk3mNw8TzB4yUe1sDf5gJh'\n",
        "PUBLIC_KEY = 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE7hKp2Lw'\n",
        "def cache_entry(user_id):\n    key = 'profile-summary-v2'\n    return key, user_id\n",
    )
    INVALID = (
        # A settings dict: the variable is named by the keys that lead to the value.
        Invalid(
            'DATABASES = {\n    "default": {\n        "ENGINE": "django.db.backends.postgresql",\n'
            '        "PASSWORD": "Sup3rS3cret!",\n    }\n}\n',
            'import os\nDATABASES = {\n    "default": {\n        "ENGINE": "django.db.backends.postgresql",\n'
            '        "PASSWORD": os.environ["DATABASES_DEFAULT_PASSWORD"],\n    }\n}\n',
        ),
        Invalid(
            "from lms import Client\ndef courses(course_id):\n    key = 'Rw7Kp2Xm9QzT4vLb8NcY3hJd6FsA1gUe5WoZ0iPq'\n"
            "    return Client('https://lms.example.edu', key).course(course_id)\n",
            "import os\nfrom lms import Client\ndef courses(course_id):\n    key = os.environ['KEY']\n"
            "    return Client('https://lms.example.edu', key).course(course_id)\n",
            message="access key",
        ),
        Invalid(
            "DATABASES = {\n    'default': {\n        'ENGINE': 'django.db.backends.postgresql',\n        'NAME': 'shop',\n"
            "        'USER': 'shop_app',\n        'PASSWORD': '',\n        'HOST': 'db.internal',\n    }\n}\n",
            message="empty database password",
        ),
        Invalid(
            "def configure_app(app):\n    app.config['SQLALCHEMY_DATABASE_URI'] = 'postgresql://reporting:@analytics.internal/metrics'\n"
        ),
        Invalid(
            "from sqlalchemy import create_engine\nengine = create_engine('mysql+pymysql://root:@localhost:3306/app')\n"
        ),
        # A built-in account: its password is hardcoded whatever word it is.
        Invalid(
            "from flask import request\ndef login():\n"
            "    if request.form['username'] == 'admin' and request.form['password'] == 'password':\n        return 'ok'\n",
            message="Hardcoded password",
        ),
        Invalid("def check(user, pw):\n    return user == 'root' and pw == 'secret'\n"),
        Invalid(
            'GEOCODER_KEY = "Hq4Zt9Lw2Vx7Rk3Mn8Pb5Jc1Yd6Fs0"\n',
            'import os\nGEOCODER_KEY = os.environ["GEOCODER_KEY"]\n',
        ),
        Invalid("weather = WeatherClient(key='T3vLq8Wz1Xk6Rn4Bp9Mc2Hy7Jd5Gs0')\n"),
        Invalid(
            "API_TOKEN = 'ghp_4f9Kx2LmQ8rT1vZ7wY3nB6cD0eH5jA'\n", "import os\nAPI_TOKEN = os.environ['API_TOKEN']\n"
        ),
        Invalid(
            "SECRET_KEY = 'django-insecure-8f$k2!x@q9z#m1v&w7r^t4y'\n",
            "import os\nSECRET_KEY = os.environ['SECRET_KEY']\n",
        ),
        Invalid(
            "import os\napp.config['SECRET_KEY'] = 'a8Fj3kL0qP2xZ9wE'\n",
            "import os\napp.config['SECRET_KEY'] = os.environ['SECRET_KEY']\n",
        ),
        Invalid(
            "client = boto3.client('s3', aws_access_key_id='AKIAQX3T7RZN4KDM2WPL', aws_secret_access_key=key)\n",
            "import os\n"
            "client = boto3.client('s3', aws_access_key_id=os.environ['AWS_ACCESS_KEY_ID'], aws_secret_access_key=key)\n",
        ),
        Invalid("def connect(host, password='Adm1n!2024'):\n    pass\n"),
        Invalid("def render(script, upgrade_token='upgr4desK9x2'):\n    pass\n"),
        Invalid("conn = psycopg2.connect(host='db', user='app', password='s3cr3tP@ss')\n"),
        Invalid("import jwt\ntoken = jwt.encode({'sub': user_id}, 'secret', algorithm='HS256')\n"),
        Invalid("def check(password):\n    return password == 'letmein42'\n"),
        Invalid(
            "import os\nSTRIPE_KEY = os.environ.get('STRIPE_KEY', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc')\n",
            "import os\nSTRIPE_KEY = os.environ['STRIPE_KEY']\n",
        ),
        Invalid("KEY = '''-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----'''\n"),
        # a provider's key is a real account's key, in test code too
        Invalid(
            "GITHUB_TOKEN = 'ghp_4f9Kx2LmQ8rT1vZ7wY3nB6cD0eH5jAabcdef'\n",
            "import os\nGITHUB_TOKEN = os.environ['GITHUB_TOKEN']\n",
            path="tests/test_api.py",
        ),
        Invalid(
            "settings = {'api_key': 'f3a9c2e1b7d84f6a9c0e2b4d6f8a1c3e'}\n",
            "import os\nsettings = {'api_key': os.environ['SETTINGS_API_KEY']}\n",
        ),
        # signing keys that look like placeholders: the application runs with them
        Invalid(
            "from flask import Flask\napp = Flask(__name__)\napp.secret_key = 'super-secret-key-123'\n",
            "import os\nfrom flask import Flask\napp = Flask(__name__)\napp.secret_key = os.environ['SECRET_KEY']\n",
        ),
        Invalid(
            "app.config['SECRET_KEY'] = 'dev-secret-change-me'\n",
            "import os\napp.config['SECRET_KEY'] = os.environ['SECRET_KEY']\n",
        ),
        Invalid(
            "SECRET_KEY = 'django-insecure-this-key-is-for-demonstration-only'\n",
            "import os\nSECRET_KEY = os.environ['SECRET_KEY']\n",
            path="mysite/settings.py",
        ),
        Invalid(
            "import os\nSECRET_KEY = os.environ.get('SECRET_KEY', 'dev')\n",
            "import os\nSECRET_KEY = os.environ['SECRET_KEY']\n",
        ),
        Invalid(
            "import os\napp.config.from_mapping(SECRET_KEY=os.getenv('FLASK_SECRET', 'changeme'))\n",
            "import os\napp.config.from_mapping(SECRET_KEY=os.environ['FLASK_SECRET'])\n",
        ),
        Invalid(
            "app.secret_key = b'_5#y2L\"F4Q8z\\n\\xec]/'\n", "import os\napp.secret_key = os.environ['SECRET_KEY']\n"
        ),
        # reported once, at the definition, however often the key is used
        Invalid(
            "import jwt, hmac\ndef sign(claims, body):\n    key = 'k3y-0f-th3-d4y'\n"
            "    mac = hmac.new(key.encode(), body, 'sha256').hexdigest()\n    return jwt.encode(claims, key, algorithm='HS256'), mac\n"
        ),
        Invalid(
            "import jwt\nJWT_SECRET = 'changeme'\n"
            "def issue(uid):\n    return jwt.encode({'sub': uid}, JWT_SECRET, algorithm='HS256')\n"
            "def read(token):\n    return jwt.decode(token, JWT_SECRET, algorithms=['HS256'])\n",
            "import os\nimport jwt\nJWT_SECRET = os.environ['JWT_SECRET']\n"
            "def issue(uid):\n    return jwt.encode({'sub': uid}, JWT_SECRET, algorithm='HS256')\n"
            "def read(token):\n    return jwt.decode(token, JWT_SECRET, algorithms=['HS256'])\n",
        ),
        # a database password that is a common word, or empty
        Invalid("import psycopg2\nconn = psycopg2.connect(host='db', user='postgres', password='postgres')\n"),
        Invalid("import pymysql\ndb = pymysql.connect(host='localhost', user='root', password='')\n"),
        # a URL's credentials compared with a user and password written in the code
        Invalid(
            "def trusted(netloc):\n    user_pass, host = netloc.split('@', 1)\n    return user_pass == 'deploy:Pa55w0rd!'\n"
        ),
        Invalid("def admin(password):\n    return password == 'hunter2'\n"),
        Invalid(
            "log_in(server, {'user': 'ops', 'password': 'pass'})\n",
            "import os\nlog_in(server, {'user': 'ops', 'password': os.environ['PASSWORD']})\n",
        ),  # a weak password, not a field's name
        # a login that compares the submitted credentials with literals
        Invalid(
            "from flask import request\ndef login():\n"
            "    if request.form['username'] == 'admin' and request.form['password'] == 'admin123':\n        return 'ok'\n"
        ),
        # The password a login checks against: a credential word in it is part of the password.
        Invalid(
            "from flask import request\ndef login():\n    password = request.form['password']\n"
            "    if password == 'SuperSecret123!':\n        return 'welcome'\n",
            message="Hardcoded password",
        ),
    )

    def visit_Constant(self, node: ast.Constant, ctx) -> None:
        value = node.value
        if isinstance(value, bytes):
            value = value.decode("latin-1")  # `app.secret_key = b"..."`, as Flask's own docs write it
        elif not isinstance(value, str) or not value:
            return
        parent = ctx.parent(node)
        if isinstance(parent, ast.Expr) or _is_sink_argument(ctx, parent, node):
            return  # docstrings; key sinks are reported by visit_Call
        if isinstance(node.value, str):
            label = known_format(value)
            if label is not None:
                if not (label in _FIXTURE_FORMATS and _in_test_code(ctx)):
                    bound = _bound_name(ctx, node)
                    fix = _environment_fix(ctx, node, parent, bound, any_keyword=True)
                    ctx.report(self, node, details={"kind": label, "name": bound or label}, fix=fix)
                return
        if _in_test_code(ctx):
            return
        if isinstance(node.value, str) and _EMPTY_PASSWORD_URL.match(value):
            ctx.report(self, node, details={"kind": "empty database password", "name": "database URL"})
            return
        name = _bound_name(ctx, node)
        # A bare `secret=` keyword is as often an outside service's credential as a signing key.
        signing = not (isinstance(parent, ast.keyword) and words(name or "") == ["secret"])
        kind = (
            _literal_kind(name, node.value, signing, compared=isinstance(parent, ast.Compare))
            or (secret_kind(name) == "password" and _connect_password(ctx, parent) and "password")
            or (isinstance(node.value, str) and random_key(name, node.value) and "access key")
            or (secret_kind(name) == "password" and _paired_with_user(ctx, parent) and "password")
        )
        # Only a secret-looking literal pays for the comparison check, which scans the whole block.
        if kind and not (isinstance(parent, ast.Compare) and not _secret_comparison(ctx, parent, node, name)):
            ctx.report(self, node, details={"kind": kind, "name": name}, fix=_environment_fix(ctx, node, parent, name))

    def visit_Call(self, node: ast.Call, ctx) -> None:
        name = ctx.call_name(node) or ""
        where = _KEY_SINKS.get(name)
        if where is None:
            self._empty_password(node, name, ctx)
            return
        key = ctx.argument(node, *where)
        if key is None or not fixed_value(ctx, key) or _in_test_code(ctx):
            return
        if isinstance(key, ast.Constant) and not key.value:
            return
        name = expression_name(key) or ctx.segment(ctx.span(key))
        if isinstance(key, ast.Call) and isinstance(key.func, ast.Attribute) and key.func.attr == "encode":
            key = key.func.value  # `key.encode()`: the literal is where `key` was bound
        if isinstance(key, ast.Name):
            name = key.id
            # Reported at the definition, where the fix goes, once however many calls use it.
            values = ctx.model.values(key)
            if values is None and _literal_kind(key.id, ctx.constant_value(key)):
                return  # a module constant, reported where it is defined (visit_Constant)
            if signing_key_name(key.id) and (values is None or _literals(values)):
                return  # visit_Constant reports the literal bound to a signing key's name
            if values and _literals(values):
                reported = ctx.memo("TG310-definitions", set)
                if id(values[0]) not in reported:
                    reported.add(id(values[0]))
                    ctx.report(self, values[0], details={"kind": "signing key", "name": name})
                return
        ctx.report(self, key, details={"kind": "signing key", "name": name})

    def visit_Dict(self, node: ast.Dict, ctx) -> None:
        """Django's `DATABASES = {"default": {..., "USER": "app", "PASSWORD": ""}}` for a server database."""
        entries = {k.value: v for k, v in zip(node.keys, node.values) if isinstance(k, ast.Constant)}
        password, user, engine = (entries.get(key) for key in ("PASSWORD", "USER", "ENGINE"))
        if not (isinstance(password, ast.Constant) and password.value == "" and isinstance(user, ast.Constant)):
            return
        server = not isinstance(engine, ast.Constant) or "sqlite" not in str(engine.value)  # sqlite has no login
        if user.value and isinstance(user.value, str) and server and not _in_test_code(ctx):
            ctx.report(self, password, details={"kind": "empty database password", "name": "PASSWORD"})

    def _empty_password(self, node: ast.Call, name: str, ctx) -> None:
        """`pymysql.connect(user="root", password="")`: a database open to anyone who reaches it."""
        if name.rpartition(".")[2] not in _CONNECTS or _in_test_code(ctx):
            return
        for keyword in node.keywords:
            if (
                keyword.arg in _PASSWORD_KEYWORDS
                and isinstance(keyword.value, ast.Constant)
                and keyword.value.value == ""
            ):
                ctx.report(self, keyword.value, details={"kind": "empty database password", "name": keyword.arg})


def _literal_kind(name: Optional[str], value: object, signing: bool = True, compared: bool = False) -> Optional[str]:
    """What credential a literal bound to `name` is, when it is reported where it is written (else None);
    `signing` False judges a signing key's name like any other credential's; `compared`: the literal is
    compared with the credential (see `is_placeholder`)."""
    kind = secret_kind(name)
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    if kind is None or not isinstance(text, str):
        return None
    if signing and signing_key_name(name):
        return None if len(text.strip()) < 3 or is_template(text.strip()) or is_private_name(text) else "signing key"
    if is_placeholder(text, name, compared) or not looks_like_secret(text, kind) or isinstance(value, bytes):
        return None
    return kind


def _literals(values: list) -> bool:
    return all(isinstance(v, ast.Constant) and isinstance(v.value, (str, bytes)) for v in values)


def _in_test_code(ctx) -> bool:
    """A test module, or a test function in any module: the credentials a test writes are its fixtures."""
    return ctx.in_test_code or ctx.in_test_function


def _is_sink_argument(ctx, parent: Optional[ast.AST], node: ast.AST) -> bool:
    if isinstance(parent, ast.keyword):
        parent = ctx.parent(parent)
    if not isinstance(parent, ast.Call):
        return False
    where = _KEY_SINKS.get(ctx.call_name(parent) or "")
    return where is not None and ctx.argument(parent, *where) is node


def _bound_name(ctx, node: ast.Constant) -> Optional[str]:
    """The name a literal is given: assignment target, keyword, dict key, parameter, the other side
    of `==`, or the variable an `os.getenv(NAME, default)` falls back for."""
    parent = ctx.parent(node)
    if (
        isinstance(parent, (ast.Assign, ast.AnnAssign, ast.keyword, ast.Dict))
        and getattr(parent, "value", node) is node
    ):
        return binding_name(parent, node)
    if isinstance(parent, ast.arguments):
        return _parameter_for_default(parent, node)
    if isinstance(parent, ast.Compare) and len(parent.ops) == 1 and isinstance(parent.ops[0], (ast.Eq, ast.NotEq)):
        other = parent.left if parent.comparators[0] is node else parent.comparators[0]
        return expression_name(other)
    if (
        isinstance(parent, ast.Call)
        and ctx.call_name(parent) in _ENV_LOOKUPS
        and ctx.argument(parent, 1, "default") is node
    ):
        setting = ctx.parent(parent)
        bound = binding_name(setting, parent) if setting is not None else None
        if isinstance(bound, str) and signing_key_name(bound):
            return bound  # `app.config["SECRET_KEY"] = os.environ.get("PORTAL_SECRET", "dev")`: what it is used as
        variable = parent.args[0] if parent.args else None
        return variable.value if isinstance(variable, ast.Constant) and isinstance(variable.value, str) else None
    return None


def _secret_comparison(ctx, compare: ast.Compare, node: ast.Constant, name: Optional[str]) -> bool:
    """`password == "letmein42"` is a backdoor; these comparisons hold no credential: an `assert` (a test's
    expectation), a setting that says what to do with the secret (`update_password == "always"`), and a
    value compared with several literals in one block (a mode or a lexer's token kind: `token == "#group"`)."""
    if isinstance(ctx.parent(compare), ast.Assert):
        return False
    if not name:
        return True
    other = compare.left if compare.comparators[0] is node else compare.comparators[0]
    if isinstance(node.value, str) and ":" not in node.value and _userinfo(ctx, other):
        return False
    if (words(name) or [""])[0] in _OPTION_VERBS:
        return False
    others = set()
    for sub in ast.walk(ctx.tree) if ctx.tree is not None else ():
        if isinstance(sub, ast.Compare) and sub is not compare and len(sub.ops) == 1:
            for side, other in ((sub.left, sub.comparators[0]), (sub.comparators[0], sub.left)):
                if isinstance(other, ast.Constant) and other.value != node.value and expression_name(side) == name:
                    others.add(other.value)
    return not others


_USER_WORDS = frozenset({"user", "username", "login", "name", "email", "uname", "account"})


def _paired_with_user(ctx, compare: Optional[ast.AST]) -> bool:
    """`username == "admin" and password == "password"`: a user name and a password both checked
    against literals is a built-in account, whatever weak word its password is ("password", "secret"
    read as placeholders elsewhere)."""
    if not isinstance(compare, ast.Compare) or not isinstance(compare.ops[0], ast.Eq):
        return False
    both = ctx.parent(compare)
    if not (isinstance(both, ast.BoolOp) and isinstance(both.op, ast.And)):
        return False
    for other in both.values:
        if other is compare or not (isinstance(other, ast.Compare) and isinstance(other.ops[0], ast.Eq)):
            continue
        sides = (other.left, other.comparators[0])
        literal = any(isinstance(side, ast.Constant) and isinstance(side.value, str) and side.value for side in sides)
        named = any(set(words(expression_name(side) or "")) & _USER_WORDS for side in sides)
        if literal and named:
            return True
    return False


def _userinfo(ctx, expr: ast.expr) -> bool:
    """`user_pass, host = netloc.split("@", 1)`: the part of a URL's authority before `@`, `user[:password]`.
    A literal with no `:` compared with it can hold only the user name (`user_pass == "git"`)."""
    if not isinstance(expr, ast.Name):
        return False
    for binding in ctx.model.reaching(expr):
        statement = binding.node
        if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
            continue
        target, value = statement.targets[0], statement.value
        if isinstance(target, ast.Tuple) and target.elts and isinstance(target.elts[0], ast.Name):
            first = target.elts[0].id == expr.id
        else:  # `user_pass = netloc.split("@")[0]`
            first = isinstance(value, ast.Subscript) and ctx.constant_value(value.slice) == 0
            value = value.value if isinstance(value, ast.Subscript) else value
        if first and _splits_at(value, "@"):
            return True
    return False


def _splits_at(value: ast.expr, separator: str) -> bool:
    return (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr in ("split", "rsplit", "partition", "rpartition")
        and bool(value.args)
        and isinstance(value.args[0], ast.Constant)
        and value.args[0].value == separator
    )


def _parameter_for_default(arguments: ast.arguments, node: ast.AST) -> Optional[str]:
    positional = [*arguments.posonlyargs, *arguments.args]
    for arg, default in zip(positional[len(positional) - len(arguments.defaults) :], arguments.defaults):
        if default is node:
            return arg.arg
    for arg, default in zip(arguments.kwonlyargs, arguments.kw_defaults):
        if default is node:
            return arg.arg
    return None


def _connect_password(ctx, parent: Optional[ast.AST]) -> bool:
    """A `password=` keyword of a database connect call (`psycopg2.connect(password="postgres")`)."""
    call = ctx.parent(parent) if isinstance(parent, ast.keyword) else None
    return isinstance(call, ast.Call) and (ctx.call_name(call) or "").rpartition(".")[2] in _CONNECTS


def _environment_fix(
    ctx, node: ast.Constant, parent: Optional[ast.AST], name: Optional[str], any_keyword: bool = False
):
    """`SECRET_KEY = "..."` -> `SECRET_KEY = os.environ["SECRET_KEY"]` (plain assignments, keywords and
    dict values: `DATABASES = {"default": {"PASSWORD": "..."}}` reads `DATABASES_DEFAULT_PASSWORD`);
    `os.environ.get("SECRET_KEY", "dev")` -> `os.environ["SECRET_KEY"]` (the fallback dropped)."""
    target = node
    if isinstance(parent, ast.Call) and ctx.call_name(parent) in _ENV_LOOKUPS:
        target = parent  # the variable keeps its name; only the fallback goes
        variable = parent.args[0] if parent.args else None
        name = variable.value if isinstance(variable, ast.Constant) and isinstance(variable.value, str) else None
    elif isinstance(parent, ast.Dict):
        name = _dict_path(ctx, node)
    elif not (
        isinstance(parent, (ast.Assign, ast.AnnAssign))
        or isinstance(parent, ast.keyword)
        and (any_keyword or signing_key_name(name))
    ):
        # A keyword names the variable well for a setting (`SECRET_KEY=`) or a key of a known format
        # (`api_key="sk_live_..."`), not for any `password=`.
        return None
    elif parent.value is not node:
        return None
    if name is None or "\n" in ctx.segment(ctx.span(node)):
        return None
    variable = re.sub(r"[^A-Za-z0-9]+", "_", name).upper()
    quote = "'" if ctx.segment(ctx.span(node)).lstrip("rbuRBU")[0] == "'" else '"'
    replacement = f"os.environ[{quote}{variable}{quote}]"
    return expression_fix(
        ctx,
        target,
        lambda _: cst.parse_expression(replacement),
        "Fix: read it from the environment",
        safe=False,
        imports=("os",),
    )


def _dict_path(ctx, node: ast.expr) -> Optional[str]:
    """`PASSWORD` for a value under the string key "PASSWORD", prefixed with the keys of the dicts
    around it and the name they are assigned to: `DATABASES_DEFAULT_PASSWORD`. None for a computed key."""
    parts: list[str] = []
    parent = ctx.parent(node)
    while isinstance(parent, ast.Dict):
        key = next((k for k, v in zip(parent.keys, parent.values) if v is node), None)
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
            return None
        parts.insert(0, key.value)
        node, parent = parent, ctx.parent(parent)
    if isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is node:
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        if len(targets) == 1 and isinstance(targets[0], ast.Name):
            parts.insert(0, targets[0].id)
    return "_".join(parts)
