"""HTTP routes and the guards around their handlers, found once for the access rules (TG4xx) and for
`tabguard surface`.

Per function (all a rule sees of a block): `decorator_routes` reads route decorators, `is_handler`
says whether a function serves HTTP requests, and `guards` says how the handler authenticates the
caller, checks a role, or ties a record to its owner. Per file (`file_routes`), for the surface
report: the same plus Django `urls.py` entries, aiohttp `router.add_*` calls, Flask `add_url_rule`
and class-based views.

Guards are judged from names, the way a reviewer skims a handler: `@login_required`,
`Depends(get_current_user)`, `if not current_user.is_admin: abort(403)`,
`Invoice.owner_id == current_user.id`. Teams teach their own names through the `auth-decorators`,
`role-checks` and `ownership-checks` options.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from fnmatch import fnmatch
from typing import Iterator, Optional

from tabguard.engine.facts import dotted_name

HTTP_VERBS = ("get", "post", "put", "patch", "delete", "head", "options")
MUTATING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Methods of Django/DRF class-based views and the HTTP method each one serves.
VIEW_METHODS = {
    **{verb: verb.upper() for verb in HTTP_VERBS},
    "list": "GET", "retrieve": "GET", "create": "POST", "update": "PUT", "partial_update": "PATCH",
    "destroy": "DELETE", "form_valid": "POST", "delete_object": "DELETE",
}
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z]|\d|\b|_)|[A-Z]?[a-z]+|\d+|[A-Z]+")

# Words in a decorator, dependency, mixin or called function that authenticate the caller.
_AUTH_WORDS = frozenset({
    "login", "auth", "authenticated", "authentication", "authenticate", "jwt", "token", "apikey", "signed",
    "logged", "session", "oauth", "oidc", "bearer", "principal", "identity", "current", "user", "me",
    "security", "credentials", "protected", "secured", "guard", "signin",
})
# Words that name a role or permission check.
_ROLE_WORDS = frozenset({
    "admin", "administrator", "role", "roles", "permission", "permissions", "perm", "perms", "staff",
    "superuser", "rbac", "acl", "privilege", "privileged", "scope", "scopes", "group", "groups", "moderator",
    "manager", "policy", "entitlement", "entitlements",
})
# Words (in a called function's name) that tie a record to its owner.
_OWNER_WORDS = frozenset({"owner", "owns", "ownership", "owned", "object", "access", "member", "membership", "belongs"})
_CHECK_VERBS = frozenset({"check", "require", "requires", "required", "ensure", "verify", "assert", "can", "has",
                          "is", "authorize", "authorise", "validate", "only", "allowed", "allow", "permit"})
# Attribute and method names that read a role or permission off a user.
_ROLE_ATTRS = frozenset({
    "is_admin", "is_staff", "is_superuser", "is_moderator", "is_manager", "role", "roles", "has_perm", "has_perms",
    "has_role", "has_roles", "has_permission", "has_permissions", "permissions", "is_owner_of_org", "groups",
    "user_type", "account_type", "access_level", "can",
})
# Fields that hold a record's owner; compared with the current user they scope a query.
OWNER_FIELDS = frozenset({
    "owner", "owner_id", "user", "user_id", "author", "author_id", "created_by", "created_by_id", "tenant",
    "tenant_id", "org", "org_id", "organization", "organization_id", "account", "account_id", "team_id",
    "workspace_id", "company_id", "customer_id", "customer", "buyer", "member", "uploaded_by", "creator", "creator_id", "seller_id", "member_id",
})
# Expressions that name the signed-in user (Flask-Login, Django, DRF, Starlette, Flask-JWT-Extended...).
_USER_ATTRIBUTE = re.compile(
    r"(^|\.)(request|g|req|info\.context|request\.state|scope)\.(user|current_user|auth|identity|user_id|account|principal)$"
)
_USER_CALLS = frozenset({
    "get_jwt_identity", "get_current_user", "current_user", "get_user", "get_identity", "authorized_userid",
    "current_identity", "get_current_active_user", "get_jwt", "get_raw_jwt", "_get_current_object",
})
_USER_NAMES = frozenset({"current_user", "current_identity", "me"})
# Base classes and class attributes of class-based views.
_AUTH_MIXINS = re.compile(r"(LoginRequired|Authenticated|Auth)\w*Mixin$|^(IsAuthenticated)$")
_ROLE_MIXINS = re.compile(r"(PermissionRequired|UserPassesTest|Staff|Superuser|Admin|Role)\w*Mixin$")
_DRF_BASES = re.compile(r"(APIView|ViewSet|GenericAPIView|ModelViewSet|ReadOnlyModelViewSet)$|^(Create|List|Retrieve|Update|Destroy|ListCreate|RetrieveUpdate|RetrieveDestroy|RetrieveUpdateDestroy)APIView$")
_OPEN_PERMISSIONS = frozenset({"AllowAny"})
# Decorators that declare a route open to anonymous callers (Django 5.1 `login_not_required`, ...).
_PUBLIC_MARKER = re.compile(r"(login|auth|authentication)_(not_required|exempt)|^public(_route|_endpoint)?$|allow_?anonymous|^no_?auth$|^skip_?auth")
_AUTH_ONLY_PERMISSIONS = frozenset({"IsAuthenticated", "IsAuthenticatedOrReadOnly"})
# Functions whose call authenticates the caller inside the handler.
_AUTH_CALL = re.compile(
    r"authenticat|verify_(token|jwt|api_?key|session|user|auth)|check_(auth|token|api_?key|login|session|authorized)"
    r"|require_(login|auth|user|token)|get_current_user|current_user|decode_(token|jwt|auth)|validate_(token|jwt|api_?key|session)"
    r"|login_required|authorized_userid|get_jwt_identity|verify_jwt_in_request"
)
_TOKEN_DECODERS = frozenset({"jwt.decode", "jose.jwt.decode", "authlib.jose.jwt.decode"})
# Calls that load or filter records (a user-valued keyword there scopes the query).
_QUERY_METHODS = frozenset({
    "filter", "filter_by", "get", "get_or_404", "first_or_404", "where", "get_object_or_404", "get_list_or_404",
    "exclude", "find", "find_one", "one_or_none", "get_or_none", "select", "scalars", "aget_object_or_404",
})
# Calls that end a request with "forbidden" or "unauthorized".
_DENY_CALLS = frozenset({"abort", "HTTPException", "PermissionDenied", "HTTPForbidden", "HTTPUnauthorized",
                         "Forbidden", "Unauthorized", "NotAuthenticated", "HttpResponseForbidden", "PermissionError"})


def words(name: str) -> list[str]:
    """`require_admin` -> ["require", "admin"]; `LoginRequiredMixin` -> ["login", "required", "mixin"]."""
    return [w.lower() for w in _WORD.findall(name)]


def _last(name: Optional[str]) -> str:
    return (name or "").rsplit(".", 1)[-1]


def _configured(name: str, option: tuple[str, ...]) -> bool:
    return bool(name) and (name in option or _last(name) in option)


# -- routes declared on a function ----------------------------------------------------------------
@dataclass(frozen=True)
class RouteDecl:
    """A route declared by a decorator (`@app.route("/x", methods=["POST"])`, `@router.get("/x")`)."""

    node: ast.Call
    path: str
    methods: tuple[str, ...]
    receiver: str  # the object the decorator hangs off: "app", "bp", "router", "routes"


def decorator_routes(func: ast.AST) -> list[RouteDecl]:
    found = []
    for decorator in getattr(func, "decorator_list", ()):
        decl = _route_decl(decorator)
        if decl is not None:
            found.append(decl)
    return found


def _route_decl(decorator: ast.AST) -> Optional[RouteDecl]:
    if not isinstance(decorator, ast.Call) or not isinstance(decorator.func, ast.Attribute):
        return None
    verb = decorator.func.attr
    receiver = dotted_name(decorator.func.value) or ""
    if verb not in (*HTTP_VERBS, "route", "api_route", "websocket", "view") or not receiver:
        return None
    args = decorator.args
    strings = [a.value for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    methods: tuple[str, ...]
    if verb == "route" and len(strings) >= 2 and strings[0].isupper():  # aiohttp: routes.route("POST", "/x")
        methods, path = (strings[0],), strings[1]
    else:
        path = strings[0] if strings and args and isinstance(args[0], ast.Constant) else _keyword_string(decorator, "path", "rule")
        methods = _decl_methods(verb, decorator)
    if path is None or not (path == "" or path.startswith("/")):
        return None
    return RouteDecl(decorator, path, methods, receiver)


def _keyword_string(call: ast.Call, *names: str) -> Optional[str]:
    for keyword in call.keywords:
        if keyword.arg in names and isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, str):
            return keyword.value.value
    return None


def _decl_methods(verb: str, decorator: ast.Call) -> tuple[str, ...]:
    if verb in HTTP_VERBS:
        return (verb.upper(),)
    if verb == "websocket":
        return ("WEBSOCKET",)
    if verb == "view":
        return ("ANY",)
    for keyword in decorator.keywords:
        if keyword.arg == "methods" and isinstance(keyword.value, (ast.List, ast.Tuple, ast.Set)):
            listed = [e.value.upper() for e in keyword.value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            if listed:
                return tuple(listed)
    return ("GET",)


def is_django_module(imports: dict[str, str]) -> bool:
    return any(target.split(".")[0] in ("django", "rest_framework") for target in imports.values())


def django_function_view(func: ast.AST, imports: dict[str, str]) -> bool:
    """A module-level `def view(request, ...)` in a module that imports Django or DRF."""
    if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)) or func.name.startswith("_"):
        return False
    params = func.args.posonlyargs + func.args.args
    return bool(params) and params[0].arg == "request" and is_django_module(imports)


def view_class_method(func: ast.AST, cls: Optional[ast.AST], imports: dict[str, str]) -> bool:
    """A request method (`get`, `post`, `destroy`...) of a class-based view in a web framework module."""
    if not isinstance(cls, ast.ClassDef) or not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    if func.name not in VIEW_METHODS or framework_of(imports) == "unknown":
        return False
    params = func.args.posonlyargs + func.args.args
    names = [p.arg for p in params]
    return len(names) >= 1 and names[0] == "self" and _is_view_class(cls)


def _is_view_class(cls: ast.ClassDef) -> bool:
    bases = [_last(dotted_name(b)) for b in cls.bases]
    return any(b.endswith(("View", "ViewSet", "Resource", "Handler", "Endpoint", "APIView", "Mixin")) for b in bases)


def url_params(func: ast.AST, cls: Optional[ast.ClassDef] = None) -> list[str]:
    """Handler parameters filled from the URL path (route placeholders, Django view arguments)."""
    params = [a.arg for a in (*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs)]
    decls = decorator_routes(func)
    if decls:
        placeholders = {m for d in decls for m in re.findall(r"[<{](?:[^:<>{}]+:)?(\w+)(?::[^}>]*)?[>}]", d.path)}
        return [p for p in params if p in placeholders]
    skip = 1 + (cls is not None)
    if cls is not None and (len(params) < 2 or params[1] not in ("request", "req")):
        skip = 1  # Flask MethodView / flask-restful: `def get(self, invoice_id)`
    return [p for p in params[skip:] if not p.startswith("_")]


# -- guards ---------------------------------------------------------------------------------------
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


def guards(func: ast.AST, qualname, options: dict, *, cls: Optional[ast.ClassDef] = None,
           hooks: frozenset[str] = frozenset(), wrappers: tuple[tuple[str, str], ...] = ()) -> Guards:
    """The guards of handler `func` (a function, or a class-based view without request methods) and of
    its class-based view `cls`.

    `qualname` resolves names through imports (`Context.qualname`); `hooks` are the receivers with a
    `before_request` hook in the module (their routes are assumed to be checked there); `wrappers` are
    (callable, label) pairs applied where the route is registered (`login_required(views.f)` in
    `urls.py`, a router's `dependencies=[Depends(...)]`).
    """
    if isinstance(func, ast.ClassDef):
        cls, func = func, None
    found = Guards(user_names=_user_names(func) if func is not None else set(_USER_NAMES))
    for name, label in wrappers:
        _classify_callable(name, options, found, label)
    if func is not None:
        _decorator_guards(func.decorator_list, qualname, options, found)
        _dependency_guards(func, options, found)
        for decl in decorator_routes(func):
            if decl.receiver in hooks or "app" in hooks:
                found.authentication = found.authentication or f"{decl.receiver}.before_request hook"
                if decl.receiver in hooks and "admin" in words(decl.receiver):
                    found.role = found.role or f"{decl.receiver}.before_request hook"
    if cls is not None:
        _class_guards(cls, qualname, options, found)
    for scope in _guard_scopes(func, cls):
        _body_guards(scope, qualname, options, found)
    if found.role or found.ownership:
        found.authentication = found.authentication or found.role or found.ownership
    return found


def _guard_scopes(func: Optional[ast.AST], cls: Optional[ast.ClassDef]) -> list[ast.AST]:
    """The handler's body, plus its view class's shared code (`get_queryset`, `dispatch`, `test_func`):
    a sibling request method's checks do not protect this one."""
    if cls is None:
        return [func] if func is not None else []
    shared = [s for s in cls.body if not (isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and s.name in VIEW_METHODS)]
    return ([func] if func is not None else []) + shared


def _decorator_guards(decorators, qualname, options: dict, found: Guards) -> None:
    for decorator in decorators:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = qualname(target) or dotted_name(target) or ""
        if not name or _route_decl(decorator) is not None:
            continue
        label = "@" + (dotted_name(target) or name)
        ws = set(words(name))
        if _PUBLIC_MARKER.search(_last(name)):
            found.public = found.public or label
            continue
        if _last(name) == "permission_classes" and isinstance(decorator, ast.Call):
            _permission_list(decorator.args, found, label)
            continue
        if _last(name) == "method_decorator" and isinstance(decorator, ast.Call) and decorator.args:
            wrapped = decorator.args[0]
            inner = dotted_name(wrapped.func if isinstance(wrapped, ast.Call) else wrapped) or ""
            _classify_callable(inner, options, found, f"@method_decorator({inner})")
            continue
        if _last(name) == "user_passes_test":
            found.role = found.role or label
            continue
        if _last(name) in ("api_view", "require_http_methods", "require_POST", "require_GET", "require_safe", "csrf_exempt"):
            continue
        if _configured(name, options.get("role-checks", ())) or ws & _ROLE_WORDS:
            found.role = found.role or label
        if _configured(name, options.get("ownership-checks", ())):
            found.ownership = found.ownership or label
        if _configured(name, options.get("auth-decorators", ())) or ws & _AUTH_WORDS or _AUTH_CALL.search(_last(name).lower()) or found.role:
            found.authentication = found.authentication or label


def _classify_callable(name: str, options: dict, found: Guards, label: str) -> None:
    ws = set(words(name))
    if _configured(name, options.get("role-checks", ())) or ws & _ROLE_WORDS or _last(name) == "user_passes_test":
        found.role = found.role or label
    if _configured(name, options.get("ownership-checks", ())) or ws & _OWNER_WORDS:
        found.ownership = found.ownership or label
    if _configured(name, options.get("auth-decorators", ())) or ws & (_AUTH_WORDS | _ROLE_WORDS) or _AUTH_CALL.search(_last(name).lower()):
        found.authentication = found.authentication or label


def _permission_list(values, found: Guards, label: str) -> None:
    """DRF `permission_classes`: IsAuthenticated authenticates; IsAdminUser or a custom class authorizes."""
    for value in values:
        elements = value.elts if isinstance(value, (ast.List, ast.Tuple)) else [value]
        for element in elements:
            for operand in _operands(element):
                name = _last(dotted_name(operand))
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


def _class_guards(cls: ast.ClassDef, qualname, options: dict, found: Guards) -> None:
    for base in cls.bases:
        name = _last(dotted_name(base))
        if _ROLE_MIXINS.search(name):
            found.role = found.role or name
            found.authentication = found.authentication or name
        elif _AUTH_MIXINS.search(name):
            found.authentication = found.authentication or name
    _decorator_guards(cls.decorator_list, qualname, options, found)
    drf = any(_DRF_BASES.search(_last(dotted_name(b))) for b in cls.bases)
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign):
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
        found.authentication = "DRF DEFAULT_PERMISSION_CLASSES (settings)"


