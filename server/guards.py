"""How an HTTP handler protects itself: authentication, role checks, and ownership of records.

Guards are judged from names, the way a reviewer skims a handler: `@login_required`,
`Depends(get_current_user)`, `if not current_user.is_admin: abort(403)`,
`Invoice.owner_id == current_user.id`. Teams teach their own names through the `auth-decorators`,
`role-checks` and `ownership-checks` options. Used by the access rules (TG4xx) and by
`tabguard surface`.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterator, Optional

from tabguard.engine.facts import dotted_name
from tabguard.engine.walk import walk

HTTP_VERBS = ("get", "post", "put", "patch", "delete", "head", "options")
# Methods of Django/DRF class-based views and the HTTP method each one serves.
VIEW_METHODS = {
    **{verb: verb.upper() for verb in HTTP_VERBS},
    "list": "GET",
    "retrieve": "GET",
    "create": "POST",
    "update": "PUT",
    "partial_update": "PATCH",
    "destroy": "DELETE",
    "form_valid": "POST",
    "delete_object": "DELETE",
}
_ROUTE_DECORATORS = frozenset({*HTTP_VERBS, "route", "api_route", "websocket", "view"})
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z]|\d|\b|_)|[A-Z]?[a-z]+|\d+|[A-Z]+")

# Words in a decorator, dependency, mixin or called function that authenticate the caller.
_AUTH_WORDS = frozenset(
    {
        "login",
        "auth",
        "authenticated",
        "authentication",
        "authenticate",
        "jwt",
        "token",
        "apikey",
        "signed",
        "logged",
        "session",
        "oauth",
        "oidc",
        "bearer",
        "principal",
        "identity",
        "current",
        "user",
        "me",
        "security",
        "credentials",
        "protected",
        "secured",
        "guard",
        "signin",
    }
)
# A database session or connection, whose dependency's "session" is not a login.
_DATABASE_SESSIONS = frozenset({"Session", "AsyncSession", "Connection", "AsyncConnection"})
_DATABASE_WORDS = frozenset({"db", "database", "engine", "orm", "sql", "sqlalchemy", "conn", "connection", "uow"})
# Words that name a role or permission check.
_ROLE_WORDS = frozenset(
    {
        "admin",
        "administrator",
        "role",
        "roles",
        "permission",
        "permissions",
        "perm",
        "perms",
        "staff",
        "superuser",
        "rbac",
        "acl",
        "privilege",
        "privileged",
        "scope",
        "scopes",
        "group",
        "groups",
        "moderator",
        "manager",
        "policy",
        "entitlement",
        "entitlements",
    }
)
# Words (in a called function's name) that tie a record to its owner.
_OWNER_WORDS = frozenset({"owner", "owns", "ownership", "owned", "object", "access", "member", "membership", "belongs"})
# Words that, in a decorator's name, say it lets only the record's owner through (`@owns_project`,
# `@owner_required`): a decorator is a check by its nature, no verb needed.
_OWNING = frozenset({"owner", "owns", "ownership", "owned", "belongs"})
_CHECK_VERBS = frozenset(
    {
        "check",
        "require",
        "requires",
        "required",
        "ensure",
        "verify",
        "assert",
        "can",
        "has",
        "is",
        "authorize",
        "authorise",
        "validate",
        "only",
        "allowed",
        "allow",
        "permit",
    }
)
# Attribute and method names that read a role or permission off a user.
_ROLE_ATTRS = frozenset(
    {
        "is_admin",
        "is_staff",
        "is_superuser",
        "is_moderator",
        "is_manager",
        "role",
        "roles",
        "has_perm",
        "has_perms",
        "has_role",
        "has_roles",
        "has_permission",
        "has_permissions",
        "permissions",
        "is_owner_of_org",
        "groups",
        "user_type",
        "account_type",
        "access_level",
        "can",
    }
)
# Fields that hold a record's owner; compared with the current user they scope a query.
OWNER_FIELDS = frozenset(
    {
        "owner",
        "owner_id",
        "user",
        "user_id",
        "author",
        "author_id",
        "created_by",
        "created_by_id",
        "tenant",
        "tenant_id",
        "org",
        "org_id",
        "organization",
        "organization_id",
        "account",
        "account_id",
        "team_id",
        "workspace_id",
        "company_id",
        "customer_id",
        "customer",
        "buyer",
        "member",
        "uploaded_by",
        "creator",
        "creator_id",
        "seller_id",
        "member_id",
        "patient",
        "patient_id",
    }
)
# Expressions that name the signed-in user (Flask-Login, Django, DRF, Starlette, Flask-JWT-Extended...).
_USER_FIELDS = ("user", "current_user", "auth", "identity", "user_id", "account", "principal")
_USER_ATTRIBUTE = re.compile(
    r"(^|\.)(request|g|req|info\.context|request\.state|scope)\.(" + "|".join(_USER_FIELDS) + ")$"
)
_USER_CALLS = frozenset(
    {
        "get_jwt_identity",
        "get_current_user",
        "current_user",
        "get_user",
        "get_identity",
        "authorized_userid",
        "current_identity",
        "get_current_active_user",
        "get_jwt",
        "get_raw_jwt",
        "_get_current_object",
    }
)
_USER_NAMES = frozenset({"current_user", "current_identity", "me"})
# Each way above to read the user ends in one of these names (most functions have none).
_USER_READ_NAMES = _USER_CALLS | {"session"}
_USER_READ_ATTRS = _USER_CALLS | set(_USER_FIELDS)
# Base classes and class attributes of class-based views.
# Words in a mixin's name (`LoginRequiredMixin`, `StaffRequiredMixin`); see `_mixin_of`.
_AUTH_MIXIN_WORDS = re.compile(r"LoginRequired|Authenticated|Auth")
_ROLE_MIXIN_WORDS = re.compile(r"PermissionRequired|UserPassesTest|Staff|Superuser|Admin|Role")
_DRF_BASES = re.compile(
    r"(APIView|ViewSet|GenericAPIView|ModelViewSet|ReadOnlyModelViewSet)$|^(Create|List|Retrieve|Update|Destroy|ListCreate|RetrieveUpdate|RetrieveDestroy|RetrieveUpdateDestroy)APIView$"
)
_OPEN_PERMISSIONS = frozenset({"AllowAny"})
# What a DRF view without `permission_classes` is guarded by: the project's settings, out of sight.
DRF_SETTINGS = "DRF DEFAULT_PERMISSION_CLASSES (settings)"
# Decorators that declare a route open to anonymous callers (Django 5.1 `login_not_required`, ...).
_PUBLIC_MARKER = re.compile(
    r"(login|auth|authentication)_(not_required|exempt)|^public(_route|_endpoint)?$|allow_?anonymous|^no_?auth$|^skip_?auth"
)
_AUTH_ONLY_PERMISSIONS = frozenset({"IsAuthenticated", "IsAuthenticatedOrReadOnly"})
# Functions whose call authenticates the caller inside the handler.
_AUTH_CALL = re.compile(
    r"authenticat|verify_(token|jwt|api_?key|session|user|auth)|check_(auth|token|api_?key|login|session|authorized)"
    r"|require_(login|auth|user|token)|get_current_user|current_user|decode_(token|jwt|auth)|validate_(token|jwt|api_?key|session)"
    r"|login_required|authorized_userid|get_jwt_identity|verify_jwt_in_request"
)
_TOKEN_DECODERS = frozenset({"jwt.decode", "jose.jwt.decode", "authlib.jose.jwt.decode"})
_OWNER_KEYS = OWNER_FIELDS | {"id", "pk"}
# Words in a test that show it checks a credential sent in a header.
_HEADER_WORDS = ("authorization", "api_key", "api-key", "apikey", "x-token", "bearer")
_AUTH_STATE = frozenset({"is_authenticated", "is_anonymous", "is_active"})
# Calls that load or filter records (a user-valued keyword there scopes the query).
_QUERY_METHODS = frozenset(
    {
        "filter",
        "filter_by",
        "get",
        "get_or_404",
        "first_or_404",
        "where",
        "get_object_or_404",
        "get_list_or_404",
        "exclude",
        "find",
        "find_one",
        "one_or_none",
        "get_or_none",
        "select",
        "scalars",
        "aget_object_or_404",
    }
)
# Calls that run SQL text (DB-API, SQLAlchemy, asyncpg, databases); `text(...)` wraps SQLAlchemy's.
SQL_RUNNERS = frozenset(
    {
        "execute",
        "executemany",
        "exec_driver_sql",
        "fetch",
        "fetchrow",
        "fetchval",
        "fetch_one",
        "fetch_all",
        "fetch_val",
    }
)
# `user_id = ?`, `t.owner_id = %s`, `author = :author`: an owner column bound to a parameter.
_SQL_OWNER_FILTER = re.compile(
    r"\b(\w+\.)?(" + "|".join(sorted(OWNER_FIELDS)) + r")\s*=\s*(\?|%s|:\w+|%\(\w+\)s|\$\d+)", re.I
)


def words(name: str) -> list[str]:
    """An identifier's lower-case words, snake_case and camelCase alike: `require_admin` -> ["require",
    "admin"]; `LoginRequiredMixin` -> ["login", "required", "mixin"]; `API_KEY` -> ["api", "key"]."""
    return [w.lower() for w in _WORD.findall(name)]


def last_part(name: Optional[str]) -> str:
    """`flask_login.login_required` -> `login_required`."""
    return (name or "").rsplit(".", 1)[-1]


class Facts:
    """A function (or statement) seen in one walk: the names, attribute names and constant subscript
    keys it mentions (so most questions about the expressions inside it need no walk), whether it
    reads the user whatever the local names, and, in walk order, the nodes guards are read from and
    the assignments that may bind the user."""

    __slots__ = ("assignments", "attrs", "checks", "keys", "names", "user_reads")

    def __init__(self, node: ast.AST):
        nodes = walk(node)
        self.names: set[str] = set()
        self.attrs: set[str] = set()
        self.keys: set[object] = set()
        self.checks: list[ast.AST] = []
        self.assignments: list[ast.Assign | ast.AnnAssign] = []
        kinds = _KINDS.get
        for sub in nodes:
            kind = kinds(type(sub))
            if kind is None:
                continue
            if kind == "name":
                self.names.add(sub.id)
            elif kind == "attribute":
                self.attrs.add(sub.attr)
            elif kind == "subscript":
                if isinstance(sub.slice, ast.Constant):
                    self.keys.add(sub.slice.value)
            elif kind == "check" and _get_key(sub) is not None:
                self.keys.add(_get_key(sub))
                self.checks.append(sub)
            elif kind == "assignment":
                self.assignments.append(sub)
            else:
                self.checks.append(sub)
        self.user_reads = not (
            self.names.isdisjoint(_USER_READ_NAMES)
            and self.attrs.isdisjoint(_USER_READ_ATTRS)
            and self.keys.isdisjoint(_USER_FIELDS)
        ) and any(_reads_user(sub) for sub in nodes)

    def mentions(self, names: frozenset[str] | set[str]) -> bool:
        """Whether some node may match `_mentions(..., names)` (false: none inside does)."""
        return not (self.names.isdisjoint(names) and self.attrs.isdisjoint(names) and self.keys.isdisjoint(names))

    def reads_user(self, user_names: set[str]) -> bool:
        """`is_current_user` of the whole node (false: of every expression inside it)."""
        return self.user_reads or not self.names.isdisjoint(user_names)


# Node class -> what `Facts` records it as (parsed trees hold exactly these classes, no subclasses).
_KINDS = {
    ast.Name: "name",
    ast.Attribute: "attribute",
    ast.Subscript: "subscript",
    ast.Assign: "assignment",
    ast.AnnAssign: "assignment",
    **dict.fromkeys((ast.Call, ast.Compare, ast.If, ast.Assert, ast.While, ast.IfExp), "check"),
}


def facts(node: ast.AST, ctx) -> Facts:
    """The facts of `node`, gathered once per check (handlers are asked about by several rules): kept
    in the check's memo (`ctx`: the engine Context), keyed by the node itself, so that the id of a
    freed node reused by another cannot return the wrong facts."""
    return ctx.memo(("guard-facts", node), lambda: Facts(node))


def _configured(name: str, option: tuple[str, ...]) -> bool:
    return bool(name) and (name in option or last_part(name) in option)


def _is_route_decorator(decorator: ast.AST) -> bool:
    return (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr in _ROUTE_DECORATORS
    )


@dataclass
class Guards:
    """How a handler protects itself; each field says what was found (for the surface report) or None."""

    authentication: Optional[str] = None
    role: Optional[str] = None
    ownership: Optional[str] = None
    # Declared open to anonymous callers (`@login_not_required`, `permission_classes = [AllowAny]`).
    public: Optional[str] = None
    # Names bound to the signed-in user inside the handler (`user = request.user`).
    user_names: set[str] = field(default_factory=set)

    @property
    def authorization(self) -> Optional[str]:
        return self.role or self.ownership


def guards(
    func: ast.AST, ctx, *, cls: Optional[ast.ClassDef] = None, wrappers: tuple[tuple[str, str], ...] = ()
) -> Guards:
    """The guards of handler `func` (a function, or a class-based view without request methods) and of
    its class-based view `cls`.

    `ctx` (the engine Context) resolves names through imports and holds the options; `wrappers` are (callable, label)
    pairs applied where the route is registered (`login_required(views.f)` in `urls.py`, a router's
    `dependencies=[Depends(...)]`).
    """
    if isinstance(func, ast.ClassDef):
        cls, func = func, None
    qualname, options = ctx.qualname, ctx.options
    aliases = ctx.module.aliases
    found = Guards(user_names=_user_names(func, facts(func, ctx), aliases) if func is not None else set(_USER_NAMES))
    for name, label in wrappers:
        _classify_callable(name, options, found, label)
    if func is not None:
        _decorator_guards(func.decorator_list, qualname, options, found)
        _dependency_guards(func, options, found, aliases)
    if cls is not None:
        _class_guards(cls, qualname, options, found)
    for scope in _guard_scopes(func, cls):
        _body_guards(facts(scope, ctx), qualname, options, found)
    if func is not None and found.authorization is None:
        _helper_guards(func, ctx, found)
    if found.role or found.ownership:
        found.authentication = found.authentication or found.role or found.ownership
    return found


def _helper_guards(func: ast.AST, ctx, found: Guards) -> None:
    """Checks made in a function of the same module that the handler calls: `post = get_post(id)`, where
    `get_post` aborts unless `post["author_id"] == g.user["id"]`, ties the record to its owner as surely
    as the same lines in the handler. One call deep, through the engine's summaries (the helper's own
    block, re-read when it changes)."""
    provider = getattr(ctx, "provider", None)
    if provider is None:
        return
    for node in facts(func, ctx).checks:
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        name = node.func.id
        if name == getattr(func, "name", None) or name not in ctx.module.functions:
            continue
        summary = provider.callee(node, ctx)
        if summary is None:
            continue
        inner = Guards(user_names=set(_USER_NAMES))
        _body_guards(facts(summary.node, ctx), ctx.qualname, ctx.options, inner)
        for kind in ("ownership", "role", "authentication"):
            if getattr(found, kind) is None and getattr(inner, kind) is not None:
                setattr(found, kind, f"{name}(): {getattr(inner, kind)}")


def _guard_scopes(func: Optional[ast.AST], cls: Optional[ast.ClassDef]) -> list[ast.AST]:
    """The handler's body, plus its view class's shared code (`get_queryset`, `dispatch`, `test_func`):
    a sibling request method's checks do not protect this one."""
    if cls is None:
        return [func] if func is not None else []
    shared = [
        s for s in cls.body if not (isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and s.name in VIEW_METHODS)
    ]
    return ([func] if func is not None else []) + shared


