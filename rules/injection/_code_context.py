"""What surrounds an `eval`/`exec`: a compiled code object, a terminal debugger or shell."""

from __future__ import annotations

import ast
from typing import Optional

# Debuggers and command shells whose loop reads the terminal: what their methods run is what the
# operator at that terminal typed.
_TERMINAL_LOOPS = frozenset({"cmd.Cmd", "pdb.Pdb", "bdb.Bdb"})
# Calls that hand the operator an interactive Python prompt on the terminal.
_STARTS_PROMPT = frozenset(
    {
        "code.interact",
        "IPython.embed",
        "IPython.start_ipython",
        "IPython.terminal.embed.embed",
        "bpython.embed",
        "ptpython.repl.embed",
        "ptpython.embed",
    }
)
_COMPILERS = frozenset({"compile", "builtins.compile", "code.compile_command", "codeop.compile_command"})
_CODE_TYPES = frozenset({"types.CodeType", "CodeType"})


def code_object(code: ast.expr, ctx) -> bool:
    """`code` is a local name that holds a compiled code object: assigned from `compile(...)` in this
    scope, or annotated `CodeType` (a parameter or a variable). Its source text was reported, if at
    all, where it was compiled."""
    if not isinstance(code, ast.Name):
        return False
    scope = ctx.model.scope_of(code)
    target = ctx.model.resolve(scope, code.id) if scope is not None else None
    if target is None:
        return False
    for binding in ctx.model.bindings(target, code.id):
        value = binding.value
        if isinstance(value, ast.Call) and ctx.call_name(value) in _COMPILERS:
            return True
        annotation = getattr(binding.node, "annotation", None)
        if annotation is not None and _names_code_type(annotation, ctx):
            return True
    return False


def _names_code_type(annotation: ast.expr, ctx) -> bool:
    """`CodeType`, `types.CodeType` or `"CodeType"` (a union with `str` may hold source text)."""
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        return annotation.value in _CODE_TYPES
    if isinstance(annotation, (ast.Name, ast.Attribute)):
        return (ctx.qualname(annotation) or "") in _CODE_TYPES
    return False


def enclosing_class(ctx) -> Optional[ast.ClassDef]:
    """The class whose method (at any depth of nested functions) holds the current code."""
    node = ctx.function
    while node is not None and not isinstance(node, ast.Module):
        node = ctx.parent(node)
        if isinstance(node, ast.ClassDef):
            return node
    return None


def terminal_repl(ctx) -> bool:
    """The code is a method of a terminal debugger or shell: a `cmd.Cmd`/`pdb.Pdb` subclass, or a
    class that also hands its operator an interactive Python prompt (`code.interact`, IPython)."""
    owner = enclosing_class(ctx)
    if owner is None:
        return False
    return ctx.memo(("terminal-repl", id(owner)), lambda: _terminal_repl(owner, ctx))


def _terminal_repl(owner: ast.ClassDef, ctx) -> bool:
    if any(ctx.qualname(base) in _TERMINAL_LOOPS for base in owner.bases):
        return True
    return any(isinstance(node, ast.Call) and ctx.call_name(node) in _STARTS_PROMPT for node in ast.walk(owner))
