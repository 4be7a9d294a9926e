"""TG310: a credential written into the source: provider keys, private keys, passwords, signing keys."""

from __future__ import annotations

import ast
import re
from typing import Optional

import libcst as cst

from tabguard.engine.fixes import expression_fix
from tabguard.engine.rule import Invalid, Rule, Valid
from tabguard.rules.crypto._literals import fixed_value
from tabguard.rules.crypto._names import binding_name, expression_name, secret_kind
from tabguard.rules.crypto._secrets import is_placeholder, known_format, looks_like_secret

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
# Test code may hold throwaway credentials.
_TEST_PATH = re.compile(r"(^|[\\/])(tests?|testing|fixtures?)[\\/]|(^|[\\/])(test_[^\\/]*|[^\\/]*_test|conftest)\.py$")


class HardcodedSecret(Rule):
    id = "TG310"
    name = "hardcoded-secret"
    severity = "high"
    confidence = "medium"
    cwe = (798, 259)
    owasp = "A07:2025"
    message = "Hardcoded {kind} `{name}`; load it from the environment or a secret manager"
    placeholders = {"kind": "secret", "name": "SECRET_KEY"}
    aliases = ("B105", "B106", "B107", "S105", "S106", "S107")
    call_names = frozenset(name.rpartition(".")[2] for name in _KEY_SINKS)
    what = "Writes a {kind} (`{name}`) as a literal in the source code."
    why = (
        "Source code is copied far more widely than secrets should be: every clone, CI log, wheel, "
        "container image and code-search index carries it, and git history keeps it after it is "
        "deleted. Bots scan public pushes for provider key formats and use AWS or Stripe keys within "
        "minutes. A hardcoded Flask or Django `SECRET_KEY` or JWT key lets anyone who reads the code "
        "forge session cookies and tokens and log in as any user."
    )
    how = (
        "Read the value at runtime (`os.environ[\"SECRET_KEY\"]`, a secret manager, a mounted file) and "
        "keep it out of version control (`.env` in `.gitignore`). Rotate any credential that was ever "
        "committed: removing it from the code does not remove it from history."
    )
    example = (
        "import os\n\nSECRET_KEY = os.environ[\"SECRET_KEY\"]\n"
        "stripe.api_key = os.environ[\"STRIPE_API_KEY\"]\n"
        "token = jwt.encode(claims, os.environ[\"JWT_SIGNING_KEY\"], algorithm=\"HS256\")"
    )
    fix_safety = (
        "Unsafe: the rewrite reads the value from an environment variable named after the setting; "
        "the program now fails at start-up until that variable is set (move the old value there, and "
        "rotate it)."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/798.html",
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
        Valid("PASSWORD = 'hunter22'\n", path="tests/test_login.py"),
        "def test_login(client):\n    password = 'correct-horse-42'\n    client.login(password=password)\n",
        "import jwt\ndef make(claims, key):\n    return jwt.encode(claims, key, algorithm='HS256')\n",
        "auth_header = 'Authorization'\n",
    )
    INVALID = (
        Invalid(
            "SECRET_KEY = 'django-insecure-8f$k2!x@q9z#m1v&w7r^t4y'\n",
            "import os\nSECRET_KEY = os.environ['SECRET_KEY']\n",
        ),
        Invalid(
            "import os\napp.config['SECRET_KEY'] = 'a8Fj3kL0qP2xZ9wE'\n",
            "import os\napp.config['SECRET_KEY'] = os.environ['SECRET_KEY']\n",
        ),
        Invalid("client = boto3.client('s3', aws_access_key_id='AKIAQX3T7RZN4KDM2WPL', aws_secret_access_key=key)\n"),
        Invalid("def connect(host, password='Adm1n!2024'):\n    pass\n"),
        Invalid("conn = psycopg2.connect(host='db', user='app', password='s3cr3tP@ss')\n"),
        Invalid("import jwt\ntoken = jwt.encode({'sub': user_id}, 'secret', algorithm='HS256')\n"),
        Invalid("def check(password):\n    return password == 'letmein42'\n"),
        Invalid("import os\nSTRIPE_KEY = os.environ.get('STRIPE_KEY', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc')\n"),
        Invalid("KEY = '''-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----'''\n"),
        Invalid("settings = {'api_key': 'f3a9c2e1b7d84f6a9c0e2b4d6f8a1c3e'}\n"),
    )

    def visit_Constant(self, node: ast.Constant, ctx) -> None:
        if not isinstance(node.value, str) or not node.value:
            return
        parent = ctx.parent(node)
        if isinstance(parent, ast.Expr) or _is_sink_argument(ctx, parent, node):
            return  # docstrings; key sinks are reported by visit_Call
        label = known_format(node.value)
        if label is not None:
            ctx.report(self, node, details={"kind": label, "name": _bound_name(ctx, node) or label})
            return
        name = _bound_name(ctx, node)
        kind = secret_kind(name)
        if kind is None or _TEST_PATH.search(ctx.path) or _in_test_code(ctx):
            return
        if is_placeholder(node.value, name) or not looks_like_secret(node.value, kind):
            return
        ctx.report(self, node, details={"kind": kind, "name": name}, fix=_environment_fix(ctx, node, parent))

    def visit_Call(self, node: ast.Call, ctx) -> None:
        where = _KEY_SINKS.get(ctx.call_name(node) or "")
        if where is None:
            return
        key = ctx.argument(node, *where)
        if key is None or not fixed_value(ctx, key) or _TEST_PATH.search(ctx.path) or _in_test_code(ctx):
            return
        if isinstance(key, ast.Constant) and not key.value:
            return
        ctx.report(self, key, details={"kind": "signing key", "name": expression_name(key) or ctx.segment(ctx.span(key))})