def _decorator_guards(decorators, qualname, options: dict, found: Guards) -> None:
    for decorator in decorators:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = qualname(target) or dotted_name(target) or ""
        if not name or _is_route_decorator(decorator):
            continue
        label = "@" + (dotted_name(target) or name)
        ws = set(words(name))
        if _PUBLIC_MARKER.search(last_part(name)):
            found.public = found.public or label
            continue
        if last_part(name) == "permission_classes" and isinstance(decorator, ast.Call):
            _permission_list(decorator.args, found, label)
            continue
        if last_part(name) == "method_decorator" and isinstance(decorator, ast.Call) and decorator.args:
            wrapped = decorator.args[0]
            inner = dotted_name(wrapped.func if isinstance(wrapped, ast.Call) else wrapped) or ""
            _classify_callable(inner, options, found, f"@method_decorator({inner})")
            continue
        if last_part(name) == "user_passes_test":
            found.role = found.role or label
            continue
        if last_part(name) in (
            "api_view",
            "require_http_methods",
            "require_POST",
            "require_GET",
            "require_safe",
            "csrf_exempt",
        ):
            continue
        if _configured(name, options.get("role-checks", ())) or ws & _ROLE_WORDS:
            found.role = found.role or label
        if _configured(name, options.get("ownership-checks", ())) or ws & _OWNING:
            found.ownership = found.ownership or label
        if (
            _configured(name, options.get("auth-decorators", ()))
            or ws & _AUTH_WORDS
            or _AUTH_CALL.search(last_part(name).lower())
            or found.role
        ):
            found.authentication = found.authentication or label


