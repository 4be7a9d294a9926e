"""TG311: a secret, token, signature or hash compared with `==`, which leaks how much matched."""

from __future__ import annotations

import ast
import re

from tabguard.engine.fixes import expression_fix, parse_expression
from tabguard.engine.rule import Invalid, Rule
from tabguard.guards import words
from tabguard.rules.compliance._logs import LOG_CALL_NAMES
from tabguard.rules.crypto._hashing import hash_call
from tabguard.rules.crypto._names import (
    DIGEST_WORDS,
    METADATA_WORDS,
    expression_name,
    lexical_token,
    secret_kind,
    value_parts,
)

_CONFIRMATION_WORDS = frozenset(
    {"confirm", "confirmation", "confirmed", "repeat", "repeated", "again", "retype", "verify2"}
)
_CAMEL_CASE = re.compile(r"[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]+)*")
# Methods whose comparison is the object's own identity, not an authentication check.
_EQUALITY_METHODS = frozenset({"__eq__", "__ne__", "__hash__", "__lt__", "__le__", "__gt__", "__ge__"})
_TOKEN_KINDS = ("TOKEN_", "TK_", "T_")
# `<word> key` naming the key an object is registered or looked up under (`hash_key`, `identity_key`).
_LOOKUP_KEY_QUALIFIERS = frozenset(
    {"hash", "cache", "dict", "lookup", "identity", "registry", "map", "index", "primary", "foreign", "sort"}
)
# Names of an object's identity.
_ID_WORDS = frozenset({"id", "pk", "ident"})


