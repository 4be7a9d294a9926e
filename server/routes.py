"""HTTP routes, found once for the access rules (TG4xx) and for `tabguard surface`.

Per function (all a rule sees of a block): `decorator_routes` reads route decorators and
`handler_for` says whether a function serves HTTP requests, on which methods, and with which guards
(`tabguard.guards`). Per project (`project_routes`), for the surface report: the same plus Django
`urls.py` entries and DRF routers, aiohttp `router.add_*` calls, Flask `add_url_rule`, and
class-based views.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from fnmatch import fnmatch
from typing import Optional

from tabguard.engine.facts import django_view_shape, dotted_name, uses_django
from tabguard.engine.walk import walk
from tabguard.guards import HTTP_VERBS, VIEW_METHODS, Facts, Guards, facts, guards, last_part, words

MUTATING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


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
        path = (
            strings[0]
            if strings and args and isinstance(args[0], ast.Constant)
            else _keyword_string(decorator, "path", "rule")
        )
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
            listed = [
                e.value.upper() for e in keyword.value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)
            ]
            if listed:
                return tuple(listed)
    return ("GET",)


def django_function_view(func: ast.AST, imports: dict[str, str]) -> bool:
    """A module-level `def view(request, ...)` in a module that imports Django or DRF (`django_view_shape`)."""
    return isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)) and django_view_shape(func, imports)


def view_class_method(func: ast.AST, cls: Optional[ast.AST], imports: dict[str, str]) -> bool:
    """A request method (`get`, `post`, `destroy`...) of a class-based view in a web framework module."""
    if not isinstance(cls, ast.ClassDef) or not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    if func.name not in VIEW_METHODS or framework_of(imports) == "unknown":
        return False
    params = func.args.posonlyargs + func.args.args
    names = [p.arg for p in params]
    return (
        len(names) >= 1
        and names[0] == "self"
        and _is_view_class(cls)
        and not _for_subclassing(cls)
        and _delegated_method(func) is None
    )


def _delegated_method(func: ast.AST) -> Optional[str]:
    """`def delete(self, request, *a, **k): return self.get(request, *a, **k)`: the request method whose
    work this one hands over to (a redirect that answers every method alike), else None. That method is
    judged itself; this one takes no action of its own, whatever its name says."""
    body = [s for s in func.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    if len(body) != 1 or not isinstance(body[0], ast.Return) or not isinstance(body[0].value, ast.Call):
        return None
    called = body[0].value.func
    if isinstance(called, ast.Attribute) and dotted_name(called.value) == "self" and called.attr in VIEW_METHODS:
        return called.attr if called.attr != func.name else None
    return None


def _for_subclassing(cls: ast.ClassDef) -> bool:
    """`BaseDeleteView`, `ModelFormMixin`: named as a class to build views from, never routed itself.
    The view an application routes subclasses it, and that is where access is decided."""
    return cls.name.startswith("Base") or cls.name.endswith("Mixin")


_VIEW_SUFFIXES = ("View", "ViewSet", "Resource", "Handler", "Endpoint", "APIView")


def _is_view_class(cls: ast.ClassDef) -> bool:
    """A view base (`View`, `APIView`...), or a mixin on a class named as a view (`ArchiveView(DeletionMixin,
    ...)`). Mixins alone say nothing: a test client built from a `ClientMixin` has `get`/`delete` methods
    too, and they send requests rather than serve them."""
    bases = [last_part(dotted_name(b)) for b in cls.bases]
    if any(b.endswith(_VIEW_SUFFIXES) for b in bases):
        return True
    return cls.name.endswith(_VIEW_SUFFIXES) and any(b.endswith("Mixin") for b in bases)


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


def _hook_wrappers(decls: list[RouteDecl], hooks: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """Routes on a receiver with a `before_request` hook are assumed checked there (its body is in
    another block): the hook counts as a login check, or as an admin check on an admin blueprint."""
    found = []
    for decl in decls:
        if decl.receiver in hooks or "app" in hooks:
            admin = decl.receiver in hooks and "admin" in words(decl.receiver)
            found.append(("admin_required" if admin else "login_required", f"{decl.receiver}.before_request hook"))
    return tuple(found)


@dataclass
class Handler:
    """A function that serves HTTP requests, with its routes and guards."""

    func: ast.AST
    cls: Optional[ast.ClassDef]
    decls: list[RouteDecl]
    methods: tuple[str, ...]
    guards: Guards
    seen: Facts  # what the handler's body mentions (`guards.facts`)
    prefixes: dict[str, str] = field(default_factory=dict)  # receiver -> its path prefix (`ModuleFacts.prefixes`)
    registered: tuple[str, ...] = ()  # paths it is registered under by a call (`ModuleFacts.routed`)

    @property
    def mutating(self) -> bool:
        return bool(set(self.methods) & MUTATING_METHODS)

    @property
    def paths(self) -> tuple[str, ...]:
        """The full paths, with the prefix of the blueprint or router the route hangs off."""
        declared = tuple((self.prefixes.get(d.receiver, "") + d.path) or "/" for d in self.decls)
        return declared + self.registered


def handler_for(func: ast.AST, ctx) -> Optional[Handler]:
    """The handler served by `func` as a rule sees it (`ctx`: the engine Context), else None."""
    if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    parent = ctx.parent(func)
    cls = parent if view_class_method(func, parent, ctx.module.imports) else None
    decls = decorator_routes(func)
    imports = ctx.module.imports
    # `app.router.add_get("/x", func)`, `Route("/x", func)` elsewhere in the module
    registered = ctx.module.routed.get(func.name, ()) if not decls and isinstance(parent, ast.Module) else ()
    if not (decls or cls is not None or registered) and not (
        isinstance(parent, ast.Module) and django_function_view(func, imports)
    ):
        return None
    hooks = _hook_wrappers(decls, frozenset(ctx.module.request_hooks))
    hooks += tuple(
        (wrapper, f"{last_part(wrapper)}() where the route is registered")
        for _, _, wrappers in registered
        for wrapper in wrappers
    )
    hooks += tuple(
        (name, f"Depends({name}) on {decl.receiver}")
        for decl in decls
        for name in ctx.module.dependencies.get(decl.receiver, ())
    )
    found = guards(func, ctx, cls=cls, wrappers=hooks)
    receiver = next((d.receiver for d in decls if d.receiver != "app"), None)
    if (
        receiver is not None
        and found.role is None
        and _imported(receiver, imports)
        and _privileged_module(receiver, ctx.path)
    ):
        # A router or blueprint dedicated to administration, imported from another module, is taken as
        # guarded where it is created. One created here is guarded only by what this module shows (its
        # hooks and dependencies, already among the guards): its name alone protects nothing.
        found.role = f"{receiver} (administration router, guard assumed where it is created)"
        found.authentication = found.authentication or found.role
    if registered:
        methods = tuple(dict.fromkeys(m for _, listed, _ in registered for m in listed))
    else:
        methods = handler_methods(func, cls, decls, ctx)
    paths = tuple(path for path, _, _ in registered)
    return Handler(func, cls, decls, methods, found, facts(func, ctx), ctx.module.prefixes, paths)


def _imported(receiver: str, imports: dict[str, str]) -> bool:
    return receiver.split(".")[0] in imports


def _privileged_module(receiver: str, path: str) -> bool:
    parts = re.split(r"[/\\]", path or "")[-2:]
    said = set(words(receiver)) | {w for part in parts for w in words(re.sub(r"\.pyw?$", "", part))}
    return bool(said & {"admin", "staff", "backoffice", "superuser", "internal"})


def handler_methods(func: ast.AST, cls: Optional[ast.ClassDef], decls: list[RouteDecl], ctx) -> tuple[str, ...]:
    if decls:
        return tuple(dict.fromkeys(m for d in decls for m in d.methods))
    if cls is not None:
        return (VIEW_METHODS[func.name],)
    methods: list[str] = []
    for decorator in func.decorator_list:
        name = last_part(dotted_name(decorator.func if isinstance(decorator, ast.Call) else decorator))
        if name in ("require_POST", "require_GET", "require_safe"):
            methods.append({"require_POST": "POST", "require_GET": "GET", "require_safe": "GET"}[name])
        elif name in ("require_http_methods", "api_view") and isinstance(decorator, ast.Call) and decorator.args:
            listed = decorator.args[0]
            if isinstance(listed, (ast.List, ast.Tuple)):
                methods += [
                    e.value.upper() for e in listed.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)
                ]
    if not methods:
        # `if request.method == "POST":` inside a Django view
        for node in facts(func, ctx).checks:
            if isinstance(node, ast.Compare) and dotted_name(node.left) == "request.method":
                methods += [
                    c.value for c in node.comparators if isinstance(c, ast.Constant) and isinstance(c.value, str)
                ]
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


_FRAMEWORK_ROOTS = (
    ("fastapi", "fastapi"),
    ("starlette", "fastapi"),
    ("aiohttp", "aiohttp"),
    ("django", "django"),
    ("rest_framework", "django"),
    ("flask", "flask"),
    ("flask_restful", "flask"),
    ("flask_restx", "flask"),
    ("quart", "flask"),
    ("tornado", "tornado"),
    ("falcon", "falcon"),
    ("pyramid", "pyramid"),
    ("sanic", "sanic"),
    ("litestar", "litestar"),
)
_DJANGO_URL_FUNCTIONS = frozenset(
    {"django.urls.path", "django.urls.re_path", "django.conf.urls.url", "path", "re_path", "url"}
)
_AIOHTTP_ADDERS = {f"add_{verb}": verb.upper() for verb in HTTP_VERBS}
_GENERIC_VIEW_METHODS = (
    ("DeleteView", ("GET", "POST")),
    ("UpdateView", ("GET", "POST")),
    ("CreateView", ("GET", "POST")),
    ("FormView", ("GET", "POST")),
    ("RetrieveUpdateDestroyAPIView", ("GET", "PUT", "PATCH", "DELETE")),
    ("RetrieveDestroyAPIView", ("GET", "DELETE")),
    ("RetrieveUpdateAPIView", ("GET", "PUT", "PATCH")),
    ("ListCreateAPIView", ("GET", "POST")),
    ("DestroyAPIView", ("DELETE",)),
    ("UpdateAPIView", ("PUT", "PATCH")),
    ("CreateAPIView", ("POST",)),
    ("ModelViewSet", ("GET", "POST", "PUT", "PATCH", "DELETE")),
)
# DRF router routes: (suffix, viewset method)
_VIEWSET_ROUTES = (
    ("", "list"),
    ("", "create"),
    ("{pk}/", "retrieve"),
    ("{pk}/", "update"),
    ("{pk}/", "partial_update"),
    ("{pk}/", "destroy"),
)
_MODEL_VIEWSET_ACTIONS = {
    "ModelViewSet": ("list", "create", "retrieve", "update", "partial_update", "destroy"),
    "ReadOnlyModelViewSet": ("list", "retrieve"),
}


def framework_of(imports: dict[str, str]) -> str:
    roots = {target.lstrip(".").split(".")[0] for target in imports.values()}
    for root, name in _FRAMEWORK_ROOTS:
        if root in roots:
            return name
    return "unknown"


def load_source(display: str, text: str, options: dict, ruleset) -> Optional[SourceFile]:
    """A file parsed for `tabguard surface`, with the rules (`ruleset`) its helpers' summaries use."""
    from tabguard.engine.context import Context
    from tabguard.engine.facts import ModuleFacts, collect_facts
    from tabguard.engine.summaries import SummaryProvider

    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    lines = text.split("\n")
    ctx = Context(lines, ModuleFacts.merge([collect_facts(tree, text)]), display, options)
    for node in walk(tree):
        for child in ast.iter_child_nodes(node):
            ctx.parents[id(child)] = node
    # The module's helpers as the rules see them, so that a check made in one (`get_post` refusing
    # anyone but the author) guards the routes here as it does there.
    ctx.provider = SummaryProvider(ruleset, display, options, ctx.module, _definitions_text(tree, lines))
    module = re.sub(r"(/__init__)?\.py$", "", display.replace("\\", "/")).strip("/").replace("/", ".")
    source = SourceFile(display, module, tree, ctx)
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            source.definitions[stmt.name] = stmt
    return source


