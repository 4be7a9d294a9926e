"""GraphQL resolvers: their arguments are what the client wrote in the query.

A GraphQL server calls a resolver with the field's arguments as keyword arguments, after the parent
object and the resolve info. Graphene: `resolve_<field>(root, info, **args)` and `mutate(root, info,
**args)` / `mutate_and_get_payload(root, info, **input)` on classes deriving from graphene's types.
Strawberry: methods and functions decorated with `@strawberry.field`, `.mutation` or `.subscription`,
whose parameters other than `self`/`root`/`info` are the arguments. Ariadne: functions bound with
`@query.field("name")` on a `QueryType()`, `MutationType()` or `ObjectType(...)`, called as
`(obj, info, **args)`. In graphene and graphene-django, `info.context` is the web request itself.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from tabguard.engine.facts import dotted_name

if TYPE_CHECKING:
    from tabguard.engine.context import Context

_GRAPHENE_METHODS = ("mutate", "mutate_and_get_payload")
_STRAWBERRY = frozenset({"strawberry.field", "strawberry.mutation", "strawberry.subscription"})
_ARIADNE_BINDERS = frozenset({"QueryType", "MutationType", "SubscriptionType", "ObjectType", "InterfaceType"})
# What precedes the arguments: the parent object and the resolve info.
_NOT_ARGUMENTS = frozenset({"self", "cls", "root", "parent", "obj", "info", "_", "_root", "_info"})


def graphql_arguments(func: ast.FunctionDef | ast.AsyncFunctionDef, ctx: "Context") -> list[ast.arg]:
    """The parameters of a GraphQL resolver that the client's query sets, else []."""
    args = func.args
    params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    if args.kwarg is not None:
        params.append(args.kwarg)  # `**kwargs`: every argument of the field
    names = [p.arg for p in params]
    if "info" not in names:
        return []
    if _graphene(func, ctx) or _ariadne(func, ctx):
        return params[names.index("info") + 1 :]
    if _strawberry(func, ctx):
        return [p for p in params if p.arg not in _NOT_ARGUMENTS]
    return []


def _graphene(func: ast.AST, ctx: "Context") -> bool:
    name = getattr(func, "name", "")
    if not (name.startswith("resolve_") or name in _GRAPHENE_METHODS):
        return False
    cls = ctx.parent(func)
    return isinstance(cls, ast.ClassDef) and any(
        (ctx.qualname(base) or "").startswith(("graphene", "graphene_django", "graphene_sqlalchemy"))
        for base in cls.bases
    )


def _strawberry(func: ast.AST, ctx: "Context") -> bool:
    for decorator in getattr(func, "decorator_list", ()):
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if (ctx.qualname(target) or "") in _STRAWBERRY:
            return True
    return False


def _ariadne(func: ast.AST, ctx: "Context") -> bool:
    """`@query.field("user")` where `query` is bound to an ariadne binder at module level."""
    for decorator in getattr(func, "decorator_list", ()):
        if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)):
            continue
        if decorator.func.attr != "field" or not isinstance(decorator.func.value, ast.Name):
            continue
        binder = ctx.module.instances.get(decorator.func.value.id)
        if binder in _ARIADNE_BINDERS and (ctx.module.imports.get(binder) or "").startswith("ariadne"):
            return True
    return False


def is_info_context(node: ast.AST) -> bool:
    """`info.context`: the request, in graphene's Flask and Django integrations."""
    return isinstance(node, ast.Attribute) and node.attr == "context" and dotted_name(node.value) == "info"