class TimingUnsafeCompare(Rule):
    id = "TG311"
    name = "timing-unsafe-compare"
    severity = "medium"
    confidence = "medium"
    cwe = (208,)
    owasp = "A04:2025"
    message = "`{name}` compared with `{op}`; use `hmac.compare_digest` to compare secrets in constant time"
    placeholders = {"name": "signature", "op": "=="}
    what = "Compares `{name}`, a secret or a value derived from one, with `{op}`."
    why = (
        "`==` on strings and bytes stops at the first differing character, so a wrong guess that "
        "shares a longer prefix with the real value takes slightly longer to reject. By sending many "
        "candidates and timing the responses (statistics remove network jitter), an attacker recovers "
        "a webhook signature, API key or reset token one character at a time instead of guessing it "
        "whole: a few thousand requests instead of 2^128."
    )
    how = (
        "Use `hmac.compare_digest(a, b)` (or `secrets.compare_digest`), which takes the same time "
        "whatever matches. Compare two `str` (ASCII) or two `bytes`, not a mix. For passwords, use the "
        "password library's verify function, which does this for you."
    )
    example = (
        "import hmac\n\nexpected = hmac.new(key, body, hashlib.sha256).hexdigest()\n"
        'if not hmac.compare_digest(expected, request.headers["X-Signature"]):\n    abort(401)'
    )
    fix_safety = (
        "Unsafe: `hmac.compare_digest` raises `TypeError` when one side is `str` and the other `bytes`, "
        "or a `str` holds non-ASCII characters, where `==` returned False; check the types of both sides."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/208.html",
        "https://docs.python.org/3/library/hmac.html#hmac.compare_digest",
    )
    VALID = (
        "import hmac\nok = hmac.compare_digest(signature, expected)\n",
        "if token is None:\n    pass\n",
        "if token == '':\n    pass\n",
        "if token_type == 'bearer':\n    pass\n",
        # whether each secret was supplied, and a warning period: facts about secrets, not secrets
        "def configure(access_key, secret_key):\n    access_key_given = access_key is not None\n"
        "    secret_key_given = secret_key is not None\n    if access_key_given != secret_key_given:\n"
        "        raise ValueError('give both keys or neither')\n",
        "def stale(policy, shadow):\n    return policy.password_expire_warn != shadow.warn_days\n",
        "if password == confirm_password:\n    pass\n",
        "def typed_twice(password, password2):\n    return password == password2\n",
        "def changed(rows, tokens):\n    return [a for a, b in zip(rows, tokens) if a != b]\n",
        "def differs(new_password, old_password):\n    return [i for i in range(len(new_password)) if new_password[i] != old_password[i + 1]]\n",
        "class Auth:\n    def __eq__(self, other):\n        return self.token == other.token\n",
        "def test_sign():\n    assert sign(b'x') == expected_signature\n",
        "if len(api_key) != 32:\n    pass\n",
        "if user.name == other_name:\n    pass\n",
        "if token == Keyword and value in DECLARATIONS:\n    pass\n",
        "if delimiters[i].token == end.token + 1:\n    pass\n",
        "if data['password'] != data['confirm']:\n    pass\n",
        "if file_hash != expected_hash:\n    raise IOError('corrupt download')\n",
        "if signature != END_OF_CENTRAL_DIRECTORY:\n    raise ValueError('bad zip')\n",
        # A lexer's token types, settings that name or size a secret, plain option values.
        "from .lexer import TOKEN_DATA\ndef parse(token):\n    if token == TOKEN_DATA:\n        pass\n",
        "def f(request_token):\n    if len(request_token) == CSRF_TOKEN_LENGTH:\n        pass\n",
        "def f(key, settings):\n    if key == settings.SESSION_COOKIE_NAME:\n        pass\n",
        "MODE_ALWAYS = 'always'\ndef f(update_password):\n    if update_password == MODE_ALWAYS:\n        pass\n",
        # Tokens that name or mark something: an identity map's key, a placeholder, a path's wildcard.
        "def same(state, identity_token):\n    return state.identity_token == identity_token\n",
        "def kept(value, omit_token):\n    return value != omit_token\n",
        "from .paths import _WILDCARD_TOKEN, _RELATIONSHIP_TOKEN\n"
        "def wild(attr, c_token):\n    return attr == _WILDCARD_TOKEN or c_token == f'{_RELATIONSHIP_TOKEN}:{_WILDCARD_TOKEN}'\n",
        # A marker the class fixes in its source (a URL placeholder standing in for the real token).
        "class Reset:\n    url_token = 'set-password'\n    def get(self, token):\n        if token == self.url_token:\n"
        "            return self.form()\n",
        # Configuration management: the stored hash differs from the wanted one, so it is written.
        "def sync(self, current):\n    if self.password is not None and current.password_hash != self.password:\n"
        "        self.run(['usermod', '-p', self.password, self.name])\n",
        "def sync(self, fields):\n    if fields[1] != self.password:\n        fields[1] = self.password\n",
        # An in-process object's identity (the key a registry holds it under), not a credential.
        "def attach(self, state):\n    if state.session_id == self.hash_key:\n        return False\n",
        "def same(entry, owner_id):\n    return entry.session_token == owner_id\n",
        # Path tokens also matched against fixed markers: a parser's tokens, not secrets.
        "def chop(pairs):\n    for c_token, p_token in pairs:\n        if c_token.endswith(':*'):\n            return None\n"
        "        if c_token != p_token.key:\n            return None\n",
        # `pass` as a verb: a flag saying whether to pass `many` on
        "def run(hooks, pass_many):\n    for name, many in hooks:\n        if many != pass_many:\n            continue\n",
        # an ORM column compared in a query: the database compares (TG419 judges a password lookup)
        "def login(form):\n    return User.get((User.username == form['username']) & (User.password == digest(form)))\n",
        "def login(db, name, pw_hash):\n    return db.query(User).filter(User.password == pw_hash).first()\n",
        # a tokenizer's tokens compared
        "def _tokenize_type(text):\n    return text.split()\ndef same(a, b):\n    return a.token0 == b.token0\n",
        # a lexer's token compared with a display of token kinds
        "from token import OP\ndef decorator(token):\n    return token == [OP, '@']\n",
    )
    INVALID = (
        # `pass` as the password (the last word, or before a digest word)
        Invalid(
            "def check(stored, pass_hash):\n    if stored.pass_hash != pass_hash:\n        raise PermissionError\n",
            "import hmac\ndef check(stored, pass_hash):\n    if not hmac.compare_digest(stored.pass_hash, pass_hash):\n"
            "        raise PermissionError\n",
        ),
        # a credential in a module that tokenizes keeps its meaning
        Invalid(
            "def _tokenize_type(text):\n    return text.split()\ndef ok(user, api_token):\n    return user.api_token == api_token\n",
            "import hmac\ndef _tokenize_type(text):\n    return text.split()\ndef ok(user, api_token):\n"
            "    return hmac.compare_digest(user.api_token, api_token)\n",
        ),
        # the same column read in Python: a comparison Python runs
        Invalid(
            "def ok(user, pw_hash):\n    if User.password == pw_hash:\n        return user\n",
            "import hmac\ndef ok(user, pw_hash):\n    if hmac.compare_digest(User.password, pw_hash):\n        return user\n",
        ),
        Invalid(
            "def check(user, access_token):\n    if user.access_token != access_token:\n        raise PermissionError\n",
            "import hmac\ndef check(user, access_token):\n    if not hmac.compare_digest(user.access_token, access_token):\n        raise PermissionError\n",
        ),
        Invalid(
            "import hmac\nif request.headers['X-Hub-Signature'] == expected_signature:\n    pass\n",
            "import hmac\nif hmac.compare_digest(request.headers['X-Hub-Signature'], expected_signature):\n    pass\n",
        ),
        Invalid(
            "def check(user, candidate):\n    if user.reset_token != candidate:\n        raise PermissionError\n",
            "import hmac\ndef check(user, candidate):\n    if not hmac.compare_digest(user.reset_token, candidate):\n        raise PermissionError\n",
        ),
        Invalid(
            "import hashlib\ndef verify(stored_hash, pw):\n    return hashlib.sha256(pw).hexdigest() == stored_hash\n",
            "import hmac\nimport hashlib\ndef verify(stored_hash, pw):\n    return hmac.compare_digest(hashlib.sha256(pw).hexdigest(), stored_hash)\n",
        ),
        Invalid(
            "import hmac, hashlib\ndef ok(key, body, header):\n    return hmac.new(key, body, hashlib.sha256).hexdigest() == header\n",
            "import hmac, hashlib\ndef ok(key, body, header):\n    return hmac.compare_digest(hmac.new(key, body, hashlib.sha256).hexdigest(), header)\n",
        ),
        Invalid(
            "import os\nAPI_TOKEN = os.environ['API_TOKEN']\ndef ok(token):\n    return token == API_TOKEN\n",
            "import hmac\nimport os\nAPI_TOKEN = os.environ['API_TOKEN']\ndef ok(token):\n    return hmac.compare_digest(token, API_TOKEN)\n",
        ),
        # Rejecting (and logging) in the branch where they differ is an access check.
        Invalid(
            "import logging\ndef check(user, token):\n    if user.api_token != token:\n"
            "        logging.warning('bad token %s', token)\n        raise PermissionError(token)\n",
            "import hmac\nimport logging\ndef check(user, token):\n    if not hmac.compare_digest(user.api_token, token):\n"
            "        logging.warning('bad token %s', token)\n        raise PermissionError(token)\n",
        ),
        # A session id checked against the stored one, and a token whose emptiness is checked first.
        Invalid(
            "def valid(request, stored):\n    return request.cookies.get('session_id') == stored.session_id\n",
            "import hmac\ndef valid(request, stored):\n    return hmac.compare_digest(request.cookies.get('session_id'), stored.session_id)\n",
        ),
        Invalid(
            "def check(x_token, expected_token):\n    if x_token == '':\n        return False\n    return x_token == expected_token\n",
            "import hmac\ndef check(x_token, expected_token):\n    if x_token == '':\n        return False\n"
            "    return hmac.compare_digest(x_token, expected_token)\n",
        ),
        Invalid(
            "def check(api_token, user_token):\n    return api_token != user_token.key\n",
            "import hmac\ndef check(api_token, user_token):\n    return not hmac.compare_digest(api_token, user_token.key)\n",
        ),
        # A comparison loop written by hand, over two passwords or a token and a guess.
        Invalid(
            "def same_password(stored_pw, typed_pw):\n    if len(stored_pw) != len(typed_pw):\n        return False\n"
            "    for i in range(len(stored_pw)):\n        if stored_pw[i] != typed_pw[i]:\n            return False\n"
            "    return True\n",
            None,
            message="`stored_pw` compared with `!=`",
        ),
        Invalid(
            "def token_ok(api_token: str, given: str) -> bool:\n    index = 0\n    while index < len(given):\n"
            "        if given[index] != api_token[index]:\n            return False\n        index += 1\n"
            "    return len(given) == len(api_token)\n",
            None,
        ),
        Invalid(
            "def signature_ok(expected_signature, received):\n"
            "    for a, b in zip(expected_signature, received):\n        if a != b:\n            return False\n"
            "    return len(expected_signature) == len(received)\n",
            None,
            message="`expected_signature` compared with `!=`",
        ),
        Invalid(
            "def same_token(session_token, given):\n"
            "    return len(session_token) == len(given) and all(x == y for x, y in zip(session_token, given))\n",
            None,
        ),
        Invalid(
            "API_KEY = load()\ndef authorized(request):\n    return request.headers.get('X-API-Key') == API_KEY\n",
            "import hmac\nAPI_KEY = load()\ndef authorized(request):\n    return hmac.compare_digest(request.headers.get('X-API-Key'), API_KEY)\n",
        ),
    )

    def visit_Compare(self, node: ast.Compare, ctx) -> None:
        if len(node.ops) != 1 or not isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
            return
        left, right = node.left, node.comparators[0]
        if any(isinstance(side, ast.Constant) for side in (left, right)):
            return
        if isinstance(ctx.parent(node), ast.Assert) or getattr(ctx.function, "name", None) in _EQUALITY_METHODS:
            return
        if _column_expression(ctx, node):
            return  # `User.get(User.password == digest)`: the ORM builds SQL; the database compares
        # `stored[i] != given[i]` and `a != b` for `a, b in zip(stored, given)` are judged by the sequences.
        sequences = _element_by_element(node, ctx)
        by_element = sequences is not None
        judged = sequences or (left, right)
        if any(_not_a_secret_value(side) or _magic_constant(ctx, side) or _class_literal(ctx, side) for side in judged):
            return
        names = [expression_name(side) for side in judged]
        if any(w in _CONFIRMATION_WORDS for name in names if name for w in words(name)):
            return  # `password != confirm`: the user typed it twice
        kinds = [secret_kind(name, digests=True) if not lexical_token(ctx, name) else None for name in names]
        secret = next((name for name, kind in zip(names, kinds) if kind), None)
        if secret is None and any(_is_hmac(ctx, side) or _hashes_secret(ctx, side) for side in (left, right)):
            secret = next((name for name in names if name), "digest")
        if secret is None:
            return
        if not by_element and all(kind == "password" and not _is_digest(name) for name, kind in zip(names, kinds)):
            return  # `password == confirm_password` checks typing, not a stored secret
        if _writes_wanted_value(node, ctx):
            return  # `if stored != wanted: set(wanted)`: bringing a system to a state, nobody is let in
        if any(_identity(name) for name in names):
            return  # `state.session_id == self.hash_key`: which object it is, not a credential check
        side = (left, right)[names.index(secret)] if secret in names else None
        if side is not None and _matched_against_markers(ctx, side, node):
            return  # `c_token != p_token.key` where `c_token` is also matched against fixed markers
        op = "==" if isinstance(node.ops[0], ast.Eq) else "!="
        if by_element:
            # A hand-written loop that stops at the first differing character: the whole loop goes.
            ctx.report(self, node, details={"name": secret, "op": op})
            return
        a, b = (ctx.segment(ctx.span(side)) for side in (left, right))
        call = f"hmac.compare_digest({a}, {b})"
        replacement = call if op == "==" else f"not {call}"
        fix = expression_fix(
            ctx,
            node,
            lambda _: parse_expression(replacement),
            "Fix: use hmac.compare_digest",
            safe=False,
            imports=("hmac",),
        )
        ctx.report(self, node, details={"name": secret, "op": op}, fix=fix)