def _dependency_guards(func: ast.AST, options: dict, found: Guards) -> None:
    """FastAPI `Depends(...)` / `Security(...)` in parameters and in the decorator's `dependencies=`."""
    for call in _dependency_calls(func):
        target = call.args[0] if call.args else None
        name = dotted_name(target) if target is not None else ""
        if not name:
            continue
        label = f"{_last(dotted_name(call.func))}({name})"
        scopes = next((k for k in call.keywords if k.arg == "scopes"), None)
        if scopes is not None:
            found.role = found.role or label
        _classify_callable(name, options, found, label)


def _dependency_calls(func: ast.AST) -> Iterator[ast.Call]:
    nodes: list[ast.AST] = [*func.args.defaults, *(d for d in func.args.kw_defaults if d is not None)]
    nodes += [a.annotation for a in (*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs) if a.annotation]
    for decorator in getattr(func, "decorator_list", ()):
        if isinstance(decorator, ast.Call):
            nodes += [k.value for k in decorator.keywords if k.arg == "dependencies"]
    for node in nodes:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call) and _last(dotted_name(sub.func)) in ("Depends", "Security"):
                yield sub


def _user_names(func: ast.AST) -> set[str]:
    """Local names bound to the signed-in user: dependency parameters and assignments from one."""
    names = set(_USER_NAMES)
    args = func.args
    positional = [*args.posonlyargs, *args.args]
    defaults = dict(zip([a.arg for a in positional[len(positional) - len(args.defaults):]], args.defaults))
    defaults.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None})
    for arg in (*positional, *args.kwonlyargs):
        holder = [defaults.get(arg.arg), arg.annotation]
        for node in filter(None, holder):
            for sub in ast.walk(node):
                if isinstance(sub, ast.Call) and _last(dotted_name(sub.func)) in ("Depends", "Security") and sub.args:
                    if set(words(dotted_name(sub.args[0]) or "")) & {"user", "current", "me", "principal", "account", "identity", "admin", "auth"}:
                        names.add(arg.arg)
    for node in ast.walk(func):
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if is_current_user(node.value, names):
                names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def is_current_user(expr: ast.AST, user_names: set[str]) -> bool:
    """Whether `expr` reads the signed-in user (or their id, session, or token identity)."""
    for sub in ast.walk(expr):
        if isinstance(sub, ast.Name) and sub.id in user_names:
            return True
        if isinstance(sub, ast.Attribute) and _USER_ATTRIBUTE.search(dotted_name(sub) or ""):
            return True
        if isinstance(sub, ast.Call) and _last(dotted_name(sub.func)) in _USER_CALLS:
            return True
        if _session_user(sub):
            return True
    return False


