"""Where a digest goes and what it is made from (TG302).

A broken hash matters only where something relies on its collision or preimage resistance: a
signature, a token, a MAC, a check of downloaded code. A digest that only names something (a cache or
dict key, a file, lock or socket name, a short identifier) gains an attacker nothing from a
collision, and a digest of random bytes is as unpredictable as the bytes, whatever the hash. These
helpers follow a digest through local names, string building and the function that returns it, and
call it a name only when every use they find names something. A digest with no visible use (a bare
call, a value handed to an unknown function, compared or sent) is not a name.
"""

from __future__ import annotations

import ast
from typing import Iterator, Optional

from tabguard.guards import words
from tabguard.rules.crypto._names import SECRET_WORDS, secret_kind

# Words for what a digest names: uses where a collision or a preimage gains an attacker nothing.
NAMING_WORDS = frozenset(
    {
        "cache",
        "cached",
        "etag",
        "bucket",
        "shard",
        "sharding",
        "partition",
        "dedup",
        "dedupe",
        "gravatar",
        "avatar",
        "color",
        "colour",
        "slug",
        "lru",
        "memo",
        "memoize",
        "placement",
        "filename",
        "jitter",
        "seed",
        "identicon",
        "hue",
        "uuid",
        "name",
        "path",
        "dir",
        "dirname",
        "lockfile",
        "lock",
    }
)
# Words that make a digest a security value (`key` alone is as often a dict key: see `name_verdict`).
SECURITY_WORDS = frozenset(
    {
        "sign",
        "signature",
        "signed",
        "signing",
        "sig",
        "token",
        "mac",
        "hmac",
        "auth",
        "secret",
        "key",
        "nonce",
        "session",
        "csrf",
        "otp",
        "password",
        "passwd",
        "verify",
        "verification",
        "credential",
        "credentials",
    }
)
# `<word> key` that derives a cipher or signing key, not a lookup key.
_KEY_MAKING_WORDS = frozenset({"derive", "derived", "kdf", "encrypt", "decrypt", "cipher", "crypt"})
# Calls whose output is unpredictable bytes or text: hashing it adds nothing an attacker can exploit.
_RANDOM_SOURCES = frozenset(
    {"os.urandom", "secrets.token_bytes", "secrets.token_hex", "secrets.token_urlsafe", "uuid.uuid4"}
)
# Calls and methods that turn text into text: the digest's text goes on into their result.
_TEXT_CALLS = frozenset({"str", "bytes", "format", "to_bytes", "to_text", "to_native", "to_str"})
_TEXT_METHODS = frozenset({"encode", "decode", "lower", "upper", "strip", "format", "join", "replace", "hex"})
# Calls that build a path from their arguments, and mapping lookups that take the digest as a key.
_PATH_CALLS = frozenset({"os.path.join", "posixpath.join", "ntpath.join", "pathlib.Path", "pathlib.PurePath"})
_LOOKUPS = frozenset({"get", "setdefault", "pop", "add", "discard"})
_FEEDS = frozenset({"update"})
_FINISHES = frozenset({"hexdigest", "digest"})
_MAX_DEPTH = 4


def name_verdict(name: Optional[str]) -> Optional[bool]:
    """True when `name` says its value names something (`cache_key`, `lockfile_name`,
    `get_template_key`), False when it says the value is a security value (`signature`,
    `reset_token`, `api_key`), None when it says neither."""
    if not name:
        return None
    ws = words(name)
    if secret_kind(name, digests=True) is not None or any(
        w in SECURITY_WORDS and w != "key" or w in SECRET_WORDS for w in ws
    ):
        return False  # `get_pin_and_cookie_name` makes a PIN too
    if any(w in NAMING_WORDS for w in ws):
        return True
    if "key" in ws:
        # `template_key`, `key_mangler`: a lookup key; `key` alone or `derive_key` may be a cipher's.
        return len(ws) > 1 and not any(w in _KEY_MAKING_WORDS for w in ws) or None
    return None


def random_input(ctx, data: Optional[ast.expr]) -> bool:
    """`sha1(os.urandom(64))`, `md5(str(uuid.uuid4()).encode())`: the bytes hashed are random."""
    return data is not None and any(ctx.call_name(call) in _RANDOM_SOURCES for call in _calls_in(data))


def _calls_in(node: ast.expr) -> Iterator[ast.Call]:
    """The calls whose whole output goes into `node`: through `+`, `%`, f-strings, `str()`, `.encode()`."""
    if isinstance(node, ast.Call):
        yield node
        if isinstance(node.func, ast.Attribute) and node.func.attr in _TEXT_METHODS:
            yield from _calls_in(node.func.value)
        for argument in node.args:
            if isinstance(node.func, ast.Name) and node.func.id in _TEXT_CALLS:
                yield from _calls_in(argument)
    elif isinstance(node, ast.BinOp):
        yield from _calls_in(node.left)
        yield from _calls_in(node.right)
    elif isinstance(node, ast.JoinedStr):
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                yield from _calls_in(value.value)


def only_names(ctx, call: ast.Call) -> bool:
    """Every use of the hash object `call` makes, or of the digest it gives, names something."""
    return _uses_name(ctx, call, hasher=True, depth=0)


