"""TG126: a regular expression pattern taken from user input."""

from __future__ import annotations

import ast

import libcst as cst
from tabguard.engine.fixes import expression_fix
from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.files._flow import remote_taint
from tabguard.rules.injection._regex import REGEX_FUNCTIONS, REGEX_MODULES
from tabguard.rules.injection._strings import is_string_building


class UserRegex(Rule):
    id = "TG126"
    name = "user-controlled-regex"
    severity = "medium"
    confidence = "medium"
    cwe = (1333, 730, 400)
    owasp = "A06:2025"
    message = "Regular expression pattern taken from user input ({source})"
    placeholders = {"source": "request data", "callee": "re.search"}
    aliases = ()
    call_names = REGEX_FUNCTIONS
    what = "`{callee}` compiles a pattern that comes from {source}."
    why = (
        "Python's `re` backtracks without a time limit: a pattern such as `(a+)+$` (or `(.*a){{20}}`) "
        "sent with a long non-matching subject keeps a worker at 100% CPU for minutes, so a handful of "
        "requests takes the service down (ReDoS). The pattern also searches in ways the feature never "
        "meant to offer."
    )
    how = (
        "Search for the text literally: `re.escape(q)` inside the pattern, or plain `q in line`. If "
        "users really need regular expressions, use a linear-time engine (`google-re2`) and cap the "
        "pattern and input length."
    )
    example = "matches = [line for line in lines if re.search(re.escape(query), line)]"
    fix_safety = (
        "Unsafe: offered only when the whole pattern is the user's text; `re.escape` then makes it match "
        "literally, so users who relied on regex syntax (`^`, `.*`, `|`) get literal matches instead."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/1333.html",
        "https://owasp.org/www-community/attacks/Regular_expression_Denial_of_Service_-_ReDoS",
        "https://docs.python.org/3/library/re.html#re.escape",
    )
    VALID = (
        "import re\nfrom flask import request\ndef f(lines):\n"
        '    q = re.escape(request.args["q"])\n    return [l for l in lines if re.search(q, l)]\n',
        'import re\nfrom flask import request\ndef f(text):\n    return re.findall(r"\\d+", request.args["text"])\n',
        "import argparse, re\ndef main():\n    args = argparse.ArgumentParser().parse_args()\n    return re.compile(args.pattern)\n",
        # `regex` here is a compiled pattern in a loop variable, not the `regex` package: the header is the text.
        'import re\nDATE_FORMATS = (re.compile(r"\\d+"), re.compile(r"\\w+"))\ndef parse(request):\n'
        '    for regex in DATE_FORMATS:\n        if regex.match(request.headers["If-Modified-Since"]):\n            return regex\n',
    )
    INVALID = (
        Invalid(
            "import re\nfrom flask import request\ndef f(lines):\n"
            '    return [l for l in lines if re.search(request.args["q"], l)]\n',
            "import re\nfrom flask import request\ndef f(lines):\n"
            '    return [l for l in lines if re.search(re.escape(request.args["q"]), l)]\n',
        ),
        Invalid("import re\ndef handler(event, context):\n    rx = re.compile(f\"^{event['prefix']}.*\")\n"),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        callee = ctx.call_name(node) or ""
        module, _, function = callee.rpartition(".")
        if module not in REGEX_MODULES or function not in REGEX_FUNCTIONS or not _names_the_module(node.func, ctx):
            return
        pattern = ctx.argument(node, 0, "pattern")
        # A command-line tool searching with its own user's pattern (grep) is what the tool is for.
        # `re.escape(x)` is an unknown call to the taint engine, so its result is clean.
        source = remote_taint(ctx, pattern)
        if source is None:
            return
        fix = None
        if node.args and pattern is node.args[0] and not is_string_building(pattern, ctx):
            # The whole pattern is the user's text; a pattern built around it keeps its own syntax.
            fix = expression_fix(
                ctx,
                pattern,
                lambda expr: cst.Call(func=cst.parse_expression("re.escape"), args=[cst.Arg(expr)]),
                "Fix: match the text literally with re.escape",
                safe=False,
                imports=("re",),
            )
        ctx.report(self, pattern, details={"source": source.label, "callee": callee}, source=source, fix=fix)


def _names_the_module(func: ast.expr, ctx) -> bool:
    """`regex.match(...)` is the `regex` package's only where `regex` is imported; a compiled pattern
    held in a variable named `regex` takes the text to search, not a pattern."""
    root = func
    while isinstance(root, ast.Attribute):
        root = root.value
    if not isinstance(root, ast.Name) or root.id in ctx.module.imports:
        return True
    return any(
        isinstance(n, (ast.Import, ast.ImportFrom))
        and any((a.asname or a.name.partition(".")[0]) == root.id for a in n.names)
        for function in ctx.functions
        for n in ast.walk(function)
    )