def _classify_callable(name: str, options: dict, found: Guards, label: str) -> None:
    ws = set(words(name))
    if _configured(name, options.get("role-checks", ())) or ws & _ROLE_WORDS or last_part(name) == "user_passes_test":
        found.role = found.role or label
    if _configured(name, options.get("ownership-checks", ())) or ws & _OWNER_WORDS:
        found.ownership = found.ownership or label
    if (
        _configured(name, options.get("auth-decorators", ()))
        or ws & (_AUTH_WORDS | _ROLE_WORDS)
        or _AUTH_CALL.search(last_part(name).lower())
    ):
        found.authentication = found.authentication or label


def authenticating_decorator(name: str, options: dict) -> bool:
    """Whether a decorator named `name` (`login_required`, `jwt_required`, a configured one) authenticates."""
    found = Guards()
    _classify_callable(name, options, found, name)
    return found.authentication is not None and not _PUBLIC_MARKER.search(last_part(name))


def _permission_list(values, found: Guards, label: str) -> None:
    """DRF `permission_classes`: IsAuthenticated authenticates; IsAdminUser or a custom class authorizes."""
    for value in values:
        elements = value.elts if isinstance(value, (ast.List, ast.Tuple)) else [value]
        for element in elements:
            for operand in _operands(element):
                name = last_part(dotted_name(operand))
                if name in _OPEN_PERMISSIONS:
                    found.public = found.public or f"{label}: {name}"
                if not name or name in _OPEN_PERMISSIONS:
                    continue
                found.authentication = found.authentication or f"{label}: {name}"
                if name in _AUTH_ONLY_PERMISSIONS:
                    continue
                if set(words(name)) & {"owner", "owns", "object"}:
                    found.ownership = found.ownership or f"{label}: {name}"
                else:
                    found.role = found.role or f"{label}: {name}"


