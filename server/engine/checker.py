"""One shared traversal of a block's tree that feeds every rule and keeps taint scopes current."""

from __future__ import annotations

import ast
from typing import Any, Callable, Iterable, Optional, Sequence

from tabguard.engine.context import Context
from tabguard.engine.facts import ModuleFacts
from tabguard.engine.rule import Rule
from tabguard.engine.summaries import FunctionSummary, SummaryProvider, apply_at_call
from tabguard.engine.taint import Scope
from tabguard.engine.types import Finding
from tabguard.engine.walk import FIELD_TABLE, child_fields

Handler = Callable[[ast.AST, Context], None]
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


class RuleSet:
    """Rules compiled into a dispatch table: node type -> the visitors interested in it. Calls are
    dispatched further by callee name and keywords (`Rule.call_names`, `Rule.call_keywords`);
    `narrow_calls=False` sends every call to every `visit_Call` (to prove the narrowing loses nothing)."""

    def __init__(self, rules: Sequence[Rule], known_ids: Iterable[str] = (), narrow_calls: bool = True):
        self.rules = tuple(rules)
        # Every id a suppression comment may name (the whole catalog, not only the selected rules).
        self.known_ids = frozenset(known_ids) | {rule.id for rule in self.rules}
        table: dict[type, list[tuple[Rule, Handler]]] = {}
        for rule in self.rules:
            for attr in dir(rule):
                if attr.startswith("visit_"):
                    node_type = getattr(ast, attr[len("visit_") :], None)
                    if isinstance(node_type, type):
                        table.setdefault(node_type, []).append((rule, getattr(rule, attr)))
        self.table = {k: tuple(v) for k, v in table.items()}
        self.by_id = {rule.id: rule for rule in self.rules}
        # Rules whose repeats in a file are dropped (`Rule.once_per_file_by`): rule id -> details key.
        self.once_per_file = {rule.id: key for rule in self.rules if (key := getattr(rule, "once_per_file_by", None))}
        # Rules that read comments, which no tree holds: `check_comments(lines, ctx)` once a block.
        self.comment_hooks = tuple(
            (rule, hook) for rule in self.rules if (hook := getattr(rule, "check_comments", None)) is not None
        )
        self.calls = CallDispatch(self.table.pop(ast.Call, ()), narrow_calls)


class CallDispatch:
    """The `visit_Call` handlers a call needs: those of rules that take every call, plus those whose
    `call_names` hold the callee's last name or whose `call_keywords` meet the call's keywords."""

    def __init__(self, handlers: Sequence[tuple[Rule, Handler]], narrow: bool):
        self.every = tuple(
            h for h in handlers if not narrow or (h[0].call_names is None and h[0].call_keywords is None)
        )
        order = {id(h[0]): k for k, h in enumerate(handlers)}
        by_name: dict[str, list[tuple[Rule, Handler]]] = {}
        # None: a `**mapping` argument
        self.by_keyword: dict[Optional[str], tuple[tuple[Rule, Handler], ...]] = {}
        for handler in handlers if narrow else ():
            rule = handler[0]
            for name in rule.call_names or ():
                by_name.setdefault(name, list(self.every)).append(handler)
            for keyword in rule.call_keywords or ():
                self.by_keyword[keyword] = self.by_keyword.get(keyword, ()) + (handler,)
        self.by_name = {k: tuple(sorted(v, key=lambda h: order[id(h[0])])) for k, v in by_name.items()}
        self._order = order

    def handlers(self, node: ast.Call, ctx: Context) -> tuple[tuple[Rule, Handler], ...]:
        func = node.func
        if type(func) is ast.Attribute:
            last = func.attr
        elif type(func) is ast.Name:
            last = (ctx.qualname(func) or func.id).rpartition(".")[2]
        else:
            last = None
        found = self.by_name.get(last, self.every) if last is not None else self.every
        if self.by_keyword and node.keywords:
            extra = [h for k in node.keywords for h in self.by_keyword.get(k.arg, ()) if h not in found]
            if extra:
                found = tuple(
                    sorted({id(h): h for h in (*found, *extra)}.values(), key=lambda h: self._order[id(h[0])])
                )
        return found


class RuleError(Exception):
    """A rule raised while checking a block; carries the rule id for a single report."""

    def __init__(self, rule_id: str, error: BaseException):
        super().__init__(f"{rule_id}: {type(error).__name__}: {error}")
        self.rule_id = rule_id
        self.error = error


