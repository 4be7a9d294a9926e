"""TG411: `assert` used to enforce an access check; `python -O` removes it."""

from __future__ import annotations

import ast

from tabguard.engine.facts import under_main_guard
from tabguard.engine.fixes import text_fix
from tabguard.engine.rule import Invalid, Rule, Valid
from tabguard.engine.types import Span
from tabguard.guards import OWNER_FIELDS, is_current_user, words
from tabguard.rules.injection._code_context import enclosing_class

# Classes whose instances are the people or accounts access is granted to.
_PRINCIPALS = frozenset({"user", "account", "member", "principal", "identity", "person", "customer", "profile"})
# What an access check reads: roles, permissions, authentication state.
_ACCESS_NAMES = frozenset(
    {
        "is_admin",
        "is_staff",
        "is_superuser",
        "is_authenticated",
        "is_anonymous",
        "is_moderator",
        "has_perm",
        "has_perms",
        "has_permission",
        "has_role",
        "role",
        "roles",
        "permissions",
        "is_owner",
        "can_edit",
        "can_view",
        "can_delete",
        "can_access",
        "is_authorized",
    }
)
# Words naming who is acting; a local access name assigned from one of them holds that one's rights.
_WHO = frozenset(
    {"user", "account", "member", "principal", "identity", "session", "request", "claims", "token", "jwt", "auth"}
)
# Words of a call that looks rights up (`get_permissions()`, `load_roles(uid)`).
_GRANTS = frozenset({"role", "roles", "permission", "permissions", "perm", "perms", "privileges", "admin", "acl"})
# Parenthesize a negated condition that binds looser than `not`.
_LOOSE = (ast.BoolOp, ast.IfExp, ast.NamedExpr, ast.Lambda)
# Comparisons whose negation is another operator: (operator as written, its inverse). `!=` is `==`
# inverted as long as the operands' classes keep `__ne__` the inverse of `__eq__` (Python's default).
_INVERSE = {
    ast.In: ("in", "not in"),
    ast.NotIn: ("not in", "in"),
    ast.Is: ("is", "is not"),
    ast.IsNot: ("is not", "is"),
    ast.Eq: ("==", "!="),
    ast.NotEq: ("!=", "=="),
}