def _column_expression(ctx, node: ast.Compare) -> bool:
    """A model class's column (`User.password`) compared inside a call's arguments or an `&`/`|`
    combination: an ORM query expression (SQLAlchemy, peewee), not a comparison Python runs."""
    parent = ctx.parent(node)
    if not (
        isinstance(parent, ast.Call)
        and node in parent.args
        or isinstance(parent, ast.keyword)
        or isinstance(parent, ast.BinOp)
        and isinstance(parent.op, (ast.BitAnd, ast.BitOr))
    ):
        return False
    return any(
        isinstance(side, ast.Attribute)
        and isinstance(side.value, ast.Name)
        and bool(_CAMEL_CASE.fullmatch(side.value.id))
        for side in (node.left, *node.comparators)
    )


def _element_by_element(compare: ast.Compare, ctx) -> tuple[ast.expr, ast.expr] | None:
    """The two sequences a hand-written comparison loop compares one position at a time (and stops
    at the first difference): `stored[i] != given[i]`, or `a != b` where a loop or a generator
    takes `a, b` from `zip(stored, given)`."""
    left, right = compare.left, compare.comparators[0]
    if isinstance(left, ast.Subscript) and isinstance(right, ast.Subscript):
        if (
            isinstance(left.slice, ast.Name)
            and ast.dump(left.slice) == ast.dump(right.slice)
            and ast.dump(left.value) != ast.dump(right.value)
        ):
            return left.value, right.value
        return None
    if not (isinstance(left, ast.Name) and isinstance(right, ast.Name)):
        return None
    node = ctx.parent(compare)
    while node is not None and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)):
        loops = node.generators if isinstance(node, (ast.GeneratorExp, ast.ListComp, ast.SetComp)) else [node]
        for loop in loops:
            zipped = _zip_pair(loop, left.id, right.id)
            if zipped is not None:
                return zipped
        node = ctx.parent(node)
    return None


