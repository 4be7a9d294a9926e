"""Secure rewrites as libcst transformations of the flagged node, turned into minimal text edits.

A rule hands `expression_fix` the flagged ast node and a transformation of its libcst counterpart;
the node's source text is captured at once (cheap) and parsed with libcst only when the fix is asked
for (a code action, SARIF output, a test).

Every fix states its safety (Ruff's model, no default): `safe=True` only when the rewrite cannot
change behaviour a correct program relies on; a rewrite that changes what the program does at run
time, in the secure direction or not, is unsafe.
"""

from __future__ import annotations

import ast
import re
import warnings
from typing import Callable, Optional, Sequence

import libcst as cst

from tabguard.engine.bindings import bound_name, other_binding
from tabguard.engine.splitter import CLEAN, scan_line
from tabguard.engine.types import Edit, Fix, Span

Transform = Callable[[cst.BaseExpression], cst.BaseExpression]
_MODULE = cst.Module(body=[])


def parse_expression(text: str) -> cst.BaseExpression:
    try:
        return cst.parse_expression(text)
    except cst.ParserSyntaxError:
        # A multi-line expression outside brackets parses once wrapped; the parentheses are dropped.
        return cst.parse_expression(f"({text})").with_changes(lpar=[], rpar=[])


def code(node: cst.CSTNode) -> str:
    return _MODULE.code_for_node(node)


def expression_fix(
    ctx, node, transform: Transform, title: str, *, safe: bool, imports: Sequence[str] = ()
) -> Callable[[], Optional[Fix]]:
    """A lazy fix replacing `node`'s text with `transform(libcst node)`."""
    return expressions_fix(ctx, [(node, transform)], title, safe=safe, imports=imports)


def expressions_fix(
    ctx,
    changes: Sequence[tuple[ast.AST, Transform]],
    title: str,
    *,
    safe: bool,
    imports: Sequence[str] = (),
    more: Sequence[Edit] = (),
) -> Callable[[], Optional[Fix]]:
    """A lazy fix transforming several nodes at once (plus the known edits `more`); None when the
    transformations change nothing."""
    originals = [(ctx.span(node), transform) for node, transform in changes]
    originals = [(span, ctx.segment(span), transform) for span, transform in originals]

    def build() -> Optional[Fix]:
        edits = [
            Edit(span, new)
            for span, old, transform in originals
            if (new := code(transform(parse_expression(old)))) != old
        ]
        if not edits and not more:
            return None
        return Fix(title, (*edits, *more), safe, tuple(imports))

    return build


def text_fix(span: Span, new_text: str, title: str, *, safe: bool, imports: Sequence[str] = ()):
    return edits_fix((Edit(span, new_text),), title, safe=safe, imports=imports)


def edits_fix(edits: Sequence[Edit], title: str, *, safe: bool, imports: Sequence[str] = ()):
    """A fix made of several text edits that are already known (no libcst needed)."""
    fix = Fix(title, tuple(edits), safe, tuple(imports))
    return lambda: fix


def insert_before(ctx, statement, text: str) -> Optional[Edit]:
    """An edit adding `text` (one or more lines of statements) just above `statement`, at its
    indentation; None when the statement does not start its line (`if x: y`, `a; b`)."""
    span = ctx.span(statement)
    indent = ctx.lines[span.start_line][: span.start_col]
    if indent.strip():
        return None
    new = "".join(f"{line}\n{indent}" for line in text.split("\n"))
    return Edit(Span(span.start_line, span.start_col, span.start_line, span.start_col), new)


def delete_statement(ctx, statement: ast.stmt) -> Optional[Edit]:
    """An edit removing `statement` with its lines; None when it shares a line with other code or is
    the only statement of its block (the block would be left empty)."""
    span = ctx.span(statement)
    if ctx.lines[span.start_line][: span.start_col].strip() or ctx.lines[span.end_line][span.end_col :].strip():
        return None
    parent = ctx.parent(statement)
    siblings = [
        body for field in ("body", "orelse", "finalbody") if statement in (body := getattr(parent, field, None) or [])
    ]
    if parent is not None and any(len(body) == 1 for body in siblings):
        return None
    if span.end_line + 1 < len(ctx.lines):
        return Edit(Span(span.start_line, 0, span.end_line + 1, 0), "")
    if span.start_line == 0:
        return None
    # The last line of the block: take the line break before the statement instead of after it.
    previous = span.start_line - 1
    return Edit(Span(previous, len(ctx.lines[previous]), span.end_line, len(ctx.lines[span.end_line])), "")