class AssertAccessCheck(Rule):
    id = "TG411"
    name = "assert-access-check"
    severity = "high"
    confidence = "high"
    cwe = (617, 285)
    quiet_in_tests = True
    owasp = "A01:2025"
    message = "Access check written as `assert`: running Python with -O removes it"
    aliases = ("B101", "S101")
    what = (
        "An `assert` enforces who may do something (a role, a permission, authentication, or ownership "
        "of a record). Assertions are debugging aids: Python drops every `assert` statement when run "
        "with `-O` or `PYTHONOPTIMIZE=1`, which some Docker images and deployment setups set."
    )
    why = (
        "In development the check works and tests pass. In production, under `python -O`, the line "
        "`assert current_user.is_admin` is not compiled at all, so every signed-in user reaches the "
        "admin action; `assert invoice.owner_id == current_user.id` vanishes and any invoice id works. "
        "Nothing in the logs shows the check is gone."
    )
    how = (
        "Use an explicit test that always runs and fails closed: `if not current_user.is_admin: "
        "abort(403)` (Flask), `raise PermissionDenied` (Django), `raise HTTPException(403)` (FastAPI), "
        "or a decorator/dependency that does so."
    )
    example = "if not current_user.is_admin:\n    abort(403)"
    fix_safety = (
        "Unsafe: the rewrite keeps the condition, negated (`x not in y`, `x is not None`, `a != b`), in "
        "`if ...: raise PermissionError(...)`, which runs under -O too: that is the behaviour change, "
        "and a failed check now raises PermissionError instead of AssertionError (a handler or test "
        "catching AssertionError no longer sees it). Frameworks answer an unhandled PermissionError "
        "with a 500, not a 403: map it, or replace it with your framework's forbidden response."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/617.html",
        "https://docs.python.org/3/reference/simple_stmts.html#the-assert-statement",
        "https://owasp.org/Top10/2025/A01_2025-Broken_Access_Control/",
    )
    VALID = (
        "def promote(user):\n    if not current_user.is_admin:\n        abort(403)\n    user.role = 'admin'\n",
        "def area(w, h):\n    assert w > 0 and h > 0\n    return w * h\n",
        "def parse(data):\n    assert isinstance(data, dict), 'bad payload'\n",
        # A test's expectation (test code: engine/testcode.py).
        "def test_promote(client):\n    client.post('/promote/5')\n    assert current_user.is_admin\n",
        Valid("def check_admin(client):\n    assert current_user.is_admin\n", path="tests/conftest.py"),
        # A script's demonstration of its result, run by hand.
        "if __name__ == '__main__':\n    doc = load_public(session, 5)\n    assert doc.owner_id == user.id\n",
        # The role a registered handler plays, not a user's.
        "def register(handlers, func):\n    role = func.handler_kind\n    assert role in ('reader', 'writer')\n"
        "    handlers[role] = func\n",
        # a syntax tree node's own flag, named like a user's
        "class Declarator:\n    def describe(self, prefix):\n        assert not self.is_anonymous\n        return prefix + self.name\n",
    )
    INVALID = (
        # the same flag on an account's own method
        Invalid(
            "class Account:\n    def close(self):\n        assert not self.is_anonymous\n        self.delete()\n",
            "class Account:\n    def close(self):\n        if self.is_anonymous:\n"
            '            raise PermissionError("permission denied")\n        self.delete()\n',
        ),
        Invalid(
            "def delete_post(post):\n    role = current_user.role\n    assert role == 'admin'\n    post.delete()\n",
            "def delete_post(post):\n    role = current_user.role\n    if role != 'admin':\n"
            '        raise PermissionError("permission denied")\n    post.delete()\n',
        ),
        Invalid(
            "def publish(doc):\n    permissions = get_permissions()\n    assert 'publish' in permissions\n    doc.publish()\n",
            "def publish(doc):\n    permissions = get_permissions()\n    if 'publish' not in permissions:\n"
            '        raise PermissionError("permission denied")\n    doc.publish()\n',
        ),
        Invalid(
            "from flask import session\ndef export():\n    role = session.get('role')\n    assert role in ('admin', 'auditor')\n    return dump()\n",
            "from flask import session\ndef export():\n    role = session.get('role')\n    if role not in ('admin', 'auditor'):\n"
            '        raise PermissionError("permission denied")\n    return dump()\n',
        ),
        Invalid(
            "def promote(user):\n    assert current_user.is_admin\n    user.role = 'admin'\n",
            "def promote(user):\n    if not current_user.is_admin:\n        raise PermissionError(\"permission denied\")\n    user.role = 'admin'\n",
        ),
        Invalid(
            "def delete_invoice(invoice, user):\n    assert invoice.owner_id == user.id, 'not your invoice'\n    invoice.delete()\n",
            "def delete_invoice(invoice, user):\n    if invoice.owner_id != user.id:\n        raise PermissionError('not your invoice')\n    invoice.delete()\n",
        ),
        Invalid(
            "def open_report(user):\n    assert 'reports' in user.permissions\n    return load()\n",
            "def open_report(user):\n    if 'reports' not in user.permissions:\n        raise PermissionError(\"permission denied\")\n    return load()\n",
        ),
        Invalid(
            "from flask import g\ndef edit(doc):\n    assert not g.user is None\n    doc.save()\n",
            'from flask import g\ndef edit(doc):\n    if g.user is None:\n        raise PermissionError("permission denied")\n    doc.save()\n',
        ),
        Invalid(
            "def promote(user):\n    log(user); assert current_user.is_admin\n    user.role = 'admin'\n",
            "def promote(user):\n    log(user)\n    if not current_user.is_admin:\n        raise PermissionError(\"permission denied\")\n    user.role = 'admin'\n",
        ),
        Invalid(
            "def promote(user):\n    assert current_user.is_admin;  user.role = 'admin'\n",
            "def promote(user):\n    if not current_user.is_admin:\n        raise PermissionError(\"permission denied\")\n    user.role = 'admin'\n",
        ),
        Invalid(
            "def view(request):\n    assert request.user.is_authenticated and request.user.has_perm('reports.view')\n    return render_report()\n",
            "def view(request):\n    if not (request.user.is_authenticated and request.user.has_perm('reports.view')):\n"
            '        raise PermissionError("permission denied")\n    return render_report()\n',
        ),
    )

    def visit_Assert(self, node: ast.Assert, ctx) -> None:
        if ctx.in_test_function:
            return  # a test's expectation, wherever the test is written
        if not (_mentions_access(node.test, ctx) or is_current_user(node.test, {"current_user"})):
            return
        if under_main_guard(node, ctx):
            return  # a script's demonstration of its result, run by hand, not a server's check
        ctx.report(self, node, fix=_fix(ctx, node))