def _zip_pair(loop: ast.AST, first: str, second: str) -> tuple[ast.expr, ast.expr] | None:
    """For `for a, b in zip(x, y)` (or the same generator), the sequences `first` and `second` come from."""
    if not isinstance(loop, (ast.For, ast.comprehension)):
        return None
    target, source = loop.target, loop.iter
    if not (
        isinstance(target, ast.Tuple)
        and len(target.elts) == 2
        and all(isinstance(e, ast.Name) for e in target.elts)
        and isinstance(source, ast.Call)
        and isinstance(source.func, ast.Name)
        and source.func.id == "zip"
        and len(source.args) == 2
    ):
        return None
    order = [e.id for e in target.elts if isinstance(e, ast.Name)]
    if sorted(order) != sorted([first, second]) or first == second:
        return None
    by_name = dict(zip(order, source.args))
    return by_name[first], by_name[second]


def _not_a_secret_value(side: ast.expr) -> bool:
    """Arithmetic (`tok.index + 1`), a length (`len(token)`), a short loop variable (`i`), a name of
    metadata about a secret (`SESSION_COOKIE_NAME`, `CSRF_TOKEN_LENGTH`), or a type/enum such as
    pygments' `Keyword` or `Token.Name`: the other side of a lexer's `token == Keyword`, not a secret."""
    if isinstance(side, ast.BinOp) and isinstance(side.op, (ast.Add, ast.Sub, ast.Mult)):
        return True
    if isinstance(side, ast.Call) and isinstance(side.func, ast.Name) and side.func.id in ("len", "ord", "int", "type"):
        return True
    name = side.id if isinstance(side, ast.Name) else side.attr if isinstance(side, ast.Attribute) else None
    if name is None:
        return False
    setting_about_a_secret = name.isupper() and (words(name) or [""])[-1] in METADATA_WORDS
    return len(name) <= 2 or bool(_CAMEL_CASE.fullmatch(name)) or setting_about_a_secret