def insert_below(ctx, statement, text: str) -> Optional[Edit]:
    """An edit adding `text` (lines of statements) on the lines after `statement`, at its indentation;
    None when other code follows it on its line."""
    span = ctx.span(statement)
    indent = ctx.lines[span.start_line][: span.start_col]
    end = ctx.lines[span.end_line]
    if indent.strip() or end[span.end_col :].strip()[:1] not in ("", "#"):
        return None
    return Edit(
        Span(span.end_line, len(end), span.end_line, len(end)),
        "".join(f"\n{indent}{line}" for line in text.split("\n")),
    )


def insert_after(ctx, node, text: str) -> Edit:
    """An edit adding `text` right after `node` (a parameters argument, a `.bindparams(...)`)."""
    end = ctx.span(node)
    return Edit(Span(end.end_line, end.end_col, end.end_line, end.end_col), text)


# -- transformations shared by rules -------------------------------------------------------------
def set_keyword(name: str, value: str) -> Transform:
    """Set keyword argument `name=value` on a call, replacing it when present."""

    def transform(call: cst.BaseExpression) -> cst.BaseExpression:
        assert isinstance(call, cst.Call)
        new_value = cst.parse_expression(value)  # here, not above: only a fix that is asked for pays
        args = list(call.args)
        for i, arg in enumerate(args):
            if arg.keyword is not None and arg.keyword.value == name:
                args[i] = arg.with_changes(value=new_value)
                return call.with_changes(args=args)
        keyword = cst.Arg(
            value=new_value,
            keyword=cst.Name(name),
            equal=cst.AssignEqual(
                whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
            ),
        )
        if args:
            last = args[-1]
            if last.comma is cst.MaybeSentinel.DEFAULT:
                args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            else:
                keyword = keyword.with_changes(comma=last.comma)
                args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        args.append(keyword)
        return call.with_changes(args=args)

    return transform


def drop_dict_keys(keys: frozenset[str]) -> Transform:
    """Remove the entries of a dict literal whose key is one of these strings."""

    def transform(node: cst.BaseExpression) -> cst.BaseExpression:
        assert isinstance(node, cst.Dict)
        elements = list(node.elements)
        kept = [
            e
            for e in elements
            if not (
                isinstance(e, cst.DictElement) and isinstance(e.key, cst.SimpleString) and e.key.evaluated_value in keys
            )
        ]
        if kept and kept[-1] is not elements[-1]:
            kept[-1] = kept[-1].with_changes(comma=elements[-1].comma)  # the trailing comma stays as written
        return node.with_changes(elements=kept)

    return transform


def remove_keyword(name: str) -> Transform:
    def transform(call: cst.BaseExpression) -> cst.BaseExpression:
        assert isinstance(call, cst.Call)
        args = [a for a in call.args if not (a.keyword is not None and a.keyword.value == name)]
        if args and args[-1] is not call.args[-1]:
            args[-1] = args[-1].with_changes(comma=call.args[-1].comma)  # the trailing comma stays as written
        return call.with_changes(args=args)

    return transform


def replace_callee(new_func: str) -> Transform:
    def transform(call: cst.BaseExpression) -> cst.BaseExpression:
        assert isinstance(call, cst.Call)
        return call.with_changes(func=cst.parse_expression(new_func))

    return transform


def chain(*transforms: Transform) -> Transform:
    def transform(node: cst.BaseExpression) -> cst.BaseExpression:
        for step in transforms:
            node = step(node)
        return node

    return transform


# -- applying fixes to a whole document ----------------------------------------------------------
class FixConflict(ValueError):
    """A fix that cannot be made in this file (the reason is the message)."""


def materialize(fix: Fix, lines: Sequence[str]) -> list[Edit]:
    """The fix's edits plus its missing imports: `module` becomes `import module` at the top of the
    module; `from module import name` joins an existing one-line `from module import ...` when there
    is one, else is added at the top. FixConflict when a name an import binds is already bound to
    something else where the fix uses it."""
    edits = list(fix.edits)
    missing = []
    if fix.imports:
        text = "\n".join(lines)
        for spec in fix.imports:
            if other_binding(text, bound_name(spec), spec, [edit.span for edit in fix.edits]):
                raise FixConflict(f"`{bound_name(spec)}` names something else here, the rewrite needs the module")
    for spec in fix.imports:
        match = _FROM_SPEC.fullmatch(spec)
        if match is None:
            if not _imports(lines, spec):
                missing.append(f"import {spec}\n")
            continue
        joined = _join_from_import(lines, *match.groups())
        if joined is None:
            missing.append(spec + "\n")
        elif joined is not True:
            edits.append(joined)
    if missing:
        at = import_line(lines)
        edits.insert(0, Edit(Span(at, 0, at, 0), "".join(missing)))
    return edits