def _definitions_text(tree: ast.Module, lines: list[str]):
    """`function_source` for a whole parsed file: the text and first line of the last top-level
    definition of a name, decorators included (what a document's block holds)."""
    definitions = {
        stmt.name: stmt for stmt in tree.body if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    }

    def source(name: str) -> Optional[tuple[str, int]]:
        node = definitions.get(name)
        if node is None:
            return None
        first, last = _lines(node)
        return "\n".join(lines[first - 1 : last]) + "\n", first - 1

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


def _route(
    source: SourceFile,
    line: int,
    methods,
    path: str,
    handler: str,
    found: Guards,
    node: ast.AST,
    handler_source: Optional[SourceFile] = None,
) -> Route:
    target = handler_source or source
    return Route(
        source.display,
        line,
        tuple(methods),
        path,
        handler,
        framework_of(target.ctx.module.imports),
        found,
        target.display,
        _lines(node),
    )


def _decorated_routes(source: SourceFile) -> list[Route]:
    """Routes declared by decorators, judged as the rules judge them (`handler_for`)."""
    ctx = source.ctx
    routes = []
    for node in walk(source.tree):
        if isinstance(node, ast.ClassDef):
            for decl in decorator_routes(node):  # aiohttp `@routes.view("/path")` class views
                routes += _class_routes(source, node, decl.path, decl.node.lineno)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or not decorator_routes(node):
            continue
        found = handler_for(node, ctx)
        if found is None:
            continue
        for decl, path in zip(found.decls, found.paths):
            routes.append(_route(source, decl.node.lineno, decl.methods, path, node.name, found.guards, node))
    return routes