def _magic_constant(ctx, side: ast.expr) -> bool:
    """A literal tuple or an UPPER_CASE constant that is not itself a secret: a file signature's magic
    bytes (`sig != END_OF_ARCHIVE`), a signal number, a sentinel (`token == ('', '')`), a lexer's token
    type (`TOKEN_DATA`, named by kind first; a secret is named `API_TOKEN`), or a constant the module
    sets to a literal (a hard-coded secret there is TG310's finding)."""
    if isinstance(side, ast.JoinedStr) and ctx.is_constant(side):
        return True
    if isinstance(side, (ast.Tuple, ast.List, ast.Set)):
        # a display of kinds and markers (`token == [OP, "@"]`), unless a secret is among them
        return not any(secret_kind(expression_name(element), digests=True) for element in side.elts)
    if isinstance(side, ast.JoinedStr):  # `f"{_RELATIONSHIP_TOKEN}:{_WILDCARD_TOKEN}"`: markers joined
        return all(_magic_constant(ctx, part.value) for part in side.values if isinstance(part, ast.FormattedValue))
    name = side.id if isinstance(side, ast.Name) else side.attr if isinstance(side, ast.Attribute) else ""
    if not name.isupper():
        return False
    if name.startswith(_TOKEN_KINDS) or (isinstance(side, ast.Name) and ctx.constant_value(side) is not None):
        return True
    return secret_kind(name, digests=True) is None