def _session_user(node: ast.AST) -> bool:
    """`session["user_id"]`, `session.get("user_id")`: the server-signed session's user."""
    if isinstance(node, ast.Subscript) and dotted_name(node.value) == "session":
        key = node.slice
    elif isinstance(node, ast.Call) and dotted_name(node.func) == "session.get" and node.args:
        key = node.args[0]
    else:
        return False
    return isinstance(key, ast.Constant) and isinstance(key.value, str) and "user" in key.value.lower()


def _body_guards(scope: ast.AST, qualname, options: dict, found: Guards) -> None:
    users = found.user_names
    for node in ast.walk(scope):
        if isinstance(node, ast.Call):
            name = qualname(node.func) or dotted_name(node.func) or ""
            last = _last(name)
            ws = set(words(last))
            if _configured(name, options.get("ownership-checks", ())) or (ws & _OWNER_WORDS and ws & _CHECK_VERBS) or last in ("check_object_permissions", "has_object_permission"):
                found.ownership = found.ownership or f"{last}()"
            elif _configured(name, options.get("role-checks", ())) or (ws & _ROLE_WORDS and ws & _CHECK_VERBS) or last in ("has_perm", "has_perms", "has_permission"):
                found.role = found.role or f"{last}()"
            elif _configured(name, options.get("auth-decorators", ())) or _AUTH_CALL.search(last.lower()) or name in _TOKEN_DECODERS:
                found.authentication = found.authentication or f"{last}()"
            scoped = _scoped_lookup(node, users)
            if scoped:
                found.ownership = found.ownership or scoped
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(is_current_user(side, users) for side in sides):
                if any(_mentions(side, _ROLE_ATTRS) for side in sides):
                    found.role = found.role or f"`{_short(node)}`"
                elif any(_mentions(side, OWNER_FIELDS | {"id", "pk"}) for side in sides) and not all(is_current_user(s, users) for s in sides):
                    found.ownership = found.ownership or f"`{_short(node)}`"
            elif any(_mentions(side, _ROLE_ATTRS) for side in sides) and _role_literal(sides):
                found.role = found.role or f"`{_short(node)}`"
        elif isinstance(node, (ast.If, ast.Assert, ast.While, ast.IfExp)):
            test = node.test
            if _mentions(test, _ROLE_ATTRS) and (is_current_user(test, users) or _mentions(test, {"user"})):
                found.role = found.role or f"`{_short(test)}`"
            elif _mentions(test, {"is_authenticated", "is_anonymous", "is_active"}) or is_current_user(test, users) or _header_auth(test) or _session_login_check(test):
                found.authentication = found.authentication or f"`{_short(test)}`"
        elif isinstance(node, ast.Raise) and node.exc is not None:
            exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if _last(dotted_name(exc)) in ("PermissionDenied", "HTTPForbidden", "Forbidden"):
                found.role = found.role or f"raise {_last(dotted_name(exc))}"


