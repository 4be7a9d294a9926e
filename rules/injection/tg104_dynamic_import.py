"""TG104: a module imported by a name the user chose."""

from __future__ import annotations

import ast

from tabguard.engine.rule import Invalid, Rule
from tabguard.engine.taint import LOCAL_SOURCES
from tabguard.rules.files._flow import remote_taint
from tabguard.rules.injection import last_names
from tabguard.rules.injection._strings import pieces

# Calls and attributes that expose a namespace: looking a user-chosen name up in one reaches any
# function, class or module in it.
_NAMESPACE_CALLS = frozenset({"globals", "locals", "vars"})
_NAMESPACE_ATTRS = frozenset({"__globals__", "__dict__", "__builtins__"})
_IMPORTERS = frozenset(
    {
        "__import__",
        "importlib.import_module",
        "importlib.__import__",
        "builtins.__import__",
        "imp.load_source",
        "importlib.machinery.SourceFileLoader",
    }
)


class DynamicImport(Rule):
    id = "TG104"
    name = "user-chosen-import"
    severity = "high"
    confidence = "high"
    cwe = (94, 470)
    owasp = "A05:2025"
    message = "`{callee}` picks code by a name from user input ({source})"
    placeholders = {"callee": "importlib.import_module", "source": "request data"}
    aliases = ()
    call_names = last_names(_IMPORTERS) | {"get", "getattr"}
    what = (
        "The module name passed to `{callee}` (or the key looked up in a namespace such as `globals()`) "
        "comes from {source}."
    )
    why = (
        "Importing runs the module's top-level code. A client that picks the name can load any module on "
        "the path (`os`, `subprocess`, a pickle-loading plugin) or, where uploads land on `sys.path`, its "
        "own file; combined with `getattr` it can call arbitrary functions."
    )
    how = 'Map the user\'s choice to a fixed set of modules or callables: `PLUGINS = {{"csv": csv_export}}`.'
    example = (
        'PLUGINS = {"csv": "app.export.csv", "pdf": "app.export.pdf"}\nmodule = importlib.import_module(PLUGINS[kind])'
    )
    references = ("https://cwe.mitre.org/data/definitions/470.html", "https://cwe.mitre.org/data/definitions/94.html")
    VALID = (
        # An attribute read, and a method chosen among those made for it by a fixed prefix.
        "from flask import request, jsonify\n@app.route('/u')\ndef u():\n"
        "    return jsonify({'v': str(getattr(settings, request.args['key'], ''))})\n",
        "from django.http import JsonResponse\nclass Api:\n    def dispatch_action(self, request):\n"
        "        handler = getattr(self, 'do_' + request.POST['action'])\n        return JsonResponse(handler(request))\n",
        "from http.server import BaseHTTPRequestHandler\nclass H(BaseHTTPRequestHandler):\n    def handle_one(self):\n"
        "        mname = 'do_' + self.command\n        method = getattr(self, mname)\n        method()\n",
        'import importlib\nmod = importlib.import_module("json")\n',
        'import importlib\nPLUGINS = ("csv", "pdf")\ndef f(request):\n    kind = request.GET["kind"]\n'
        '    if kind in PLUGINS:\n        importlib.import_module("app.export." + kind)\n',
        "import importlib\ndef load(name):\n    return importlib.import_module(name)\n",
        'ACTIONS = {"list": list_items}\ndef view(request):\n    handler = ACTIONS.get(request.GET["action"])\n    return handler(request)\n',
        'def view(request):\n    return globals()["default_handler"](request)\n',
        'import sys\nif __name__ == "__main__":\n    globals()[sys.argv[1]]()\n',
        # A command-line tool loading one of its own subcommand modules.
        "import argparse, importlib\ndef main():\n    args = argparse.ArgumentParser().parse_args()\n"
        '    importlib.import_module(__package__ + ".commands." + args.command).run(args)\n',
        'import importlib, sys\ndef main():\n    importlib.import_module(f".{sys.argv[1]}", package=__name__)\n',
    )
    INVALID = (
        Invalid(
            'import importlib\nfrom flask import request\ndef f():\n    importlib.import_module(request.args["plugin"])\n'
        ),
        Invalid("import sys\nmod = __import__(sys.argv[1])\n"),
        # A fixed package does not limit a name that comes from a web request.
        Invalid(
            "import importlib\nfrom flask import request\ndef f():\n"
            '    importlib.import_module(__package__ + ".plugins." + request.args["plugin"])\n'
        ),
        Invalid('import importlib, sys\ndef main():\n    importlib.import_module(sys.argv[1] + ".commands")\n'),
        Invalid(
            'def view(request):\n    handler = globals().get(request.GET["action"])\n    return handler(request)\n'
        ),
        Invalid(
            'def handler(event, context):\n    handlers = globals()\n    return handlers[event["action"]](event)\n'
        ),
        # A dispatcher calling whatever function or method the request names.
        Invalid(
            "import importlib\nfrom flask import request\nimport reports\n@app.route('/run')\ndef run():\n"
            "    return getattr(reports, request.args['fn'])()\n",
            message="`getattr` picks code",
        ),
        Invalid(
            "from django.http import JsonResponse\nclass Api:\n    def dispatch_action(self, request):\n"
            "        handler = getattr(self, request.POST['action'])\n        return JsonResponse(handler(request))\n",
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        callee = ctx.call_name(node) or ""
        if callee in _IMPORTERS and node.args:
            name = node.args[-1] if callee.startswith(("imp.", "importlib.machinery")) else node.args[0]
            source = ctx.taint(name)
            if source is None or (source.label in LOCAL_SOURCES and _own_submodule(name, node, ctx)):
                return  # the person running the program picks one of its package's own modules
            ctx.report(self, node, details={"callee": callee}, source=source)
            return
        if isinstance(node.func, ast.Attribute) and node.func.attr == "get" and node.args:
            self._check_lookup(node, node.func.value, node.args[0], ctx)
        elif callee == "getattr" and len(node.args) >= 2 and _called(node, ctx):
            self._check_getattr(node, node.args[1], ctx)

    def visit_Subscript(self, node: ast.Subscript, ctx) -> None:
        if isinstance(node.ctx, ast.Load):
            self._check_lookup(node, node.value, node.slice, ctx)

    def _check_lookup(self, node: ast.expr, namespace: ast.expr, key: ast.expr, ctx) -> None:
        """`globals()[name]`, `locals().get(name)`, `func.__globals__[name]` with a user-chosen name."""
        # Taint first: it is cheap and almost always None. A script dispatching on its own command
        # line (`globals()[sys.argv[1]]()`) crosses no trust boundary.
        source = remote_taint(ctx, key)
        described = _namespace(namespace, ctx) if source is not None else None
        if described is not None:
            ctx.report(self, node, details={"callee": described}, source=source)

    def _check_getattr(self, node: ast.Call, name: ast.expr, ctx) -> None:
        """`getattr(module, name)()`: the client picks which function or method runs. A name with a fixed
        prefix (`getattr(self, "do_" + action)`) reaches only the methods made for it."""
        source = remote_taint(ctx, name)
        if source is None:
            return
        # `method = "do_" + command` ... `getattr(self, method)`: a prefix in every branch that binds it
        values = (ctx.model.each_value(name) or [name]) if isinstance(name, ast.Name) else [name]
        if all((parts := pieces(value)) and isinstance(parts[0], str) and parts[0] for value in values):
            return
        ctx.report(self, node, details={"callee": "getattr"}, source=source)


def _called(lookup: ast.Call, ctx) -> bool:
    """What `lookup` returns is called: at once (`getattr(m, name)()`) or through the local it is
    assigned to (`handler = getattr(self, name)` ... `handler(request)`)."""
    parent = ctx.parent(lookup)
    if isinstance(parent, ast.Call) and parent.func is lookup:
        return True
    if not (isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name)):
        return False
    name = parent.targets[0].id
    return any(
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name
        for node in ctx.scope_nodes()
    )


def _own_submodule(name: ast.expr, call: ast.Call, ctx) -> bool:
    """The module name starts with a fixed package (`__name__ + "." + choice`, `f"tool.commands.{choice}"`,
    `import_module("." + choice, package=__package__)`): only that package's modules can be reached."""
    if isinstance(name, ast.Name):
        name = ctx.model.value_of(name) or name
    prefix = ""
    for part in pieces(name) or ():
        if isinstance(part, str):
            prefix += part
        elif isinstance(part, ast.Name) and part.id in ("__name__", "__package__"):
            prefix += part.id
        else:
            break
    if prefix.startswith("."):
        return ctx.argument(call, 1, "package") is not None
    return "." in prefix


def _namespace(expr: ast.expr, ctx) -> str | None:
    if isinstance(expr, ast.Name) and ctx.function is not None:  # `ns = globals()` then `ns.get(name)`
        values = ctx.model.each_value(expr) or [expr]  # in any branch that binds it
        return next(filter(None, (_namespace_value(v, ctx) for v in values)), None)
    return _namespace_value(expr, ctx)


def _namespace_value(expr: ast.expr, ctx) -> str | None:
    if (
        isinstance(expr, ast.Call)
        and not expr.args
        and isinstance(expr.func, ast.Name)
        and expr.func.id in _NAMESPACE_CALLS
    ):
        return f"{expr.func.id}()"
    if isinstance(expr, ast.Attribute) and expr.attr in _NAMESPACE_ATTRS:
        return expr.attr
    if ctx.qualname(expr) == "sys.modules":
        return "sys.modules"
    return None
