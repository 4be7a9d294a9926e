"""TG309: the `random` module (or uuid1) generating a token, password, OTP, salt or key."""

from __future__ import annotations

import ast
from typing import Optional

from tabguard.engine.fixes import expression_fix, parse_expression
from tabguard.engine.rule import Invalid, Rule
from tabguard.guards import words
from tabguard.rules.crypto._names import enclosing_name, secret_kind

_RANDOM_FUNCTIONS = frozenset(
    {"random", "randint", "randrange", "choice", "choices", "sample", "getrandbits", "randbytes", "uniform", "shuffle"}
)
# Values that need unpredictability without being credentials.
_UNPREDICTABLE_WORDS = frozenset({"salt", "nonce", "iv", "csrf", "xsrf", "state", "verifier", "challenge"})
# Functions where predictability is harmless or wanted.
_NON_SECURITY_WORDS = frozenset(
    {
        "boundary",
        "jitter",
        "backoff",
        "retry",
        "delay",
        "sleep",
        "color",
        "colour",
        "shuffle",
        "sample",
        "sampling",
        "test",
        "tests",
        "mock",
        "fake",
        "dummy",
        "demo",
        "simulate",
        "simulation",
        "game",
        "dice",
        "fixture",
        "faker",
        "seed",
        "benchmark",
    }
)

# Parents in which a `a + b` replacement needs no parentheses.
_STANDALONE = (
    ast.Assign,
    ast.AnnAssign,
    ast.keyword,
    ast.Call,
    ast.Return,
    ast.Expr,
    ast.List,
    ast.Tuple,
    ast.Dict,
    ast.FormattedValue,
)


