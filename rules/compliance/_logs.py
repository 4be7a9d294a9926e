"""Log and print calls, and the named values whose text they write."""

from __future__ import annotations

import ast
import re
from typing import Iterator, Optional

from tabguard.engine.facts import under_main_guard
from tabguard.engine.fixes import drop_dict_keys, expressions_fix
from tabguard.engine.types import Edit, Span
from tabguard.guards import words
from tabguard.rules.crypto._names import expression_name, value_parts

LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log", "msg"})
# The callee last names `log_call` accepts (for `Rule.call_names`).
LOG_CALL_NAMES = LOG_METHODS | {"print"}
# Receiver names that are loggers (`logger`, `app.logger`, `self.log`, `audit_log`, `audit`).
_LOGGER_WORDS = frozenset({"log", "logger", "logging", "logs", "audit", "auditor"})
# Keywords of the logging API that carry no message data.
_CONTROL_KEYWORDS = frozenset({"exc_info", "stack_info", "stacklevel", "level", "file", "sep", "end", "flush"})
# Functions whose purpose is to show a value to the person running them (a password generator CLI).
_DISPLAY_WORDS = frozenset({"main", "cli", "generate", "show", "display", "print", "prompt", "reveal"})


def log_call(ctx, call: ast.Call) -> Optional[str]:
    """ "log" for a logging/structlog call, "print" for print, else None."""
    func = call.func
    if isinstance(func, ast.Name) and func.id == "print":
        return "print" if not _is_display_code(ctx, call) else None
    if not isinstance(func, ast.Attribute) or func.attr not in LOG_METHODS:
        return None
    qualname = ctx.qualname(func) or ""
    if qualname.startswith(("logging.", "structlog.", "loguru.logger.")):
        return "log"
    receiver = func.value
    if isinstance(receiver, ast.Call):  # logging.getLogger(__name__).info(...), structlog.get_logger().info(...)
        receiver = receiver.func
    name = expression_name(receiver) or ""
    return "log" if any(w in _LOGGER_WORDS for w in words(name)) else None


def _is_display_code(ctx, call: ast.Call) -> bool:
    """Inside `main()`, a CLI or generator function, or an `if __name__ == "__main__":` demo."""
    if any(w in _DISPLAY_WORDS for f in ctx.functions for w in words(getattr(f, "name", ""))):
        return True
    return under_main_guard(call, ctx)


def logged_values(call: ast.Call) -> Iterator[tuple[str, ast.AST]]:
    """(name, node) for each named value written by a log call: message arguments, f-string parts,
    `extra={...}` keys, and structlog-style keyword arguments (`log.info("login", password=pw)`)."""
    for arg in call.args:
        for part in value_parts(arg):
            name = expression_name(part)
            if name:
                yield name, part
    for keyword in call.keywords:
        if keyword.arg in _CONTROL_KEYWORDS:
            continue
        if keyword.arg is not None and keyword.arg != "extra" and not isinstance(keyword.value, ast.Constant):
            yield keyword.arg, keyword.value
        for part in value_parts(keyword.value):
            name = expression_name(part)
            if name:
                yield name, part


REDACTED = "[REDACTED]"


