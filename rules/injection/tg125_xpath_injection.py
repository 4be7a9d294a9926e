"""TG125: an XPath expression built from user input."""

from __future__ import annotations

import ast

from tabguard.engine.fixes import edits_fix, insert_after
from tabguard.engine.rule import Invalid, Rule
from tabguard.engine.types import Edit
from tabguard.rules.files._flow import remote_taint
from tabguard.rules.injection import last_names
from tabguard.rules.injection._sql import bind_names
from tabguard.rules.injection._strings import built_string, constant_text, formatted_pieces, source_of

# lxml: `tree.xpath(expr)`, `etree.XPath(expr)`; ElementTree/lxml paths: `root.find(".//user[@id='...']")`.
_XPATH_METHODS = frozenset({"xpath"})
_XPATH_CLASSES = frozenset({"lxml.etree.XPath", "lxml.etree.ETXPath", "lxml.etree.XPathEvaluator"})
_PATH_METHODS = frozenset({"find", "findall", "findtext", "iterfind"})


class XPathInjection(Rule):
    id = "TG125"
    name = "xpath-injection"
    severity = "high"
    confidence = "medium"
    cwe = (643,)
    owasp = "A05:2025"
    message = "XPath expression built from user input ({source})"
    placeholders = {"source": "request data", "callee": "xpath"}
    aliases = ()
    call_names = last_names(_XPATH_CLASSES) | _XPATH_METHODS | _PATH_METHODS
    what = "The XPath expression passed to `{callee}` contains {source} as written."
    why = (
        "Quotes in the value change the query: a name of `' or '1'='1` turns "
        "`//user[@name='{{name}}' and @password='{{pw}}']` into a test every node passes, bypassing a "
        "login check against an XML user store, and `'] | //* | //*['` dumps the whole document."
    )
    how = (
        "Keep the expression constant and pass values as XPath variables: "
        '`tree.xpath("//user[@name=$name]", name=name)`. ElementTree paths have no variables: '
        'match the value in Python (`[u for u in root.iter("user") if u.get("name") == name]`).'
    )
    example = 'users = tree.xpath("//user[@name=$name]", name=name)'
    fix_safety = (
        "Unsafe: in lxml's `.xpath(...)`, each value quoted in the expression becomes an XPath variable "
        "(`$name`) passed as a keyword argument, so it is compared as a string and cannot change the "
        "query. ElementTree's `find` and `etree.XPath(...)` (variables given when it is called) get no "
        "rewrite."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/643.html",
        "https://lxml.de/xpathxslt.html#the-xpath-method",
        "https://owasp.org/www-community/attacks/XPATH_Injection",
    )
    VALID = (
        'from flask import request\ndef f(tree):\n    return tree.xpath("//user[@name=$name]", name=request.args["name"])\n',
        'from flask import request\ndef f(root):\n    return [u for u in root.iter("user") if u.get("name") == request.args["name"]]\n',
        'from flask import request\ndef f(text):\n    return text.find(request.args["q"])\n',
    )
    INVALID = (
        Invalid(
            'from flask import request\ndef f(tree):\n    name = request.args["name"]\n'
            "    return tree.xpath(f\"//user[@name='{name}']\")\n",
            'from flask import request\ndef f(tree):\n    name = request.args["name"]\n'
            '    return tree.xpath("//user[@name=$name]", name=name)\n',
        ),
        Invalid(
            "from flask import request\ndef f(root):\n"
            '    return root.find(".//item[@sku=\'" + request.args["sku"] + "\']")\n'
        ),
        Invalid(
            "from lxml import etree\nfrom flask import request\ndef f():\n"
            '    return etree.XPath("//book[title=\'%s\']" % request.form["title"])\n'
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        func = node.func
        if not node.args:
            return
        expression = node.args[0]
        if isinstance(func, ast.Attribute) and func.attr in _XPATH_METHODS:
            callee = "xpath"
        elif isinstance(func, ast.Attribute) and func.attr in _PATH_METHODS:
            # `.find` is also a string method: only a path with a predicate is an XPath expression.
            built = built_string(expression, ctx)
            if built is None or "[" not in constant_text(built, ctx):
                return
            callee = func.attr
        elif (ctx.call_name(node) or "") in _XPATH_CLASSES:
            callee = ctx.call_name(node)
        else:
            return
        source = remote_taint(ctx, expression)  # a CLI querying with its own user's input is no attack
        if source is not None:
            fix = _variables_fix(ctx, node, expression) if callee == "xpath" else None
            ctx.report(self, expression, details={"source": source.label, "callee": callee}, source=source, fix=fix)


def _variables_fix(ctx, call: ast.Call, expression: ast.expr):
    """lxml's `.xpath("//user[@name='{name}']")` -> `.xpath("//user[@name=$name]", name=name)`: each
    value quoted in the expression becomes an XPath variable, which lxml passes as a string."""
    if len(call.args) != 1 or call.keywords:
        return None
    parts = formatted_pieces(expression)
    if parts is None:
        return None
    text, values = "", []
    for index, part in enumerate(parts):
        if isinstance(part, str):
            text += part
            continue
        after = parts[index + 1] if index + 1 < len(parts) else ""
        if (
            isinstance(part, ast.FormattedValue)
            or not isinstance(after, str)
            or text[-1:] not in ("'", '"')
            or not after.startswith(text[-1])
        ):
            return None  # only a whole quoted value can be a variable
        text = text[:-1] + "\0"
        parts[index + 1] = after[1:]
        values.append(source_of(part, ctx))
    if not values or "$" in text:
        return None
    names = bind_names(values)
    for name in names:
        text = text.replace("\0", f"${name}", 1)
    arguments = ", ".join(f"{name}={value}" for name, value in zip(names, values))
    return edits_fix(
        [
            Edit(ctx.span(expression), repr(text) if '"' in text else f'"{text}"'),
            insert_after(ctx, expression, f", {arguments}"),
        ],
        "Fix: pass the values as XPath variables",
        safe=False,
    )
