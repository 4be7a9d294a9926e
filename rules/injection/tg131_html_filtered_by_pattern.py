"""TG131: HTML made safe by deleting dangerous tags with a regular expression or `str.replace`."""

from __future__ import annotations

import ast
import re
from typing import Optional

from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.injection._regex import REGEX_MODULES

# What a deny-list filter names: script-capable elements, `javascript:` URLs, `on...=` handlers.
# `<script`, `</script`, and as a pattern writes them: `<\s*script`, `<\/script`, `< ?/?script`.
_TAGS = r"<(?:\\s[*+?]?|\s|\\?/|\?)*(script|iframe|object|embed|applet)"
_IN_PATTERN = re.compile(rf"(?i){_TAGS}|javascript:|(?:^|\\s|[^a-z])on(?:\\w|\[a-z)")
_IN_TEXT = re.compile(rf"(?i){_TAGS}|javascript:")
_REMOVING = frozenset({"sub", "subn"})
# `<[^>]+>`, `<[^<]+?>`, `<.*?>`: every tag removed, so the result is plain text (a scraper's text extraction
# drops scripts first so their code does not end up in the text), not HTML that is trusted.
_ANY_TAG = re.compile(r"<(\[\^[<>]+\]|\.)[*+]\??>")


def _dangerous(pattern: Optional[ast.expr], matcher: re.Pattern[str]) -> bool:
    return isinstance(pattern, ast.Constant) and isinstance(pattern.value, str) and bool(matcher.search(pattern.value))