def _class_routes(
    source: SourceFile,
    cls: ast.ClassDef,
    path: str,
    line: int,
    wrappers: tuple[tuple[str, str], ...] = (),
    declared_in: Optional[SourceFile] = None,
    actions: Optional[dict[str, str]] = None,
) -> list[Route]:
    """One route per request method a class-based view defines (or inherits from a generic view)."""
    ctx = source.ctx
    where = declared_in or source
    routes = []
    methods = [s for s in cls.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and s.name in VIEW_METHODS]
    if actions is not None:
        methods = [m for m in methods if m.name in actions]
    for method in methods:
        found = guards(method, ctx, cls=cls, wrappers=wrappers)
        verb = VIEW_METHODS[method.name]
        sub_path = actions[method.name] if actions else path
        routes.append(_route(where, line, (verb,), sub_path, f"{cls.name}.{method.name}", found, method, source))
    if not methods and actions is None:
        inherited = _inherited_methods(cls)
        if inherited:
            found = guards(cls, ctx, wrappers=wrappers)
            routes.append(_route(where, line, inherited, path, cls.name, found, cls, source))
    return routes


def _inherited_methods(cls: ast.ClassDef) -> tuple[str, ...]:
    bases = [last_part(dotted_name(b)) for b in cls.bases]
    for base in bases:
        for generic, methods in _GENERIC_VIEW_METHODS:
            if base == generic:
                return methods
    return ("GET",) if any(b.endswith(("View", "APIView", "ViewSet")) for b in bases) else ()


