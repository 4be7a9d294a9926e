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
from fnmatch import fnmatch
from dataclasses import dataclass, field
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
})
# Words that name a role or permission check.
_ROLE_WORDS = frozenset({
    "admin", "administrator", "role", "roles", "permission", "permissions", "perm", "perms", "staff",
    "superuser", "rbac", "acl", "privilege", "privileged", "scope", "scopes", "group", "groups", "moderator",
    "manager", "policy", "entitlement", "entitlements",
})
# Words (in a called function's name) that tie a record to its owner.
_OWNER_WORDS = frozenset({"owner", "owns", "ownership", "owned", "object"})
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
    "workspace_id", "company_id", "customer_id", "uploaded_by", "creator", "creator_id", "seller_id", "member_id",
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
_AUTH_ONLY_PERMISSIONS = frozenset({"IsAuthenticated", "IsAuthenticatedOrReadOnly"})
# Functions whose call authenticates the caller inside the handler.
_AUTH_CALL = re.compile(
    r"authenticat|verify_(token|jwt|api_?key|session|user|auth)|check_(auth|token|api_?key|login|session|authorized)"
    r"|require_(login|auth|user|token)|get_current_user|current_user|decode_(token|jwt|auth)|validate_(token|jwt|api_?key|session)"
    r"|login_required|authorized_userid|get_jwt_identity|verify_jwt_in_request"
)
_TOKEN_DECODERS = frozenset({"jwt.decode", "jose.jwt.decode", "authlib.jose.jwt.decode"})
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


def view_class_method(func: ast.AST, cls: Optional[ast.AST]) -> bool:
    """A request method (`get`, `post`, `destroy`...) of a class-based view."""
    if not isinstance(cls, ast.ClassDef) or not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    if func.name not in VIEW_METHODS:
        return False
    params = func.args.posonlyargs + func.args.args
    names = [p.arg for p in params]
    return len(names) >= 1 and names[0] == "self" and (len(names) == 1 or names[1] in ("request", "req")) and _is_view_class(cls)


def _is_view_class(cls: ast.ClassDef) -> bool:
    bases = [_last(dotted_name(b)) for b in cls.bases]
    return any(b.endswith(("View", "ViewSet", "Resource", "Handler", "Endpoint", "APIView", "Mixin")) for b in bases)


def view_class(func: ast.AST, parent: Optional[ast.AST]) -> Optional[ast.ClassDef]:
    return parent if view_class_method(func, parent) else None


def url_params(func: ast.AST, cls: Optional[ast.ClassDef] = None) -> list[str]:
    """Handler parameters filled from the URL path (route placeholders, Django view arguments)."""
    params = [a.arg for a in (*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs)]
    decls = decorator_routes(func)
    if decls:
        placeholders = {m for d in decls for m in re.findall(r"[<{](?:[^:<>{}]+:)?(\w+)(?::[^}>]*)?[>}]", d.path)}
        return [p for p in params if p in placeholders]
    skip = 2 if cls is not None else 1
    return [p for p in params[skip:] if not p.startswith("_")]


# -- guards ---------------------------------------------------------------------------------------
@dataclass
class Guards:
    """How a handler protects itself; each field says what was found (for the surface report) or None."""

    authentication: Optional[str] = None
    role: Optional[str] = None
    ownership: Optional[str] = None
    # Names bound to the signed-in user inside the handler (`user = request.user`).
    user_names: set[str] = field(default_factory=set)

    @property
    def authorization(self) -> Optional[str]:
        return self.role or self.ownership


def guards(func: ast.AST, qualname, options: dict, *, cls: Optional[ast.ClassDef] = None,
           hooks: frozenset[str] = frozenset()) -> Guards:
    """The guards of handler `func` (and of its class-based view `cls`).

    `qualname` resolves names through imports (`Context.qualname`); `hooks` are the receivers with a
    `before_request` hook in the module (their routes are assumed to be checked there).
    """
    found = Guards(user_names=_user_names(func))
    _decorator_guards(getattr(func, "decorator_list", ()), qualname, options, found)
    if cls is not None:
        _class_guards(cls, qualname, options, found)
    _dependency_guards(func, options, found)
    for decl in decorator_routes(func):
        if decl.receiver in hooks or "app" in hooks:
            found.authentication = found.authentication or f"{decl.receiver}.before_request hook"
            if decl.receiver in hooks and "admin" in words(decl.receiver):
                found.role = found.role or f"{decl.receiver}.before_request hook"
    scopes = [func] if cls is None else [cls]
    for scope in scopes:
        _body_guards(scope, qualname, options, found)
    if found.role or found.ownership:
        found.authentication = found.authentication or found.role or found.ownership
    return found


