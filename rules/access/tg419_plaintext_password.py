"""TG419: passwords stored or compared as plain text (a model field, an INSERT, `user.password == form[...]`)."""

from __future__ import annotations

import ast
import re
from typing import Optional

from tabguard.engine.facts import dotted_name
from tabguard.engine.rule import Invalid, Rule
from tabguard.guards import words
from tabguard.rules.crypto._names import DIGEST_WORDS, expression_name, secret_kind

# Column types of ORMs: a class attribute built with one is a stored field.
_COLUMNS = frozenset({"Column", "CharField", "TextField", "StringField", "mapped_column", "String", "Text"})
_MODEL_BASES = re.compile(r"(^|\.)(Model|Base|Document|SQLModel|DeclarativeBase|db\.Model)$")
_CONFIRM_WORDS = frozenset(
    {"confirm", "confirmation", "repeat", "again", "retype", "verify", "new", "old", "current", "form"}
)
# A write and then a password column in one statement; see `_writes_password`.
_WRITE = re.compile(r"\b(INSERT\s+INTO|UPDATE)\b", re.IGNORECASE)
# Methods that run the SQL text they are given.
_SQL_RUNNERS = frozenset({"execute", "executemany", "executescript", "raw"})
# A row found by the password itself (`WHERE username = ? AND password = ?`): the column holds it as typed.
_LOOKUP_SQL = re.compile(r"\bWHERE\b[^;]*?\bpassw(?:or)?d\s*=", re.IGNORECASE)
# ORM and document-store lookups: `User.objects.filter(username=u, password=p)`, `find_one({...})`.
_LOOKUPS = frozenset({"filter", "filter_by", "get", "get_or_none", "find_one", "find"})
_PASSWORD_COLUMN = re.compile(r"\bpassw(or)?d\b", re.IGNORECASE)
# Receivers whose attributes are what the client sent, not what was stored.
_CLIENT_ROOTS = frozenset(
    {"request", "form", "data", "body", "payload", "credentials", "creds", "login", "schema", "args"}
)


# Words of a call that turns a password into something else to store (`generate_password_hash`, `hashpw`).
_HASHING_WORDS = frozenset({"hash", "hashpw", "encrypt"})
# Reversible encodings that are sometimes taken for hashing: whoever reads the column decodes it.
_ENCODINGS = frozenset(
    {
        "b64encode",
        "b64decode",
        "urlsafe_b64encode",
        "urlsafe_b64decode",
        "standard_b64encode",
        "standard_b64decode",
        "encodebytes",
        "decodebytes",
        "b32encode",
        "b32decode",
        "b16encode",
        "b16decode",
        "b85encode",
        "b85decode",
        "hexlify",
        "unhexlify",
    }
)
# Methods whose comparison is two objects' equality, not a login.
_EQUALITY_METHODS = frozenset({"__eq__", "__ne__", "__hash__"})