def check_tree(
    tree: ast.Module,
    lines: list[str],
    module: ModuleFacts,
    ruleset: RuleSet,
    path: str,
    options: Optional[dict[str, Any]] = None,
    errors: Optional[list[RuleError]] = None,
    tainted: Optional[dict[str, str]] = None,
    *,
    provider: Optional[SummaryProvider] = None,
    summary: Optional[FunctionSummary] = None,
    block_start: int = 0,
) -> list[Finding]:
    """Run every rule over one block's tree; a failing rule is recorded in `errors`, never raised.
    Module-level names left holding user input are written to `tainted` (name -> source label).
    With a `provider`, calls into functions it can summarize report the sinks they reach; with a
    `summary`, the check summarizes that function instead (see engine/summaries.py)."""
    ctx = _context(tree, lines, module, ruleset, path, options, provider, summary, block_start)
    table, calls = ruleset.table, ruleset.calls
    parents = ctx.parents
    stack: list[Any] = [tree]  # nodes, and _Leave markers
    pop, push = stack.pop, stack.append
    while stack:
        node = pop()
        kind = type(node)
        if kind is _Leave:
            _leave(ctx, node.node)
            continue
        tracked = kind in _TRACKED
        if tracked:
            _enter(ctx, node, kind)
        if kind is ast.Import or kind is ast.ImportFrom:
            ctx.import_seen(node)
        handlers = calls.handlers(node, ctx) if kind is ast.Call else table.get(kind)
        if handlers:
            _run(handlers, node, ctx, errors)
        if kind is ast.Call and provider is not None:
            _apply_summary(node, ctx, provider, errors)
        if tracked:
            push(_Leave(node))
        fields = FIELD_TABLE.get(kind) or child_fields(kind)
        children = []
        for name in fields:
            value = getattr(node, name, None)
            if value is None:
                continue
            if type(value) is list:
                for child in value:
                    if isinstance(child, ast.AST):
                        children.append(child)
                        parents[id(child)] = node
            elif isinstance(value, ast.AST):
                children.append(value)
                parents[id(value)] = node
        if children:
            children.reverse()
            stack.extend(children)
    if tainted is not None:
        # Input that counts only for some sinks stays inside its block (see engine/inputs.py).
        tainted.update(
            {name: source.label for name, source in ctx.scope.env.items() if source is not None and not source.only}
        )
    if summary is None:
        _run(ruleset.comment_hooks, lines, ctx, errors)
    return ctx.findings


def _context(
    tree: ast.Module,
    lines: list[str],
    module: ModuleFacts,
    ruleset: RuleSet,
    path: str,
    options: Optional[dict[str, Any]],
    provider: Optional[SummaryProvider],
    summary: Optional[FunctionSummary],
    block_start: int,
) -> Context:
    ctx = Context(lines, module, path, options)
    ctx.tree = tree
    ctx.rules, ctx.provider, ctx.summary, ctx.block_start = ruleset.by_id, provider, summary, block_start
    ctx.known_ids = ruleset.known_ids
    return ctx


def _enter(ctx: Context, node: ast.AST, kind: type) -> None:
    """Taint scopes follow the traversal: a function opens one, a statement updates its own."""
    if kind in _SCOPES:
        ctx.functions.append(node)
        ctx.scope = Scope(ctx, node, ctx.scope)
    else:
        ctx.scope.enter(node)


def _leave(ctx: Context, node: ast.AST) -> None:
    if isinstance(node, _SCOPES):
        if ctx.summary is not None and node is ctx.summary.node and isinstance(node, ast.Lambda):
            ctx.summary.returned(ctx.scope.taint(node.body))  # a summarized lambda returns its body
        ctx.functions.pop()
        ctx.scope = ctx.scope.parent or ctx.scope
    else:
        ctx.scope.leave(node)


def _apply_summary(node: ast.Call, ctx: Context, provider: SummaryProvider, errors: Optional[list[RuleError]]) -> None:
    try:
        apply_at_call(node, ctx, provider)
    except Exception as error:  # a callee that cannot be summarized must not stop the check
        if errors is not None:
            errors.append(RuleError("summaries", error))


def _run(
    handlers: Sequence[tuple[Rule, Callable[[Any, Context], None]]],
    subject: Any,
    ctx: Context,
    errors: Optional[list[RuleError]],
) -> None:
    """Each handler on `subject` (a node, or a block's lines); a failure is recorded in `errors`."""
    for rule, handler in handlers:
        ctx.rule = rule
        try:
            handler(subject, ctx)
        except Exception as error:  # one broken rule must not hide the others
            if errors is not None:
                errors.append(RuleError(rule.id, error))
    ctx.rule = None


class _Leave:
    """A stack marker: the traversal leaves `node` (its children are done)."""

    __slots__ = ("node",)

    def __init__(self, node: ast.AST):
        self.node = node


# Node types whose entry and exit update taint scopes: every statement, scopes, walrus, comprehensions.
_TRACKED = frozenset(
    {t for t in vars(ast).values() if isinstance(t, type) and issubclass(t, ast.stmt)}
    | {ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.NamedExpr, ast.comprehension}
)


def iter_rules(rules: Iterable[Rule], select: Sequence[str] = (), ignore: Sequence[str] = ()) -> list[Rule]:
    """Rules chosen by id prefixes, Ruff-style: `--select TG1 --ignore TG105`."""
    chosen = []
    for rule in rules:
        if select and not any(rule.id.startswith(p) for p in select):
            continue
        if any(rule.id.startswith(p) for p in ignore):
            continue
        chosen.append(rule)
    return chosen