def _operands(expr: ast.AST) -> list[ast.AST]:
    """`IsAuthenticated & (IsOwner | IsAdminUser)` -> the permission classes it combines."""
    if isinstance(expr, ast.BinOp):
        return _operands(expr.left) + _operands(expr.right)
    if isinstance(expr, ast.UnaryOp):
        return _operands(expr.operand)
    return [expr]


def _mixin_of(name: str, words: re.Pattern) -> bool:
    """`name` (an identifier) ends in `Mixin` after one of `words`. Two steps, because one regex,
    `(Auth)\\w*Mixin$`, rescans the rest of the name for each `Auth` in it: quadratic."""
    return name.endswith("Mixin") and words.search(name[: -len("Mixin")]) is not None


def _class_guards(cls: ast.ClassDef, qualname, options: dict, found: Guards) -> None:
    for base in cls.bases:
        name = last_part(dotted_name(base))
        if _mixin_of(name, _ROLE_MIXIN_WORDS):
            found.role = found.role or name
            found.authentication = found.authentication or name
        elif _mixin_of(name, _AUTH_MIXIN_WORDS) or name == "IsAuthenticated":
            found.authentication = found.authentication or name
    _decorator_guards(cls.decorator_list, qualname, options, found)
    drf = any(_DRF_BASES.search(last_part(dotted_name(b))) for b in cls.bases)
    for stmt in cls.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == "dispatch":
            # Every request method of a Django view goes through `dispatch`: its decorators guard them all.
            _decorator_guards(stmt.decorator_list, qualname, options, found)
        elif isinstance(stmt, ast.Assign):
            names = {t.id for t in stmt.targets if isinstance(t, ast.Name)}
            if "permission_classes" in names:
                _permission_list([stmt.value], found, "permission_classes")
                drf = False
            elif names & {"permission_required", "test_func"}:
                found.role = found.role or "permission_required"
            elif names & {"decorators", "method_decorators"} and isinstance(stmt.value, (ast.List, ast.Tuple)):
                # Flask MethodView / flask-restful: decorators applied to every method
                for element in stmt.value.elts:
                    name = dotted_name(element.func if isinstance(element, ast.Call) else element) or ""
                    _classify_callable(name, options, found, f"decorators = [{name}]")
    if drf and found.authentication is None:
        found.authentication = DRF_SETTINGS