def _decorator_guards(decorators, qualname, options: dict, found: Guards) -> None:
    for decorator in decorators:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = qualname(target) or dotted_name(target) or ""
        if not name or _route_decl(decorator) is not None:
            continue
        label = "@" + (dotted_name(target) or name)
        ws = set(words(name))
        if _last(name) in ("permission_classes", "method_decorator") and isinstance(decorator, ast.Call):
            _permission_list(decorator.args, found, label)
            for arg in decorator.args:
                if not isinstance(arg, (ast.List, ast.Tuple)):
                    inner = dotted_name(arg.func if isinstance(arg, ast.Call) else arg) or ""
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
        if _configured(name, options.get("auth-decorators", ())) or ws & _AUTH_WORDS or found.role:
            found.authentication = found.authentication or label


def _classify_callable(name: str, options: dict, found: Guards, label: str) -> None:
    ws = set(words(name))
    if _configured(name, options.get("role-checks", ())) or ws & _ROLE_WORDS or _last(name) == "user_passes_test":
        found.role = found.role or label
    if _configured(name, options.get("ownership-checks", ())) or ws & _OWNER_WORDS:
        found.ownership = found.ownership or label
    if _configured(name, options.get("auth-decorators", ())) or ws & _AUTH_WORDS or ws & _ROLE_WORDS:
        found.authentication = found.authentication or label


def _permission_list(values, found: Guards, label: str) -> None:
    """DRF `permission_classes`: IsAuthenticated authenticates; IsAdminUser or a custom class authorizes."""
    for value in values:
        elements = value.elts if isinstance(value, (ast.List, ast.Tuple)) else [value]
        for element in elements:
            for part in ast.walk(element):
                if not isinstance(part, (ast.Name, ast.Attribute)):
                    continue
                name = _last(dotted_name(part))
                if not name or name in _OPEN_PERMISSIONS:
                    continue
                found.authentication = found.authentication or f"{label}: {name}"
                if name in _AUTH_ONLY_PERMISSIONS:
                    continue
                if set(words(name)) & {"owner", "owns", "object"}:
                    found.ownership = found.ownership or f"{label}: {name}"
                else:
                    found.role = found.role or f"{label}: {name}"


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
            if _scoped_lookup(node, users):
                found.ownership = found.ownership or f"query scoped to the user ({ast.unparse(node.func)[:60]})"
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
            elif _mentions(test, {"is_authenticated", "is_anonymous", "is_active"}) or is_current_user(test, users) or _header_auth(test):
                found.authentication = found.authentication or f"`{_short(test)}`"
        elif isinstance(node, ast.Raise) and node.exc is not None:
            exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if _last(dotted_name(exc)) in ("PermissionDenied", "HTTPForbidden", "Forbidden"):
                found.role = found.role or f"raise {_last(dotted_name(exc))}"


def _scoped_lookup(call: ast.Call, users: set[str]) -> bool:
    """A query narrowed to the current user: by keyword (`owner=request.user`) or through the user
    (`current_user.invoices.filter_by(id=...)`, `request.user.invoice_set.get(pk=pk)`)."""
    if any(k.arg is not None and is_current_user(k.value, users) for k in call.keywords):
        return True
    func = call.func
    return isinstance(func, ast.Attribute) and isinstance(func.value, (ast.Attribute, ast.Call)) and is_current_user(func.value, users)


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
    cls = parent if view_class_method(func, parent) else None
    decls = decorator_routes(func)
    imports = ctx.module.imports
    if not decls and cls is None and not (isinstance(parent, ast.Module) and django_function_view(func, imports)):
        return None
    found = guards(func, ctx.qualname, ctx.options, cls=cls, hooks=before_request_receivers(ctx.module.functions.values()))
    return Handler(func, cls, decls, handler_methods(func, cls, decls), found)


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
