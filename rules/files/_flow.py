"""Data-flow helpers shared by the files-and-requests rules: remote taint, local bindings, and
whether user data can choose the origin (scheme and host) of a URL."""

from __future__ import annotations

import ast
import re
import string
from itertools import takewhile
from typing import Optional

from tabguard.engine.taint import LOCAL_SOURCES, Source

# A local user's own sources (LOCAL_SOURCES) are no attack surface for the files and URLs a CLI opens
# on behalf of that same user.
# Request attributes describing the request itself; a redirect or fetch built from them points back
# at this server, not at a place the attacker picks.
_SELF_ATTRS = frozenset({"url", "path", "full_path", "host", "host_url", "url_root", "base_url", "referrer"})


def remote_taint(ctx, expr: Optional[ast.AST]) -> Optional[Source]:
    """The source of data a remote client controls in `expr` (web requests, not argv/input)."""
    source = ctx.taint(expr)
    if source is None or source.label in LOCAL_SOURCES:
        return None
    return source


def is_self_reference(source: Source) -> bool:
    return source.label.rpartition(".")[2] in _SELF_ATTRS


def constructed_by(ctx, expr: ast.AST) -> str:
    """The qualified name of the call that made `expr` (through one local binding: the first branch
    that binds it to a call, when branches bind it), or ''."""
    for value in (ctx.model.each_value(expr) or ()) if isinstance(expr, ast.Name) else (expr,):
        while isinstance(value, ast.Await):
            value = value.value
        if isinstance(value, ast.Call) and ctx.call_name(value):
            return ctx.call_name(value) or ""
    return ""


# -- who chooses the origin of a URL -------------------------------------------------------------
_TRUSTED = "\x00"  # placeholder for text we do not know but the user does not control
_PERCENT = re.compile(r"%%|%(\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]")


def origin_source(ctx, url: ast.AST) -> Optional[Source]:
    """The user input that can choose the scheme or host of `url`, or None.

    `f"https://api.example.com/users/{uid}"` only lets the user pick a path; `f"https://{host}/x"`,
    `request.args["url"]`, `urljoin(BASE, user)` and `"https://api.example.com" + user` (which
    `@evil.example` turns into a different host) let them pick the origin.
    """
    pieces: list[object] = []
    _flatten(ctx, url, pieces, 0)
    return _chosen(pieces)


def _chosen(pieces: list) -> Optional[Source]:
    """The first user-controlled piece, unless the text before it fixes the origin."""
    prefix = []
    for piece in pieces:
        if isinstance(piece, Source):
            return None if _origin_fixed("".join(prefix)) else piece
        prefix.append(piece)
    return None


def _open(pieces: list) -> bool:
    """The pieces leave the origin to what follows them (no fixed scheme and host, or a path, first)."""
    return not _origin_fixed("".join(takewhile(lambda piece: isinstance(piece, str), pieces)))


def _flatten(ctx, expr: ast.AST, out: list, depth: int) -> None:
    """Append the pieces of a string expression: known text, _TRUSTED, or the Source of user data."""
    if depth > 8:
        out.append(remote_taint(ctx, expr) or _TRUSTED)
        return
    if isinstance(expr, ast.Constant):
        out.append(expr.value if isinstance(expr.value, str) else _TRUSTED)
    elif isinstance(expr, ast.JoinedStr):
        for value in expr.values:
            _flatten(ctx, value.value if isinstance(value, ast.FormattedValue) else value, out, depth + 1)
    elif isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        _flatten(ctx, expr.left, out, depth + 1)
        _flatten(ctx, expr.right, out, depth + 1)
    elif isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod) and isinstance(_text(ctx, expr.left), str):
        right = expr.right
        values = right.elts if isinstance(right, ast.Tuple) else [right]
        named = (
            {k.value: v for k, v in zip(right.keys, right.values) if isinstance(k, ast.Constant)}
            if isinstance(right, ast.Dict)
            else {}
        )
        _fill(ctx, _percent_fields(_text(ctx, expr.left)), values, named, out, depth)
    elif isinstance(expr, ast.Call) and _format_template(ctx, expr) is not None:
        keywords = {k.arg: k.value for k in expr.keywords if k.arg}
        _fill(ctx, _brace_fields(_format_template(ctx, expr)), expr.args, keywords, out, depth)
    elif isinstance(expr, ast.Name):
        text = _text(ctx, expr)
        each = None if isinstance(text, str) else ctx.model.each_value(expr)
        if isinstance(text, str):
            out.append(text)
        elif each and remote_taint(ctx, expr) is not None:
            # One value per branch that binds the name: the worst for the origin stands for all
            # (one whose user input picks it, else one that leaves it open).
            branches = []
            for value in each:
                branches.append([])
                _flatten(ctx, value, branches[-1], depth + 1)
            out.extend(max(branches, key=lambda pieces: (_chosen(pieces) is not None, _open(pieces))))
        else:
            out.append(remote_taint(ctx, expr) or _TRUSTED)
    else:
        source = remote_taint(ctx, expr)
        fixed = source is None or is_self_reference(source) or _returns_fixed_origin(ctx, expr)
        out.append(_TRUSTED if fixed else source)


