"""TG204: a database or cache client with TLS off or its certificate checks disabled."""

from __future__ import annotations

import ast
import re

import libcst as cst
from tabguard.engine.fixes import expression_fix, set_keyword
from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.defaults._common import is_false, string_value

# Keyword -> (insecure values, secure replacement). Names are specific to database/cache drivers:
# psycopg/asyncpg `sslmode`, MySQL `ssl_disabled`/`ssl_verify_*`, pymongo `tls*`, redis `ssl_cert_reqs`.
_WEAK_SSLMODES = ("disable", "allow", "prefer")
_KEYWORDS = {
    "sslmode": (_WEAK_SSLMODES, '"verify-full"'),
    "ssl_disabled": ((True,), "False"),
    "ssl_verify_cert": ((False,), "True"),
    "ssl_verify_identity": ((False,), "True"),
    "tlsAllowInvalidCertificates": ((True,), "False"),
    "tlsAllowInvalidHostnames": ((True,), "False"),
    "tlsInsecure": ((True,), "False"),
    "ssl_cert_reqs": ((None, "none", "NONE", "CERT_NONE", "ssl.CERT_NONE"), '"required"'),
    "ssl_check_hostname": ((False,), "True"),
}
# The same settings inside a connection string or URL.
_URL_SETTING = re.compile(
    r"[?&\s]?(sslmode=(disable|allow|prefer)|tlsInsecure=true|tlsAllowInvalid(Certificates|Hostnames)=true"
    r"|ssl_cert_reqs=(none|CERT_NONE))\b",
    re.IGNORECASE,
)
_CONNECTION_STRING = re.compile(r"://|\b(host|dbname|user)=")
_LOCAL_HOST = re.compile(r"(@|host=|//)(localhost|127\.0\.0\.1|\[?::1\]?|/)|host=/", re.IGNORECASE)
_WEAK_SSLMODE = re.compile(r"sslmode=(disable|allow|prefer)\b", re.IGNORECASE)
# Keys of a MySQL `ssl={...}` dict that switch verification off when False.
_SSL_DICT_CHECKS = frozenset({"check_hostname", "verify_cert", "verify_identity"})


