"""TG119: user input formatted into a log message."""

from __future__ import annotations

import ast
import re
import string

from tabguard.engine.facts import dotted_name
from tabguard.engine.fixes import edits_fix, expression_fix
from tabguard.engine.rule import Invalid, Rule
from tabguard.engine.types import Edit
from tabguard.rules.files._flow import remote_taint
from tabguard.rules.injection._rewrite import replace_arguments
from tabguard.rules.injection._strings import formatted_pieces, is_string_building, source_of

_LEVELS = frozenset({"debug", "info", "warning", "warn", "error", "critical", "exception", "fatal", "log"})
# Request routing data (the path, the method): normalised by the server, and logged by every framework.
_ROUTING_LABELS = (".path", ".method", ".url", ".full_path", ".host")
_LOGGER_NAME = re.compile(r"(?i)(^|[._])(log|logger|_log|_logger|logging|audit_log|access_log)$")


def _lazy_form(message: ast.expr, ctx) -> tuple[str, list[str]] | None:
    """`("user %r logged in from %s", [user, ip])` for `f"user {user} logged in from {ip}"` (or the
    same message built with `%`, `.format` or `+`): user data as `%r`, whose repr escapes CR/LF and
    control characters; other values as `%s`."""
    text = ""
    args: list[str] = []
    for piece in _message_pieces(message):
        if isinstance(piece, str):
            text += piece.replace("%", "%%")
            continue
        if piece is None:
            return None
        value, conversion = piece
        text += "%r" if ctx.taint(value) is not None else f"%{conversion}"
        args.append(source_of(value, ctx))
    if not args or "\\" in text or "\n" in text:
        return None
    quote = "'" if '"' in text and "'" not in text else '"'
    if quote in text:
        return None
    return quote + text + quote, args


def _in_repr_only(message: ast.expr, ctx) -> bool:
    """User data goes into an eagerly built message only as its repr (`%r`, `{x!r}`, `repr(x)`), which
    escapes CR/LF as logging's own `%r` does (what this rule's fix writes)."""
    if isinstance(message, ast.JoinedStr):
        pairs = [(v.value, v.conversion == ord("r")) for v in message.values if isinstance(v, ast.FormattedValue)]
    elif (
        isinstance(message, ast.BinOp)
        and isinstance(message.op, ast.Mod)
        and isinstance(message.left, ast.Constant)
        and isinstance(message.left.value, str)
    ):
        specs = [m.group(5) for m in _SPEC.finditer(message.left.value) if m.group(5) != "%"]
        values = message.right.elts if isinstance(message.right, ast.Tuple) else [message.right]
        if len(specs) != len(values):
            return False
        pairs = [(value, spec == "r") for value, spec in zip(values, specs)]
    else:
        return False
    tainted = [(value, as_repr) for value, as_repr in pairs if ctx.taint(value) is not None]
    return bool(tainted) and all(as_repr or _repr_call(value) for value, as_repr in tainted)