# The summary note (see `note_returned_url`): True when some URL the function returns has a user-chosen origin.
_ORIGIN_NOTE = "url-origin-chosen"


def note_returned_url(ctx, node: ast.Return) -> None:
    """While a function is summarized, note whether a URL it returns carrying outside input lets that
    input choose its origin (`return next_url`) or not (`return reverse("home") + "?" + query_string`)."""
    summary = ctx.summary
    if summary is None or node.value is None or ctx.function is not summary.node:
        return
    if remote_taint(ctx, node.value) is None:
        return
    chosen = origin_source(ctx, node.value) is not None
    summary.notes[_ORIGIN_NOTE] = bool(summary.notes.get(_ORIGIN_NOTE)) or chosen


def _returns_fixed_origin(ctx, expr: ast.AST) -> bool:
    """A call whose callee returns URLs with outside input only after a fixed origin (its summary's note)."""
    provider = ctx.provider
    if not isinstance(expr, ast.Call) or provider is None or not provider.may_know(expr, ctx):
        return False
    summary = provider.callee(expr, ctx)
    return summary is not None and summary.notes.get(_ORIGIN_NOTE) is False


def _text(ctx, expr: ast.AST) -> Optional[str]:
    """The string a literal, module constant or locally bound literal holds, else None."""
    value = ctx.constant_value(expr)
    if value is None and isinstance(expr, ast.Name):
        bound = ctx.model.value_of(expr)
        value = bound.value if isinstance(bound, ast.Constant) else None
    return value if isinstance(value, str) else None


def _format_template(ctx, call: ast.Call) -> Optional[str]:
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "format":
        return _text(ctx, func.value)
    return None


def _fill(ctx, fields: list, args: list, keywords: dict, out: list, depth: int) -> None:
    """Flatten a template: literal text, then the argument each field refers to."""
    for literal, key in fields:
        out.append(literal)
        if key is None:
            continue
        value = keywords.get(key) if isinstance(key, str) else (args[key] if key < len(args) else None)
        if value is None or isinstance(value, ast.Starred):
            out.append(_TRUSTED)
        else:
            _flatten(ctx, value, out, depth + 1)


def _brace_fields(template: str) -> list:
    """[(literal, field)] of a str.format template; field is an index, a keyword, or None."""
    fields, auto = [], 0
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return [(template, None)]
    for literal, name, _spec, _conversion in parsed:
        if name is None:
            fields.append((literal, None))
            continue
        head = re.split(r"[.\[]", name, maxsplit=1)[0]
        if head == "":
            fields.append((literal, auto))
            auto += 1
        else:
            fields.append((literal, int(head) if head.isdigit() else head))
    return fields


def _percent_fields(template: str) -> list:
    """[(literal, field)] of a printf-style template; field is an index or a `%(name)s` name."""
    fields, index, last = [], 0, 0
    for match in _PERCENT.finditer(template):
        if match.group() == "%%":
            continue
        name = match.group(1)
        fields.append((template[last : match.start()].replace("%%", "%"), name[1:-1] if name else index))
        index += not name
        last = match.end()
    fields.append((template[last:].replace("%%", "%"), None))
    return fields


def _origin_fixed(prefix: str) -> bool:
    """True when text before the first user-controlled piece already fixes scheme and host."""
    if "://" in prefix:
        authority_and_rest = prefix.split("://", 1)[1]
        return any(c in authority_and_rest for c in "/?#")
    if prefix.startswith(_TRUSTED):
        # A configured base (`f"{API_BASE}/{path}"`); trusted when anything separates it from the
        # user part, and given the benefit of the doubt when glued directly to it.
        return True
    if prefix.startswith("/"):
        # A path on this host; `"/" + user` becomes `//evil.example`, a different host.
        return len(prefix) > 1 and prefix[1] not in "/\\"
    return any(c in prefix for c in "/?#")
