"""A query rewritten with placeholders keeps the layout it was written in: a query spread over
several implicitly concatenated strings, with comments, stays one string per line with its comment.

The new SQL is only split, never changed: each line of the original that starts with a string whose
leading text is found in the new SQL starts a new piece there; the pieces joined are the new SQL.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize

_STARTS = {tokenize.STRING, getattr(tokenize, "FSTRING_START", tokenize.STRING)}
_PREFIX = re.compile(r"[rRbBuUfF]*(\"\"\"|'''|\"|')")
_MIN_HEAD = 3  # shorter leading text (`AND`, `, `) may occur earlier in the query: no split there


def laid_out(original: str, literal: str, quote) -> str:
    """`literal` (the new query, one string literal) as implicitly concatenated literals, one per line
    of `original` (the query as written), each followed by that line's comment. `quote` writes a
    piece as a literal. `literal` itself when the original is one line or the lines cannot be matched."""
    if "\n" not in original:
        return literal
    try:
        sql = ast.literal_eval(literal)
        tokens = list(tokenize.generate_tokens(io.StringIO(f"({original})").readline))
    except (SyntaxError, ValueError, tokenize.TokenError):
        return literal
    if not isinstance(sql, str):
        return literal
    rows: dict[int, list] = {}  # row -> [column of its first string, its comment]
    for token in tokens:
        if token.type in _STARTS:
            rows.setdefault(token.start[0], [token.start[1], None])
        elif token.type == tokenize.COMMENT:
            rows.setdefault(token.start[0], [None, None])[1] = token.string
    lines = f"({original}".split("\n")
    splits = [0]
    for row, (column, _) in sorted(rows.items())[1:]:
        head = _head(lines[row - 1][column:]) if column is not None else ""
        found = sql.find(head, splits[-1] + 1) if len(head.strip()) >= _MIN_HEAD else -1
        splits.append(found if found > 0 else splits[-1])
    if not any(split > 0 for split in splits):
        return literal
    out = []
    ends = splits[1:] + [len(sql)]
    for index, ((row, (_, comment)), start, end) in enumerate(zip(sorted(rows.items()), splits, ends)):
        piece = quote(sql[start:end]) if end > start else ""
        text = "  ".join(part for part in (piece, comment) if part)
        if index and text:
            text = lines[row - 1][: len(lines[row - 1]) - len(lines[row - 1].lstrip())] + text
        if text or not index:
            out.append(text)
    # Lines continued with a backslash (outside brackets) keep it; such lines cannot hold comments.
    if any(line.rstrip().endswith("\\") for line in lines[:-1]):
        return literal if any(comment for _, comment in rows.values()) else " \\\n".join(out)
    return "\n".join(out)


def _head(text: str) -> str:
    """The constant text a string literal starts with, up to a value, a quote or an escape (and
    without the quotes and `%` wildcards the rewrite may have taken off around a value)."""
    match = _PREFIX.match(text)
    if match is None:
        return ""
    body = text[match.end() :]
    head = re.split(r"[{'\"\\%]", body, maxsplit=1)[0]
    return head.lstrip("'\"%")