def redact_fix(ctx, call: ast.Call, parts: list[ast.AST], names: list[str]):
    """Every flagged value of a log call replaced by the text `[REDACTED]`: an argument by the string,
    an f-string field by the text, a `{"secret": s}` entry left out. None when a field cannot be
    located in the source."""
    edits, dicts, redacted = [], {}, set()
    for part in {id(p): p for p in parts}.values():  # `password=pw` names one value twice
        if not getattr(part, "lineno", 0):  # `{"secret": s}` seen as `s["secret"]`: drop the entry
            holder = _dict_holding(call, part)
            if holder is None:
                return None
            dicts.setdefault(id(holder), (holder, set()))[1].add(part.slice.value)
            continue
        # `dict(request.headers)`, `str(token)`: the whole call goes, a string would not fit in it.
        target = max(
            (c for c in _calls_in(call) if ctx.span(c).contains(ctx.span(part))),
            key=lambda c: _length(ctx.span(c)),
            default=part,
        )
        fields = [f for f in ast.walk(call) if isinstance(f, ast.FormattedValue)]
        if any(target is f.value for f in fields):
            span = _field_span(ctx, ctx.span(target))
            if span is None:
                return None
            edits.append(Edit(span, REDACTED))
            redacted.add(id(target))
        elif any(ctx.span(f).contains(ctx.span(target)) for f in fields):
            return None  # deeper inside a field: quotes could clash with the f-string's
        else:
            edits.append(Edit(ctx.span(target), f'"{REDACTED}"'))
    edits += _plain_prefixes(ctx, call, redacted)
    inside = [d for d, _ in dicts.values()]
    edits = [e for e in edits if not any(ctx.span(d).contains(e.span) for d in inside)]
    ordered = sorted(edits, key=lambda e: (e.span.start_line, e.span.start_col))
    if any(
        (a.span.end_line, a.span.end_col) > (b.span.start_line, b.span.start_col) for a, b in zip(ordered, ordered[1:])
    ):
        return None
    changes = [(d, drop_dict_keys(frozenset(keys))) for d, keys in dicts.values()]
    listed = ", ".join(dict.fromkeys(f"`{n}`" for n in names))
    return expressions_fix(ctx, changes, f"Fix: log {REDACTED} in place of {listed}", safe=False, more=edits)


def _plain_prefixes(ctx, call: ast.Call, redacted: set[int]) -> list[Edit]:
    """Edits dropping the `f` of an f-string whose every field was redacted (`f'token=[REDACTED]'`
    would be an f-string without placeholders); kept when the text has `{{`, which means `{` only
    in an f-string."""
    edits = []
    for joined in (n for n in ast.walk(call) if isinstance(n, ast.JoinedStr)):
        fields = [v for v in joined.values if isinstance(v, ast.FormattedValue)]
        if not fields or any(id(v.value) not in redacted for v in fields):
            continue
        span = ctx.span(joined)
        text = ctx.segment(span)
        prefix = _F_PREFIX.match(text)
        if prefix is None or "{{" in text or "}}" in text:
            continue
        at = span.start_col + prefix.start(1)
        edits.append(Edit(Span(span.start_line, at, span.start_line, at + 1), ""))
    return edits


_F_PREFIX = re.compile(r"[rRbBuU]?([fF])[rR]?['\"]")


def _dict_holding(call: ast.Call, entry: ast.Subscript) -> Optional[ast.Dict]:
    for node in ast.walk(call):
        if isinstance(node, ast.Dict) and any(
            value is entry.value and isinstance(key, ast.Constant) and key.value == entry.slice.value
            for key, value in zip(node.keys, node.values)
        ):
            return node
    return None


def _field_span(ctx, value: Span) -> Optional[Span]:
    """The `{...}` replacement field around an f-string value, when it is plainly written there."""
    before = ctx.lines[value.start_line][: value.start_col]
    after = ctx.lines[value.end_line][value.end_col :]
    close = after.find("}")
    if (
        not before.rstrip().endswith("{")
        or close < 0
        or "{" in after[:close]
        or ctx.segment(value).count("{") != ctx.segment(value).count("}")
    ):
        return None
    return Span(value.start_line, len(before.rstrip()) - 1, value.end_line, value.end_col + close + 1)


def _calls_in(call: ast.Call) -> list[ast.Call]:
    return [
        c for arg in (*call.args, *(k.value for k in call.keywords)) for c in ast.walk(arg) if isinstance(c, ast.Call)
    ]


def _length(span: Span) -> tuple[int, int]:
    return span.end_line - span.start_line, span.end_col - span.start_col
