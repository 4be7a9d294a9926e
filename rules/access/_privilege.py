"""Which handlers perform privileged actions, judged from their route path, function and class names."""

from __future__ import annotations

import ast
import re
from typing import Optional

from tabguard.guards import words
from tabguard.routes import Handler, url_params
from tabguard.rules.access._handlers import handler_words
from tabguard.rules.access._lookups import record_key, record_model

# Actions only some users may take: a role check is the only fitting guard.
ROLE_ONLY = frozenset(
    {
        "admin",
        "administrator",
        "admins",
        "role",
        "roles",
        "permission",
        "permissions",
        "impersonate",
        "impersonation",
        "promote",
        "demote",
        "grant",
        "revoke",
        "ban",
        "unban",
        "suspend",
        "superuser",
        "superusers",
        "staff",
        "sudo",
        "backoffice",
        "moderate",
        "moderation",
    }
)
# Actions a user may take on their own data (checked by ownership) but never on everyone's.
_OWNER_OR_ROLE = frozenset({"refund", "refunds", "export", "exports", "purge", "wipe", "truncate"})
_DESTRUCTIVE = frozenset({"delete", "remove", "destroy", "purge", "wipe", "truncate", "clear"})
_SIGN_IN = frozenset(
    {
        "login",
        "logout",
        "signin",
        "signout",
        "signup",
        "register",
        "password",
        "forgot",
        "callback",
        "oauth",
        "sso",
        "saml",
        "health",
        "healthz",
    }
)
_PEOPLE = re.compile(r"/(users|accounts|customers|members|employees)/?$")
_REQUEST_DATA = frozenset({"json", "form", "args", "get_json", "data", "POST", "GET", "query_params"})


def privilege(found: Handler) -> tuple[Optional[str], bool]:
    """Why the handler is privileged (None: it is not) and whether an ownership check suffices."""
    if _inert(found.func):
        return None, False  # a stub that answers with literals takes no action, privileged or not
    said = handler_words(found)
    for decl in found.decls:
        said.update(words(decl.receiver.rpartition(".")[2]))  # `@admin.delete(...)`: an admin blueprint's route
    if said & _SIGN_IN:
        return None, False  # `/admin/login` must be reachable before anyone has a role
    hit = said & ROLE_ONLY
    if hit:
        return f"{sorted(hit)[0]} action", False
    one_record = any(re.search(r"[<{]\w", path) for path in found.paths) or bool(url_params(found.func, found.cls))
    hit = said & _OWNER_OR_ROLE
    if hit:
        # `/invoices/<id>/export` is the owner's to take: TG401 judges access to that one record.
        return (None, False) if one_record else (f"{sorted(hit)[0]} action", True)
    methods = set(found.methods)
    if "GET" in methods and (
        any(_PEOPLE.search(p) for p in found.paths) or said >= {"list", "users"} or said >= {"all", "users"}
    ):
        return "lists every user", True
    bulk = not one_record and not _has_key_input(found)
    if bulk and ("DELETE" in methods or said & _DESTRUCTIVE):
        return "bulk delete", True
    return None, False


def _has_key_input(found: Handler) -> bool:
    """The handler reads which record to act on from the request (then it is not a bulk action)."""
    return not found.seen.attrs.isdisjoint(_REQUEST_DATA)


def _inert(func: ast.AST) -> bool:
    """The handler only returns literals and its own parameters: no call, no module data, nothing awaited.
    It reads no stored records and changes none (`return [{"name": "Ada"}]`, `return {"received": note}`)."""
    if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    if not any(isinstance(n, ast.Return) and n.value is not None for s in func.body for n in ast.walk(s)):
        return False  # `...` or `pass`: the body is elided (as in examples), not known to do nothing
    args = func.args
    known = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg) if a is not None}
    for statement in func.body:
        for node in ast.walk(statement):
            if isinstance(node, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom, ast.Global, ast.Nonlocal, ast.Delete)):
                return False
            if isinstance(node, ast.Name):
                if isinstance(node.ctx, ast.Store):
                    known.add(node.id)  # a local computed from what the walk already allowed
                elif node.id not in known:
                    return False  # module data, an imported store, a global
    return True


# Calls that read many rows: `Order.query.all()`, `Order.objects.filter(...)`, `select(Order)`.
_LISTING = frozenset(
    {"all", "filter", "filter_by", "where", "order_by", "paginate", "limit", "offset", "find", "select", "values"}
)


def every_users_records(found: Handler, owned: dict[str, bool]) -> Optional[str]:
    """Why a GET handler returns every user's records: it lists a model that code elsewhere in the module
    ties to the signed-in user (`owned`, `ModuleFacts.owned`), with no tie of its own. None otherwise."""
    if not owned or "GET" not in found.methods or _inert(found.func):
        return None
    if any(re.search(r"[<{]\w", path) for path in found.paths) or url_params(found.func, found.cls):
        return None  # one record: TG401 judges it
    for node in found.seen.checks:
        if not isinstance(node, ast.Call) or record_key(node) is not None:
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        model = record_model(node) if name in _LISTING else ""
        if model in owned:
            return f"returns every user's `{model}` records"
    return None