def _scoped_lookup(call: ast.Call, users: set[str]) -> Optional[str]:
    """A query narrowed to the current user, described: by keyword (`owner=request.user`) or through the
    user (`current_user.invoices.filter_by(id=...)`, `request.user.invoice_set.get(pk=pk)`)."""
    func = call.func
    method = _last(dotted_name(func))
    for keyword in call.keywords:
        if keyword.arg is None or not is_current_user(keyword.value, users):
            continue
        if method in _QUERY_METHODS:
            return f"query filtered by `{keyword.arg}={_short(keyword.value)}`"
    if isinstance(func, ast.Attribute) and method in _QUERY_METHODS and _user_rooted(func.value, users):
        return f"query through `{_short(func.value)}`"
    return None


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
    for sub in ast.walk(expr):
        if isinstance(sub, ast.Attribute) and sub.attr in names:
            return True
        if isinstance(sub, ast.Name) and sub.id in names:
            return True
        if isinstance(sub, ast.Subscript) and isinstance(sub.slice, ast.Constant) and sub.slice.value in names:
            return True
    return False


def _role_literal(sides: list[ast.AST]) -> bool:
    return any(isinstance(s, ast.Constant) and isinstance(s.value, str) and set(words(s.value)) & (_ROLE_WORDS | {"owner", "editor", "superuser"}) for s in sides)