def _mentions_access(test: ast.AST, ctx, depth: int = 0) -> bool:
    """Roles and permissions, or a record's owner compared with a user (`doc.owner_id == user.id`)."""
    for sub in ast.walk(test):
        if isinstance(sub, ast.Attribute) and sub.attr in _ACCESS_NAMES and not _own_state(sub, ctx):
            return True
        if isinstance(sub, ast.Name) and sub.id in _ACCESS_NAMES and _local_of_access(sub, ctx, depth):
            return True
        if isinstance(sub, ast.Compare):
            sides = [sub.left, *sub.comparators]
            owner = any(_names(side) & OWNER_FIELDS for side in sides)
            if owner and any("user" in words_of for side in sides for words_of in _names(side)):
                return True
    return False


def _own_state(attribute: ast.Attribute, ctx) -> bool:
    """`self.is_anonymous` in a class that models no user or account (a syntax tree's node, a parser):
    the object's own state, not who is calling."""
    if not (isinstance(attribute.value, ast.Name) and attribute.value.id == "self"):
        return False
    cls = enclosing_class(ctx)
    return cls is not None and _PRINCIPALS.isdisjoint(words(cls.name))


def _local_of_access(name: ast.Name, ctx, depth: int) -> bool:
    """A local `role` holds an access role unless what it was assigned reads no user, session or
    access attribute and calls nothing that looks rights up: `role = method._dispatch_role` is the
    role a function plays; `role = current_user.role`, `role = session["role"]` and `permissions =
    get_permissions()` are a user's. Parameters and names bound elsewhere count."""
    values = ctx.model.values(name) if depth < 3 else None
    if values is None:
        return True
    return any(
        _mentions_access(value, ctx, depth + 1)
        or any(not _WHO.isdisjoint(words(n)) for n in _names(value))
        or any(isinstance(c, ast.Constant) and c.value in _ACCESS_NAMES for c in ast.walk(value))
        or any(isinstance(c, ast.Call) and not _GRANTS.isdisjoint(words(_callee(c))) for c in ast.walk(value))
        for value in values
    )


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _names(expr: ast.AST) -> set[str]:
    return {
        n.attr if isinstance(n, ast.Attribute) else n.id
        for n in ast.walk(expr)
        if isinstance(n, (ast.Attribute, ast.Name))
    }


def _fix(ctx, node: ast.Assert):
    span = ctx.span(node)
    condition = _negation(ctx, node.test)
    opener = f"if {condition}:"
    message = ctx.segment(ctx.span(node.msg)) if node.msg is not None else '"permission denied"'
    line = ctx.lines[span.start_line]
    before, after = line[: span.start_col], ctx.lines[span.end_line][span.end_col :]
    indent = before[: len(before) - len(before.lstrip())]
    head, tail = "", ""
    if before.strip():
        # `x = 1; assert ...`: the `if` starts a line of its own. After a colon (`if a: assert b`) it
        # cannot: no fix.
        if not before.rstrip().endswith(";"):
            return None
        span = Span(span.start_line, len(before.rstrip()) - 1, span.end_line, span.end_col)
        head = "\n" + indent
    if after.lstrip().startswith(";"):  # `assert ...; y = 1`: what follows stays outside the `if`
        rest = after.lstrip()[1:].lstrip()
        span = Span(span.start_line, span.start_col, span.end_line, len(ctx.lines[span.end_line]))
        tail = "\n" + indent + rest if rest else ""
    block = f"{head}{opener}\n{indent}    raise PermissionError({message}){tail}"
    return text_fix(span, block, "Fix: check with `if`, not `assert`", safe=False)


def _negation(ctx, test: ast.expr) -> str:
    """The text of `not test`: a comparison inverted, `not` dropped or added."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return ctx.segment(ctx.span(test.operand))
    text = ctx.segment(ctx.span(test))
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and type(test.ops[0]) in _INVERSE:
        written, inverse = _INVERSE[type(test.ops[0])]
        left, right = ctx.span(test.left), ctx.span(test.comparators[0])
        between = ctx.segment(Span(left.end_line, left.end_col, right.start_line, right.start_col))
        if " ".join(between.split()) == written:  # no parentheses or comments around the operands
            return f"{ctx.segment(left)} {inverse} {ctx.segment(right)}"
    return f"not ({text})" if isinstance(test, _LOOSE) else f"not {text}"