def _dependency_guards(func: ast.AST, options: dict, found: Guards, aliases: dict[str, str]) -> None:
    """FastAPI `Depends(...)` / `Security(...)` in parameters and in the decorator's `dependencies=`."""
    database = _database_dependencies(func, aliases)
    for call in _dependency_calls(func, aliases):
        target = call.args[0] if call.args else None
        name = dotted_name(target) if target is not None else ""
        if not name or id(call) in database:
            continue
        label = f"{last_part(dotted_name(call.func))}({name})"
        scopes = next((k for k in call.keywords if k.arg == "scopes"), None)
        if scopes is not None:
            found.role = found.role or label
        _classify_callable(name, options, found, label)


def _database_dependencies(func: ast.AST, aliases: dict[str, str]) -> set[int]:
    """The `Depends(...)` calls that provide a database session, not a login: `session: Session =
    Depends(get_session)` (SQLAlchemy/SQLModel's `Session`), `Depends(get_db_session)`. Their word
    "session" says nothing about the caller."""
    args = func.args
    positional = [*args.posonlyargs, *args.args]
    defaults = dict(zip(positional[len(positional) - len(args.defaults) :], args.defaults))
    defaults.update({a: d for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None})
    found: set[int] = set()
    for arg in (*positional, *args.kwonlyargs):
        annotation = _annotation(arg, aliases)
        annotated = annotation is not None and any(
            last_part(dotted_name(sub) or "") in _DATABASE_SESSIONS for sub in walk(annotation)
        )
        for node in filter(None, (defaults.get(arg), annotation)):
            for sub in walk(node):
                if isinstance(sub, ast.Call) and last_part(dotted_name(sub.func)) == "Depends" and sub.args:
                    said = set(words(dotted_name(sub.args[0]) or "")) - {"get", "async", "sync", "new", "open", "make"}
                    if (annotated and said <= {"session", "db", "database"}) or (
                        said & _DATABASE_WORDS and said <= _DATABASE_WORDS | {"session"}
                    ):
                        found.add(id(sub))
    return found