def _session_login_check(test: ast.AST) -> bool:
    """`"user_id" not in session`: the signed session says nobody is logged in."""
    for node in ast.walk(test):
        if isinstance(node, ast.Compare) and isinstance(node.ops[0], (ast.In, ast.NotIn)):
            key, container = node.left, node.comparators[0]
            if isinstance(key, ast.Constant) and isinstance(key.value, str) and dotted_name(container) == "session":
                return bool(set(words(key.value)) & {"user", "uid", "account", "member", "logged", "login"})
    return False


def _header_auth(test: ast.AST) -> bool:
    text = ast.unparse(test).lower()
    return any(k in text for k in ("authorization", "api_key", "api-key", "apikey", "x-token", "bearer"))


def _short(node: ast.AST) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 60 else text[:57] + "..."


def before_request_receivers(functions) -> frozenset[str]:
    """Receivers (`app`, `admin_bp`) with a `before_request` hook among module function facts."""
    found = set()
    for facts in functions:
        for decorator in facts.decorators:
            receiver, _, hook = decorator.rpartition(".")
            if hook in ("before_request", "before_app_request") and receiver:
                found.add("app" if hook == "before_app_request" else receiver)
    return frozenset(found)


@dataclass
class Handler:
    """A function that serves HTTP requests, with its routes and guards."""

    func: ast.AST
    cls: Optional[ast.ClassDef]
    decls: list[RouteDecl]
    methods: tuple[str, ...]
    guards: Guards

    @property
    def mutating(self) -> bool:
        return bool(set(self.methods) & MUTATING_METHODS)

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(d.path for d in self.decls)


def handler_for(func: ast.AST, ctx) -> Optional[Handler]:
    """The handler served by `func` as a rule sees it (`ctx`: the engine Context), else None."""
    if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    parent = ctx.parent(func)
    cls = parent if view_class_method(func, parent, ctx.module.imports) else None
    decls = decorator_routes(func)
    imports = ctx.module.imports
    if not decls and cls is None and not (isinstance(parent, ast.Module) and django_function_view(func, imports)):
        return None
    found = guards(func, ctx.qualname, ctx.options, cls=cls, hooks=before_request_receivers(ctx.module.functions.values()))
    receiver = next((d.receiver for d in decls if d.receiver != "app"), None)
    if receiver is not None and found.role is None and _privileged_module(receiver, ctx.path):
        # A router or blueprint dedicated to administration is guarded where it is created
        # (`APIRouter(dependencies=[Depends(require_admin)])`), a statement this block cannot see.
        found.role = f"{receiver} (administration router, guard assumed where it is created)"
        found.authentication = found.authentication or found.role
    return Handler(func, cls, decls, handler_methods(func, cls, decls), found)


def _privileged_module(receiver: str, path: str) -> bool:
    parts = re.split(r"[/\\]", path or "")[-2:]
    said = set(words(receiver)) | {w for part in parts for w in words(re.sub(r"\.pyw?$", "", part))}
    return bool(said & {"admin", "staff", "backoffice", "superuser", "internal"})


