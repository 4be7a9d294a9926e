"""Routes registered by a call rather than a decorator, read once per block for the facts.

`app.router.add_get("/files/{id}", get_file)` (aiohttp), `web.post("/x", handler)` in `add_routes`,
`Route("/x", endpoint, methods=["POST"])` (Starlette), `app.add_url_rule("/x", view_func=f)` (Flask),
`app.add_api_route("/x", f, methods=[...])` (FastAPI): handler name -> ((path, methods, wrappers), ...),
where `wrappers` are the callables wrapped around the handler at registration (`login_required(f)`).
"""

from __future__ import annotations

import ast
from typing import Iterator, Optional

from tabguard.engine.facts import dotted_name
from tabguard.engine.walk import walk

_VERBS = ("get", "post", "put", "patch", "delete", "head", "options")
_ADDERS = {f"add_{verb}": (verb.upper(),) for verb in _VERBS}
Registration = tuple[str, tuple[str, ...], tuple[str, ...]]


def route_registrations(body: list[ast.stmt]) -> dict[str, tuple[Registration, ...]]:
    found: dict[str, tuple[Registration, ...]] = {}
    for stmt in _statements(body):
        value = getattr(stmt, "value", None)
        if not isinstance(value, ast.expr):
            continue
        for node in walk(value):
            if isinstance(node, ast.Call):
                read = _registration(node)
                if read is not None:
                    name, entry = read
                    found[name] = found.get(name, ()) + (entry,)
    return found


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    for stmt in body:
        yield stmt
        for field in ("body", "orelse", "finalbody"):
            inner = getattr(stmt, field, None)
            if type(inner) is list and not isinstance(stmt, ast.ClassDef):
                yield from _statements(inner)
        for handler in getattr(stmt, "handlers", None) or ():
            yield from _statements(handler.body)


def _registration(call: ast.Call) -> Optional[tuple[str, Registration]]:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    args = call.args
    strings = [a.value for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    methods = _methods(call)
    target: Optional[ast.expr]
    if name in _ADDERS and len(args) >= 2:
        path, target, methods = args[0], args[1], _ADDERS[name]
    elif name in _VERBS and isinstance(func, ast.Attribute) and dotted_name(func.value) == "web" and len(args) >= 2:
        path, target, methods = args[0], args[1], (name.upper(),)
    elif name == "add_route" and len(strings) >= 2 and strings[0].isupper() and len(args) >= 3:
        path, target, methods = args[1], args[2], (strings[0],)  # aiohttp: add_route("POST", "/x", handler)
    elif name in ("add_route", "add_api_route", "Route") and args:
        path, target = args[0], args[1] if len(args) >= 2 else _keyword(call, "endpoint")
    elif name == "add_url_rule" and args:
        path, target = args[0], _keyword(call, "view_func") or (args[2] if len(args) >= 3 else None)
    else:
        return None
    if not (isinstance(path, ast.Constant) and isinstance(path.value, str) and path.value.startswith("/")):
        return None
    wrappers: list[str] = []
    while isinstance(target, ast.Call) and target.args:  # `login_required(handler)`
        wrappers.append(dotted_name(target.func) or "")
        target = target.args[0]
    if not isinstance(target, ast.Name) or target.id[:1].isupper():
        return None  # a class-based endpoint is judged by its methods
    return target.id, (path.value, methods, tuple(w for w in wrappers if w))


def _methods(call: ast.Call) -> tuple[str, ...]:
    listed = _keyword(call, "methods")
    if isinstance(listed, (ast.List, ast.Tuple, ast.Set)):
        found = tuple(e.value.upper() for e in listed.elts if isinstance(e, ast.Constant) and isinstance(e.value, str))
        if found:
            return found
    return ("GET",)


def _keyword(call: ast.Call, name: str) -> Optional[ast.expr]:
    return next((k.value for k in call.keywords if k.arg == name), None)
