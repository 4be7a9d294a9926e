"""TG108: a template engine compiles template source that contains user data."""

from __future__ import annotations

import ast
from typing import Optional

from tabguard.engine.fixes import chain, expression_fix, expressions_fix, parse_expression, set_keyword
from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.injection import last_names
from tabguard.rules.injection._rewrite import sole_assignment
from tabguard.rules.injection._strings import built_string, formatted_pieces, raised, source_of, unconfirmed

_TEMPLATE_FROM_SOURCE = frozenset(
    {
        "flask.render_template_string",
        "quart.render_template_string",
        "jinja2.Template",
        "jinja2.environment.Template",
        "django.template.Template",
        "django.template.base.Template",
        "mako.template.Template",
        "tornado.template.Template",
        "chevron.render",
    }
)
_ENGINE_METHODS = frozenset({"from_string"})
_JINJA_TEMPLATES = frozenset({"jinja2.Template", "jinja2.environment.Template"})


class TemplateInjection(Rule):
    id = "TG108"
    name = "server-side-template-injection"
    severity = "high"
    confidence = "high"
    lowers_confidence_without_taint = True
    raises_when_tainted = True
    cwe = (1336, 94)
    owasp = "A05:2025"
    message = "Template source passed to `{callee}` is built from {what}"
    placeholders = {"callee": "render_template_string", "what": "a variable"}
    aliases = ("B701", "S701")
    call_names = last_names(_TEMPLATE_FROM_SOURCE) | _ENGINE_METHODS
    what = (
        "`{callee}` compiles its argument as a template, and that text is built from {what}. Template "
        "syntax in the data is executed, not displayed."
    )
    why = (
        "Jinja2, Mako and Django templates can reach Python objects: a name of "
        "`{{{{ cycler.__init__.__globals__.os.popen('id').read() }}}}` spliced into "
        '`render_template_string(f"<h1>Hello {{name}}</h1>")` runs a shell command on the server. '
        "Assistants build small inline templates this way to avoid a template file."
    )
    how = (
        "Keep the template text constant and pass data as context variables: "
        '`render_template_string("<h1>Hello {{{{ name }}}}</h1>", name=name)`, or use a template file.'
    )
    example = 'render_template_string("<h1>Hello {{ name }}</h1>", name=name)'
    fix_safety = (
        "Unsafe: for `render_template_string` or `jinja2.Template(...).render()` given a formatted "
        "string, the rewrite makes the text a constant template and passes each value as a template "
        "variable (a text built in a variable used only there becomes that constant): template syntax "
        "in the values is no longer run, and Flask escapes them (it "
        "autoescapes these templates), so markup in them is shown as text. Other engines, and "
        "templates taken whole from input, have no mechanical rewrite."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/1336.html",
        "https://portswigger.net/web-security/server-side-template-injection",
        "https://jinja.palletsprojects.com/en/stable/sandbox/",
    )
    VALID = (
        "from flask import render_template_string, request\ndef f():\n"
        '    return render_template_string("<h1>Hello {{ name }}</h1>", name=request.args["name"])\n',
        'import jinja2\nTPL = jinja2.Template("Hi {{ n }}")\n',
        "import jinja2\ndef f(path):\n    with open(path) as fh:\n        return jinja2.Template(fh.read())\n",
        # A constant page filled with fixed text only.
        'import jinja2\nPAGE = "<h1>%(title)s</h1><p>%(details)s</p>"\nenv = jinja2.Environment(autoescape=True)\n'
        'def not_found():\n    return env.from_string(PAGE % {"title": "Not Found", "details": "No such page."}).render()\n',
    )
    INVALID = (
        Invalid(
            'from flask import render_template_string, request\n@app.route("/hello")\ndef hello():\n'
            '    name = request.args.get("name", "")\n'
            '    return render_template_string(f"<h1>Hello {name}</h1>")\n',
            'from flask import render_template_string, request\n@app.route("/hello")\ndef hello():\n'
            '    name = request.args.get("name", "")\n'
            '    return render_template_string("<h1>Hello {{ name }}</h1>", name=name)\n',
        ),
        # The page built in a variable the call alone uses: the variable holds the constant template.
        Invalid(
            'from flask import render_template_string, request\n@app.route("/hello")\ndef hello():\n'
            '    name = request.args.get("name", "world")\n    template = "<h1>Hello " + name + "</h1>"\n'
            "    return render_template_string(template)\n",
            'from flask import render_template_string, request\n@app.route("/hello")\ndef hello():\n'
            '    name = request.args.get("name", "world")\n    template = "<h1>Hello {{ name }}</h1>"\n'
            "    return render_template_string(template, name=name)\n",
        ),
        Invalid(
            'from flask import render_template_string, request\n@app.route("/u")\ndef u():\n'
            '    return render_template_string("<p>" + request.args["q"] + "</p>")\n',
        ),
        Invalid(
            'import jinja2\ndef f(body):\n    return jinja2.Template("<p>" + body + "</p>").render()\n',
            'import jinja2\ndef f(body):\n    return jinja2.Template("<p>{{ body }}</p>").render(body=body)\n',
        ),
        Invalid(
            "from jinja2 import Environment\nfrom flask import request\nenv = Environment(autoescape=True)\n"
            'def f():\n    return env.from_string(request.form["tpl"]).render()\n',
        ),
        Invalid(
            'import jinja2\nPAGE = "<h1>%(title)s</h1><p>%(details)s</p>"\nenv = jinja2.Environment(autoescape=True)\n'
            'def error_page(details):\n    return env.from_string(PAGE % {"title": "Error", "details": details}).render()\n',
            message="formatted values",
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        callee = ctx.call_name(node) or ""
        is_method = isinstance(node.func, ast.Attribute) and node.func.attr in _ENGINE_METHODS
        if callee not in _TEMPLATE_FROM_SOURCE and not is_method:
            return
        source_arg = ctx.argument(node, 0, "source")
        if source_arg is None:
            return
        source = ctx.taint(source_arg)
        built = built_string(source_arg, ctx)
        if source is None and built is None:
            return
        what = f"user input ({source.label})" if source else "formatted values"
        short = callee.split(".")[-1] if not is_method else f"{node.func.attr}"
        fix = None
        if built is not None and built is not source_arg and sole_assignment(ctx, source_arg, built) is None:
            built = None  # built in a variable used elsewhere too: the text must stay as it is
        if built is not None and callee.endswith(".render_template_string"):
            fix = _context_fix(ctx, node, node, source_arg, built)
        elif built is not None and callee in _JINJA_TEMPLATES and (render := _render_of(ctx, node)) is not None:
            fix = _context_fix(ctx, render, node, source_arg, built)
        ctx.report(
            self,
            source_arg,
            details={"callee": short, "what": what},
            source=source,
            severity=raised(self, source),
            confidence=unconfirmed(self, source),
            fix=fix,
        )


def _render_of(ctx, template: ast.Call) -> Optional[ast.Call]:
    """The `.render(...)` call made right on `jinja2.Template(...)`, which receives the variables."""
    attribute = ctx.parent(template)
    call = ctx.parent(attribute) if isinstance(attribute, ast.Attribute) and attribute.attr == "render" else None
    return call if isinstance(call, ast.Call) and call.func is attribute and not call.args else None


def _context_fix(ctx, receiver: ast.Call, call: ast.Call, argument: ast.expr, built: ast.expr):
    """`render_template_string(f"<h1>{name}</h1>")` -> `render_template_string("<h1>{{ name }}</h1>",
    name=name)`, `Template("<p>" + body + "</p>").render()` -> `Template("<p>{{ body }}</p>").render(body=body)`:
    the text of `call` becomes a constant template and each value a variable passed to `receiver`.
    Only for values that are names or attributes (the variable takes the last name), written in the
    first argument or in the variable it names (`built`, then its only use), whose constant text has
    no braces of its own."""
    parts = formatted_pieces(built)
    if not parts or call.args[:1] != [argument]:
        return None
    taken = {k.arg for k in receiver.keywords}
    variables: dict[str, str] = {}
    template = []
    for part in parts:
        if isinstance(part, str):
            if "{" in part or "}" in part:
                return None
            template.append(part)
            continue
        name = part.id if isinstance(part, ast.Name) else part.attr if isinstance(part, ast.Attribute) else None
        code = source_of(part, ctx)
        if name is None or name in taken or variables.get(name, code) != code:
            return None
        variables[name] = code
        template.append(f"{{{{ {name} }}}}")
    literal = _string_literal("".join(template))
    title = "Fix: pass the values as template variables"
    passed = [set_keyword(name, code) for name, code in variables.items()]
    if built is not argument:  # the variable's assignment becomes the constant template
        return expressions_fix(
            ctx, [(built, lambda _: parse_expression(literal)), (receiver, chain(*passed))], title, safe=False
        )

    def constant_text(c):
        return c.with_changes(args=[c.args[0].with_changes(value=parse_expression(literal)), *c.args[1:]])

    # On `.render()` the template call is the receiver's `func.value`.
    first = (
        constant_text
        if receiver is call
        else (lambda r: r.with_changes(func=r.func.with_changes(value=constant_text(r.func.value))))
    )
    return expression_fix(ctx, receiver, chain(first, *passed), title, safe=False)


def _string_literal(text: str) -> str:
    quoted = repr(text)
    if quoted.startswith("'") and '"' not in text:
        quoted = '"' + quoted[1:-1].replace("\\'", "'") + '"'
    return quoted