def handler_methods(func: ast.AST, cls: Optional[ast.ClassDef], decls: list[RouteDecl]) -> tuple[str, ...]:
    if decls:
        return tuple(dict.fromkeys(m for d in decls for m in d.methods))
    if cls is not None:
        return (VIEW_METHODS[func.name],)
    methods: list[str] = []
    for decorator in func.decorator_list:
        name = _last(dotted_name(decorator.func if isinstance(decorator, ast.Call) else decorator))
        if name in ("require_POST", "require_GET", "require_safe"):
            methods.append({"require_POST": "POST", "require_GET": "GET", "require_safe": "GET"}[name])
        elif name in ("require_http_methods", "api_view") and isinstance(decorator, ast.Call) and decorator.args:
            listed = decorator.args[0]
            if isinstance(listed, (ast.List, ast.Tuple)):
                methods += [e.value.upper() for e in listed.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    if not methods:
        # `if request.method == "POST":` inside a Django view
        for node in ast.walk(func):
            if isinstance(node, ast.Compare) and dotted_name(node.left) == "request.method":
                methods += [c.value for c in node.comparators if isinstance(c, ast.Constant) and isinstance(c.value, str)]
    return tuple(dict.fromkeys(methods)) or ("ANY",)


def is_public(handler: Handler, options: dict) -> bool:
    """Listed in the `public-routes` option, by path pattern (`/api/public/*`) or handler name."""
    patterns = options.get("public-routes", ())
    return any(
        handler.func.name == pattern or any(fnmatch(path, pattern) for path in handler.paths) for pattern in patterns
    )


# -- whole files and projects, for `tabguard surface` ---------------------------------------------
@dataclass
class Route:
    """One HTTP route of a project, where it is declared and what guards its handler."""

    file: str  # where the route is declared (decorator, `urls.py` entry, `add_route` call)
    line: int  # 1-based
    methods: tuple[str, ...]
    path: str
    handler: str
    framework: str
    guards: Guards
    handler_file: str
    handler_lines: tuple[int, int]  # 1-based, inclusive: decorators through the last body line


@dataclass
class SourceFile:
    """A parsed file with the engine context its guards are judged in."""

    display: str
    module: str  # dotted module path guessed from the file path ("shop.views")
    tree: ast.Module
    ctx: object
    definitions: dict[str, ast.AST] = field(default_factory=dict)


_FRAMEWORK_ROOTS = (("fastapi", "fastapi"), ("starlette", "fastapi"), ("aiohttp", "aiohttp"), ("django", "django"),
                    ("rest_framework", "django"), ("flask", "flask"), ("flask_restful", "flask"), ("flask_restx", "flask"),
                    ("quart", "flask"), ("tornado", "tornado"), ("falcon", "falcon"), ("pyramid", "pyramid"),
                    ("sanic", "sanic"), ("litestar", "litestar"))
_DJANGO_URL_FUNCTIONS = frozenset({"django.urls.path", "django.urls.re_path", "django.conf.urls.url", "path", "re_path", "url"})
_AIOHTTP_ADDERS = {f"add_{verb}": verb.upper() for verb in HTTP_VERBS}
_GENERIC_VIEW_METHODS = (
    ("DeleteView", ("GET", "POST")), ("UpdateView", ("GET", "POST")), ("CreateView", ("GET", "POST")),
    ("FormView", ("GET", "POST")), ("RetrieveUpdateDestroyAPIView", ("GET", "PUT", "PATCH", "DELETE")),
    ("RetrieveDestroyAPIView", ("GET", "DELETE")), ("RetrieveUpdateAPIView", ("GET", "PUT", "PATCH")),
    ("ListCreateAPIView", ("GET", "POST")), ("DestroyAPIView", ("DELETE",)), ("UpdateAPIView", ("PUT", "PATCH")),
    ("CreateAPIView", ("POST",)), ("ModelViewSet", ("GET", "POST", "PUT", "PATCH", "DELETE")),
)
# DRF router routes: (suffix, viewset method)
_VIEWSET_ROUTES = (("", "list"), ("", "create"), ("{pk}/", "retrieve"), ("{pk}/", "update"),
                   ("{pk}/", "partial_update"), ("{pk}/", "destroy"))
_MODEL_VIEWSET_ACTIONS = {"ModelViewSet": ("list", "create", "retrieve", "update", "partial_update", "destroy"),
                          "ReadOnlyModelViewSet": ("list", "retrieve")}


def framework_of(imports: dict[str, str]) -> str:
    roots = {target.lstrip(".").split(".")[0] for target in imports.values()}
    for root, name in _FRAMEWORK_ROOTS:
        if root in roots:
            return name
    return "unknown"


def load_source(display: str, text: str, options: dict) -> Optional[SourceFile]:
    from tabguard.engine.context import Context
    from tabguard.engine.facts import ModuleFacts, collect_facts

    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    ctx = Context(text.split("\n"), ModuleFacts.merge([collect_facts(tree, text)]), display, options)
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            ctx.parents[id(child)] = node
    module = re.sub(r"(/__init__)?\.py$", "", display.replace("\\", "/")).strip("/").replace("/", ".")
    source = SourceFile(display, module, tree, ctx)
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            source.definitions[stmt.name] = stmt
    return source


def project_routes(sources: list[SourceFile]) -> list[Route]:
    """Every route declared in `sources`: decorators, registration calls, and Django URL confs."""
    routes: list[Route] = []
    for source in sources:
        routes += _decorated_routes(source)
        routes += _registered_routes(source, sources)
    routes += _django_routes(sources)
    return sorted(routes, key=lambda r: (r.file, r.line))


def _lines(node: ast.AST) -> tuple[int, int]:
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])
    return first, node.end_lineno or node.lineno


def _route(source: SourceFile, line: int, methods, path: str, handler: str, found: Guards, node: ast.AST,
           handler_source: Optional[SourceFile] = None) -> Route:
    target = handler_source or source
    return Route(source.display, line, tuple(methods), path, handler, framework_of(target.ctx.module.imports), found,
                 target.display, _lines(node))