def _registered_routes(source: SourceFile, sources: list[SourceFile]) -> list[Route]:
    """`app.add_url_rule(...)`, aiohttp `app.router.add_get(...)` / `web.post(...)`, DRF `router.register`."""
    routes = []
    for node in walk(source.tree):
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
        elif (
            verb == "register" and strings and len(node.args) >= 2 and "router" in (dotted_name(node.func.value) or "")
        ):
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
        inherited = next(
            (a for b in cls.bases for k, a in _MODEL_VIEWSET_ACTIONS.items() if last_part(dotted_name(b)) == k), ()
        )
        found = guards(cls, home.ctx)
        for action in inherited:
            routes.append(
                _route(
                    source,
                    call.lineno,
                    (VIEW_METHODS[action],),
                    actions[action],
                    f"{cls.name}.{action}",
                    found,
                    cls,
                    home,
                )
            )
    return routes


def _router_include(source: SourceFile, router: str) -> str:
    """The prefix under which `path("api/", include(router.urls))` mounts a DRF router in the same file."""
    for node in walk(source.tree):
        if (
            isinstance(node, ast.Call)
            and source.ctx.qualname(node.func) in _DJANGO_URL_FUNCTIONS
            and len(node.args) >= 2
        ):
            route, target = node.args[0], node.args[1]
            if isinstance(target, ast.Call) and target.args and dotted_name(target.args[0]) == f"{router}.urls":
                return route.value if isinstance(route, ast.Constant) and isinstance(route.value, str) else ""
    return ""


def _resolved_routes(
    source: SourceFile,
    line: int,
    methods: tuple[str, ...],
    path: str,
    target: ast.AST,
    sources: list[SourceFile],
    wrappers: tuple[tuple[str, str], ...] = (),
) -> list[Route]:
    """Routes for a handler referenced by expression: a function, `View.as_view()`, `login_required(f)`."""
    while isinstance(target, ast.Call):
        name = dotted_name(target.func) or ""
        if last_part(name) in ("as_view", "as_view_func"):
            target = target.func.value if isinstance(target.func, ast.Attribute) else target
            break
        if not target.args:
            return []
        wrappers += ((last_part(name), f"{last_part(name)}() where the route is registered"),)
        target = target.args[0]
    resolved = _resolve(source, target, sources)
    if resolved is None:
        return []
    home, node = resolved
    if isinstance(node, ast.ClassDef):
        return _class_routes(home, node, path, line, wrappers, declared_in=source)
    found = guards(node, home.ctx, wrappers=wrappers)
    methods = methods or handler_methods(node, None, [], home.ctx)
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
        if (
            candidate.module == module
            or candidate.module.endswith("." + module)
            or module.endswith("." + candidate.module)
        ):
            if name in candidate.definitions:
                return candidate, candidate.definitions[name]
    return None


def _django_routes(sources: list[SourceFile]) -> list[Route]:
    """`urlpatterns` entries (`path`, `re_path`, `url`), with the prefixes of the `include()`s above them."""
    entries: list[tuple[SourceFile, ast.Call]] = []
    includes: list[tuple[SourceFile, str, str]] = []  # (including file, prefix, included module)
    for source in sources:
        if not uses_django(source.ctx.module.imports):
            continue
        for node in walk(source.tree):
            if (
                not isinstance(node, ast.Call)
                or source.ctx.qualname(node.func) not in _DJANGO_URL_FUNCTIONS
                or len(node.args) < 2
            ):
                continue
            route, target = node.args[0], node.args[1]
            if not (isinstance(route, ast.Constant) and isinstance(route.value, str)):
                continue
            if isinstance(target, ast.Call) and last_part(dotted_name(target.func)) == "include" and target.args:
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