def _writes_wanted_value(node: ast.Compare, ctx) -> bool:
    """`if current != wanted: ...` whose body writes one side (an argument of a call that is not a log,
    an assigned value, text formatted from it): configuration management making a stored value (a
    password hash in /etc/shadow) equal to the wanted one. An access check rejects or grants in that
    branch; it has no reason to store the value it was handed."""
    test: ast.expr = node
    parent = ctx.parent(node)
    while isinstance(parent, (ast.BoolOp, ast.UnaryOp)):
        test, parent = parent, ctx.parent(parent)
    if not (isinstance(node.ops[0], ast.NotEq) and isinstance(parent, ast.If) and parent.test is test):
        return False
    sides = {ast.dump(side) for side in (node.left, node.comparators[0])}
    for statement in parent.body:
        for found in () if isinstance(statement, ast.Raise) else ast.walk(statement):
            if isinstance(found, ast.Assign) and _mentions(found.value, sides):
                return True
            if (
                isinstance(found, ast.Call)
                and _callee_last(found) not in LOG_CALL_NAMES
                and any(_mentions(arg, sides) for arg in (*found.args, *(k.value for k in found.keywords)))
            ):
                return True
    return False


def _mentions(value: ast.expr, dumps: set) -> bool:
    """`value` is one of the compared expressions, or holds one (`"%s:%s" % (name, password)`, `[..., password]`)."""
    return any(
        ast.dump(part) in dumps
        for part in ast.walk(value)
        if isinstance(part, (ast.Name, ast.Attribute, ast.Subscript))
    )


def _callee_last(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _class_literal(ctx, side: ast.expr) -> bool:
    """`self.reset_url_token` where the class body sets `reset_url_token = "set-password"`: a marker
    fixed in the source, the same for everyone (a hard-coded secret there is TG310's finding)."""
    if not (isinstance(side, ast.Attribute) and isinstance(side.value, ast.Name) and side.value.id in ("self", "cls")):
        return False
    owner = ctx.parent(ctx.function) if ctx.function is not None else None
    return isinstance(owner, ast.ClassDef) and any(
        isinstance(item, ast.Assign)
        and isinstance(item.value, ast.Constant)
        and isinstance(item.value.value, str)
        and any(isinstance(t, ast.Name) and t.id == side.attr for t in item.targets)
        for item in owner.body
    )


def _is_hmac(ctx, side: ast.expr) -> bool:
    """`hmac.new(key, msg, sha256).hexdigest()` and friends."""
    return any(
        isinstance(n, ast.Call) and (ctx.call_name(n) or "") in ("hmac.new", "hmac.digest") for n in ast.walk(side)
    )


def _hashes_secret(ctx, side: ast.expr) -> bool:
    """`hashlib.sha256(password).hexdigest()`: a digest of a secret."""
    for node in ast.walk(side):
        found = hash_call(ctx, node) if isinstance(node, ast.Call) else None
        if found is not None and found.data is not None:
            if any(secret_kind(expression_name(part)) for part in value_parts(found.data)):
                return True
    return False


def _is_digest(name) -> bool:
    return bool(name) and any(w in DIGEST_WORDS for w in words(name))


def _identity(name) -> bool:
    """A name of an identity, not a credential: the key an object is registered or looked up under
    (`hash_key`, `cache_key`), or an id (`pk`, `owner_id`). A secret compared with one is being
    matched to an object (an in-process session's registry key), not checked."""
    ws = words(name or "")
    if not ws or secret_kind(name, digests=True):
        return False
    return ws[-1] in _ID_WORDS or (len(ws) > 1 and ws[-1] == "key" and ws[-2] in _LOOKUP_KEY_QUALIFIERS)


def _matched_against_markers(ctx, side: ast.expr, compare: ast.Compare) -> bool:
    """The scope also compares `side` with a fixed marker (a non-empty literal, an f-string of constants)
    or tests its prefix or suffix against one: a token of a lexer, parser or path whose values are
    known words. A secret is compared with the value it must equal, not with words in the source."""
    target = ast.dump(side)
    for found in ctx.scope_nodes():
        if found is compare:
            continue
        if isinstance(found, ast.Compare) and len(found.ops) == 1 and isinstance(found.ops[0], (ast.Eq, ast.NotEq)):
            pairs = ((found.left, found.comparators[0]), (found.comparators[0], found.left))
            if any(ast.dump(mine) == target and _marker(ctx, other) for mine, other in pairs):
                return True
        elif (
            isinstance(found, ast.Call)
            and isinstance(found.func, ast.Attribute)
            and found.func.attr in ("startswith", "endswith")
            and ast.dump(found.func.value) == target
            and found.args
            and _marker(ctx, found.args[0])
        ):
            return True
    return False


def _marker(ctx, value: ast.expr) -> bool:
    if isinstance(value, ast.Constant):
        return isinstance(value.value, str) and bool(value.value)
    return isinstance(value, ast.JoinedStr) and _magic_constant(ctx, value)