def _receiver_prefixes(source: SourceFile) -> dict[str, str]:
    """`Blueprint(..., url_prefix="/api")`, `APIRouter(prefix="/orders")`: the path prefix of each receiver."""
    found = {}
    for stmt in source.tree.body:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
            prefix = _keyword_string(stmt.value, "url_prefix", "prefix")
            for target in stmt.targets:
                if isinstance(target, ast.Name) and prefix:
                    found[target.id] = prefix.rstrip("/")
    return found


def _router_wrappers(source: SourceFile) -> dict[str, tuple[tuple[str, str], ...]]:
    """`router = APIRouter(dependencies=[Depends(get_current_user)])`: guards for all of its routes."""
    found: dict[str, tuple[tuple[str, str], ...]] = {}
    for stmt in source.tree.body:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
            deps = [k.value for k in stmt.value.keywords if k.arg == "dependencies"]
            names = tuple(
                dotted_name(call.args[0]) or "" for dep in deps for call in ast.walk(dep)
                if isinstance(call, ast.Call) and _last(dotted_name(call.func)) in ("Depends", "Security") and call.args
            )
            for target in stmt.targets:
                if isinstance(target, ast.Name) and names:
                    found[target.id] = tuple((n, f"Depends({n}) on {target.id}") for n in names if n)
    return found


def _decorated_routes(source: SourceFile) -> list[Route]:
    ctx = source.ctx
    hooks = before_request_receivers(ctx.module.functions.values())
    routers = _router_wrappers(source)
    prefixes = _receiver_prefixes(source)
    routes = []
    for node in ast.walk(source.tree):
        if isinstance(node, ast.ClassDef):
            for decl in decorator_routes(node):  # aiohttp `@routes.view("/path")` class views
                routes += _class_routes(source, node, decl.path, decl.node.lineno)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        decls = decorator_routes(node)
        for decl in decls:
            found = guards(node, ctx.qualname, ctx.options, hooks=hooks, wrappers=routers.get(decl.receiver, ()))
            path = prefixes.get(decl.receiver, "") + decl.path
            routes.append(_route(source, decl.node.lineno, decl.methods, path or "/", node.name, found, node))
    return routes


def _class_routes(source: SourceFile, cls: ast.ClassDef, path: str, line: int, wrappers: tuple[tuple[str, str], ...] = (),
                  declared_in: Optional[SourceFile] = None, actions: Optional[dict[str, str]] = None) -> list[Route]:
    """One route per request method a class-based view defines (or inherits from a generic view)."""
    ctx = source.ctx
    where = declared_in or source
    routes = []
    methods = [s for s in cls.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and s.name in VIEW_METHODS]
    if actions is not None:
        methods = [m for m in methods if m.name in actions]
    for method in methods:
        found = guards(method, ctx.qualname, ctx.options, cls=cls, wrappers=wrappers)
        verb = VIEW_METHODS[method.name]
        sub_path = actions[method.name] if actions else path
        routes.append(_route(where, line, (verb,), sub_path, f"{cls.name}.{method.name}", found, method, source))
    if not methods and actions is None:
        inherited = _inherited_methods(cls)
        if inherited:
            found = guards(cls, ctx.qualname, ctx.options, wrappers=wrappers)
            routes.append(_route(where, line, inherited, path, cls.name, found, cls, source))
    return routes


def _inherited_methods(cls: ast.ClassDef) -> tuple[str, ...]:
    bases = [_last(dotted_name(b)) for b in cls.bases]
    for base in bases:
        for generic, methods in _GENERIC_VIEW_METHODS:
            if base == generic:
                return methods
    return ("GET",) if any(b.endswith(("View", "APIView", "ViewSet")) for b in bases) else ()


