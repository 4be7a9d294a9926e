"""TG104: a module imported by a name the user chose."""

from __future__ import annotations

import ast

from tabguard.engine.rule import Invalid, Rule

_IMPORTERS = frozenset({"__import__", "importlib.import_module", "importlib.__import__", "builtins.__import__", "imp.load_source", "importlib.machinery.SourceFileLoader"})


class DynamicImport(Rule):
    id = "TG104"
    name = "user-chosen-import"
    severity = "high"
    confidence = "high"
    cwe = (94, 470)
    owasp = "A05:2025"
    message = "`{callee}` imports a module named by user input ({source})"
    placeholders = {"callee": "importlib.import_module", "source": "request data"}
    aliases = ()
    what = "The module name passed to `{callee}` comes from {source}."
    why = (
        "Importing runs the module's top-level code. A client that picks the name can load any module on "
        "the path (`os`, `subprocess`, a pickle-loading plugin) or, where uploads land on `sys.path`, its "
        "own file; combined with `getattr` it can call arbitrary functions."
    )
    how = "Map the user's choice to a fixed set of modules or callables: `PLUGINS = {{\"csv\": csv_export}}`."
    example = 'PLUGINS = {"csv": "app.export.csv", "pdf": "app.export.pdf"}\nmodule = importlib.import_module(PLUGINS[kind])'
    references = ("https://cwe.mitre.org/data/definitions/470.html", "https://cwe.mitre.org/data/definitions/94.html")
    VALID = (
        'import importlib\nmod = importlib.import_module("json")\n',
        'import importlib\nPLUGINS = ("csv", "pdf")\ndef f(request):\n    kind = request.GET["kind"]\n'
        '    if kind in PLUGINS:\n        importlib.import_module("app.export." + kind)\n',
        'import importlib\ndef load(name):\n    return importlib.import_module(name)\n',
    )
    INVALID = (
        Invalid('import importlib\nfrom flask import request\ndef f():\n    importlib.import_module(request.args["plugin"])\n'),
        Invalid('import sys\nmod = __import__(sys.argv[1])\n'),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        callee = ctx.call_name(node) or ""
        if callee not in _IMPORTERS or not node.args:
            return
        source = ctx.taint(node.args[-1] if callee.startswith(("imp.", "importlib.machinery")) else node.args[0])
        if source is not None:
            ctx.report(self, node, details={"callee": callee}, source=source)