class PlaintextPassword(Rule):
    id = "TG419"
    name = "plaintext-password"
    severity = "high"
    confidence = "medium"
    cwe = (256, 522, 261)
    owasp = "A04:2025"
    message = "Password {how}: store a slow salted hash and verify against it"
    placeholders = {"how": "compared in plain text (`user.password == request.form['password']`)"}
    call_names = frozenset({"execute", "executemany"}) | _LOOKUPS
    what = "The password is {how}. The database then holds every user's password as they typed it."
    why = (
        "A database leaks: a backup, an SQL injection, a read replica, a support tool. With plain-text "
        "passwords the leak hands over every account at once, here and on every other site where users "
        "reused the password (credential stuffing). Base64 or hex is the same as plain text: it is an "
        "encoding anyone reverses with one call. Hashed with a slow salted function, a leaked table "
        "costs the attacker years of guessing per strong password."
    )
    how = (
        "Hash on registration and password change, verify at login: `generate_password_hash` / "
        "`check_password_hash` (Werkzeug), `make_password` / `check_password` (Django), passlib or argon2-cffi "
        "(`PasswordHasher().hash(pw)` / `.verify(hash, pw)`). Name the column `password_hash`. Existing "
        "plain-text rows must be migrated (hash them, or force a reset)."
    )
    example = (
        "from werkzeug.security import check_password_hash, generate_password_hash\n\n"
        "user = User(email=email, password_hash=generate_password_hash(password))\n...\n"
        'if user is None or not check_password_hash(user.password_hash, form["password"]):\n    abort(401)'
    )
    references = (
        "https://cwe.mitre.org/data/definitions/256.html",
        "https://cwe.mitre.org/data/definitions/522.html",
        "https://cwe.mitre.org/data/definitions/261.html",
        "https://owasp.org/Top10/2025/A04_2025-Cryptographic_Failures/",
        "https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html",
    )
    VALID = (
        # a hash formatted into the statement
        "import hashlib\ndef add_user(cur, username, password_hash):\n"
        "    cur.execute(\"INSERT INTO users (username, password) VALUES ('{}', '{}')\".format(username, password_hash))\n",
        "class User(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n    password_hash = db.Column(db.String(255))\n",
        "from django import forms\nclass LoginForm(forms.Form):\n    password = forms.CharField(widget=forms.PasswordInput)\n",
        "def check(user, password):\n    return check_password_hash(user.password_hash, password)\n",
        # typed twice
        "def register(form):\n    if form['password'] != form['confirm_password']:\n        raise ValueError('mismatch')\n",
        "cur.execute('INSERT INTO users (email, password_hash) VALUES (?, ?)', (email, generate_password_hash(password)))\n",
        "db.execute('UPDATE users SET password = ? WHERE id = ?', (bcrypt.hashpw(pw.encode(), bcrypt.gensalt()), uid))\n",
        "def test_url_keeps_the_password(backend):\n    assert backend.password == EXPECTED_PASSWORD\n",
        # looked up by a hash of the password, or by name only
        "import hashlib\ndef login(db, username, password):\n"
        "    return db.users.find_one({'username': username, 'password': hashlib.sha256(password.encode()).hexdigest()})\n",
        "def login(cur, username):\n    cur.execute('SELECT id, password_hash FROM users WHERE username = ?', (username,))\n",
        "def reset(User, token):\n    return User.objects.filter(password_reset_token=token).first()\n",
        "class URL:\n    def __eq__(self, other):\n        return self.user == other.user and self.password == other.password\n",
        # base64 of a digest, or of data that is not a password
        "import base64, hashlib\ndef check(user, password):\n"
        "    digest = hashlib.pbkdf2_hmac('sha256', password.encode(), user.salt, 600_000)\n"
        "    return hmac.compare_digest(base64.b64encode(digest).decode(), user.password_hash)\n",
        "import base64\ndef same_avatar(user, upload):\n    return base64.b64encode(upload.read()) == user.avatar\n",
        # the model hashes into its `password` field itself
        "from django.db import models\nfrom django.contrib.auth.hashers import make_password\n"
        "class Member(models.Model):\n    password = models.CharField(max_length=128)\n"
        "    def set_password(self, raw_password):\n        self.password = make_password(raw_password)\n",
    )
    INVALID = (
        # the SQL formatted with the password (also an injection, TG105's)
        Invalid(
            "import sqlite3\ndef check_login(username, password):\n    db = sqlite3.connect('users.db')\n"
            "    row = db.execute(f\"SELECT id FROM users WHERE name = '{username}' AND password = '{password}'\").fetchone()\n"
            "    return row is not None\n",
            message="looked up in plain text",
        ),
        Invalid(
            "def add_user(cur, username, password):\n"
            "    cur.execute(\"INSERT INTO users (username, password) VALUES ('%s', '%s')\" % (username, password))\n",
            message="written to the database in plain text",
        ),
        Invalid(
            "class User(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n    password = db.Column(db.String(120), nullable=False)\n"
        ),
        Invalid(
            "from django.db import models\nclass Customer(models.Model):\n    email = models.EmailField()\n    password = models.CharField(max_length=64)\n"
        ),
        Invalid(
            "from flask import request\ndef login():\n    user = User.query.filter_by(email=request.form['email']).first()\n"
            "    if user and user.password == request.form['password']:\n        return 'ok'\n"
        ),
        Invalid(
            "def authenticate(username, password):\n    user = get_user(username)\n    return user is not None and user['password'] == password\n"
        ),
        Invalid(
            "def register(conn, username, password):\n"
            "    conn.execute('INSERT INTO users (username, password) VALUES (?, ?)', (username, password))\n"
        ),
        Invalid("USERS = {'alice': 'x'}\ndef check(username, password):\n    return USERS.get(username) == password\n"),
        # a login that finds the row by the password as typed
        Invalid(
            "from django.contrib.auth.models import User\ndef login(request):\n    u = request.POST['username']\n"
            "    p = request.POST['password']\n    return User.objects.filter(username=u, password=p).first()\n",
            message="looked up in plain text (`password=` in `filter`)",
        ),
        Invalid(
            "def login(db, username, password):\n    return db.users.find_one({'username': username, 'password': password})\n",
            message="looked up in plain text",
        ),
        Invalid(
            "def login(cur, username, password):\n"
            "    cur.execute('SELECT id FROM users WHERE username = ? AND password = ?', (username, password))\n",
            message="looked up in plain text (`WHERE",
        ),
        # base64 taken for hashing, when storing and when checking
        Invalid(
            "import base64\ndef check_password(cursor, userid, password):\n"
            "    cursor.execute('SELECT password FROM users WHERE userid = %s', (userid,))\n    row = cursor.fetchone()\n"
            "    return row is not None and base64.b64decode(row[0]) == password\n",
            message="reversible encoding (`b64decode`",
        ),
        Invalid(
            "import base64\ndef login(user, form):\n"
            "    return user.password_hash == base64.b64encode(form['password'].encode()).decode()\n",
        ),
        Invalid(
            "import base64\ndef register(conn, username, password):\n"
            "    conn.execute('INSERT INTO users (username, password) VALUES (?, ?)',\n"
            "                 (username, base64.urlsafe_b64encode(password.encode())))\n",
            message="written to the database in a reversible encoding",
        ),
        # a setter that stores what it was given
        Invalid(
            "from django.db import models\nclass Member(models.Model):\n    password = models.CharField(max_length=128)\n"
            "    def set_password(self, raw_password):\n        self.password = raw_password.strip()\n"
        ),
    )

    def visit_ClassDef(self, node: ast.ClassDef, ctx) -> None:
        if not any(_MODEL_BASES.search(dotted_name(b) or "") for b in node.bases):
            return
        hashed = _hashed_fields(node)
        for statement in node.body:
            if (
                isinstance(statement, ast.Assign)
                and isinstance(statement.value, ast.Call)
                and len(statement.targets) == 1
            ):
                target = statement.targets[0]
                if isinstance(target, ast.Name) and _raw_password_name(target.id) and target.id not in hashed:
                    if (dotted_name(statement.value.func) or "").rpartition(".")[2] in _COLUMNS:
                        ctx.report(
                            self, statement, details={"how": f"stored in plain text (model field `{target.id}`)"}
                        )

    def visit_Compare(self, node: ast.Compare, ctx) -> None:
        if len(node.ops) != 1 or not isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
            return
        if isinstance(ctx.parent(node), ast.Assert) or getattr(ctx.function, "name", None) in _EQUALITY_METHODS:
            return  # a test's expectation of a parsed setting; two objects compared field by field
        sides = (node.left, node.comparators[0])
        encoding = next((e for side in sides if (e := _encoding(side)) is not None), None)
        if encoding is not None and any(_names_password(side) for side in sides):
            ctx.report(self, node, details={"how": f"kept in a reversible encoding (`{encoding}` is not a hash)"})
            return
        stored = next((s for s in sides if _stored_password(s)), None)
        if stored is None:
            return
        other = sides[1] if stored is sides[0] else sides[0]
        name = expression_name(other)
        if name is None or secret_kind(name) != "password" or set(words(name)) & (DIGEST_WORDS | _CONFIRM_WORDS):
            return
        text = ast.unparse(node)
        ctx.report(
            self, node, details={"how": f"compared in plain text (`{text if len(text) <= 60 else text[:57] + '...'}`)"}
        )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        if isinstance(node.func, ast.Attribute) and node.func.attr in _LOOKUPS:
            self._check_lookup(node, ctx)
            return
        formatted = _formatted_sql(node.args[0]) if node.args and _runs_sql(node) else None
        if formatted is not None:
            sql, values = formatted  # `cur.execute("... password = '{}'".format(name, password))`
        elif len(node.args) >= 2 and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            sql = node.args[0].value
            params = node.args[1]
            values = params.elts if isinstance(params, (ast.Tuple, ast.List)) else [params]
        else:
            return
        if _writes_password(sql):
            how = "written to the database in plain text"
        elif _LOOKUP_SQL.search(sql):
            how = "looked up in plain text (`WHERE ... password = ?`)"
        else:
            return
        for value in values:
            if isinstance(value, ast.Name) and _raw_password_name(value.id):
                ctx.report(self, value, details={"how": how})
                return
            encoding = _encoding(value)
            if encoding is not None and _names_password(value) and _writes_password(sql):
                ctx.report(
                    self, value, details={"how": f"written to the database in a reversible encoding (`{encoding}`)"}
                )
                return

    def _check_lookup(self, node: ast.Call, ctx) -> None:
        """A record looked up by the password the client sent: the column holds it as typed."""
        pairs: list[tuple[object, ast.expr]] = [(k.arg, k.value) for k in node.keywords if k.arg]
        if node.args and isinstance(node.args[0], ast.Dict):  # MongoDB: find_one({"password": ...})
            pairs += [
                (k.value, v) for k, v in zip(node.args[0].keys, node.args[0].values) if isinstance(k, ast.Constant)
            ]
        method = node.func.attr if isinstance(node.func, ast.Attribute) else ""
        for field, value in pairs:
            if isinstance(field, str) and _raw_password_name(field) and _typed_password(value, ctx):
                ctx.report(self, value, details={"how": f"looked up in plain text (`{field}=` in `{method}`)"})
                return


