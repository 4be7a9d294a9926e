"""Inter-procedural data flow: function summaries, applied where the function is called.

A function's summary says which of its parameters reach which sinks (a rule that would flag user
input there), which parameters or sources reach its return value, and what rules noted about the
values it returns (`notes`: TG508 records whether a returned URL's origin is the user's to choose). It is computed by checking the
function once with every parameter standing for user input (`Source.param`): the findings those
parameters cause are recorded instead of reported (`Context.report`), and `return` statements
record what they return (`Scope.leave`). A callee's own calls use their summaries in turn, so a
parameter that reaches a sink two helpers down is part of the summary too.

A call whose argument carries user input and whose callee has a summary gets the callee's sinks
reported at the call, under the sink's rule, with the path (source, call, sink) in `related`.
Callees are found in the same block (a method called on `self`), in the same module (through the
`Document`) and in the workspace's other modules (`WorkspaceIndex`: the file an import names,
parsed once and read again when it changes on disk).
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional

from tabguard.boundary import within
from tabguard.engine.facts import ModuleFacts, collect_facts
from tabguard.engine.grades import Severity
from tabguard.engine.methods import Method, called_method, folder_of, self_class
from tabguard.engine.taint import LOCAL_SINK_CWES, LOCAL_SOURCES, Source
from tabguard.engine.types import Related, Span
from tabguard.project import project_root

if TYPE_CHECKING:
    from tabguard.engine.checker import RuleSet
    from tabguard.engine.context import Context

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_MAX_HOPS = 4  # calls between a summarized function and its sink kept for the path
_MAX_CACHED = 2048  # summaries kept per provider (oldest dropped first)
_MAX_FILE_BYTES = 2_000_000


@dataclass(frozen=True)
class Sink:
    """A place inside a function that one of its parameters reaches."""

    rule_id: str
    span: Span  # in `path`, the file of the function holding the sink
    message: str
    path: str
    function: str  # the function holding the sink
    param: str  # the name the sink's message gives the value (that function's parameter)
    # The calls the value goes through from the summarized function to the sink's (their places in
    # their files, the first few), shown on the finding's path between the call and the sink.
    hops: tuple[Related, ...] = ()


@dataclass
class FunctionSummary:
    name: str
    node: ast.AST
    params: tuple[ast.arg, ...]
    path: str
    offset: int = 0  # the callee's block starts this many lines into its file
    owner: Optional[str] = None  # the class of a method (what `self` is an instance of)
    named: int = 0  # how many of `params` are named ones (then `*args`, then `**kwargs`, when declared)
    sinks: dict[int, list[Sink]] = field(default_factory=dict)
    returns_params: set[int] = field(default_factory=set)
    returns_source: Optional[Source] = None
    # Parameters that are outside input in the function itself (a route's, a WSGI app's `environ`):
    # its own findings already report their sinks, so a call passing them on adds nothing.
    inputs: set[int] = field(default_factory=set)
    # What rules found about the returned values while the function was summarized, by the rule's own
    # key (TG508: whether a URL it returns lets the user choose where it points).
    notes: dict[str, object] = field(default_factory=dict)

    def reached(self, source: Source, rule_id: str, span: Span, message: str) -> None:
        first = self.params[source.param].arg
        for param in (source.param, *sorted(source.others)):
            name = self.params[param].arg
            text = message if param == source.param else message.replace(f"parameter {first!r}", f"parameter {name!r}")
            self.add(param, Sink(rule_id, span.shifted(self.offset), text, self.path, self.name, name))

    def add(self, param: int, sink: Sink) -> None:
        """Record that parameter `param` reaches `sink` (one of this function's, or one a callee reaches)."""
        sinks = self.sinks.setdefault(param, [])
        if sink not in sinks:
            sinks.append(sink)

    def returned(self, source: Optional[Source]) -> None:
        if source is None:
            return
        if source.param is not None:
            self.returns_params.add(source.param)
        elif self.returns_source is None:
            self.returns_source = source

    def bound(self, call: ast.Call) -> list[tuple[int, ast.expr]]:
        """The parameters the arguments of `call` bind, as (parameter index, argument) pairs, `self`
        skipped for a method called on an instance: a positional argument past the named ones binds
        `*args`, a keyword no parameter has `**kwargs`; a `*sequence` may bind any positional
        parameter from its place on (and `*args`), a `**mapping` any parameter no other argument
        binds (and `**kwargs`)."""
        args = self.node.args
        names = [p.arg for p in self.params[: self.named]]
        positional = len(args.posonlyargs) + len(args.args)
        vararg = self.named if args.vararg is not None else None
        kwarg = len(self.params) - 1 if args.kwarg is not None else None
        position = 1 if names[:1] in (["self"], ["cls"]) and isinstance(call.func, ast.Attribute) else 0
        pairs: list[tuple[int, ast.expr]] = []
        for argument in call.args:
            if isinstance(argument, ast.Starred):
                spread = [*range(position, positional), *([vararg] if vararg is not None else [])]
                pairs += [(index, argument.value) for index in spread]
            elif position < positional:
                pairs.append((position, argument))
                position += 1
            elif vararg is not None:
                pairs.append((vararg, argument))
        keyed = [k for k in call.keywords if k.arg is not None]
        for keyword in keyed:
            if keyword.arg in names[len(args.posonlyargs) :]:
                pairs.append((names.index(keyword.arg), keyword.value))
            elif kwarg is not None:
                pairs.append((kwarg, keyword.value))
        taken = {index for index, _ in pairs}
        for keyword in call.keywords:
            if keyword.arg is None:
                open_ = [
                    i
                    for i in range(len(args.posonlyargs), len(names))
                    if i not in taken and names[i] not in ("self", "cls")
                ]
                pairs += [(index, keyword.value) for index in (*open_, *([kwarg] if kwarg is not None else []))]
        return pairs


def summarize(
    func: ast.AST,
    lines: list[str],
    module: ModuleFacts,
    ruleset: "RuleSet",
    path: str,
    options: dict,
    offset: int = 0,
    provider: Optional["SummaryProvider"] = None,
    owner: Optional[str] = None,
) -> FunctionSummary:
    """Check `func` (a node of a tree whose line 1 is `lines[0]`; a method of class `owner`) with its
    parameters standing for user input, and record where they go."""
    from tabguard.engine.checker import check_tree  # the checker applies summaries: imported late

    args = func.args
    named = (*args.posonlyargs, *args.args, *args.kwonlyargs)
    params = (*named, *filter(None, (args.vararg, args.kwarg)))
    summary = FunctionSummary(getattr(func, "name", "<lambda>"), func, params, path, offset, owner, len(named))
    tree = ast.Module(body=[func], type_ignores=[])
    check_tree(tree, lines, module, ruleset, path, options, summary=summary, provider=provider)
    return summary


class SummaryProvider:
    """Finds and summarizes the callee of a call, for one document (or one file of a CLI run).
    `function_source(name)` gives a module-level function's block text and first line."""

    def __init__(
        self,
        ruleset: "RuleSet",
        path: str,
        options: dict,
        module: ModuleFacts,
        function_source: Callable[[str], Optional[tuple[str, int]]],
        workspace: Optional["WorkspaceIndex"] = None,
    ):
        self.ruleset = ruleset
        self.path = path
        self.options = options
        self.module = module
        self.function_source = function_source
        self.workspace = workspace if workspace is not None else WORKSPACE
        # key -> (summary, the functions of other modules it was built from)
        self._cache: dict[tuple, tuple[Optional[FunctionSummary], frozenset]] = {}
        self._busy: set[tuple] = set()
        # While set, the functions of other modules (path, name) that calls asked about: what a
        # block's findings depend on (a change of one of their summaries re-checks the block).
        self.asked: Optional[set[tuple[str, str]]] = None
        # This module's functions whose summary a call asked for: an edit of one re-checks its callers.
        self.summarized: set[str] = set()
        self._roots: dict[tuple, frozenset[str]] = {}
        self._folders: dict[str, Optional[Path]] = {}

    def may_know(self, call: ast.Call, ctx: "Context") -> bool:
        """Cheap test before any taint is computed: the callee is a function of the module being
        checked, a method of a class whose instance the call is made on (`self`, `super()`, an
        attribute of `self` holding one, a class of this module or of the workspace), or a name
        imported from a module of the workspace."""
        func = call.func
        if type(func) is ast.Name:
            if func.id in ctx.module.functions or _lambda(func, ctx) is not None:
                return True
        elif type(func) is ast.Attribute:
            receiver = func.value
            if type(receiver) is ast.Name and receiver.id == "self" or _is_super(receiver):
                return ctx.function is not None
            methods, held = ctx.module.class_members()
            if type(receiver) is ast.Attribute and type(receiver.value) is ast.Name and receiver.value.id == "self":
                if ctx.function is not None and (receiver.attr in held or ctx.module.bases):
                    return self.method(call, ctx) is not None
            elif (func.attr in methods or ctx.module.bases) and self.method(call, ctx) is not None:
                return True
        roots = self.workspace_roots(ctx)
        if not roots:
            return False  # nothing is imported from the workspace: no summary to ask for
        if type(func) is ast.Attribute and self.method(call, ctx) is not None:
            return True
        root = _root(ctx.qualname(func) or "")
        return bool(root) and root in roots

    def unwrapped(self, call: ast.Call, ctx: "Context") -> ast.Call:
        """The call a `functools.partial` object makes: `partial(helper, a)(b)`, or `f(b)` where
        `f = partial(helper, a)`, is `helper(a, b)` (one node per call and block check)."""
        func = call.func
        made: Optional[ast.AST] = func
        if type(func) is ast.Name:
            if func.id in ctx.module.functions or ctx.function is None or not _imports_partial(ctx):
                return call
            made = ctx.model.value_of(func)
        if not (isinstance(made, ast.Call) and made.args and ctx.qualname(made.func) == "functools.partial"):
            return call
        inner = made
        return ctx.memo(
            ("unwrapped", id(call)),
            lambda: ast.copy_location(
                ast.Call(
                    func=inner.args[0],
                    args=[*inner.args[1:], *call.args],
                    keywords=[*inner.keywords, *call.keywords],
                ),
                call,
            ),
        )

    def method(self, call: ast.Call, ctx: "Context") -> Optional[Method]:
        """The method `call` runs (see engine/methods.py), found once per call and block check."""
        return ctx.memo(("called-method", id(call)), lambda: called_method(call, ctx, self))

    def callee(self, call: ast.Call, ctx: "Context") -> Optional[FunctionSummary]:
        func = call.func
        if type(func) is ast.Name and func.id in ctx.module.functions:
            if ctx.path != self.path:  # a function of the other module being summarized
                return self._workspace_summary((ctx.path, func.id))
            found = self.function_source(func.id)
            if found is None:
                return None
            text, start = found
            self.summarized.add(func.id)
            return self.memoized(("module", func.id, text, start), lambda: self._from_text(text, func.id, start))
        if type(func) is ast.Name:
            function = _lambda(func, ctx)
            if function is not None:
                text = "\n".join(ctx.lines[function.lineno - 1 : function.end_lineno])

                def build(function: ast.Lambda = function, name: str = func.id) -> FunctionSummary:
                    summary = summarize(
                        function, ctx.lines, ctx.module, self.ruleset, ctx.path, self.options, ctx.block_start, self
                    )
                    summary.name = name  # a lambda is called by the name it is bound to
                    return summary

                return self.memoized(
                    ("lambda", func.id, ctx.block_start, function.lineno, function.col_offset, text), build
                )
        if type(func) is ast.Attribute and type(func.value) is ast.Name and func.value.id == "self":
            method = _method(ctx, func.attr)
            if method is not None:
                own = self_class(ctx)
                lines = "\n".join(ctx.lines[method.lineno - 1 : method.end_lineno])
                return self.memoized(
                    ("method", method.name, ctx.block_start, lines),
                    lambda: summarize(
                        method, ctx.lines, ctx.module, self.ruleset, ctx.path, self.options, ctx.block_start, self, own
                    ),
                )
        if type(func) is ast.Attribute:
            found = self.method(call, ctx)
            if found is not None:
                if found.path == self.path:
                    return self._class_method(found.owner, found.name)
                return self._workspace_summary((found.path, f"{found.owner}.{found.name}"))
        name = ctx.qualname(func) or ""
        if "." not in name.lstrip(".") or _root(name) not in self.workspace_roots(ctx):
            return None
        target = self.workspace.resolve(name, ctx.path)
        return self._workspace_summary(target) if target is not None else None

    def _workspace_summary(self, target: tuple[str, str]) -> Optional[FunctionSummary]:
        if self.asked is not None:
            self.asked.add(target)
        return self.workspace.summary(target, self)

    def facts_of(self, path: str, ctx: Optional["Context"]) -> Optional[ModuleFacts]:
        """The facts of module `path`: the one being checked, or one of the workspace (its index's)."""
        if ctx is not None and path == ctx.path:
            return ctx.module
        if path == self.path:
            return self.module
        if self.asked is not None:
            self.asked.add((path, ""))  # a change of that module may change what a call here runs
        return self.workspace.facts(path)

    def folder(self, path: str) -> Optional[Path]:
        """The folder the imports of file `path` are looked for from (None: text without a file)."""
        if path not in self._folders:
            self._folders[path] = folder_of(path)
        return self._folders[path]

    def workspace_roots(self, ctx: "Context") -> frozenset[str]:
        """First parts of the import targets that name a module of the workspace: relative ones
        (`.db`, kept with their dots) and those a file beside the checked one (or above it)
        provides. Known per set of imports, so a block check pays a set lookup."""
        targets = ctx.memo("import-targets", lambda: frozenset(ctx.module.imports.values()))
        folder = self.folder(ctx.path)
        found = self._roots.get((targets, folder))
        if found is None:
            found = self._roots[(targets, folder)] = frozenset(
                root
                for root in map(_root, targets)
                if root.startswith(".") or (folder is not None and self.workspace.locate(root, folder) is not None)
            )
        return found

    def _class_method(self, owner: str, method: str) -> Optional[FunctionSummary]:
        """The summary of method `method` of this module's class `owner`."""
        found = self.function_source(owner)
        if found is None:
            return None
        text, start = found
        self.summarized.add(owner)
        return self.memoized(("class", owner, method, text, start), lambda: self._from_text(text, method, start, owner))

    def _from_text(self, text: str, name: str, start: int, owner: Optional[str] = None) -> Optional[FunctionSummary]:
        try:
            tree = ast.parse(text)
        except SyntaxError:
            return None
        body = tree.body
        if owner is not None:
            cls = next((n for n in body if isinstance(n, ast.ClassDef) and n.name == owner), None)
            body = cls.body if cls is not None else []
        node = next((n for n in body if isinstance(n, _FUNCTIONS) and n.name == name), None)
        if node is None:
            return None
        return summarize(
            node, text.splitlines(), self.module, self.ruleset, self.path, self.options, start, self, owner
        )

    def memoized(self, key: tuple, compute: Callable[[], Optional[FunctionSummary]]) -> Optional[FunctionSummary]:
        """`compute()` once per key; what it asked of other modules counts as asked on each use."""
        if key in self._cache:
            found, used = self._cache[key]
            if self.asked is not None:
                self.asked |= used
            return found
        if key in self._busy:  # recursion: the summary being built is not known yet
            return None
        self._busy.add(key)
        outer, self.asked = self.asked, set()
        try:
            found = compute()
        except (RecursionError, ValueError, SyntaxError):
            found = None
        finally:
            self._busy.discard(key)
            used, self.asked = frozenset(self.asked), outer
            if outer is not None:
                outer |= used
        if len(self._cache) >= _MAX_CACHED:
            self._cache.pop(next(iter(self._cache)))
        self._cache[key] = (found, used)
        return found

    def forget(self, changed: set[tuple[str, str]]) -> None:
        """Drop the summaries built from functions of other modules whose summary changed."""
        for key in [k for k, (_, used) in self._cache.items() if not used.isdisjoint(changed)]:
            del self._cache[key]


def _method(ctx: "Context", name: str) -> Optional[ast.AST]:
    """Method `name` of the class around the function being checked."""
    node = ctx.function
    while node is not None and not isinstance(node, ast.ClassDef):
        node = ctx.parent(node)
    if node is None:
        return None
    return next((s for s in node.body if isinstance(s, _FUNCTIONS) and s.name == name), None)


def _imports_partial(ctx: "Context") -> bool:
    return ctx.memo("imports-partial", lambda: any(t.startswith("functools") for t in ctx.module.imports.values()))


def _lambda(name: ast.Name, ctx: "Context") -> Optional[ast.Lambda]:
    """The lambda a local name is bound to (`run = lambda cmd: os.system(cmd)`), in a function that
    binds one (asked of the semantic model only then)."""
    function = ctx.function
    if function is None:
        return None
    binds = ctx.memo(
        ("binds-lambda", id(function)),
        lambda: any(type(s) is ast.Assign and type(s.value) is ast.Lambda for s in ctx.scope_statements(function)),
    )
    value = ctx.model.value_of(name) if binds else None
    return value if isinstance(value, ast.Lambda) else None


def _is_super(node: ast.expr) -> bool:
    return type(node) is ast.Call and type(node.func) is ast.Name and node.func.id == "super"


def _root(dotted: str) -> str:
    """The first module of a dotted name, with a relative import's dots: `.db.find` -> `.db`."""
    bare = dotted.lstrip(".")
    return dotted[: len(dotted) - len(bare)] + bare.split(".", 1)[0]


@dataclass
class IndexedModule:
    path: str
    stamp: tuple
    lines: list[str]
    facts: ModuleFacts
    functions: dict[str, ast.AST]


class WorkspaceIndex:
    """The workspace's modules as far as calls into them need: each file parsed once, its
    functions and facts kept, and read again when its size or modification time changes."""

    def __init__(self):
        self._modules: dict[str, Optional[IndexedModule]] = {}
        self._located: dict[tuple[str, Path], Optional[Path]] = {}
        self._importers: dict[str, Path] = {}  # a file's path as given -> resolved
        # While set, the other modules whose functions an analysis used (path -> stamp): a cached
        # result for a file is only as fresh as these.
        self.consulted: Optional[dict[str, tuple]] = None

    def locate(self, module: str, folder: Path) -> Optional[Path]:
        """The file of `module` (dotted; leading dots are relative to `folder`), looked for in
        `folder` and the folders above it, as a package would be imported from there."""
        key = (module, folder)
        if key not in self._located:
            self._located[key] = self._find(module, folder)
        return self._located[key]

    @staticmethod
    def _find(module: str, folder: Path) -> Optional[Path]:
        level = len(module) - len(module.lstrip("."))
        parts = [p for p in module.lstrip(".").split(".") if p]
        searched = _project_folders(folder)
        top = os.path.realpath(searched[-1])
        if level:
            bases = [folder] if level == 1 else [folder.parents[level - 2]] if level - 2 < len(folder.parents) else []
            # `from .. import x` climbs packages: allowed above the project folder only through them.
            if bases and all((f / "__init__.py").is_file() for f in [folder, *folder.parents][: level - 1]):
                top = min(top, os.path.realpath(bases[0]), key=len)
        else:
            bases = searched
        for base in bases:
            candidate = base.joinpath(*parts)
            files = (candidate.with_suffix(".py"), candidate / "__init__.py") if parts else (candidate / "__init__.py",)
            for file in files:
                # Never read outside the project, also not through a symlink or a relative import.
                if file.is_file() and within(top, os.path.realpath(file)):
                    return file
            # A namespace package (a folder of modules without `__init__.py`, as Python 3 imports it):
            # the folder, so that its modules count as the workspace's; no function is read from it.
            if parts and candidate.is_dir() and within(top, os.path.realpath(candidate)):
                return candidate
        return None

    def resolve(self, qualname: str, importer: str) -> Optional[tuple[str, str]]:
        """The file and name of a function named by its qualified name (`db.find_user`,
        `.db.find_user`), as imported from the file `importer`, when the file is in the workspace."""
        module_name, _, function = qualname.rpartition(".")
        if not module_name or not function:
            return None
        resolved = self._importers.get(importer)
        if resolved is None:  # asked at each call into the workspace: resolved once per file
            resolved = self._importers[importer] = Path(importer).resolve()
        file = self.locate(module_name, resolved.parent)
        if file is None and "." in module_name.lstrip("."):
            # `services.Files.read`: method `read` of class `Files` in module `services`.
            module_name, _, owner = module_name.rpartition(".")
            file, function = self.locate(module_name, resolved.parent), f"{owner}.{function}"
        if file is None or file.suffix != ".py" or file == resolved:
            return None  # not found, a namespace package's folder, or the importer itself
        return str(file), function

    def summary(self, target: tuple[str, str], provider: SummaryProvider) -> Optional[FunctionSummary]:
        """The summary of function `target` (file, name), read from the file now (a CLI run reads
        each file once), summarized by `provider`."""
        path, function = target
        module = self.module(path)
        if module is None or function not in module.functions:
            return None
        if self.consulted is not None:
            self.consulted[module.path] = module.stamp
        node = module.functions[function]
        owner = function.rpartition(".")[0] or None
        key = ("workspace", module.path, module.stamp, function)
        return provider.memoized(
            key,
            lambda: summarize(
                node, module.lines, module.facts, provider.ruleset, module.path, provider.options, 0, provider, owner
            ),
        )

    def facts(self, path: str) -> Optional[ModuleFacts]:
        """The facts of the workspace module in file `path` (read from the file now)."""
        module = self.module(path)
        if module is None:
            return None
        if self.consulted is not None:
            self.consulted[module.path] = module.stamp
        return module.facts

    def module(self, path: str) -> Optional[IndexedModule]:
        try:
            stat = os.stat(path)
        except OSError:
            return None
        stamp = (stat.st_size, stat.st_mtime_ns)
        known = self._modules.get(path)
        if known is not None and known.stamp == stamp:
            return known
        if stat.st_size > _MAX_FILE_BYTES:
            return None
        try:
            text = Path(path).read_text(encoding="utf-8")
            tree = ast.parse(text)
        except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
            self._modules[path] = None
            return None
        functions = {n.name: n for n in tree.body if isinstance(n, _FUNCTIONS)}
        for cls in tree.body:
            if isinstance(cls, ast.ClassDef):  # methods by `Class.method`, for calls on its instances
                functions.update({f"{cls.name}.{n.name}": n for n in cls.body if isinstance(n, _FUNCTIONS)})
        indexed = IndexedModule(
            path, stamp, text.splitlines(), ModuleFacts.merge([collect_facts(tree, text)]), functions
        )
        self._modules[path] = indexed
        return indexed

    def forget(self, path: str) -> None:
        """Drop a file and what was located (a file was saved, created or deleted)."""
        self._modules.pop(path, None)
        self._located.clear()
        self._importers.clear()


def _project_folders(folder: Path) -> list[Path]:
    """`folder` and the folders above it up to its project's root (the nearest with a project file,
    at most six up: services nest their packages `app/api/<area>/services/` deep under the project's
    pyproject.toml); a file outside any project sees only its own folder."""
    root = project_root(folder, up=6)
    if root is None:
        return [folder]
    chain = [folder, *folder.parents]
    return chain[: chain.index(root) + 1]


# The process's index: the CLI's workers and the language server each have one.
WORKSPACE = WorkspaceIndex()


def apply_at_call(call: ast.Call, ctx: "Context", provider: SummaryProvider) -> None:
    """Report, at `call`, the sinks of the callee that an argument carrying user input reaches."""
    call = provider.unwrapped(call, ctx)
    if not provider.may_know(call, ctx):
        return
    values = [a.value if isinstance(a, ast.Starred) else a for a in call.args] + [k.value for k in call.keywords]
    tainted = {id(v): source for v in values if (source := ctx.taint(v)) is not None}
    if not tainted:
        return
    summary = provider.callee(call, ctx)
    if summary is None or not summary.sinks:
        return
    reported = set()
    for index, value in summary.bound(call):
        source = tainted.get(id(value))
        for sink in summary.sinks.get(index, ()) if source is not None else ():
            if source.param is not None and ctx.summary is not None:
                summarized = ctx.summary
                hop = Related(
                    ctx.span(value).shifted(summarized.offset),
                    f"passed to `{summary.name}()` as '{summary.params[index].arg}'",
                    summarized.path,
                )
                onward = replace(sink, hops=(hop, *sink.hops)[:_MAX_HOPS])
                for param in (source.param, *source.others):  # summarizing: the caller's parameters reach it too
                    summarized.add(param, onward)
                continue
            rule = ctx.rules.get(sink.rule_id)
            if index in summary.inputs:
                continue
            if rule is None or (rule.id, id(value)) in reported or not source.counts_for(rule.cwe):
                continue  # one finding per rule and argument: the nearest sink (the first recorded)
            if source.label in LOCAL_SOURCES and not set(rule.cwe) <= LOCAL_SINK_CWES:
                continue  # a program's own arguments or terminal, opening files or URLs: no attack surface
            reported.add((rule.id, id(value)))
            where = _where(sink, ctx)
            elsewhere = sink.path if sink.path != ctx.path else None
            step = source.via(ctx.span(value), f"passed to `{summary.name}()` as '{summary.params[index].arg}'")
            for hop in sink.hops:
                there = hop.path if hop.path != ctx.path else None
                step = step.via(hop.span if there else hop.span.shifted(-ctx.block_start), hop.message, there)
            step = step.via(
                sink.span if elsewhere else sink.span.shifted(-ctx.block_start),
                f"reaches the sink in `{sink.function}` ({where})",
                elsewhere,
            )
            ctx.report(
                rule,
                value,
                source=step,
                message=f"{sink.message.replace(repr(sink.param), repr(sink.param) + ' <- ' + source.label)}"
                f" (user input reaches it through `{summary.name}()`, {where})",
                severity=Severity.named(rule.severity).raised().name,
            )


def _where(sink: Sink, ctx: "Context") -> str:
    name = os.path.basename(sink.path) if sink.path != ctx.path else "this file"
    return f"{name}:{sink.span.start_line + 1}"