class HtmlFilteredByPattern(Rule):
    id = "TG131"
    name = "html-filtered-by-pattern"
    severity = "medium"
    confidence = "medium"
    cwe = (116, 79)
    owasp = "A05:2025"
    message = "HTML made safe by {how}: a deny-list filter that markup slips through"
    placeholders = {"how": "removing `<script>` tags with a regular expression"}
    aliases = ()
    call_names = frozenset({"sub", "subn", "replace"})
    what = "Markup is cleaned by {how}, then treated as safe."
    why = (
        "Browsers accept far more than a pattern foresees: `<scr<script>ipt>` becomes `<script>` once the "
        "inner tag is removed, `<script >` or `</script\\n>` escape a pattern that expects `>`, and "
        '`<img src=x onerror=alert(1)>`, `<svg onload=...>` or `<a href="jav&#x61;script:...">` run '
        "script with no `<script>` tag at all. An attacker only needs one form the list missed."
    )
    how = (
        "Escape the text when it is shown (`markupsafe.escape`, a template with autoescaping) so no markup "
        "runs; when users must send some HTML, clean it with an HTML parser and an allow-list of tags and "
        "attributes (`nh3.clean`, `bleach.clean`)."
    )
    example = "import nh3\n\ndef safe_comment(html):\n    return nh3.clean(html, tags={'b', 'i', 'a', 'p'})"
    fix_safety = (
        "No automatic rewrite: choosing between escaping and an allow-list cleaner depends on what users may send."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/116.html",
        "https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html",
        "https://owasp.org/www-community/xss-filter-evasion-cheatsheet",
    )
    VALID = (
        "import re\ndef plain_text(html):\n    return re.sub(r'<[^>]+>', '', html)\n",
        "import nh3\ndef clean(html):\n    return nh3.clean(html, tags={'b', 'i'})\n",
        "import re\ndef has_script(html):\n    return re.search(r'<script', html, re.I) is not None\n",
        "def label(text):\n    return text.replace('<br>', '\\n')\n",
        # Text extraction: scripts dropped with their code, then every tag.
        "import re\ndef page_text(html):\n    html = re.sub(r'<script.*?</script>', ' ', html, flags=re.S | re.I)\n"
        "    return re.sub(r'<[^>]+>', ' ', html)\n",
        "import re\ndef index_words(raw):\n    text = re.sub(r'<style.*?</style>', '', raw, flags=re.S)\n"
        "    text = re.sub(r'<script.*?</script>', '', text, flags=re.S)\n"
        "    return re.sub(r'<[^<]+?>', '', text).split()\n",
        "import re\nONCLICK = re.compile(r'onclick')\ndef count(page):\n    return len(ONCLICK.findall(page))\n",
    )
    INVALID = (
        Invalid(
            "import re\ndef strip_scripts(content):\n"
            "    return re.sub(r'<script.*?>.*?</script>', '', content, flags=re.DOTALL | re.IGNORECASE)\n",
            message="regular expression",
        ),
        Invalid(
            "import re\ndef sanitize(comment):\n"
            "    script = re.compile(r'<\\s*script[^>]*>.*?<\\s*/\\s*script\\s*>', re.S | re.I)\n"
            "    return script.sub('', comment)\n",
        ),
        Invalid(
            "import re\nclass Sanitizer:\n    def __init__(self):\n"
            "        self.handlers = re.compile(r'\\son\\w+\\s*=\\s*([\"\\']).*?\\1', re.I)\n"
            "    def clean(self, html):\n        return self.handlers.sub('', html)\n",
        ),
        Invalid(
            "def sanitize(bio):\n    return bio.replace('<script>', '').replace('</script>', '')\n",
            message="`str.replace`",
        ),
        Invalid(
            "import re\ndef clean_link(url):\n    return re.sub('javascript:', '', url, flags=re.I)\n",
        ),
    )

    # A pattern compiled at module level and used in a function is in another block, out of sight.
    TODO = (
        Invalid(
            "import re\n_SCRIPT = re.compile(r'<script[^>]*>.*?</script>', re.S | re.I)\n"
            "def sanitize(comment):\n    return _SCRIPT.sub('', comment)\n",
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        func = node.func
        if not isinstance(func, ast.Attribute):
            return
        if func.attr == "replace":
            if node.args and _dangerous(node.args[0], _IN_TEXT):
                self._report(node, ctx, "deleting tags with `str.replace`")
            return
        if func.attr not in _REMOVING:
            return
        module, _, _ = (ctx.call_name(node) or "").rpartition(".")
        if module in REGEX_MODULES:
            pattern = ctx.argument(node, 0, "pattern")
        else:
            pattern = _compiled_pattern(func.value, ctx)
        if _dangerous(pattern, _IN_PATTERN) and not _strips_all_tags(ctx):
            self._report(node, ctx, "removing dangerous markup with a regular expression")

    def _report(self, node: ast.Call, ctx, how: str) -> None:
        ctx.report(self, node, details={"how": how})


def _strips_all_tags(ctx) -> bool:
    """The function (or the block) also deletes every tag: it extracts text, it does not keep HTML."""
    scope = ctx.function or ctx.tree
    return scope is not None and any(
        isinstance(node, ast.Constant) and isinstance(node.value, str) and _ANY_TAG.search(node.value)
        for node in ast.walk(scope)
    )


def _compiled_pattern(receiver: ast.expr, ctx) -> Optional[ast.expr]:
    """The pattern of `re.compile(...)` assigned to the receiver's name (`_SCRIPT`, `self.handlers`)
    in the block: a class, a function, or a script's top level."""
    name = (
        receiver.attr
        if isinstance(receiver, ast.Attribute)
        else receiver.id
        if isinstance(receiver, ast.Name)
        else None
    )
    if name is None:
        return None
    return _compiled_patterns(ctx).get(name)


def _compiled_patterns(ctx) -> dict[str, ast.expr]:
    def collect() -> dict[str, ast.expr]:
        found: dict[str, ast.expr] = {}
        for node in ast.walk(ctx.tree) if ctx.tree is not None else ():
            if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and node.value.args):
                continue
            module, _, function = (ctx.call_name(node.value) or "").rpartition(".")
            if module not in REGEX_MODULES or function != "compile":
                continue
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node.value.args[0]
                elif isinstance(target, ast.Attribute):
                    found[target.attr] = node.value.args[0]
        return found

    return ctx.memo("TG131-compiled", collect)