def _runs_sql(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in _SQL_RUNNERS:
        return True
    return dotted_name(func) in ("text", "sqlalchemy.text")


def _formatted_sql(expr: ast.expr) -> Optional[tuple[str, list[ast.expr]]]:
    """The literal text and the values of SQL built with `.format(...)`, `%` or an f-string."""
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "format":
        template = expr.func.value
        if isinstance(template, ast.Constant) and isinstance(template.value, str):
            return template.value, [*expr.args, *(k.value for k in expr.keywords)]
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod):
        if isinstance(expr.left, ast.Constant) and isinstance(expr.left.value, str):
            right = expr.right
            return expr.left.value, list(right.elts) if isinstance(right, (ast.Tuple, ast.List)) else [right]
    if isinstance(expr, ast.JoinedStr):
        text = "".join(str(v.value) if isinstance(v, ast.Constant) else "{}" for v in expr.values)
        return text, [v.value for v in expr.values if isinstance(v, ast.FormattedValue)]
    return None


def _hashed_fields(cls: ast.ClassDef) -> set[str]:
    """Fields the model's own methods fill with a hash (`self.password = make_password(raw)` in a
    `set_password`): the column is named `password` but holds a digest."""
    found = set()
    for method in cls.body:
        if not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(method):
            if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)):
                continue
            callee = (dotted_name(node.value.func) or "").rpartition(".")[2]
            if not (set(words(callee)) & _HASHING_WORDS or callee == "make_password"):
                continue
            for target in node.targets:
                if isinstance(target, ast.Attribute) and dotted_name(target.value) == "self":
                    found.add(target.attr)
    return found


