"""TG509: a host or URL allow-list written as a regex with unescaped dots or a missing anchor."""

from __future__ import annotations

import ast
import re

from tabguard.engine.fixes import expression_fix, parse_expression
from tabguard.engine.rule import Invalid, Rule
from tabguard.guards import words

_MATCHERS = {"match": "match", "search": "search", "fullmatch": "fullmatch", "compile": "compile"}
# `example.com`, `api.example.co.uk`: labels joined by a dot that is not escaped.
_LOOSE_DOT = re.compile(r"(?<![\\\[])(?<=[A-Za-z0-9-])\.(?=[A-Za-z0-9-])")
# `_DOMAIN` backtracks quadratically on long runs (8,000 dashes: 1.9 s); no host allow-list is this long.
_LONGEST_PATTERN = 1000
_DOMAIN = re.compile(r"[A-Za-z0-9-]+(?:\\?\.[A-Za-z0-9-]+)*\\?\.[A-Za-z]{2,}")
# Names of what a host allow-list is matched against.
_SUBJECT_WORDS = frozenset(
    {
        "host",
        "hostname",
        "url",
        "uri",
        "origin",
        "domain",
        "redirect",
        "referer",
        "referrer",
        "next",
        "callback",
        "return",
        "allowed",
        "whitelist",
        "allowlist",
        "trusted",
        "cors",
        "netloc",
        "webhook",
    }
)