def _dependency_calls(func: ast.AST, aliases: dict[str, str]) -> Iterator[ast.Call]:
    nodes: list[ast.AST] = [*func.args.defaults, *(d for d in func.args.kw_defaults if d is not None)]
    params = (*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs)
    nodes += [a for a in (_annotation(p, aliases) for p in params) if a is not None]
    for decorator in getattr(func, "decorator_list", ()):
        if isinstance(decorator, ast.Call):
            nodes += [k.value for k in decorator.keywords if k.arg == "dependencies"]
    for node in nodes:
        for sub in walk(node):
            if isinstance(sub, ast.Call) and last_part(dotted_name(sub.func)) in ("Depends", "Security"):
                yield sub


def _annotation(arg: ast.arg, aliases: dict[str, str]) -> Optional[ast.AST]:
    """A parameter's annotation, or what its type alias stands for (`CurrentUser = Annotated[User,
    Depends(get_current_user)]`, `ModuleFacts.aliases`)."""
    annotation = arg.annotation
    if isinstance(annotation, ast.Name) and annotation.id in aliases:
        return _parsed_alias(aliases[annotation.id])
    return annotation


@lru_cache(maxsize=256)
def _parsed_alias(text: str) -> ast.expr:
    return ast.parse(text, mode="eval").body


def _user_names(func: ast.AST, scope: Facts, aliases: dict[str, str]) -> set[str]:
    """Local names bound to the signed-in user: dependency parameters and assignments from one."""
    names = set(_USER_NAMES)
    args = func.args
    positional = [*args.posonlyargs, *args.args]
    defaults = dict(zip([a.arg for a in positional[len(positional) - len(args.defaults) :]], args.defaults))
    defaults.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None})
    for arg in (*positional, *args.kwonlyargs):
        holder = [defaults.get(arg.arg), _annotation(arg, aliases)]
        for node in filter(None, holder):
            for sub in walk(node):
                if (
                    isinstance(sub, ast.Call)
                    and last_part(dotted_name(sub.func)) in ("Depends", "Security")
                    and sub.args
                ):
                    if set(words(dotted_name(sub.args[0]) or "")) & {
                        "user",
                        "current",
                        "me",
                        "principal",
                        "account",
                        "identity",
                        "admin",
                        "auth",
                    }:
                        names.add(arg.arg)
    for node in scope.assignments:
        if node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if scope.reads_user(names) and is_current_user(node.value, names):
                names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def is_current_user(expr: ast.AST, user_names: set[str]) -> bool:
    """Whether `expr` reads the signed-in user (or their id, session, or token identity); of a whole
    handler, `Facts.reads_user` answers without a walk."""
    for sub in walk(expr):
        if isinstance(sub, ast.Name) and sub.id in user_names:
            return True
        if _reads_user(sub):
            return True
    return False


def _reads_user(node: ast.AST) -> bool:
    """`request.user`, `get_jwt_identity()`, `session["user_id"]`: the user, whatever the local names."""
    if isinstance(node, ast.Attribute) and _USER_ATTRIBUTE.search(dotted_name(node) or ""):
        return True
    if isinstance(node, ast.Call) and last_part(dotted_name(node.func)) in _USER_CALLS:
        return not _looks_up_someone(node)
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.slice, ast.Constant)
        and node.slice.value in _USER_FIELDS
        and dotted_name(node.value) in ("request", "req", "scope")
    ):
        return True  # aiohttp `request["user"]`, ASGI `scope["user"]`: set by the authentication middleware
    return _session_user(node)


_LOGIN_FLAGS = frozenset({"logged", "authenticated"})