class DatabaseTlsDisabled(Rule):
    id = "TG204"
    name = "database-tls-disabled"
    severity = "high"
    confidence = "high"
    cwe = (295, 319)
    owasp = "A04:2025"
    message = "Database connection without verified TLS (`{setting}`)"
    placeholders = {"setting": "sslmode=disable"}
    call_keywords = frozenset({*_KEYWORDS, "ssl"})
    what = "The database or cache connection is configured with `{setting}`, so traffic is sent in clear or to an unverified server."
    why = (
        "Database credentials and every row travel over this connection. With TLS off (`sslmode=disable`, "
        "`ssl_disabled=True`) anyone on the network path reads the password and the data; with "
        "`sslmode=prefer`/`allow` an attacker simply refuses TLS and the client falls back to clear "
        "text; with certificate checks off (`tlsAllowInvalidCertificates=True`, `ssl_cert_reqs=None`) "
        "an impostor server collects the credentials. Managed databases reached over a VPC or the "
        "internet are exactly the setting where this is exploited."
    )
    how = (
        "Require verified TLS: PostgreSQL `sslmode=verify-full` (with `sslrootcert` for a private CA), "
        "MySQL `ssl_verify_identity=True` with a CA, MongoDB `tls=True` without the `tlsAllow*`/"
        '`tlsInsecure` switches, redis `ssl_cert_reqs="required"`. Connections to localhost or a '
        "Unix socket are not flagged."
    )
    example = (
        'psycopg2.connect(host=DB_HOST, dbname="app", sslmode="verify-full", sslrootcert="/etc/ssl/rds-ca.pem")\n'
        'redis.Redis(host=REDIS_HOST, ssl=True, ssl_cert_reqs="required")'
    )
    fix_safety = (
        'Unsafe: the rewrite requires verified TLS (`sslmode="verify-full"`, `ssl_cert_reqs="required"`, '
        "the `tlsAllow*` switches off); the connection fails until the server's CA is trusted by the "
        "client, which is the point."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/295.html",
        "https://www.postgresql.org/docs/current/libpq-ssl.html#LIBPQ-SSL-PROTECTION",
        "https://pymongo.readthedocs.io/en/stable/examples/tls.html",
        "https://redis.readthedocs.io/en/stable/examples/ssl_connection_examples.html",
    )
    VALID = (
        "import psycopg2\nconn = psycopg2.connect(host=DB_HOST, sslmode='verify-full')\n",
        "import psycopg2\nconn = psycopg2.connect(host='localhost', dbname='app', sslmode='disable')\n",
        "import sqlalchemy\nengine = sqlalchemy.create_engine('postgresql://app@db.internal/app?sslmode=require')\n",
        "import sqlalchemy\nengine = sqlalchemy.create_engine('postgresql://app:pw@localhost:5432/app?sslmode=disable')\n",
        "from pymongo import MongoClient\nclient = MongoClient(MONGO_URI, tls=True, tlsCAFile=CA)\n",
        "import redis\nr = redis.Redis(host=HOST, ssl=True, ssl_cert_reqs='required')\n",
        "import pymysql\nconn = pymysql.connect(host=HOST, ssl={'ca': CA, 'check_hostname': True})\n",
        'def connect():\n    """Pass sslmode=disable only for a local socket."""\n',
        "HELP = 'set sslmode=disable to turn TLS off'\n",
    )
    INVALID = (
        Invalid(
            "import psycopg2\nconn = psycopg2.connect(host=DB_HOST, dbname='app', sslmode='disable')\n",
            "import psycopg2\nconn = psycopg2.connect(host=DB_HOST, dbname='app', sslmode=\"verify-full\")\n",
        ),
        Invalid(
            "import psycopg2\nconn = psycopg2.connect('host=db.example.com dbname=app user=app sslmode=prefer')\n",
            "import psycopg2\nconn = psycopg2.connect('host=db.example.com dbname=app user=app sslmode=verify-full')\n",
        ),
        Invalid(
            "DATABASE_URL = 'postgresql://app:secret@db.example.com:5432/app?sslmode=disable'\n",
            "DATABASE_URL = 'postgresql://app:secret@db.example.com:5432/app?sslmode=verify-full'\n",
        ),
        Invalid(
            "import mysql.connector\ncnx = mysql.connector.connect(host=HOST, user=USER, ssl_disabled=True)\n",
            "import mysql.connector\ncnx = mysql.connector.connect(host=HOST, user=USER, ssl_disabled=False)\n",
        ),
        Invalid(
            "from pymongo import MongoClient\nclient = MongoClient(URI, tls=True, tlsAllowInvalidCertificates=True)\n",
            "from pymongo import MongoClient\nclient = MongoClient(URI, tls=True, tlsAllowInvalidCertificates=False)\n",
        ),
        Invalid(
            "import redis\nr = redis.Redis(host=HOST, ssl=True, ssl_cert_reqs=None)\n",
            'import redis\nr = redis.Redis(host=HOST, ssl=True, ssl_cert_reqs="required")\n',
        ),
        Invalid("import pymysql\nconn = pymysql.connect(host=HOST, ssl={'ca': CA, 'check_hostname': False})\n"),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        if self._local(node):
            return
        for keyword in node.keywords:
            rule = _KEYWORDS.get(keyword.arg or "")
            if rule is not None and self._matches(keyword.value, rule[0], ctx):
                ctx.report(
                    self,
                    keyword,
                    details={"setting": f"{keyword.arg}={ast.unparse(keyword.value)}"},
                    fix=expression_fix(
                        ctx, node, set_keyword(keyword.arg, rule[1]), f"Fix: {keyword.arg}={rule[1]}", safe=False
                    ),
                )
            elif keyword.arg == "ssl" and isinstance(keyword.value, ast.Dict):
                for key, value in zip(keyword.value.keys, keyword.value.values):
                    if string_value(key) in _SSL_DICT_CHECKS and is_false(value):
                        ctx.report(self, value, details={"setting": f"ssl={{'{string_value(key)}': False}}"})

    def visit_Constant(self, node: ast.Constant, ctx) -> None:
        text = string_value(node)
        if not text or "=" not in text:
            return  # every setting `_URL_SETTING` finds is `key=value`
        parent = ctx.parent(node)
        whole = text
        if isinstance(parent, ast.JoinedStr):  # f"host={HOST} sslmode=disable": judge the whole string
            whole = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in parent.values)
        if len(whole) > 2000 or not _CONNECTION_STRING.search(whole) or isinstance(parent, ast.Expr):
            return  # not a DSN/URL, or a docstring
        match = _URL_SETTING.search(text)
        if match is None or _LOCAL_HOST.search(whole) or self._in_comparison(node, ctx):
            return
        fix = None
        if _WEAK_SSLMODE.search(text) and not isinstance(ctx.parent(node), ast.JoinedStr):
            fix = expression_fix(ctx, node, _raise_sslmode, "Fix: sslmode=verify-full", safe=False)
        ctx.report(self, node, details={"setting": match.group(1)}, fix=fix)

    @staticmethod
    def _matches(value: ast.expr, bad: tuple, ctx) -> bool:
        if isinstance(value, ast.Constant):
            return any(value.value is b if isinstance(b, bool) or b is None else value.value == b for b in bad)
        return ctx.qualname(value) in bad

    @staticmethod
    def _local(node: ast.Call) -> bool:
        host = next((k.value for k in node.keywords if k.arg in ("host", "hostaddr")), None)
        text = string_value(host)
        return text is not None and (text in ("localhost", "127.0.0.1", "::1") or text.startswith("/"))

    @staticmethod
    def _in_comparison(node: ast.AST, ctx) -> bool:
        parent = ctx.parent(node)
        return isinstance(parent, ast.Compare) or (
            isinstance(parent, ast.Call)
            and isinstance(parent.func, ast.Attribute)
            and parent.func.attr in ("startswith", "endswith", "find", "replace", "split")
        )


def _raise_sslmode(node: cst.BaseExpression) -> cst.BaseExpression:
    """The connection string literal with PostgreSQL `sslmode` raised to verify-full, quotes kept."""
    if not isinstance(node, cst.SimpleString):
        return node
    return node.with_changes(value=_WEAK_SSLMODE.sub("sslmode=verify-full", node.value))
