"""Log and print calls, and the named values whose text they write."""

from __future__ import annotations

import ast
from typing import Iterator, Optional

from tabguard.rules.crypto._names import expression_name, value_parts, words

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
    """"log" for a logging/structlog call, "print" for print, else None."""
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
    parent = ctx.parent(call)
    while parent is not None:
        if isinstance(parent, ast.If) and "__main__" in ast.unparse(parent.test):
            return True
        parent = ctx.parent(parent)
    return False


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