# Arguments that pick a user: `crud.get_user(user_id=user_id)`, `get_user(db, email)` look someone up.
_LOOKUP_ARGS = frozenset({"id", "pk", "uid", "user_id", "email", "username", "user_name", "login", "name"})


def _looks_up_someone(call: ast.Call) -> bool:
    """`get_user(user_id=...)` loads the user the arguments name, who need not be the caller; the caller's
    own reads pass a request, a token or nothing (`get_current_user(token)`, `get_user(request)`)."""
    return any(k.arg in _LOOKUP_ARGS for k in call.keywords) or any(
        isinstance(a, ast.Name) and a.id in _LOOKUP_ARGS for a in call.args
    )


def _session_user(node: ast.AST) -> bool:
    """`session["user_id"]`, `session.get("user_id")`: the server-signed session's user."""
    if isinstance(node, ast.Subscript) and dotted_name(node.value) == "session":
        key = node.slice
    elif isinstance(node, ast.Call) and dotted_name(node.func) == "session.get" and node.args:
        key = node.args[0]
    else:
        return False
    if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
        return False
    # the user's id or name, or the flag a login sets (`session["logged_in"]`, `session["authenticated"]`)
    return "user" in key.value.lower() or not _LOGIN_FLAGS.isdisjoint(words(key.value))


def _body_guards(scope: Facts, qualname, options: dict, found: Guards) -> None:
    users = found.user_names
    # Most handlers never read the user or name a role: then no expression inside them does either.
    user = scope.reads_user(users)
    role_attrs, auth_state = scope.mentions(_ROLE_ATTRS), scope.mentions(_AUTH_STATE)
    ownership_checks, role_checks = options.get("ownership-checks", ()), options.get("role-checks", ())
    auth_decorators = options.get("auth-decorators", ())
    for node in scope.checks:
        if isinstance(node, ast.Call):
            name = qualname(node.func) or dotted_name(node.func) or ""
            last = last_part(name)
            ownership_call, role_call, auth_call = _call_kinds(last)
            if ownership_call or _configured(name, ownership_checks):
                found.ownership = found.ownership or f"{last}()"
            elif role_call or _configured(name, role_checks):
                found.role = found.role or f"{last}()"
            elif auth_call or _configured(name, auth_decorators) or name in _TOKEN_DECODERS:
                found.authentication = found.authentication or f"{last}()"
            scoped = _scoped_lookup(node, users) if user else None
            if scoped:
                found.ownership = found.ownership or scoped
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if user and any(is_current_user(side, users) for side in sides):
                # `current_user.role in (...)`, and `g.user == "admin"`: the user compared with a role name
                if role_attrs and any(_mentions(side, _ROLE_ATTRS) for side in sides) or _role_literal(sides):
                    found.role = found.role or f"`{_short(node)}`"
                elif any(
                    _mentions(side, _OWNER_KEYS) or _id_field(side)
                    for side in sides
                    if not is_current_user(side, users)
                ):
                    found.ownership = found.ownership or f"`{_short(node)}`"
            elif role_attrs and any(_mentions(side, _ROLE_ATTRS) for side in sides) and _role_literal(sides):
                found.role = found.role or f"`{_short(node)}`"
        else:
            test = node.test
            if (
                role_attrs
                and _mentions(test, _ROLE_ATTRS)
                and (user and is_current_user(test, users) or _mentions(test, {"user", "session"}))
            ):
                found.role = found.role or f"`{_short(test)}`"
            elif not found.authentication and (
                auth_state
                and _mentions(test, _AUTH_STATE)
                or user
                and is_current_user(test, users)
                or _header_auth(test)
                or "session" in scope.names
                and _session_login_check(test)
            ):
                found.authentication = found.authentication or f"`{_short(test)}`"


@lru_cache(maxsize=4096)
def _call_kinds(last: str) -> tuple[bool, bool, bool]:
    """Whether a function named `last` checks ownership, checks a role, or authenticates, by its name."""
    ws = set(words(last))
    return (
        bool(ws & _OWNER_WORDS and ws & _CHECK_VERBS) or last in ("check_object_permissions", "has_object_permission"),
        bool(ws & _ROLE_WORDS and ws & _CHECK_VERBS) or last in ("has_perm", "has_perms", "has_permission"),
        bool(_AUTH_CALL.search(last.lower())),
    )