class InsecureRandom(Rule):
    id = "TG309"
    name = "insecure-random"
    severity = "high"
    confidence = "medium"
    cwe = (338, 330)
    owasp = "A04:2025"
    message = "`{callee}` is predictable for `{target}`; use the `secrets` module"
    placeholders = {"callee": "random.choice", "target": "token"}
    aliases = ("B311", "S311")
    call_names = _RANDOM_FUNCTIONS | {"uuid1"}
    what = (
        "Generates `{target}`, a value that must be unguessable, with `{callee}`, a generator built for "
        "simulations, not secrets."
    )
    why = (
        "`random` is a Mersenne Twister: after observing 624 outputs (for example a few hundred reset "
        "codes or session ids requested by the attacker), its whole state is recovered and every "
        "future and past value is computed offline. Even without that, `random` is seeded from the "
        "clock in some environments, and a 6-digit code from `randint` can be predicted rather than "
        "brute-forced. `uuid1()` is built from the host's MAC address and a timestamp."
    )
    how = (
        "Use `secrets`: `secrets.token_urlsafe(32)` for tokens and keys, `secrets.randbelow(n)` for "
        "numeric codes, `secrets.choice(alphabet)` for generated passwords, `secrets.token_bytes(16)` "
        "for salts, `uuid.uuid4()` when an identifier must be unguessable."
    )
    example = (
        "import secrets\nimport string\n\nreset_token = secrets.token_urlsafe(32)\n"
        'otp = f"{secrets.randbelow(1_000_000):06d}"\n'
        'password = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(16))'
    )
    fix_safety = (
        "Unsafe but behaviour-compatible: the rewrite keeps the value's range and type (`randint(a, b)` "
        "becomes `secrets.randbelow(b - a + 1) + a`); only code relying on `random.seed` for "
        "reproducible values changes."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/338.html",
        "https://docs.python.org/3/library/secrets.html",
        "https://docs.python.org/3/library/random.html",
    )
    VALID = (
        "import secrets\ntoken = secrets.token_urlsafe(32)\n",
        "import random\ndelay = random.uniform(0.5, 1.5)\n",
        "import random\nitem = random.choice(items)\n",
        "import random\ndef retry_with_jitter():\n    token = random.random()\n    return token\n",
        "import random\nrng = random.SystemRandom()\npassword = ''.join(rng.choice(chars) for _ in range(16))\n",
        "import random\ntoken_count = random.randint(1, 10)\n",
        "import uuid\nrequest_id = uuid.uuid1()\n",
    )
    INVALID = (
        Invalid(
            "import random\notp = random.randint(100000, 999999)\n",
            "import secrets\nimport random\notp = secrets.randbelow(900000) + 100000\n",
        ),
        Invalid(
            "import random\nimport string\n\ndef generate_password(length=12):\n"
            "    return ''.join(random.choice(string.ascii_letters) for _ in range(length))\n",
            "import secrets\nimport random\nimport string\n\ndef generate_password(length=12):\n"
            "    return ''.join(secrets.choice(string.ascii_letters) for _ in range(length))\n",
        ),
        Invalid(
            "from random import choices\nuser.reset_code = ''.join(choices(DIGITS, k=6))\n",
            "import secrets\nfrom random import choices\nuser.reset_code = ''.join([secrets.choice(DIGITS) for _ in range(6)])\n",
        ),
        Invalid(
            "import random\nsalt = random.getrandbits(128).to_bytes(16, 'big')\n",
            "import secrets\nimport random\nsalt = secrets.randbits(128).to_bytes(16, 'big')\n",
        ),
        Invalid(
            "import uuid\nsession_id = str(uuid.uuid1())\n",
            "import uuid\nsession_id = str(uuid.uuid4())\n",
        ),
        Invalid("import random\napi_key = str(random.random())[2:]\n"),
        Invalid(
            "import random\nsend_sms(phone, verification_code=random.randrange(1000, 10000))\n",
            "import secrets\nimport random\nsend_sms(phone, verification_code=secrets.randbelow(9000) + 1000)\n",
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        callee = ctx.call_name(node) or ""
        module, _, function = callee.rpartition(".")
        if not ((module == "random" and function in _RANDOM_FUNCTIONS) or callee == "uuid.uuid1"):
            return
        target = enclosing_name(ctx, node)
        function_name = getattr(ctx.function, "name", "") or ""
        if any(w in _NON_SECURITY_WORDS for w in words(function_name)):
            return
        label = _sensitive(target) or (_sensitive(function_name) and f"{function_name}()")
        if label is None:
            return
        ctx.report(self, node, details={"callee": callee, "target": label}, fix=_fix(ctx, node, function))


def _sensitive(name: Optional[str]) -> Optional[str]:
    if not name:
        return None
    if secret_kind(name) is not None or any(w in _UNPREDICTABLE_WORDS for w in words(name)):
        return name
    return None


def _fix(ctx, node: ast.Call, function: str):
    new = _secure_call(ctx, node, function)
    if new is None:
        return None
    imports = () if function == "uuid1" else ("secrets",)
    return expression_fix(
        ctx, node, lambda _: parse_expression(new), "Fix: use the secrets module", safe=False, imports=imports
    )


def _secure_call(ctx, node: ast.Call, function: str) -> Optional[str]:
    args = [ctx.segment(ctx.span(a)) for a in node.args]
    if any(isinstance(a, ast.Starred) for a in node.args):
        return None
    keywords = {k.arg: ctx.segment(ctx.span(k.value)) for k in node.keywords}
    if function == "uuid1":
        return (
            ctx.segment(ctx.span(node.func))[: -len("uuid1")] + "uuid4()"
            if isinstance(node.func, ast.Attribute)
            else None
        )
    if function == "choice" and len(args) == 1 and not keywords:
        return f"secrets.choice({args[0]})"
    if function == "choices" and len(args) == 1 and set(keywords) == {"k"}:
        return f"[secrets.choice({args[0]}) for _ in range({keywords['k']})]"
    if function == "getrandbits" and len(args) == 1 and not keywords:
        return f"secrets.randbits({args[0]})"
    if function == "randbytes" and len(args) == 1 and not keywords:
        return f"secrets.token_bytes({args[0]})"
    if function in ("randint", "randrange") and not keywords and len(args) in (1, 2):
        bounds = [ctx.constant_value(a) for a in node.args]
        if not all(isinstance(b, int) and not isinstance(b, bool) for b in bounds):
            return None
        if function == "randrange" and len(bounds) == 1:
            return f"secrets.randbelow({args[0]})"
        if len(bounds) != 2:
            return None
        low, high = bounds
        span = high - low + (1 if function == "randint" else 0)
        if not low:
            return f"secrets.randbelow({span})"
        # `randint(1, 6) * 2` must stay one operand after the rewrite.
        alone = isinstance(ctx.parent(node), _STANDALONE)
        return f"secrets.randbelow({span}) + {low}" if alone else f"(secrets.randbelow({span}) + {low})"
    return None