def _encoding(node: ast.AST) -> Optional[str]:
    """`base64.b64encode(...)` (also through `.decode()`/`.encode()` of its result) -> "b64encode"."""
    while (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("decode", "encode")
    ):
        node = node.func.value
    if not isinstance(node, ast.Call):
        return None
    callee = (dotted_name(node.func) or "").rpartition(".")[2]
    return callee if callee in _ENCODINGS else None


def _names_password(node: ast.AST) -> bool:
    """A plain password is read somewhere in the expression (`password`, `user.password`, `row["passwd"]`)."""
    return any(
        isinstance(part, (ast.Name, ast.Attribute, ast.Subscript)) and _raw_password_name(expression_name(part) or "")
        for part in ast.walk(node)
    )


def _typed_password(value: ast.expr, ctx) -> bool:
    """The password as the client typed it: request data or a password-named local, not a hash of it."""
    if isinstance(value, ast.Call) and set(words((dotted_name(value.func) or "").rpartition(".")[2])) & (
        _HASHING_WORDS | DIGEST_WORDS
    ):
        return False
    if isinstance(value, ast.Name) and _raw_password_name(value.id):
        return True
    return ctx.taint(value) is not None


def _raw_password_name(name: str) -> bool:
    return secret_kind(name) == "password" and not set(words(name)) & (
        DIGEST_WORDS | _CONFIRM_WORDS | {"encrypted", "enc"}
    )


def _stored_password(side: ast.AST) -> bool:
    """`user.password`, `row["password"]`, `USERS.get(name)` / `users[name]`: a password kept on the server."""
    if isinstance(side, ast.Attribute) and _raw_password_name(side.attr):
        return (dotted_name(side.value) or "").split(".")[0] not in _CLIENT_ROOTS and not _client_read(side.value)
    if isinstance(side, ast.Subscript):
        key = side.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return (
                _raw_password_name(key.value)
                and not _client_read(side.value)
                and _root(side.value) not in _CLIENT_ROOTS
            )
        return _credential_table(side.value)
    if isinstance(side, ast.Call) and isinstance(side.func, ast.Attribute) and side.func.attr == "get" and side.args:
        return not isinstance(side.args[0], ast.Constant) and _credential_table(side.func.value)
    return False


def _credential_table(container: ast.AST) -> bool:
    """`USERS`, `users`, `credentials`: a mapping from user names to passwords."""
    name = dotted_name(container) or ""
    return bool(set(words(name.rpartition(".")[2])) & {"users", "passwords", "accounts", "logins"})


def _client_read(node: ast.AST) -> bool:
    return (dotted_name(node) or "").startswith("request")


def _root(node: ast.AST) -> Optional[str]:
    return (dotted_name(node) or "").split(".")[0] or None


def _writes_password(sql: str) -> bool:
    """An INSERT INTO or UPDATE followed by a password column before the next `;`. In two steps:
    one regex (`UPDATE[^;]*password`) rescans the statement once per UPDATE in it, quadratic."""
    for statement in sql.split(";"):
        write = _WRITE.search(statement)
        if write is not None and _PASSWORD_COLUMN.search(statement, write.end()):
            return True
    return False
