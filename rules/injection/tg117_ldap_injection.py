"""TG117: an LDAP search filter or base DN built from user input."""

from __future__ import annotations

import ast

from tabguard.engine.fixes import edits_fix
from tabguard.engine.rule import Invalid, Rule
from tabguard.rules._spelling import WEB_APP, spell
from tabguard.rules.injection._rewrite import wrap_values
from tabguard.rules.injection._strings import built_strings, formatted_pieces, is_static, unconfirmed

_PYTHON_LDAP = frozenset({"search", "search_s", "search_st", "search_ext", "search_ext_s", "search_subtree_s"})
_ESCAPE = {"ldap": "ldap.filter.escape_filter_chars", "ldap3": "ldap3.utils.conv.escape_filter_chars"}


class LdapInjection(Rule):
    id = "TG117"
    name = "ldap-injection"
    severity = "high"
    confidence = "high"
    lowers_confidence_without_taint = True
    cwe = (90,)
    owasp = "A05:2025"
    message = "LDAP {part} built from {source} without escaping"
    placeholders = {"part": "search filter", "source": "user input (request data)", "callee": "search_s"}
    aliases = ()
    call_names = _PYTHON_LDAP
    what = "The LDAP {part} passed to `{callee}` contains {source} as written."
    why = (
        "Filter syntax in the value changes the query: a user name of `*)(uid=*))(|(uid=*` turns "
        "`(&(uid={{name}})(userPassword={{pw}}))` into a filter that matches any entry, bypassing a "
        "login check, and `*` alone enumerates the directory."
    )
    how = (
        "Escape every value with `ldap.filter.escape_filter_chars` (python-ldap) or "
        "`ldap3.utils.conv.escape_filter_chars` (DN parts: `escape_dn_chars` / `escape_rdn`), or use "
        "`ldap.filter.filter_format` with placeholders."
    )
    example = 'flt = "(uid=%s)" % escape_filter_chars(username)\nconn.search("ou=people,dc=example,dc=com", flt)'
    fix_safety = (
        "Unsafe: the rewrite wraps each user value spliced into a search filter in the library's "
        "`escape_filter_chars` (python-ldap or ldap3, imported only when the project declares it), so "
        "`*`, parentheses and backslashes in input are matched literally: a search that relied on a "
        "user typing `*` as a wildcard stops matching. A user-built base DN has no mechanical rewrite."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/90.html",
        "https://cheatsheetseries.owasp.org/cheatsheets/LDAP_Injection_Prevention_Cheat_Sheet.html",
        "https://www.python-ldap.org/en/latest/reference/ldap-filter.html",
    )
    VALID = (
        "import ldap\nfrom ldap.filter import escape_filter_chars\nfrom flask import request\ndef f(conn):\n"
        '    user = escape_filter_chars(request.form["user"])\n'
        '    return conn.search_s("dc=ex", ldap.SCOPE_SUBTREE, f"(uid={user})")\n',
        "import ldap3\nfrom ldap3.utils.conv import escape_filter_chars\ndef f(conn, user):\n"
        '    conn.search("dc=ex", f"(uid={escape_filter_chars(user)})")\n',
        'import ldap\nGROUP = "staff"\ndef members(conn):\n    return conn.search_s("dc=ex", ldap.SCOPE_SUBTREE, f"(memberOf=cn={GROUP})")\n',
    )
    INVALID = (
        Invalid(
            "import ldap\nfrom flask import request\ndef f(conn):\n"
            '    return conn.search_s("dc=ex", ldap.SCOPE_SUBTREE, "(uid=" + request.form["user"] + ")")\n',
            "import ldap.filter\nimport ldap\nfrom flask import request\ndef f(conn):\n"
            '    return conn.search_s("dc=ex", ldap.SCOPE_SUBTREE, "(uid=" + ldap.filter.escape_filter_chars(request.form["user"]) + ")")\n',
            path=WEB_APP,
        ),
        Invalid(
            'import ldap3\nfrom flask import request\ndef f(conn):\n    name = request.args["name"]\n'
            '    conn.search("ou=people,dc=ex", f"(&(objectClass=person)(cn={name}))")\n',
            "import ldap3.utils.conv\nimport ldap3\nfrom flask import request\ndef f(conn):\n"
            '    name = request.args["name"]\n'
            '    conn.search("ou=people,dc=ex", f"(&(objectClass=person)(cn={ldap3.utils.conv.escape_filter_chars(name)}))")\n',
            path=WEB_APP,
        ),
        Invalid(
            "import ldap3\nfrom flask import request\ndef f(conn):\n"
            '    conn.search(request.args["base"], "(objectClass=person)")\n',
            path=WEB_APP,
        ),
        # The filter is built from a parameter: whoever calls the helper decides what it holds.
        Invalid(
            'import ldap3\ndef f(conn, user):\n    conn.search("dc=ex", f"(uid={user})")\n',
            message="a non-constant value (`user`)",
        ),
        Invalid(
            "import ldap\ndef find_user(conn, username):\n"
            '    query = "(&(objectClass=person)(uid=" + username + "))"\n'
            '    return conn.search_s("dc=example,dc=com", ldap.SCOPE_SUBTREE, query)\n',
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        func = node.func
        if not (isinstance(func, ast.Attribute) and func.attr in _PYTHON_LDAP):
            return
        roots = {target.split(".")[0] for target in ctx.module.imports.values()}
        if "ldap3" in roots:
            parts = (
                ("search filter", ctx.argument(node, 1, "search_filter")),
                ("base DN", ctx.argument(node, 0, "search_base")),
            )
        elif "ldap" in roots:
            parts = (("search filter", ctx.argument(node, 2, "filterstr")), ("base DN", ctx.argument(node, 0, "base")))
        else:
            return
        for part, value in parts:
            source = ctx.taint(value)
            if source is not None:
                fix = (
                    _escape_fix(ctx, value, "ldap3" if "ldap3" in roots else "ldap")
                    if part == "search filter"
                    else None
                )
                ctx.report(
                    self,
                    node,
                    details={"part": part, "source": f"user input ({source.label})", "callee": func.attr},
                    source=source,
                    fix=fix,
                )
                return
        spliced = _unescaped_splice(parts[0][1], ctx)
        if spliced is not None:
            ctx.report(
                self,
                node,
                details={"part": "search filter", "source": f"a non-constant value (`{spliced}`)", "callee": func.attr},
                confidence=unconfirmed(self, None),
            )


def _unescaped_splice(value: ast.AST, ctx) -> str | None:
    """The code of the first value spliced into the filter text (inline, or where a local built it)
    that is neither constant, nor escaped, nor a number, else None."""
    for built in built_strings(value, ctx) or ():
        for piece in formatted_pieces(built) or ():
            if isinstance(piece, str) or _neutral(piece, ctx):
                continue
            assigned = ctx.model.values(piece) if isinstance(piece, ast.Name) else None
            if assigned and all(_neutral(v, ctx) for v in assigned):
                continue  # `user = escape_filter_chars(name)`, then `f"(uid={user})"`
            return ast.unparse(piece)
    return None


def _neutral(value: ast.expr, ctx) -> bool:
    """A constant, an escaped value, or a number: nothing that can add filter syntax."""
    if is_static(value, ctx):
        return True
    callee = (ctx.call_name(value) or "") if isinstance(value, ast.Call) else ""
    return "escape" in callee or callee in ("int", "float", "len")


def _escape_fix(ctx, value: ast.expr, library: str):
    """Each user value spliced into the filter (inline, or where a local built it) wrapped in the
    library's `escape_filter_chars`; None when the escaping function cannot be imported."""
    # Every branch that builds the filter: a fix leaving one branch unescaped is no fix.
    pieces = [formatted_pieces(built) for built in built_strings(value, ctx) or ()]
    if any(p is None for p in pieces):
        return None
    tainted = [p for part in pieces for p in part or () if not isinstance(p, str) and ctx.taint(p) is not None]
    spelled = spell(ctx, _ESCAPE[library])
    if not tainted or any(isinstance(p, ast.FormattedValue) for p in tainted) or spelled is None:
        return None
    edits = wrap_values(ctx, tainted, spelled[0] + "({})")
    return (
        edits_fix(edits, "Fix: escape the values with escape_filter_chars", safe=False, imports=spelled[1])
        if edits
        else None
    )
