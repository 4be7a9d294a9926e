"""A command that a wrapper passes on: checked where the wrapper is called, not inside it."""

from __future__ import annotations

import ast
from typing import Optional

from tabguard.rules.injection._program_text import private_function

# Conversions that change a value's type (text <-> bytes), not the command it spells.
_CONVERSIONS = frozenset({"str", "bytes", "os.fsencode", "os.fsdecode", "to_bytes", "to_text", "to_native"})
_CONVERSION_METHODS = frozenset({"encode", "decode"})
_MAX_DEPTH = 6


def passed_on(command: Optional[ast.expr], ctx) -> bool:
    """Inside a method that is itself `exec_command` (an override calling `super()`, a client wrapping
    its channel) or a private helper (only the program's own code calls it), the command is the
    function's own parameter, unchanged but for its type (`to_bytes(cmd)`, `cmd.encode()`). Each
    caller's command is checked at the call: `exec_command(...)` is a sink itself, and a caller passing
    user input to a helper is reported there through the helper's summary."""
    func = ctx.function
    if command is None or func is None:
        return False
    if getattr(func, "name", None) != "exec_command" and not private_function(func, ctx):
        return False
    return _own_parameter(command, func, ctx)


def _own_parameter(expr: ast.expr, func: ast.AST, ctx, depth: int = 0) -> bool:
    if depth > _MAX_DEPTH:
        return False
    if isinstance(expr, ast.Call):
        inner = _converted(expr, ctx)
        return inner is not None and _own_parameter(inner, func, ctx, depth + 1)
    if not isinstance(expr, ast.Name):
        return False
    # Each binding that may reach the use: the parameter itself, or a plain `cmd = to_bytes(cmd)`
    # (possibly in a branch; a `cmd += ...` or `cmd = "sudo " + cmd` builds a new command).
    chain = ctx.model.reaching(expr)
    return bool(chain) and all(_passes_parameter(binding, func, ctx, depth) for binding in chain)


def _passes_parameter(binding, func: ast.AST, ctx, depth: int) -> bool:
    if binding.kind == "param":
        return binding.scope.node is func
    return (
        binding.kind == "assign" and binding.value is not None and _own_parameter(binding.value, func, ctx, depth + 1)
    )


def _converted(call: ast.Call, ctx) -> Optional[ast.expr]:
    """The value a conversion call converts: `to_bytes(x, ...)`, `x.encode()`, `map(to_bytes, x)`."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in _CONVERSION_METHODS:
        return func.value
    name = (ctx.call_name(call) or "").rpartition(".")[2]
    if name == "map" and len(call.args) == 2 and _converter(call.args[0], ctx):
        return call.args[1]
    if call.args and _converter(func, ctx):
        return call.args[0]
    return None


def _converter(func: ast.expr, ctx) -> bool:
    name = ctx.qualname(func) or ""
    return name in _CONVERSIONS or name.rpartition(".")[2] in _CONVERSIONS