_FROM_SPEC = re.compile(r"from ([\w.]+) import (\w+)")


def _imports(lines: Sequence[str], module: str) -> bool:
    """A top-level `import module` (or `import module.sub`) binds the name the fix uses; `from module
    import x`, `import module as alias` and an import inside a function do not."""
    name = re.escape(module)
    pattern = re.compile(rf"import\s+([\w.]+(\s+as\s+\w+)?\s*,\s*)*{name}(\.[\w.]+)?(\s+as\s+{name})?\s*(,|#|$)")
    return any(line.startswith("import") and pattern.match(line) for line in lines)


def _join_from_import(lines: Sequence[str], module: str, name: str):
    """True when `name` is already imported from `module`; else an edit adding it to the module's
    first one-line, top-level `from module import a, b` (None when there is none)."""
    pattern = re.compile(rf"from\s+{re.escape(module)}\s+import\s+(\(?)([^#\\]*?)(\)?)\s*(#.*)?")
    for i, line in enumerate(lines):
        if not line.startswith("from "):
            continue
        match = pattern.fullmatch(line.rstrip())
        if match is None or bool(match.group(1)) != bool(match.group(3)) or not match.group(2).strip():
            continue
        names = match.group(2)
        bound = {part.split(" as ")[-1].strip() for part in names.split(",")}
        if name in bound:
            return True
        end = match.end(2)
        trailing_comma = names.rstrip().endswith(",")
        if trailing_comma:
            end = match.start(2) + len(names.rstrip())
        return Edit(Span(i, end, i, end), f" {name}" if trailing_comma else f", {name}")
    return None


def import_line(lines: Sequence[str]) -> int:
    """Where a new import goes: before the first import (after `__future__` imports), else after the
    module docstring and leading comments."""
    state = CLEAN
    after_header = 0
    for i, line in enumerate(lines):
        stripped = line.strip()
        was_clean = state.clean
        state = scan_line(line, state)
        if not was_clean:
            if state.clean:
                after_header = i + 1
            continue
        if stripped.startswith(("import ", "from ")) and line[:1] not in " \t":
            if stripped.startswith("from __future__"):
                after_header = i + 1
                continue
            return i
        if not stripped or stripped.startswith("#"):
            if after_header == i:
                after_header = i + 1
            continue
        if stripped[:1] in "\"'" or stripped[:2].lower() in ('r"', "r'", 'b"', 'u"'):
            if state.clean:
                after_header = i + 1
            continue
        break
    return min(after_header, len(lines))


def apply_edits(text_lines: list[str], edits: Sequence[Edit]) -> list[str]:
    """Apply non-overlapping edits (any order) to lines; used by the CLI and tests."""
    lines = list(text_lines)
    for edit in sorted(edits, key=lambda e: (e.span.start_line, e.span.start_col), reverse=True):
        s = edit.span
        head = lines[s.start_line][: s.start_col]
        tail = lines[s.end_line][s.end_col :]
        lines[s.start_line : s.end_line + 1] = (head + edit.new_text + tail).split("\n")
    return lines


def syntax_error_line(text: str) -> Optional[int]:
    """The 0-based line of the first syntax error in `text`; None when it parses."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except SyntaxError as error:
        return max((error.lineno or 1) - 1, 0)
    except (ValueError, MemoryError, RecursionError, OverflowError):
        return 0
    return None


def keeps_parsing(fix: Fix, lines: Sequence[str], error_before: Optional[int]) -> bool:
    """The file parses after the fix; or, when it did not parse before (`error_before`: the line of
    its first syntax error), the fix adds no syntax error above that one. False when the fix cannot
    be made here at all (FixConflict)."""
    try:
        edits = materialize(fix, lines)
    except FixConflict:
        return False
    after = syntax_error_line("\n".join(apply_edits(list(lines), edits)))
    return after is None or (error_before is not None and after >= error_before)