def _scoped_lookup(call: ast.Call, users: set[str]) -> Optional[str]:
    """A query narrowed to the current user, described: by keyword (`owner=request.user`) or through the
    user (`current_user.invoices.filter_by(id=...)`, `request.user.invoice_set.get(pk=pk)`)."""
    func = call.func
    method = last_part(dotted_name(func))
    for keyword in call.keywords:
        if keyword.arg is None or not is_current_user(keyword.value, users):
            continue
        if method in _QUERY_METHODS:
            return f"query filtered by `{keyword.arg}={_short(keyword.value)}`"
    if isinstance(func, ast.Attribute) and method in _QUERY_METHODS and _user_rooted(func.value, users):
        return f"query through `{_short(func.value)}`"
    if method in SQL_RUNNERS and len(call.args) + len(call.keywords) >= 2:
        return _sql_owner_filter(call, users)
    return None


def _sql_owner_filter(call: ast.Call, users: set[str]) -> Optional[str]:
    """`db.execute("... WHERE id = ? AND user_id = ?", (doc_id, current_user.id))`: SQL whose owner column is
    bound to the signed-in user (a route parameter bound there ties nothing to the caller)."""
    sql = call.args[0] if call.args else None
    if isinstance(sql, ast.Call) and last_part(dotted_name(sql.func)) == "text" and sql.args:
        sql = sql.args[0]
    if not (isinstance(sql, ast.Constant) and isinstance(sql.value, str)):
        return None
    column = _SQL_OWNER_FILTER.search(sql.value)
    params = [*call.args[1:], *(k.value for k in call.keywords)]
    if column is None or not any(is_current_user(p, users) for p in params):
        return None
    return f"SQL filtered by `{' '.join(column.group(0).split())}` with the current user"


def _user_rooted(expr: ast.AST, users: set[str]) -> bool:
    """`current_user.invoices`, `request.user.invoice_set.filter(...)`: a chain that starts at the user."""
    while True:
        if isinstance(expr, ast.Name):
            return expr.id in users
        if isinstance(expr, ast.Attribute) and _USER_ATTRIBUTE.search(dotted_name(expr) or ""):
            return True
        if isinstance(expr, ast.Attribute):
            expr = expr.value
        elif isinstance(expr, ast.Call):
            expr = expr.func
        elif isinstance(expr, ast.Subscript):
            expr = expr.value
        else:
            return False


def _mentions(expr: ast.AST, names: frozenset[str] | set[str]) -> bool:
    for sub in walk(expr):
        if isinstance(sub, ast.Attribute) and sub.attr in names:
            return True
        if isinstance(sub, ast.Name) and sub.id in names:
            return True
        if isinstance(sub, ast.Subscript) and isinstance(sub.slice, ast.Constant) and sub.slice.value in names:
            return True
        if isinstance(sub, ast.Call) and _get_key(sub) in names:
            return True
    return False


def _id_field(expr: ast.AST) -> bool:
    """`record.patient_id`, `Doc.holder_id`: a record's reference to someone (compared with the user, its owner)."""
    return isinstance(expr, ast.Attribute) and expr.attr.endswith("_id")


def _get_key(node: ast.AST) -> object:
    """`session.get("role")`, `claims.get("is_admin")`: the constant key read (like a subscript), else None."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" and node.args:
        key = node.args[0]
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value
    return None


def _role_literal(sides: list[ast.AST]) -> bool:
    return any(
        isinstance(s, ast.Constant)
        and isinstance(s.value, str)
        and set(words(s.value)) & (_ROLE_WORDS | {"owner", "editor", "superuser"})
        for s in sides
    )


def _session_login_check(test: ast.AST) -> bool:
    """`"user_id" not in session`: the signed session says nobody is logged in."""
    for node in walk(test):
        if isinstance(node, ast.Compare) and isinstance(node.ops[0], (ast.In, ast.NotIn)):
            key, container = node.left, node.comparators[0]
            if isinstance(key, ast.Constant) and isinstance(key.value, str) and dotted_name(container) == "session":
                return bool(set(words(key.value)) & {"user", "uid", "account", "member", "logged", "login"})
    return False


def _header_auth(test: ast.AST) -> bool:
    # Unparsed code spells these words only inside a string or an identifier: skip unparsing without either.
    if not any(_spells_header(node) for node in walk(test)):
        return False
    text = ast.unparse(test).lower()
    return any(k in text for k in _HEADER_WORDS)


def _spells_header(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (str, bytes))
    if isinstance(node, ast.Name):
        name = node.id
    elif isinstance(node, ast.Attribute):
        name = node.attr
    elif isinstance(node, (ast.keyword, ast.arg)):
        name = node.arg or ""
    else:
        return False
    return any(k in name.lower() for k in _HEADER_WORDS)


def _short(node: ast.AST) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 60 else text[:57] + "..."