def _registered_routes(source: SourceFile, sources: list[SourceFile]) -> list[Route]:
    """`app.add_url_rule(...)`, aiohttp `app.router.add_get(...)` / `web.post(...)`, DRF `router.register`."""
    routes = []
    for node in ast.walk(source.tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        verb = node.func.attr
        strings = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        target: Optional[ast.AST] = None
        methods: tuple[str, ...] = ()
        if verb == "add_url_rule" and strings:
            target = _keyword(node, "view_func") or (node.args[2] if len(node.args) > 2 else None)
            listed = _keyword(node, "methods")
            methods = tuple(e.value for e in getattr(listed, "elts", ()) if isinstance(e, ast.Constant)) or ("GET",)
        elif verb in _AIOHTTP_ADDERS and len(node.args) >= 2 and strings:
            target, methods = node.args[1], (_AIOHTTP_ADDERS[verb],)
        elif verb == "add_route" and len(strings) >= 2 and len(node.args) >= 3:
            target, methods, strings = node.args[2], (strings[0],), strings[1:]
        elif verb in HTTP_VERBS and dotted_name(node.func.value) == "web" and len(node.args) >= 2 and strings:
            target, methods = node.args[1], (verb.upper(),)
        elif verb == "register" and strings and len(node.args) >= 2 and "router" in (dotted_name(node.func.value) or ""):
            routes += _viewset_routes(source, node, strings[0], sources)
            continue
        if target is None:
            continue
        routes += _resolved_routes(source, node.lineno, methods, strings[0], target, sources)
    return routes


def _keyword(call: ast.Call, name: str) -> Optional[ast.expr]:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _viewset_routes(source: SourceFile, call: ast.Call, prefix: str, sources: list[SourceFile]) -> list[Route]:
    resolved = _resolve(source, call.args[1], sources)
    if resolved is None or not isinstance(resolved[1], ast.ClassDef):
        return []
    home, cls = resolved
    base = _django_path(_router_include(source, dotted_name(call.func.value) or "") + prefix.strip("^$/") + "/")
    actions = {method: base + suffix for suffix, method in _VIEWSET_ROUTES}
    routes = _class_routes(home, cls, base, call.lineno, declared_in=source, actions=actions)
    if not routes:  # a ModelViewSet with no overrides serves every action
        inherited = next((a for b in cls.bases for k, a in _MODEL_VIEWSET_ACTIONS.items() if _last(dotted_name(b)) == k), ())
        found = guards(cls, home.ctx.qualname, home.ctx.options)
        for action in inherited:
            routes.append(_route(source, call.lineno, (VIEW_METHODS[action],), actions[action], f"{cls.name}.{action}", found, cls, home))
    return routes


def _router_include(source: SourceFile, router: str) -> str:
    """The prefix under which `path("api/", include(router.urls))` mounts a DRF router in the same file."""
    for node in ast.walk(source.tree):
        if isinstance(node, ast.Call) and source.ctx.qualname(node.func) in _DJANGO_URL_FUNCTIONS and len(node.args) >= 2:
            route, target = node.args[0], node.args[1]
            if isinstance(target, ast.Call) and target.args and dotted_name(target.args[0]) == f"{router}.urls":
                return route.value if isinstance(route, ast.Constant) and isinstance(route.value, str) else ""
    return ""


def _resolved_routes(source: SourceFile, line: int, methods: tuple[str, ...], path: str, target: ast.AST,
                     sources: list[SourceFile], wrappers: tuple[tuple[str, str], ...] = ()) -> list[Route]:
    """Routes for a handler referenced by expression: a function, `View.as_view()`, `login_required(f)`."""
    while isinstance(target, ast.Call):
        name = dotted_name(target.func) or ""
        if _last(name) in ("as_view", "as_view_func"):
            target = target.func.value if isinstance(target.func, ast.Attribute) else target
            break
        if not target.args:
            return []
        wrappers += ((_last(name), f"{_last(name)}() where the route is registered"),)
        target = target.args[0]
    resolved = _resolve(source, target, sources)
    if resolved is None:
        return []
    home, node = resolved
    if isinstance(node, ast.ClassDef):
        return _class_routes(home, node, path, line, wrappers, declared_in=source)
    found = guards(node, home.ctx.qualname, home.ctx.options, wrappers=wrappers)
    methods = methods or handler_methods(node, None, [])
    return [_route(source, line, methods, path, node.name, found, node, home)]


def _resolve(source: SourceFile, target: ast.AST, sources: list[SourceFile]) -> Optional[tuple[SourceFile, ast.AST]]:
    """The definition a handler expression names, in this file or the module it was imported from."""
    if isinstance(target, ast.Name) and target.id in source.definitions:
        return source, source.definitions[target.id]
    qualified = source.ctx.qualname(target)
    if not qualified:
        return None
    module, _, name = qualified.rpartition(".")
    if module.startswith("."):
        package = source.module.rsplit(".", 1)[0] if "." in source.module else ""
        level = len(module) - len(module.lstrip("."))
        for _ in range(level - 1):
            package = package.rsplit(".", 1)[0] if "." in package else ""
        module = ".".join(p for p in (package, module.lstrip(".")) if p)
    for candidate in sources:
        if candidate.module == module or candidate.module.endswith("." + module) or module.endswith("." + candidate.module):
            if name in candidate.definitions:
                return candidate, candidate.definitions[name]
    return None


def _django_routes(sources: list[SourceFile]) -> list[Route]:
    """`urlpatterns` entries (`path`, `re_path`, `url`), with the prefixes of the `include()`s above them."""
    entries: list[tuple[SourceFile, ast.Call]] = []
    includes: list[tuple[SourceFile, str, str]] = []  # (including file, prefix, included module)
    for source in sources:
        if not is_django_module(source.ctx.module.imports):
            continue
        for node in ast.walk(source.tree):
            if not isinstance(node, ast.Call) or source.ctx.qualname(node.func) not in _DJANGO_URL_FUNCTIONS or len(node.args) < 2:
                continue
            route, target = node.args[0], node.args[1]
            if not (isinstance(route, ast.Constant) and isinstance(route.value, str)):
                continue
            if isinstance(target, ast.Call) and _last(dotted_name(target.func)) == "include" and target.args:
                included = target.args[0]
                name = included.value if isinstance(included, ast.Constant) else source.ctx.qualname(included)
                if isinstance(name, str):
                    includes.append((source, route.value, name))
                continue
            entries.append((source, node))
    routes = []
    for source, node in entries:
        prefix = _django_prefix(source, includes, sources)
        path = _django_path(prefix + node.args[0].value)
        routes += _resolved_routes(source, node.lineno, (), path, node.args[1], sources)
    return routes


def _django_prefix(source: SourceFile, includes, sources: list[SourceFile], depth: int = 0) -> str:
    if depth > 5:
        return ""
    for including, prefix, module in includes:
        if source.module == module or source.module.endswith("." + module) or module.endswith("." + source.module):
            return _django_prefix(including, includes, sources, depth + 1) + prefix
    return ""


def _django_path(route: str) -> str:
    cleaned = route.replace("^", "").replace("$", "")
    return "/" + cleaned.lstrip("/")