def _in_test_code(ctx) -> bool:
    return any(getattr(f, "name", "").startswith(("test", "Test")) for f in ctx.functions)


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
    if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.keyword, ast.Dict)) and getattr(parent, "value", node) is node:
        return binding_name(parent, node)
    if isinstance(parent, ast.arguments):
        return _parameter_for_default(parent, node)
    if isinstance(parent, ast.Compare) and len(parent.ops) == 1 and isinstance(parent.ops[0], (ast.Eq, ast.NotEq)):
        other = parent.left if parent.comparators[0] is node else parent.comparators[0]
        return expression_name(other)
    if isinstance(parent, ast.Call) and ctx.call_name(parent) in _ENV_LOOKUPS and ctx.argument(parent, 1, "default") is node:
        variable = parent.args[0] if parent.args else None
        return variable.value if isinstance(variable, ast.Constant) and isinstance(variable.value, str) else None
    return None


def _parameter_for_default(arguments: ast.arguments, node: ast.AST) -> Optional[str]:
    positional = [*arguments.posonlyargs, *arguments.args]
    for arg, default in zip(positional[len(positional) - len(arguments.defaults):], arguments.defaults):
        if default is node:
            return arg.arg
    for arg, default in zip(arguments.kwonlyargs, arguments.kw_defaults):
        if default is node:
            return arg.arg
    return None


def _environment_fix(ctx, node: ast.Constant, parent: Optional[ast.AST]):
    """`SECRET_KEY = "..."` -> `SECRET_KEY = os.environ["SECRET_KEY"]`, for plain assignments only."""
    if not isinstance(parent, (ast.Assign, ast.AnnAssign)) or parent.value is not node:
        return None
    target = parent.targets[0] if isinstance(parent, ast.Assign) else parent.target
    name = expression_name(target)
    if name is None or "\n" in ctx.segment(ctx.span(node)):
        return None
    variable = re.sub(r"[^A-Za-z0-9]+", "_", name).upper()
    quote = "'" if ctx.segment(ctx.span(node)).lstrip("rbuRBU")[0] == "'" else '"'
    replacement = f"os.environ[{quote}{variable}{quote}]"
    return expression_fix(
        ctx, node, lambda _: cst.parse_expression(replacement), "Fix: read it from the environment", safe=False, imports=("os",)
    )
