"""TG302: MD5, SHA-1 (or MD4/MD2) used where collisions matter: signatures, tokens, integrity."""

from __future__ import annotations

import ast

import libcst as cst

from tabguard.engine.fixes import expression_fix, set_keyword
from tabguard.engine.rule import Invalid, Rule
from tabguard.guards import words
from tabguard.rules.crypto._digest_use import name_verdict, only_names, random_input
from tabguard.rules.crypto._hashing import BROKEN, hash_call, hash_call_names, hashes_password, stored_password
from tabguard.rules.crypto._protocol_hash import chosen_by_protocol
from tabguard.rules.crypto._names import enclosing_name, expression_name, secret_kind, value_parts

_SIZES = frozenset({"digest_size", "block_size"})


class BrokenHash(Rule):
    id = "TG302"
    name = "broken-hash"
    severity = "medium"
    confidence = "medium"
    cwe = (327, 328)
    owasp = "A04:2025"
    message = "`{algorithm}` is broken for security use; use SHA-256 or stronger"
    placeholders = {"algorithm": "md5"}
    aliases = ("B303", "B324", "S303", "S324")
    call_names = hash_call_names(BROKEN)
    what = (
        "Uses `{algorithm}`, a hash with practical collision attacks, where nothing says the digest is "
        "only a cache key or checksum against accidents."
    )
    why = (
        "MD5 collisions take seconds on a laptop and SHA-1 collisions are affordable (SHAttered, "
        "chosen-prefix attacks). An attacker who controls part of the input can make two documents, "
        "certificates or packages with the same digest: one is signed or allow-listed, the other is "
        "delivered. Tokens and signatures built from these hashes inherit the weakness."
    )
    how = (
        "Use `hashlib.sha256` (or SHA-3/BLAKE2). For message authentication use `hmac.new(key, msg, "
        "hashlib.sha256)`; for passwords use a password hashing function (see TG301). If the digest "
        "really is not a security boundary (a cache key, an ETag), say so with "
        "`hashlib.md5(data, usedforsecurity=False)`."
    )
    example = (
        "import hashlib\n\nchecksum = hashlib.sha256(payload).hexdigest()\n"
        "cache_key = hashlib.md5(url.encode(), usedforsecurity=False).hexdigest()"
    )
    fix_safety = (
        "Unsafe for a digest named as a signature, token, MAC, PIN or key: it is switched to SHA-256, so its "
        "values change: stored or exchanged values computed with the old algorithm no longer match, and "
        "a peer that expects MD5/SHA-1 must change too. Safe for any other `hashlib` digest (a file "
        "fingerprint, a checksum): it keeps its algorithm and values and gets `usedforsecurity=False`, "
        "which changes nothing at run time except on FIPS-restricted builds, where the call now works "
        "instead of raising (the keyword needs Python 3.9+). It records that the digest is no security "
        "boundary: review that this is true."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/328.html",
        "https://shattered.io/",
        "https://docs.python.org/3/library/hashlib.html#hashlib.new",
    )
    VALID = (
        "import hashlib\ndigest = hashlib.sha256(data).hexdigest()\n",
        "import hashlib\nkey = hashlib.md5(url.encode(), usedforsecurity=False).hexdigest()\n",
        "import hashlib\ncache_key = hashlib.md5(url.encode()).hexdigest()\n",
        # the digest of nothing: a constant (a hasher fed later is judged: see the `X-Signature` Invalid)
        "import hashlib\nEMPTY = hashlib.md5().hexdigest()\n",
        "import hashlib\ndef etag_for(body):\n    return hashlib.sha1(body).hexdigest()\n",
        "import hashlib\nh = hashlib.new('sha256', data)\n",
        "from cryptography.hazmat.primitives import hashes\nh = hashes.SHA256()\n",
        "import hashlib\nhashlib.new(name='sha1', usedforsecurity=False)\n",
        "import hashlib\nshort_id = hashlib.sha1(source.encode()).hexdigest()[:12]\n",
        "from hashlib import sha1\nimport os\nsalt = os.urandom(sha1().digest_size)\n",
        "import hashlib, hmac\ndef _sha1(data=b''):\n    return hashlib.sha1(data)\nmac = hmac.new(key, msg, _sha1)\n",
        "import hashlib, os\ncnonce = hashlib.sha1(os.urandom(8)).hexdigest()[:16].encode()\n",
        # The protocol names the hash: HTTP digest authentication runs the one the challenge asks for,
        # an SSH key exchange method carries it in its name; the fallback of a `usedforsecurity` call.
        "import hashlib\ndef response(algorithm, a1):\n    if algorithm in ('MD5', 'MD5-sess'):\n"
        "        digest = hashlib.md5(a1).hexdigest()\n    elif algorithm == 'SHA':\n"
        "        digest = hashlib.sha1(a1).hexdigest()\n    return digest\n",
        "from hashlib import sha1\nclass KexGroup1:\n    NAME = 'diffie-hellman-group1-sha1'\n"
        "    def exchange_hash(self, blob):\n        self.H = sha1(blob).digest()\n",
        "import hashlib\ntry:\n    hashlib.md5(b'', usedforsecurity=False)\n    def md5_hex(data):\n"
        "        return hashlib.md5(data, usedforsecurity=False).hexdigest()\nexcept TypeError:\n"
        "    def md5_hex(data):\n        h = hashlib.md5(data)\n        return h.hexdigest()\n",
        # Followed to where it goes: a file name, a dict key, a cache key its caller builds; made of
        # random bytes; registered as the SQL function that computes that hash.
        "import hashlib\ndef control_socket(host, port, user):\n    m = hashlib.sha1()\n"
        "    m.update(f'{host}-{port}-{user}'.encode())\n    digest = m.hexdigest()\n"
        "    return '/tmp/ctl-' + digest[:10]\n",
        "import hashlib, os\ndef save(url, body):\n"
        "    target = os.path.join(CACHE_DIR, hashlib.md5(url.encode()).hexdigest())\n    write(target, body)\n",
        "import hashlib\ndef index(rows):\n    seen = {}\n    for row in rows:\n"
        "        seen[hashlib.md5(row).hexdigest()] = row\n    return seen\n",
        "import hashlib\nclass Loader:\n    def make_hash(self, values):\n"
        "        return hashlib.sha1('|'.join(values).encode()).hexdigest()\n"
        "    def cache_key(self, name, values):\n        return '-'.join((name, self.make_hash(values)))\n",
        "from hashlib import sha1\ndef template_key(name):\n    return 'tmpl_' + sha1(name.encode()).hexdigest()\n",
        "import hashlib, os\nclass Vars:\n    def __init__(self):\n"
        "        self._omit_token = '__omit__%s' % hashlib.sha1(os.urandom(64)).hexdigest()\n",
        "import hashlib, sqlite3\ndef connect(path):\n    conn = sqlite3.connect(path)\n"
        "    conn.create_function('MD5', 1, lambda s: hashlib.md5(s.encode()).hexdigest())\n    return conn\n",
        "import hashlib\ndef _md5(text):\n    return hashlib.md5(text.encode()).hexdigest()\n\n\n"
        "def register(conn):\n    conn.create_function('MD5', 1, _md5)\n",
    )
    INVALID = (
        Invalid(
            "import hashlib\nsignature = hashlib.md5(secret + payload).hexdigest()\n",
            "import hashlib\nsignature = hashlib.sha256(secret + payload).hexdigest()\n",
        ),
        Invalid(
            "from hashlib import sha1\ndef checksum(blob):\n    return sha1(blob).hexdigest()\n",
            "from hashlib import sha1\ndef checksum(blob):\n    return sha1(blob, usedforsecurity=False).hexdigest()\n",
        ),
        Invalid(
            "import hashlib as hl\ntoken = hl.sha1(os.urandom(16)).hexdigest()\n",
            "import hashlib as hl\ntoken = hl.sha256(os.urandom(16)).hexdigest()\n",
        ),
        Invalid(
            "import hashlib\nh = hashlib.new('md5', data)\n",
            "import hashlib\nh = hashlib.new('md5', data, usedforsecurity=False)\n",
        ),
        Invalid(
            "import hashlib\ndef sign(key, body):\n    return hashlib.new('sha1', key + body).hexdigest()\n",
            "import hashlib\ndef sign(key, body):\n    return hashlib.new('sha256', key + body).hexdigest()\n",
        ),
        Invalid(
            "import hashlib\ndef fingerprint(path):\n    with open(path, 'rb') as f:\n        return hashlib.md5(f.read()).hexdigest()\n",
            "import hashlib\ndef fingerprint(path):\n    with open(path, 'rb') as f:\n"
            "        return hashlib.md5(f.read(), usedforsecurity=False).hexdigest()\n",
        ),
        Invalid(
            "from cryptography.hazmat.primitives import hashes\ndigest = hashes.Hash(hashes.SHA1())\n",
            "from cryptography.hazmat.primitives import hashes\ndigest = hashes.Hash(hashes.SHA256())\n",
        ),
        Invalid("from Crypto.Hash import MD5\nh = MD5.new(message)\n"),
        # Registered under another name than the hash's: the code chose MD5.
        Invalid(
            "import hashlib\ndef _digest(text):\n    return hashlib.md5(text.encode()).hexdigest()\n\n\n"
            "def register(conn):\n    conn.create_function('SIGN', 1, _digest)\n",
            "import hashlib\ndef _digest(text):\n    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()\n\n\n"
            "def register(conn):\n    conn.create_function('SIGN', 1, _digest)\n",
        ),
        # Followed, but one use is a security value: a header, a comparison, a number made of it.
        Invalid(
            "import hashlib\ndef sign(secret, body, headers):\n    h = hashlib.md5()\n    h.update(secret + body)\n"
            "    headers['X-Signature'] = h.hexdigest()\n",
            "import hashlib\ndef sign(secret, body, headers):\n    h = hashlib.sha256()\n    h.update(secret + body)\n"
            "    headers['X-Signature'] = h.hexdigest()\n",
        ),
        Invalid(
            "import hashlib\nclass Upload:\n    def make_hash(self, body):\n"
            "        return hashlib.sha1(body).hexdigest()\n"
            "    def accept(self, body, expected):\n        return self.make_hash(body) == expected\n",
            "import hashlib\nclass Upload:\n    def make_hash(self, body):\n"
            "        return hashlib.sha1(body, usedforsecurity=False).hexdigest()\n"
            "    def accept(self, body, expected):\n        return self.make_hash(body) == expected\n",
        ),
        Invalid(
            "import hashlib\ndef debugger_pin(machine_id):\n    h = hashlib.sha1()\n    h.update(machine_id)\n"
            "    cookie = f'__dbg{h.hexdigest()[:20]}'\n    return cookie, int(h.hexdigest(), 16) % 10**9\n",
            "import hashlib\ndef debugger_pin(machine_id):\n    h = hashlib.sha256()\n    h.update(machine_id)\n"
            "    cookie = f'__dbg{h.hexdigest()[:20]}'\n    return cookie, int(h.hexdigest(), 16) % 10**9\n",
        ),
        # A branch on another algorithm, a setting named by one word, a try without the keyword.
        Invalid(
            "import hashlib\ndef sign(algorithm, key, body):\n    if algorithm == 'SHA-256':\n"
            "        return hashlib.sha1(key + body).hexdigest()\n",
            "import hashlib\ndef sign(algorithm, key, body):\n    if algorithm == 'SHA-256':\n"
            "        return hashlib.sha256(key + body).hexdigest()\n",
        ),
        Invalid(
            "import hashlib\nclass Signer:\n    ALGORITHM = 'md5'\n    def sign(self, key, body):\n"
            "        self.signature = hashlib.md5(key + body).hexdigest()\n",
            "import hashlib\nclass Signer:\n    ALGORITHM = 'md5'\n    def sign(self, key, body):\n"
            "        self.signature = hashlib.sha256(key + body).hexdigest()\n",
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        found = hash_call(ctx, node)
        if found is None or found.algorithm not in BROKEN:
            return
        used_for_security = ctx.keyword(node, "usedforsecurity")
        if used_for_security is not None and not (
            isinstance(used_for_security.value, ast.Constant) and used_for_security.value.value is True
        ):
            return
        if hashes_password(ctx, found.data) or _non_security_use(ctx, node, found.data) or _digest_factory(ctx, node):
            return  # TG301 reports passwords; cache keys and ETags need no collision resistance
        if chosen_by_protocol(ctx, node, found.algorithm):
            return  # the peer's protocol names the hash: the code cannot pick another
        ctx.report(self, node, details={"algorithm": found.algorithm}, fix=_fix(ctx, node, found.kind))


def _non_security_use(ctx, node: ast.Call, data) -> bool:
    chain = _outermost_chain(ctx, node)
    if _truncated(ctx, node, chain):
        return True  # `md5(x).hexdigest()[:8]`: a short identifier, not a security check
    if isinstance(chain, ast.Attribute) and chain.attr in _SIZES and not node.args:
        return True  # `sha1().digest_size`: the algorithm's output length, nothing is hashed
    if data is None and not node.keywords and _finished_at_once(ctx, node):
        return True  # `md5().hexdigest()`: the digest of nothing, a constant
    bound = enclosing_name(ctx, chain)
    names = [bound, getattr(ctx.function, "name", None)]
    if data is not None:
        names.extend(expression_name(part) for part in value_parts(data))
    if any(name_verdict(name) for name in names):
        return True  # `cache_key = ...`, `def etag_for(...)`, `md5(cache_key)`
    if random_input(ctx, data) and secret_kind(bound, digests=True) is None:
        return True  # a digest of random bytes is an identifier (a token keeps its name: TG309/TG313 judge it)
    return only_names(ctx, node)


def _truncated(ctx, node: ast.AST, chain: ast.AST) -> bool:
    """A slice anywhere along the chain (`sha1(s).hexdigest()[:16].encode()`)."""
    while node is not chain:
        node = ctx.parent(node)
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
            return True
    return False


def _finished_at_once(ctx, node: ast.Call) -> bool:
    method = ctx.parent(node)
    return (
        isinstance(method, ast.Attribute)
        and method.attr in ("digest", "hexdigest")
        and isinstance(ctx.parent(method), ast.Call)
    )


def _digest_factory(ctx, node: ast.Call) -> bool:
    """`def _sha1(data=b""): return hashlib.sha1(data)`: a constructor handed to HMAC or a signer as
    its `digestmod`, where SHA-1 and MD5 keep their strength; TG302 judges the digests, not factories."""
    return isinstance(ctx.parent(node), ast.Return) and ctx.function is not None


def _outermost_chain(ctx, node: ast.AST) -> ast.AST:
    """`hashlib.md5(x).hexdigest()[:8]` as a whole, so its assignment target is found."""
    parent = ctx.parent(node)
    while isinstance(parent, (ast.Attribute, ast.Call, ast.Subscript)) and not (
        isinstance(parent, ast.Call) and node in parent.args
    ):
        node, parent = parent, ctx.parent(parent)
    return node


def _fix(ctx, node: ast.Call, kind: str):
    """A signature, token or MAC needs a stronger hash (the digests change); anything else (a file
    fingerprint, a checksum) keeps its stored values and says it is no security boundary."""
    if any(isinstance(n, ast.Call) and stored_password(n) is not None for n in ctx.scope_nodes()):
        return None  # a stored password needs a password hash (TG301), not another fast digest
    if kind in ("hashlib", "hashlib.new") and not _security_use(ctx, node):
        return expression_fix(
            ctx,
            node,
            set_keyword("usedforsecurity", "False"),
            "Fix: mark the digest as not used for security",
            safe=True,
        )
    # Only `module.md5(...)` spellings are renamed: a bare `md5` from `from hashlib import md5`
    # would need a new import the file may shadow.
    if not isinstance(node.func, ast.Attribute):
        return None
    if kind == "hashlib.new":
        return expression_fix(ctx, node, _first_arg_sha256, "Fix: use sha256", safe=False)
    if kind in ("hashlib", "cryptography"):
        new = "sha256" if kind == "hashlib" else "SHA256"
        return expression_fix(ctx, node.func, _rename_attr(new), f"Fix: use {new}", safe=False)
    return None


def _security_use(ctx, node: ast.Call) -> bool:
    """The digest is named (or computed from something named) as a signature, token, MAC, PIN or key."""
    chain = _outermost_chain(ctx, node)
    names = [enclosing_name(ctx, chain), getattr(ctx.function, "name", None)]
    for argument in node.args:
        names.extend(expression_name(part) for part in value_parts(argument))
    return any(name_verdict(name) is False or "key" in words(name) for name in names if name)


def _first_arg_sha256(call: cst.BaseExpression) -> cst.BaseExpression:
    assert isinstance(call, cst.Call)
    args = list(call.args)
    index = next((i for i, a in enumerate(args) if a.keyword is not None and a.keyword.value == "name"), 0)
    args[index] = args[index].with_changes(value=cst.SimpleString("'sha256'"))
    return call.with_changes(args=args)


def _rename_attr(new: str):
    def transform(attr: cst.BaseExpression) -> cst.BaseExpression:
        assert isinstance(attr, cst.Attribute)
        return attr.with_changes(attr=cst.Name(new))

    return transform