def _uses_name(ctx, node: ast.AST, hasher: bool, depth: int) -> bool:
    """`node` is a hash object (`hasher`) or a digest's text: does its value only name things?"""
    if depth > _MAX_DEPTH:
        return False
    if name_verdict(getattr(_function_of(ctx, node), "name", None)):
        return True  # computed in `cache_path()`, `get_bucket()`
    while True:
        parent = _parent(ctx, node)
        if parent is None:
            return False
        if isinstance(parent, ast.Attribute):
            call = _parent(ctx, parent)
            if not isinstance(call, ast.Call) or call.func is not parent:
                return False
            if hasher and parent.attr in _FEEDS:
                return True  # `h.update(part)` feeds it; what it gives is judged at `hexdigest()`
            if hasher and parent.attr in _FINISHES or not hasher and parent.attr in _TEXT_METHODS:
                node, hasher = call, False
                continue
            return False
        if hasher:
            if isinstance(parent, ast.Assign):
                return _bound(ctx, parent, True, depth)
            return False
        if isinstance(parent, ast.Subscript):
            return parent.slice is node or isinstance(parent.slice, ast.Slice)  # `cache[d]`, `d[:12]`
        if isinstance(parent, ast.Dict):
            return any(key is node for key in parent.keys)
        if isinstance(parent, ast.Compare):
            return parent.left is node and all(isinstance(op, (ast.In, ast.NotIn)) for op in parent.ops)
        if isinstance(parent, ast.BinOp):
            if isinstance(parent.op, ast.Div):
                return True  # `cache_dir / digest`
            if not isinstance(parent.op, (ast.Add, ast.Mod)):
                return False
        elif isinstance(parent, ast.comprehension):
            generator = _parent(ctx, parent)
            if parent.iter is not node or generator is None:
                return False
            parent = generator
        elif isinstance(parent, ast.Call):
            text = _call_use(ctx, parent, node)
            if text is not None:
                return text
        elif isinstance(parent, ast.keyword):
            return bool(name_verdict(parent.arg))
        elif isinstance(parent, (ast.Assign, ast.AnnAssign)):
            return _bound(ctx, parent, False, depth)
        elif isinstance(parent, ast.Return):
            return _returned(ctx, parent, depth)
        elif not isinstance(
            parent, (ast.JoinedStr, ast.FormattedValue, ast.Tuple, ast.List, ast.GeneratorExp, ast.ListComp)
        ):
            return False
        node = parent


def _call_use(ctx, call: ast.Call, node: ast.AST) -> Optional[bool]:
    """A digest passed to `call`: True when the call makes a path of it or looks it up as a key,
    None when the call only carries its text on (`str()`, `"-".join()`), False otherwise."""
    if call.func is node:
        return False
    name = ctx.call_name(call) or ""
    if name in _PATH_CALLS:
        return True
    last = name.rsplit(".", 1)[-1]
    if isinstance(call.func, ast.Attribute) and last in _LOOKUPS and call.args and call.args[0] is node:
        return True  # `seen.add(d)`, `cache.get(d)`
    if last in _TEXT_CALLS or isinstance(call.func, ast.Attribute) and last in _TEXT_METHODS:
        return None
    return False


def _bound(ctx, statement: ast.Assign | ast.AnnAssign, hasher: bool, depth: int) -> bool:
    """Assigned: the name says what it holds, or else its uses do."""
    targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
    if len(targets) != 1:
        return False
    target = targets[0]
    if isinstance(target, ast.Attribute):
        return not hasher and bool(name_verdict(target.attr))
    if not isinstance(target, ast.Name):
        return False
    if not hasher:
        verdict = name_verdict(target.id)
        if verdict is not None:
            return verdict
    scope = ctx.model.scope_of(target)
    binding = next((b for b in ctx.model.bindings(scope, target.id) if b.node is statement), None) if scope else None
    uses = ctx.model.uses(binding) if binding is not None else []
    return bool(uses) and all(_uses_name(ctx, use, hasher, depth + 1) for use in uses)


def _returned(ctx, statement: ast.Return, depth: int) -> bool:
    """Returned: the function's name says what it gives, or else what its callers in this block do
    with it (`skip = self.make_hash(names)` in `cache_key()`)."""
    function = _function_of(ctx, statement)
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    verdict = name_verdict(function.name)
    if verdict is not None:
        return verdict
    callers = _call_sites(ctx).get(function.name, [])
    return bool(callers) and all(_uses_name(ctx, caller, False, depth + 1) for caller in callers)


def _call_sites(ctx) -> dict[str, list[ast.Call]]:
    """Calls in the block by the called name: `f(...)` and `obj.f(...)` under "f"."""

    def collect() -> dict[str, list[ast.Call]]:
        found: dict[str, list[ast.Call]] = {}
        for node in ast.walk(ctx.tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if name:
                    found.setdefault(name, []).append(node)
        return found

    return ctx.memo("digest-call-sites", collect)


def _function_of(ctx, node: Optional[ast.AST]) -> Optional[ast.AST]:
    while node is not None and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        node = _parent(ctx, node)
    return node


def _parent(ctx, node: ast.AST) -> Optional[ast.AST]:
    """`node`'s parent, anywhere in the block (the traversal links only the nodes it has reached;
    asking the semantic model for the node's scope links the rest)."""
    parent = ctx.parent(node)
    if parent is None and node is not ctx.tree:
        ctx.model.scope_of(node)
        parent = ctx.parent(node)
    return parent