def _repr_call(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "repr"


def _message_pieces(message: ast.expr) -> list:
    """Literal text, (value, conversion) pairs, and None for what has no lazy equivalent."""
    if isinstance(message, ast.JoinedStr):
        out: list = []
        for value in message.values:
            if isinstance(value, ast.Constant):
                out.append(str(value.value))
            elif (
                isinstance(value, ast.FormattedValue) and value.format_spec is None and value.conversion in _CONVERSIONS
            ):
                out.append((value.value, _CONVERSIONS[value.conversion]))
            else:
                out.append(None)
        return out
    if isinstance(message, ast.BinOp) and isinstance(message.op, ast.Mod):
        template = message.left
        # Only `%s` (and `%%`) specs: a `%d` or `%.2f` would print differently as `%s`.
        if not (isinstance(template, ast.Constant) and isinstance(template.value, str)) or "%" in _PLAIN_SPECS.sub(
            "", template.value
        ):
            return [None]
    pieces = formatted_pieces(message)
    if pieces is None:
        return [None]
    return [p if isinstance(p, str) else (p, "s") for p in pieces]


_CONVERSIONS = {-1: "s", ord("s"): "s", ord("r"): "r"}
_PLAIN_SPECS = re.compile(r"%[%s]")
# A logging format's conversion specs; only `%s` (and `%r`) take text, `%(name)s` takes a mapping.
_SPEC = re.compile(r"%(\([^)]*\))?[#0\- +]*(\*|\d+)?(\.(\*|\d+))?([a-zA-Z%])")


def _lazy_text_arguments(message: ast.expr, args: list[ast.expr]) -> list[tuple[int, ast.expr]] | None:
    """`logger.info("user %s from %d", name, port)`: each argument that a `%s` spec inserts as it
    is (text with CR/LF stays text), with the spec's index among the format's specs; None when the
    format or the arguments cannot be matched up."""
    if not (isinstance(message, ast.Constant) and isinstance(message.value, str)):
        return None
    if any(isinstance(a, ast.Starred) for a in args):
        return None
    specs = [m for m in _SPEC.finditer(message.value) if m.group(5) != "%"]
    if len(specs) != len(args) or any(m.group(1) or m.group(2) == "*" or m.group(4) == "*" for m in specs):
        return None
    return [(i, arg) for i, (m, arg) in enumerate(zip(specs, args)) if m.group(5) == "s"]


def _brace_text_arguments(message: ast.expr, call: ast.Call, first: int) -> list[ast.expr]:
    """loguru's `logger.info("user {} from {ip}", name, ip=addr)`: the arguments its `str.format`
    fields insert as text (a `!r` field inserts the repr)."""
    if not (isinstance(message, ast.Constant) and isinstance(message.value, str)):
        return []
    positional = call.args[first:]
    named = {k.arg: k.value for k in call.keywords if k.arg}
    found, auto = [], 0
    try:
        fields = list(string.Formatter().parse(message.value))
    except ValueError:
        return []
    for _, field, _, conversion in fields:
        if field is None:
            continue
        key = field.split(".")[0].split("[")[0]
        if key == "":
            key, auto = str(auto), auto + 1
        value = positional[int(key)] if key.isdigit() and int(key) < len(positional) else named.get(key)
        if value is not None and conversion != "r" and not isinstance(value, ast.Starred):
            found.append(value)
    return found


def _repr_spec_fix(message: ast.Constant, value: str, indexes: list[int], ctx):
    """The format with those `%s` specs written `%r`, when the specs written in its source text are
    the value's, in the same order (literals joined by juxtaposition are fine)."""
    span = ctx.span(message)
    text = ctx.segment(span)
    try:
        if ast.literal_eval(text) != value:
            return None
    except (SyntaxError, ValueError):
        return None
    specs = [m for m in _SPEC.finditer(text) if m.group(5) != "%"]
    if [m.group(0) for m in specs] != [m.group(0) for m in _SPEC.finditer(value) if m.group(5) != "%"]:
        return None
    new = text
    for i in reversed(indexes):
        m = specs[i]
        new = new[: m.end() - 1] + "r" + new[m.end() :]
    return edits_fix([Edit(span, new)], "Fix: log user data with %r", safe=False)


class LogInjection(Rule):
    id = "TG119"
    name = "log-injection"
    severity = "low"
    confidence = "medium"
    cwe = (117,)
    owasp = "A09:2025"
    message = "User input ({source}) formatted into a log message"
    placeholders = {"source": "request data", "callee": "logger.info"}
    aliases = ()
    call_names = _LEVELS
    what = (
        "{source} is formatted into the message `{callee}` logs, as its text: by the code before the call, "
        "or by logging itself for a `%s` argument."
    )
    why = (
        "A value containing a newline, such as `bob\\n2025-01-01 INFO login succeeded user=admin`, forges "
        "log entries that mislead an investigation or an alerting rule; ANSI escape sequences can rewrite "
        "what an operator's terminal shows."
    )
    how = (
        "Pass values as logging arguments and log user data with `%r` (its repr escapes CR/LF), or "
        "strip control characters first; structured (JSON) log formatters encode values safely."
    )
    example = 'logger.info("login failed for %r from %s", username, request.remote_addr)'
    fix_safety = (
        "Unsafe: a message built with an f-string, `%` (plain `%s` specs), `.format` or `+` becomes a "
        "constant format with arguments (`%r` for user data, `%s` for the rest), and a `%s` that logging "
        "fills with user data becomes `%r`; user values now appear quoted, as their repr. loguru's `{}` "
        "fields get no rewrite (write `{!r}`)."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/117.html",
        "https://owasp.org/www-community/attacks/Log_Injection",
        "https://docs.python.org/3/howto/logging.html#optimization",
    )
    VALID = (
        # An HTTP client's request (a `requests` auth hook): the program's own outgoing request.
        "import logging\nfrom requests import PreparedRequest\nlogger = logging.getLogger(__name__)\nclass Auth:\n"
        '    def __call__(self, req: PreparedRequest):\n        logger.warning(f"signing {req.body}")\n        return req\n',
        "import logging\nfrom flask import request\nlog = logging.getLogger(__name__)\ndef f():\n"
        '    log.info("search for %r", request.args["q"])\n',
        # built before the call, but with user data only as its repr: CR/LF escaped as by `%r`
        "import logging\nfrom flask import request\nlog = logging.getLogger(__name__)\ndef f():\n"
        '    log.info("search for %r from %s" % (request.args["q"], "web"))\n',
        "import logging\nfrom flask import request\nlog = logging.getLogger(__name__)\ndef f():\n"
        "    log.info(f\"search for {request.args['q']!r}, {repr(request.args['p'])}\")\n",
        "from flask import current_app, request\ndef f():\n"
        '    current_app.logger.error("%d attempts by %r", int(request.args["n"]), request.args["user"])\n',
        "from loguru import logger\nfrom flask import request\ndef f():\n"
        '    logger.warning("failed login for {!r}", request.form["user"])\n',
        'import logging\nlog = logging.getLogger(__name__)\ndef f(n):\n    log.info(f"processed {n} rows")\n',
    )
    INVALID = (
        Invalid(  # the request a web framework hands the handler
            "import logging\nfrom flask import Request\nlogger = logging.getLogger(__name__)\nclass View:\n"
            '    def handle(self, req: Request):\n        logger.warning(f"serving {req.body}")\n',
            "import logging\nfrom flask import Request\nlogger = logging.getLogger(__name__)\nclass View:\n"
            '    def handle(self, req: Request):\n        logger.warning("serving %r", req.body)\n',
        ),
        Invalid(
            "import logging\nfrom flask import request\nlogger = logging.getLogger(__name__)\ndef f():\n"
            '    user = request.form["user"]\n    logger.warning(f"login failed for {user} ({len(user)} chars, 100%)")\n',
            "import logging\nfrom flask import request\nlogger = logging.getLogger(__name__)\ndef f():\n"
            '    user = request.form["user"]\n    logger.warning("login failed for %r (%s chars, 100%%)", user, len(user))\n',
        ),
        Invalid(
            'import logging\nfrom flask import request\ndef f():\n    logging.info("q=%s" % request.args["q"])\n',
            'import logging\nfrom flask import request\ndef f():\n    logging.info("q=%r", request.args["q"])\n',
        ),
        Invalid(
            'import logging\nfrom flask import request\ndef f():\n    logging.info("user " + request.args["u"] + " left")\n',
            'import logging\nfrom flask import request\ndef f():\n    logging.info("user %r left", request.args["u"])\n',
        ),
        Invalid(
            'import logging\nfrom flask import request\ndef f(count):\n    logging.info("user {} has {} items".format(request.args["u"], count))\n',
            'import logging\nfrom flask import request\ndef f(count):\n    logging.info("user %r has %s items", request.args["u"], count)\n',
        ),
        Invalid(
            "from flask import current_app, request\ndef f():\n"
            '    value = request.args.get("input")\n    current_app.logger.error("%s", value)\n',
            "from flask import current_app, request\ndef f():\n"
            '    value = request.args.get("input")\n    current_app.logger.error("%r", value)\n',
            message="request.args",
        ),
        Invalid(
            "import logging\nlogger = logging.getLogger(__name__)\ndef login(request):\n"
            '    name = request.POST["username"]\n    logger.warning("login failed for %s after %d tries", name, 3)\n',
            "import logging\nlogger = logging.getLogger(__name__)\ndef login(request):\n"
            '    name = request.POST["username"]\n    logger.warning("login failed for %r after %d tries", name, 3)\n',
        ),
        Invalid(
            "import logging\nfrom fastapi import FastAPI\napp = FastAPI()\nlog = logging.getLogger(__name__)\n"
            '@app.get("/items")\ndef items(q: str):\n    log.info("query " "%s", q)\n',
            "import logging\nfrom fastapi import FastAPI\napp = FastAPI()\nlog = logging.getLogger(__name__)\n"
            '@app.get("/items")\ndef items(q: str):\n    log.info("query " "%r", q)\n',
        ),
        Invalid(
            "from loguru import logger\nfrom flask import request\ndef f():\n"
            '    logger.warning("failed login for {} from {ip}", request.form["user"], ip=request.remote_addr)\n',
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        func = node.func
        if not isinstance(func, ast.Attribute) or func.attr not in _LEVELS:
            return
        owner = ctx.qualname(func.value) or dotted_name(func.value) or ""
        if not _LOGGER_NAME.search(owner) and not owner.endswith(".logger"):
            return
        index = 1 if func.attr == "log" else 0
        message = ctx.argument(node, index, "msg")
        if message is None:
            return
        if not is_string_building(message, ctx):
            callee = f"{owner.rsplit('.', 1)[-1]}.{func.attr}"
            if owner.split(".")[0] == "loguru":
                self._brace_arguments(node, message, index + 1, callee, ctx)
            else:
                self._lazy_arguments(node, message, node.args[index + 1 :], callee, ctx)
            return
        source = ctx.taint(message)
        if source is None or source.label.endswith(_ROUTING_LABELS) or _in_repr_only(message, ctx):
            return
        fix = None
        if len(node.args) == index + 1 and node.args[index] is message and index == 0:
            lazy = _lazy_form(message, ctx)
            if lazy is not None:
                fix = expression_fix(
                    ctx,
                    node,
                    replace_arguments(lazy[0], extra=lazy[1]),
                    "Fix: pass values as logging arguments",
                    safe=False,
                )
        ctx.report(
            self,
            node,
            details={"source": source.label, "callee": f"{owner.rsplit('.', 1)[-1]}.{func.attr}"},
            source=source,
            fix=fix,
        )

    def _lazy_arguments(self, node: ast.Call, message: ast.expr, args: list[ast.expr], callee: str, ctx) -> None:
        """Logging's own `%s` inserts the argument's text unescaped, as formatting it in does."""
        found = _lazy_text_arguments(message, args) or []
        # A command-line tool logging its own user's arguments shows them to that user: remote data only.
        tainted = [(i, source) for i, arg in found if (source := remote_taint(ctx, arg)) is not None]
        tainted = [(i, source) for i, source in tainted if not source.label.endswith(_ROUTING_LABELS)]
        if not tainted:
            return
        assert isinstance(message, ast.Constant) and isinstance(message.value, str)
        source = tainted[0][1]
        ctx.report(
            self,
            node,
            details={"source": source.label, "callee": callee},
            source=source,
            fix=_repr_spec_fix(message, message.value, [i for i, _ in tainted], ctx),
        )

    def _brace_arguments(self, node: ast.Call, message: ast.expr, first: int, callee: str, ctx) -> None:
        """loguru formats its message with the arguments' `str()`, unescaped."""
        for value in _brace_text_arguments(message, node, first):
            source = remote_taint(ctx, value)
            if source is not None and not source.label.endswith(_ROUTING_LABELS):
                ctx.report(self, node, details={"source": source.label, "callee": callee}, source=source)
                return
