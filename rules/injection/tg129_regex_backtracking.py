"""TG129: a regular expression that backtracks exponentially (a repeated group that itself repeats)."""

from __future__ import annotations

import ast

from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.injection._regex import REGEX_FUNCTIONS, REGEX_MODULES, backtracks


_VERBOSE = frozenset({"re.X", "re.VERBOSE", "regex.X", "regex.VERBOSE"})


class RegexBacktracking(Rule):
    id = "TG129"
    name = "regex-catastrophic-backtracking"
    severity = "medium"
    confidence = "medium"
    cwe = (1333,)
    owasp = "A06:2025"
    message = "Regular expression `{pattern}` backtracks exponentially: a repeated group can match each iteration through a repeat inside it"
    placeholders = {"pattern": "^(a+)+$"}
    call_names = REGEX_FUNCTIONS
    what = (
        "`{pattern}` repeats a group (`(...)+`, `(...)*`) whose body can match a whole iteration through "
        "another unbounded repeat (`a+`, `\\w+\\s?`, `.*`): a string the pattern rejects can be split "
        "between the two repeats in exponentially many ways, and Python's `re` tries them all."
    )
    why = (
        "A form field or header of 30 to 40 characters that almost matches (`aaaaaaaaaaaaaaaaaaaaaaaaaaaa!` "
        "against `^(a+)+$`, a long word followed by `@` against an e-mail pattern with `(\\w+\\.?)*`) "
        "keeps a worker at 100% CPU for minutes; a few such requests take the service down (ReDoS)."
    )
    how = (
        "Remove the nesting: repeat a single item (`^a+$`), or make each iteration start with a "
        "character the inner repeat cannot match (`(\\w+\\.)*\\w+`); validate e-mail addresses with a "
        "library; bound the input length before matching; or use the `regex` module with a `timeout=`."
    )
    example = 'USERNAME = re.compile(r"^\\w+(?:[.-]\\w+)*$")'
    fix_safety = "No automatic rewrite: an equivalent pattern without the ambiguity depends on what it must accept."
    references = (
        "https://cwe.mitre.org/data/definitions/1333.html",
        "https://owasp.org/www-community/attacks/Regular_expression_Denial_of_Service_-_ReDoS",
    )
    VALID = (
        'import re\nPHONE = re.compile(r"^[0-9]+$")\n',
        # Each iteration must end with a dot the inner repeat cannot match: no ambiguity.
        'import re\nHOST = re.compile(r"^(\\w+\\.)+\\w+$")\n',
        'import re\ndef words(text):\n    return re.findall(r"(?:\\s*,\\s*)+", text)\n',
        "import re\ndef f(p, text):\n    return re.match(p, text)\n",
        # Verbose: the comment is not pattern text.
        'import re\nCODE = re.compile(r"""[A-Z]{3}  # like (a+)+ but not\n  -\\d+""", re.VERBOSE)\n',
    )
    INVALID = (
        Invalid('import re\nEMAIL = re.compile(r"^([a-zA-Z0-9]+[._-]?)*@[a-z0-9]+\\.[a-z]{2,}$")\n'),
        Invalid('import re\ndef valid(name):\n    return re.fullmatch(r"(\\w+\\s?)+", name) is not None\n'),
        Invalid('import re\nNESTED = r"^(a+)+$"\ndef check(s):\n    return re.search(NESTED, s)\n'),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        module, _, function = (ctx.call_name(node) or "").rpartition(".")
        if module not in REGEX_MODULES or function not in REGEX_FUNCTIONS:
            return
        pattern = ctx.argument(node, 0, "pattern")
        text = _pattern_text(pattern, ctx)
        if text is not None and _verbose(node, ctx):
            text = "(?x)" + text  # whitespace and `# comments` are not part of the pattern
        if text is not None and backtracks(text):
            ctx.report(self, pattern, details={"pattern": text if len(text) <= 60 else text[:57] + "..."})


def _verbose(call: ast.Call, ctx) -> bool:
    """`re.X` / `re.VERBOSE` among the call's other arguments (the flags' position differs per function)."""
    others = [*call.args[1:], *(k.value for k in call.keywords)]
    return any(
        isinstance(n, ast.Attribute) and (ctx.qualname(n) or "") in _VERBOSE for arg in others for n in ast.walk(arg)
    )


def _pattern_text(pattern: ast.expr | None, ctx) -> str | None:
    """A literal pattern, or a name holding one (a module constant, or a local assigned once)."""
    value = ctx.constant_value(pattern)
    if isinstance(value, str):
        return value
    if isinstance(pattern, ast.Name):
        values = ctx.model.values(pattern)
        if values and len(values) == 1 and isinstance(values[0], ast.Constant) and isinstance(values[0].value, str):
            return values[0].value
    return None
