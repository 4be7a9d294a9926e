"""TG117: an LDAP search filter or base DN built from user input."""

from __future__ import annotations

import ast

from tabguard.engine.rule import Invalid, Rule

_PYTHON_LDAP = frozenset({"search", "search_s", "search_st", "search_ext", "search_ext_s", "search_subtree_s"})


class LdapInjection(Rule):
    id = "TG117"
    name = "ldap-injection"
    severity = "high"
    confidence = "high"
    cwe = (90,)
    owasp = "A05:2025"
    message = "LDAP {part} built from user input ({source}) without escaping"
    placeholders = {"part": "search filter", "source": "request data", "callee": "search_s"}
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
    references = (
        "https://cwe.mitre.org/data/definitions/90.html",
        "https://cheatsheetseries.owasp.org/cheatsheets/LDAP_Injection_Prevention_Cheat_Sheet.html",
        "https://www.python-ldap.org/en/latest/reference/ldap-filter.html",
    )
    VALID = (
        'import ldap\nfrom ldap.filter import escape_filter_chars\nfrom flask import request\ndef f(conn):\n'
        '    user = escape_filter_chars(request.form["user"])\n'
        '    return conn.search_s("dc=ex", ldap.SCOPE_SUBTREE, f"(uid={user})")\n',
        'import ldap3\ndef f(conn, user):\n    conn.search("dc=ex", f"(uid={user})")\n',
    )
    INVALID = (
        Invalid(
            'import ldap\nfrom flask import request\ndef f(conn):\n'
            '    return conn.search_s("dc=ex", ldap.SCOPE_SUBTREE, "(uid=" + request.form["user"] + ")")\n'
        ),
        Invalid(
            'import ldap3\nfrom flask import request\ndef f(conn):\n    name = request.args["name"]\n'
            '    conn.search("ou=people,dc=ex", f"(&(objectClass=person)(cn={name}))")\n'
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        func = node.func
        if not (isinstance(func, ast.Attribute) and func.attr in _PYTHON_LDAP):
            return
        roots = {target.split(".")[0] for target in ctx.module.imports.values()}
        if "ldap3" in roots:
            parts = (("search filter", ctx.argument(node, 1, "search_filter")), ("base DN", ctx.argument(node, 0, "search_base")))
        elif "ldap" in roots:
            parts = (("search filter", ctx.argument(node, 2, "filterstr")), ("base DN", ctx.argument(node, 0, "base")))
        else:
            return
        for part, value in parts:
            source = ctx.taint(value)
            if source is not None:
                ctx.report(self, node, details={"part": part, "source": source.label, "callee": func.attr}, source=source)
                return
