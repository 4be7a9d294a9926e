"""TG210: Django `ALLOWED_HOSTS` accepting any Host header."""

from __future__ import annotations

import ast

from tabguard.engine.facts import uses_django
from tabguard.engine.fixes import edits_fix
from tabguard.engine.rule import Invalid, Rule, Valid
from tabguard.engine.types import Edit, Span
from tabguard.rules._spelling import spell
from tabguard.rules.defaults._common import (
    is_settings_path,
    settings_written,
    string_value,
)


class AllowedHostsWildcard(Rule):
    id = "TG210"
    name = "allowed-hosts-wildcard"
    severity = "medium"
    confidence = "high"
    cwe = (20, 644)
    quiet_in_tests = True
    owasp = "A02:2025"
    message = "`ALLOWED_HOSTS` contains `'*'`: any Host header is accepted"
    what = "`ALLOWED_HOSTS` includes `'*'`, which turns off Django's Host header validation."
    why = (
        "Django builds absolute URLs (password-reset links, `request.build_absolute_uri()`, redirects) "
        "from the Host header. With `'*'` an attacker sends a password-reset request with "
        "`Host: evil.example`; the victim receives a genuine email whose link points at the attacker's "
        "server and hands over the reset token. It also enables cache poisoning through shared caches."
    )
    how = (
        'List the real domain names (`ALLOWED_HOSTS = ["shop.example.com"]`, a leading dot for '
        "subdomains), read from the environment when they differ per deployment."
    )
    example = 'ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "shop.example.com").split(",")'
    fix_safety = (
        "Unsafe: `'*'` is dropped when the list names hosts too; a list of only `'*'` becomes "
        '`os.environ["ALLOWED_HOSTS"].split(",")`, so every deployment must set `ALLOWED_HOSTS` '
        "(e.g. `api.example.com,www.example.com`); requests for other host names get a 400."
    )
    references = (
        "https://docs.djangoproject.com/en/stable/ref/settings/#allowed-hosts",
        "https://cwe.mitre.org/data/definitions/644.html",
    )
    VALID = (
        Valid("ALLOWED_HOSTS = ['shop.example.com', '.example.com']\n", path="mysite/settings.py"),
        Valid("import os\nALLOWED_HOSTS = os.environ['ALLOWED_HOSTS'].split(',')\n", path="mysite/settings.py"),
        Valid("ALLOWED_HOSTS = ['*']\n", path="mysite/settings/dev.py"),
        Valid("ALLOWED_HOSTS = ['localhost', '127.0.0.1']\n", path="mysite/settings.py"),
    )
    INVALID = (
        Invalid(
            "ALLOWED_HOSTS = ['*']\n",
            'import os\nALLOWED_HOSTS = os.environ["ALLOWED_HOSTS"].split(",")\n',
            path="mysite/settings.py",
        ),
        Invalid(
            "DEBUG = False\nALLOWED_HOSTS = ['api.example.com', '*']\n",
            "DEBUG = False\nALLOWED_HOSTS = ['api.example.com']\n",
            path="config/settings/base.py",
        ),
        Invalid(
            "from django.conf import settings\nsettings.configure(DEBUG=False)\nALLOWED_HOSTS = ('*',)\n",
            "import os\nfrom django.conf import settings\nsettings.configure(DEBUG=False)\n"
            'ALLOWED_HOSTS = os.environ["ALLOWED_HOSTS"].split(",")\n',
            path="app.py",
        ),
        Invalid(
            "ALLOWED_HOSTS = ['*', 'api.example.com']\n",
            "ALLOWED_HOSTS = ['api.example.com']\n",
            path="mysite/settings.py",
        ),
    )

    def visit_Assign(self, node: ast.Assign, ctx) -> None:
        for setting in settings_written(node, ctx):
            if setting.key != "ALLOWED_HOSTS" or not isinstance(setting.value, (ast.List, ast.Tuple, ast.Set)):
                continue
            if setting.kind == "name" and not (is_settings_path(ctx.path) or uses_django(ctx.module.imports)):
                continue
            for element in setting.value.elts:
                if string_value(element) == "*":
                    ctx.report(self, element, fix=_explicit_hosts_fix(ctx, setting.value, element))


def _explicit_hosts_fix(ctx, hosts, wildcard: ast.expr):
    """Drop `'*'` when the list names hosts too; else read them from `ALLOWED_HOSTS` in the
    environment (comma-separated): the right names are a deployment fact."""
    elements = hosts.elts
    index = elements.index(wildcard)
    if len(elements) == 1:
        environ, imports = spell(ctx, "os.environ")
        return edits_fix(
            [Edit(ctx.span(hosts), f'{environ}["ALLOWED_HOSTS"].split(",")')],
            "Fix: read the allowed hosts from $ALLOWED_HOSTS",
            safe=False,
            imports=imports,
        )
    here = ctx.span(wildcard)
    if index + 1 < len(elements):  # `'*', 'a'`: up to the next element
        after = ctx.span(elements[index + 1])
        gone = Span(here.start_line, here.start_col, after.start_line, after.start_col)
    else:  # `'a', '*'`: from the end of the previous element
        before = ctx.span(elements[index - 1])
        gone = Span(before.end_line, before.end_col, here.end_line, here.end_col)
    return edits_fix([Edit(gone, "")], "Fix: drop the wildcard host", safe=False)