class LooseHostRegex(Rule):
    id = "TG509"
    name = "loose-host-regex"
    severity = "medium"
    confidence = "medium"
    cwe = (185, 20)
    owasp = "A01:2025"
    message = "Host allow-list regex `{pattern}` {flaw}: `{bypass}` passes"
    placeholders = {
        "pattern": "https://app.example.com",
        "flaw": "leaves dots unescaped and is not anchored",
        "bypass": "https://app.example.com.attacker.net",
    }
    call_names = frozenset(_MATCHERS)
    what = (
        "Checks a host, origin or URL against the regular expression `{pattern}`, which {flaw}. In a regex `.` "
        "matches any character, `re.match` only anchors the start, and `re.search` anchors nothing."
    )
    why = (
        "The check is an allow-list, so every string it wrongly accepts is an attacker's: `{bypass}` is a "
        "domain anyone can register, and it passes. The open redirect, the CORS origin that receives "
        "credentialed responses, or the webhook/SSRF target the list was meant to restrict is theirs."
    )
    how = (
        'Compare parsed hosts exactly (`urlparse(url).hostname in ALLOWED_HOSTS`, or `host == "example.com" '
        'or host.endswith(".example.com")`). If it must be a regex, escape every dot (`re.escape`) and anchor '
        "both ends with `re.fullmatch` (or `^...$`)."
    )
    example = (
        'ALLOWED_HOSTS = {"example.com", "app.example.com"}\n\ndef is_allowed(url):\n'
        "    return urlparse(url).hostname in ALLOWED_HOSTS"
    )
    fix_safety = (
        "Unsafe: the rewritten pattern (dots escaped, `^` and `$` added) rejects hosts the loose one let through."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/185.html",
        "https://owasp.org/Top10/2025/A01_2025-Broken_Access_Control/",
        "https://docs.python.org/3/library/re.html#re.escape",
    )
    VALID = (
        "import re\ndef ok(host):\n    return re.fullmatch(r'(?:[a-z0-9-]+\\.)*example\\.com', host) is not None\n",
        "import re\ndef ok(url):\n    return re.match(r'^https://(www\\.)?example\\.com(/|$)', url)\n",
        "import re\nALLOWED_ORIGIN = re.compile(r'^https://[a-z]+\\.example\\.com$')\n",
        # not a host check: a version string, a file name
        "import re\nm = re.match(r'(\\d+).(\\d+)', version)\n",
        "import re\nif re.search(r'report.csv', filename):\n    pass\n",
        # a test's expectation about the program's own output
        "import re\ndef check_redirect(self, response):\n"
        "    self.assertTrue(re.match(r'http://example.com/login', response.headers['Location']))\n",
        "import re\ndef check_redirect(location):\n    assert re.match(r'http://example.com/login', location)\n",
    )
    INVALID = (
        # the same match deciding where to go
        Invalid(
            "import re\ndef check_redirect(location):\n    if re.match(r'http://example.com/login', location):\n"
            "        return location\n",
            "import re\ndef check_redirect(location):\n    if re.match(r'^http://example\\.com/login$', location):\n"
            "        return location\n",
        ),
        Invalid(
            "import re\ndef is_safe_redirect(url):\n    return re.match(r'https://example.com', url) is not None\n",
            "import re\ndef is_safe_redirect(url):\n    return re.match(r'^https://example\\.com(?:[/?#]|$)', url) is not None\n",
        ),
        Invalid(
            "import re\ndef allowed_origin(origin):\n    return bool(re.search(r'^https://.*\\.example\\.com', origin))\n",
            "import re\ndef allowed_origin(origin):\n    return bool(re.search(r'^https://.*\\.example\\.com(?:[/?#]|$)', origin))\n",
        ),
        Invalid(
            "import re\nTRUSTED_HOST = re.compile('api.partner.io')\n",
            "import re\nTRUSTED_HOST = re.compile('^api\\\\.partner\\\\.io$')\n",
        ),
        Invalid(
            "import re\nfrom flask import request, abort\ndef webhook():\n"
            "    if not re.match(r'[a-z]+\\.example\\.com', request.host):\n        abort(403)\n",
            "import re\nfrom flask import request, abort\ndef webhook():\n"
            "    if not re.match(r'^[a-z]+\\.example\\.com$', request.host):\n        abort(403)\n",
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        kind = _MATCHERS.get((ctx.call_name(node) or "").rpartition(".")[2])
        if kind is None or not (ctx.call_name(node) or "").startswith(("re.", "regex.")) or not node.args:
            return
        pattern = node.args[0]
        if not isinstance(pattern, ast.Constant) or not isinstance(pattern.value, str):
            return
        if len(pattern.value) > _LONGEST_PATTERN or not _DOMAIN.search(pattern.value):
            return
        if not _about_hosts(node, pattern.value, kind, ctx) or _asserted(node, ctx):
            return
        text = pattern.value
        loose_dots = bool(_LOOSE_DOT.search(_DOMAIN.search(text).group(0)))
        start = text.startswith("^") or kind in ("match", "fullmatch")
        end = text.endswith(("$", "\\Z", "(/|$)", "(?:/|$)", "(?:[/?#]|$)")) or kind == "fullmatch"
        if kind == "compile":
            start = text.startswith("^")  # used later with match or search: say where it starts
        if not loose_dots and start and end:
            return
        flaws = (["leaves dots unescaped"] if loose_dots else []) + ([] if start and end else ["is not anchored"])
        ctx.report(
            self,
            pattern,
            details={"pattern": text, "flaw": " and ".join(flaws), "bypass": _bypass(text, loose_dots, start, end)},
            fix=_fix(ctx, pattern, text, kind),
        )


def _asserted(node: ast.AST, ctx) -> bool:
    """The match is a test's expectation (`assert re.match(...)`, `self.assertTrue(re.match(...))`):
    it checks what the program produced, and lets nobody in."""
    parent = ctx.parent(node)
    while parent is not None and not isinstance(parent, ast.stmt):
        func = parent.func if isinstance(parent, ast.Call) else None
        if isinstance(func, ast.Attribute) and func.attr.startswith("assert"):
            return True
        parent = ctx.parent(parent)
    return isinstance(parent, ast.Assert)


def _about_hosts(node: ast.Call, text: str, kind: str, ctx) -> bool:
    """A URL-shaped pattern, or one matched against (or bound to) something named for hosts and URLs."""
    if re.match(r"\^?https?[?]?:", text):
        return True
    said: set[str] = set()
    subject = node.args[1] if len(node.args) > 1 else None
    if subject is not None:
        said.update(words(ast.unparse(subject)))
    parent = ctx.parent(node)
    if isinstance(parent, ast.Assign):
        said.update(w for t in parent.targets for w in words(ast.unparse(t)))
    if ctx.function is not None:
        said.update(words(ctx.function.name))
    return bool(said & _SUBJECT_WORDS)


def _bypass(text: str, loose_dots: bool, start: bool, end: bool) -> str:
    """A string an attacker can register that the pattern accepts."""
    found = _DOMAIN.search(text)
    domain = found.group(0)
    scheme = "https://" if re.match(r"\^?https", text) else ""
    if not end:
        before = re.sub(r"^\^?(https\??://)?", "", text[: found.start()])
        return scheme + ("www." if before else "") + domain.replace("\\.", ".") + ".attacker.net"
    if loose_dots:  # `^api.example.com$` accepts `api-example.com`
        return scheme + _LOOSE_DOT.sub("-", domain, count=1).replace("\\.", ".")
    plain = domain.replace("\\.", ".")
    return f"https://attacker.net/?u={plain}" if scheme else "attacker-" + plain


def _fix(ctx, pattern: ast.Constant, text: str, kind: str):
    segment = ctx.segment(ctx.span(pattern))
    prefix = re.match(r"[rRuU]*", segment).group(0)
    if "\n" in segment or segment[len(prefix) : len(prefix) + 3] in ('"""', "'''") or "b" in prefix.lower():
        return None
    new = _LOOSE_DOT.sub(r"\\.", text)
    if not new.startswith("^") and kind != "fullmatch":
        new = "^" + new
    if not new.endswith("$") and kind != "fullmatch":
        new += "(?:[/?#]|$)" if re.match(r"\^?https?[?]?://[^/]*$", new.rstrip("$")) else "$"
    quote = segment[len(prefix)]
    raw = "r" in prefix.lower()
    body = new if raw else new.replace("\\", "\\\\")
    if quote in body:
        return None
    literal = f"{prefix}{quote}{body}{quote}"
    return expression_fix(
        ctx, pattern, lambda _: parse_expression(literal), "Fix: escape the dots and anchor the pattern", safe=False
    )
