"""The semantic model of a block: its scopes, every binding of every name, and which bindings a use
of a name can see. Built lazily, once per block, the first time a rule asks (`Context.model`).

Scopes follow Python: module, class, function, lambda and comprehension. A function looks names up
in itself, then in enclosing functions (not classes), then in the module; `global` and `nonlocal`
send a name to the module or the enclosing function; a comprehension's first iterable belongs to
the enclosing scope and a walrus inside a comprehension binds in the enclosing function.

A binding takes effect where its statement (or expression) ends: in `x = x + 1` the `x` on the
right sees the binding before, and in `x = request.args["q"]; run(x)` on one line the call sees the
new one. A use of a local name sees the last binding before it in its scope (`reaching`): source
order, not control flow, so a binding in one branch of an `if` hides one made before the `if`.
"""

from __future__ import annotations

import ast
from typing import Optional

# What made a binding. A binding with no value (parameters, imports, definitions, `del`) leaves the
# value unknown to rules; one with a value (`value`) says which expression the name holds.
KINDS = (
    "assign",
    "annotated",
    "augmented",
    "for",
    "with",
    "walrus",
    "except",
    "import",
    "param",
    "def",
    "class",
    "del",
    "comprehension",
    "match",
)
# Bindings whose `value` is the expression the name holds after the binding.
VALUE_KINDS = frozenset({"assign", "annotated", "walrus", "with"})
Position = tuple[int, int]
_FAR = (1 << 30, 0)


class Binding:
    """One binding of `name`: its kind, the node that binds (statement, `arg`, `alias`, handler...),
    the value expression when there is one, and where it takes effect (`at`, 1-based line, column)."""

    __slots__ = ("name", "kind", "node", "value", "at", "scope")

    def __init__(self, name: str, kind: str, node: ast.AST, value: Optional[ast.expr], at: Position, scope: "Scope"):
        self.name = name
        self.kind = kind
        self.node = node
        self.value = value
        self.at = at
        self.scope = scope

    @property
    def line(self) -> int:
        return self.at[0]

    @property
    def col(self) -> int:
        return self.at[1]

    def __repr__(self) -> str:
        return f"Binding({self.name!r}, {self.kind}, at={self.at})"


class Scope:
    __slots__ = ("node", "kind", "parent", "bindings", "globals", "nonlocals", "locals")

    def __init__(self, node: ast.AST, kind: str, parent: Optional["Scope"]):
        self.node = node
        self.kind = kind  # module, class, function, lambda, comprehension
        self.parent = parent
        self.bindings: dict[str, list[Binding]] = {}
        self.globals: set[str] = set()
        self.nonlocals: set[str] = set()
        self.locals: set[str] = set()  # names bound here (annotated-only names included)

    def __repr__(self) -> str:
        return f"Scope({self.kind}, {getattr(self.node, 'name', '')})"


class SemanticModel:
    """Scopes and bindings of one parsed block (`tree`; `lines`, its text, lets the scan for `:=`
    skip scopes without one). A scope is read when a question first needs it, from its statements
    only (expressions are walked just in a scope whose text holds a walrus), and the scope of a
    name is found through parent links (the checker's, completed by one walk when needed)."""

    def __init__(self, tree: ast.AST, lines: Optional[list[str]] = None, parents: Optional[dict[int, ast.AST]] = None):
        self.tree = tree
        self.lines = lines
        # Parent links of `tree`'s nodes, shared with the checker's traversal when it gives them.
        self._known_up = parents if parents is not None else {}
        self._linked = False
        self.scopes: dict[int, Scope] = {}  # scope-owning node -> its scope, built on demand
        self._name_scope: dict[int, Optional[Scope]] = {}
        self.module: Scope
        self._open(tree, "module", None)

    # -- scopes ----------------------------------------------------------------------------------
    def scope(self, node: ast.AST) -> Optional[Scope]:
        """The scope a module, class, function, lambda or comprehension node opens."""
        found = self.scopes.get(id(node))
        if found is None and isinstance(node, _SCOPE_NODES):
            path = self._path(node)
            if path is not None:
                found = self._scope_on(path + [_inner_child(node)])
        return found

    def scope_of(self, name: ast.AST) -> Optional[Scope]:
        """The scope a name node (or any node of the block) appears in; None when it is not in it."""
        key = id(name)
        if key not in self._name_scope:
            path = self._path(name)
            self._name_scope[key] = self._scope_on(path) if path is not None else None
        return self._name_scope[key]

    def _scope_on(self, path: list[ast.AST]) -> Scope:
        """The innermost scope holding the last node of `path` (root first): a function's
        decorators, defaults and annotations, a class's bases and a comprehension's first iterable
        belong to the scope around them."""
        scope = self.module
        for k in range(len(path) - 1):
            node, child = path[k], path[k + 1]
            kind = type(node)
            if kind in _FUNCTIONS:
                inside = child is not node.args and child is not node.returns and not _among(child, node.decorator_list)
            elif kind is ast.Lambda:
                inside = child is node.body
            elif kind is ast.ClassDef:
                inside = _among(child, node.body)
            elif kind in _COMPREHENSIONS:
                first = node.generators[0]
                inside = not (child is first and k + 2 < len(path) and path[k + 2] is first.iter)
            else:
                continue
            if inside:
                scope = self.scopes.get(id(node)) or self._open(node, _SCOPE_KINDS[kind], scope)
        return scope

    def _open(self, node: ast.AST, kind: str, parent: Optional[Scope]) -> Scope:
        scope = self.scopes[id(node)] = Scope(node, kind, parent)
        if parent is None:
            self.module = scope  # nested scopes read while the module is read write to it
        _Builder(self, scope).run()
        for bindings in scope.bindings.values():
            bindings.sort(key=_at)
        return scope

    def _path(self, target: ast.AST) -> Optional[list[ast.AST]]:
        """The nodes from the root down to `target`, by parent links."""
        up = self._known_up
        if id(target) not in up and target is not self.tree and not self._linked:
            # Every parent link of the block at once: one walk costs less than descending per
            # question (rules ask about many names), and the checker's own links are reused.
            self._linked = True
            stack = [self.tree]
            while stack:
                node = stack.pop()
                for child in _children(node):
                    up[id(child)] = node
                    stack.append(child)
        path = [target]
        while id(path[-1]) in up:
            path.append(up[id(path[-1])])
        return path[::-1] if path[-1] is self.tree else None

    # -- questions -------------------------------------------------------------------------------
    def resolve(self, scope: Scope, name: str) -> Optional[Scope]:
        """The scope whose binding of `name` a use in `scope` refers to (None: a builtin or a name
        bound outside the block)."""
        if name in scope.globals:
            return self.module if name in self.module.locals else None
        if name in scope.nonlocals:
            return self._enclosing_function(scope.parent, name)
        if name in scope.locals:
            return scope
        return self._enclosing(scope.parent, name)

    def _enclosing(self, scope: Optional[Scope], name: str) -> Optional[Scope]:
        while scope is not None:
            if scope.kind != "class" or scope.parent is None:
                found = self.resolve_here(scope, name)
                if found is not None:
                    return found
            scope = scope.parent
        return None

    def _enclosing_function(self, scope: Optional[Scope], name: str) -> Optional[Scope]:
        while scope is not None and scope.kind != "module":
            if scope.kind != "class" and name in scope.locals and name not in scope.globals:
                return scope
            scope = scope.parent
        return None

    def resolve_here(self, scope: Scope, name: str) -> Optional[Scope]:
        if name in scope.globals:
            return self.module if name in self.module.locals else None
        if name in scope.nonlocals:
            return self._enclosing_function(scope.parent, name)
        return scope if name in scope.locals else None

    def reaching(self, name: ast.Name) -> tuple[Binding, ...]:
        """The bindings whose value `name` may hold where it is used: the last binding of the name
        before the use in the scope it resolves to, preceded, when that one is an augmented
        assignment (`q += ...`), by the bindings it extends up to the first plain one. A name used
        in a nested function sees the enclosing scope's bindings made before the nested scope ends.
        Empty when nothing in the block binds the name before the use."""
        scope = self.scope_of(name)
        if scope is None:
            return ()
        return self.reaching_at(scope, name.id, (name.lineno, name.col_offset))

    def reaching_at(self, scope: Scope, name: str, at: Position) -> tuple[Binding, ...]:
        """`reaching` for a name read at position `at` in `scope`."""
        target = self.resolve(scope, name)
        if target is None:
            return ()
        if target is not scope:
            # Read from a nested scope: what the enclosing scope bound up to the end of that scope.
            inner = scope
            while inner.parent is not None and inner.parent is not target:
                inner = inner.parent
            at = _end(inner.node) if target.kind != "comprehension" else _FAR
        elif target.kind == "comprehension":
            at = _FAR  # the element is written before the `for` that binds its names
        chain: list[Binding] = []
        for binding in reversed(target.bindings.get(name, ())):
            if binding.at > at:
                continue
            chain.append(binding)
            if binding.kind != "augmented":
                break
        chain.reverse()
        return tuple(chain)

    def bindings(self, scope: Scope, name: str) -> tuple[Binding, ...]:
        """Every binding of `name` in `scope`, in source order."""
        return tuple(scope.bindings.get(name, ()))

    def uses(self, binding: Binding) -> list[ast.Name]:
        """Def-use: the reads of the name (in source order) that `binding` reaches."""
        names = [
            n
            for n in ast.walk(self.tree)
            if type(n) is ast.Name and n.id == binding.name and type(n.ctx) is not ast.Store
        ]
        return sorted((n for n in names if binding in self.reaching(n)), key=_start)

    def values(self, name: ast.Name) -> Optional[list[ast.expr]]:
        """The expressions that made `name`'s value where it is used: a plain binding's value
        (`x = e`, `x: T = e`, `(x := e)`, `with e as x`) then those of the `+=` that extended it.
        None when the value is not known here (a parameter, a loop variable, an import, an unpacked
        assignment, a name bound outside the block)."""
        chain = self.reaching(name)
        if not chain or chain[0].kind not in VALUE_KINDS or chain[0].value is None:
            return None
        return [binding.value for binding in chain]

    def value_of(self, name: ast.Name) -> Optional[ast.expr]:
        """One expression for `name`'s value where it is used: the plain binding's value, with each
        later `+=` folded in as a binary operation (`q = "a"; q += b` -> `"a" + b`). None as `values`."""
        chain = self.reaching(name)
        if not chain or chain[0].value is None or chain[0].kind not in VALUE_KINDS:
            return None
        value = chain[0].value
        for binding in chain[1:]:
            value = ast.copy_location(ast.BinOp(left=value, op=binding.node.op, right=binding.value), binding.node)
        return value


def _at(binding: Binding) -> Position:
    return binding.at


def _end(node: ast.AST) -> Position:
    return (getattr(node, "end_lineno", None) or getattr(node, "lineno", 0), getattr(node, "end_col_offset", None) or 0)


def _start(node: ast.AST) -> Position:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


class _Builder:
    """Reads one scope: its parameters or generator targets, then its statements in source order
    (nested blocks entered, nested functions and classes only bound by name)."""

    def __init__(self, model: SemanticModel, scope: Scope):
        self.model = model
        self.scope = scope
        lines, node = model.lines, scope.node
        self.has_walrus = (
            lines is None
            or not hasattr(node, "lineno")
            or any(":=" in line for line in lines[node.lineno - 1 : node.end_lineno])
        )

    def run(self) -> None:
        node, scope = self.scope.node, self.scope
        if scope.kind in ("function", "lambda"):
            args = node.args
            for param in (
                *args.posonlyargs,
                *args.args,
                *filter(None, (args.vararg,)),
                *args.kwonlyargs,
                *filter(None, (args.kwarg,)),
            ):
                self.bind(param.arg, "param", param, None, _start(node))
        if scope.kind == "comprehension":
            for generator in node.generators:
                self.target(generator.target, "comprehension", generator, generator.iter, _end(generator.iter))
            return
        if scope.kind == "lambda":
            self.walrus(node.body)
            return
        self.declaring: list[ast.AST] = []
        self.stmts(node.body)
        for inner in self.declaring:  # read now, so that their writes are part of this scope's answers
            if id(inner) not in self.model.scopes:
                self.model._open(inner, "class" if isinstance(inner, ast.ClassDef) else "function", scope)

    # -- recording -------------------------------------------------------------------------------
    def bind(self, name: str, kind: str, node: ast.AST, value: Optional[ast.expr], at: Position) -> None:
        scope = owner = self.scope
        if name in scope.globals:
            owner = self.model.module
        elif name in scope.nonlocals:
            owner = self.model._enclosing_function(scope.parent, name) or scope
        owner.locals.add(name)
        bindings = owner.bindings.setdefault(name, [])
        bindings.append(Binding(name, kind, node, value, at, owner))
        if owner is not scope:  # a `global`/`nonlocal` write lands in a scope already read
            bindings.sort(key=_at)

    def target(self, target: ast.AST, kind: str, node: ast.AST, value: Optional[ast.expr], at: Position) -> None:
        """Bind the names of an assignment target; `value` pairs with the target when it is a name
        (an unpacked element gets its own value only when the right side is a literal tuple/list)."""
        if isinstance(target, ast.Name):
            self.bind(target.id, kind, node, value, at)
        elif isinstance(target, (ast.Tuple, ast.List)):
            values = value.elts if isinstance(value, (ast.Tuple, ast.List)) and kind != "for" else None
            paired = (
                values is not None
                and len(values) == len(target.elts)
                and not any(isinstance(e, ast.Starred) for e in (*values, *target.elts))
            )
            for k, element in enumerate(target.elts):
                inner = element.value if isinstance(element, ast.Starred) else element
                self.target(inner, kind, node, values[k] if paired else (value if kind == "for" else None), at)
        elif isinstance(target, ast.Starred):
            self.target(target.value, kind, node, None, at)

    def walrus(self, expr: Optional[ast.AST]) -> None:
        """`(x := ...)` bindings inside an expression (comprehensions included: they bind here,
        lambdas not); only looked for when the scope's text has a `:=`."""
        if expr is None or not self.has_walrus:
            return
        stack = [expr]
        while stack:
            node = stack.pop()
            if type(node) is ast.NamedExpr:
                self.bind(node.target.id, "walrus", node, node.value, _end(node))
            if type(node) is not ast.Lambda:
                stack.extend(_children(node))

    # -- statements ------------------------------------------------------------------------------
    def stmts(self, body: list) -> None:
        for stmt in body:
            self.stmt(stmt)

    def stmt(self, node: ast.stmt) -> None:
        kind = type(node)
        if kind in _FUNCTIONS or kind is ast.ClassDef:
            for expr in (
                *node.decorator_list,
                *getattr(node, "bases", ()),
                *(k.value for k in getattr(node, "keywords", ())),
            ):
                self.walrus(expr)
            self.bind(node.name, "def" if kind is not ast.ClassDef else "class", node, None, _start(node))
            if _declares(node.body):
                self.declaring.append(node)
        elif kind is ast.Assign:
            self.walrus(node.value)
            for target in node.targets:
                self.target(target, "assign", node, node.value, _end(node))
        elif kind is ast.AnnAssign:
            self.annotated(node)
        elif kind is ast.AugAssign:
            self.walrus(node.value)
            self.target(node.target, "augmented", node, node.value, _end(node))
        elif kind in (ast.For, ast.AsyncFor):
            self.walrus(node.iter)
            self.target(node.target, "for", node, node.iter, _end(node.iter))
            self.stmts(node.body)
            self.stmts(node.orelse)
        elif kind in (ast.With, ast.AsyncWith):
            for item in node.items:
                self.walrus(item.context_expr)
                if item.optional_vars is not None:
                    self.target(item.optional_vars, "with", node, item.context_expr, _end(item.optional_vars))
            self.stmts(node.body)
        elif kind in (ast.Import, ast.ImportFrom):
            for alias in node.names:
                if alias.name != "*":
                    bound = alias.asname or (alias.name.split(".")[0] if kind is ast.Import else alias.name)
                    self.bind(bound, "import", node, None, _end(node))
        elif kind is ast.Global:
            self.scope.globals.update(node.names)
        elif kind is ast.Nonlocal:
            self.scope.nonlocals.update(node.names)
        elif kind is ast.Delete:
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.bind(target.id, "del", node, None, _end(node))
        elif kind is ast.Try or kind is _TRY_STAR:
            self.try_(node)
        elif kind is _MATCH:
            self.walrus(node.subject)
            for case in node.cases:
                self.pattern(case.pattern)
                self.walrus(case.guard)
                self.stmts(case.body)
        else:
            self.other(node, kind)

    def annotated(self, node: ast.AnnAssign) -> None:
        self.walrus(node.value)
        if isinstance(node.target, ast.Name):
            if node.value is not None:
                self.bind(node.target.id, "annotated", node, node.value, _end(node))
            else:  # `x: int` binds nothing but makes `x` local
                (self.model.module if node.target.id in self.scope.globals else self.scope).locals.add(node.target.id)

    def try_(self, node) -> None:
        self.stmts(node.body)
        for handler in node.handlers:
            if handler.name:
                self.bind(
                    handler.name, "except", handler, None, _end(handler.type) if handler.type else _start(handler)
                )
            self.stmts(handler.body)
            if handler.name:  # Python deletes the name when the handler ends
                self.bind(handler.name, "del", handler, None, _end(handler))
        self.stmts(node.orelse)
        self.stmts(node.finalbody)

    def other(self, node: ast.stmt, kind: type) -> None:
        """if/while/expression/return...: walrus in the expressions, then nested statements."""
        for field in _FIELDS.get(kind) or _fields(kind):
            value = getattr(node, field, None)
            if type(value) is list:
                for child in value:
                    if isinstance(child, ast.stmt):
                        self.stmt(child)
                    elif isinstance(child, ast.AST):
                        self.walrus(child)
            elif isinstance(value, ast.AST):
                self.walrus(value)

    def pattern(self, pattern: ast.AST) -> None:
        for sub in ast.walk(pattern):
            name = getattr(sub, "name", None) if type(sub).__name__ in ("MatchAs", "MatchStar") else None
            rest = getattr(sub, "rest", None) if type(sub).__name__ == "MatchMapping" else None
            for bound in filter(None, (name, rest)):
                self.bind(bound, "match", sub, None, _end(sub))


def _declares(body: list[ast.stmt]) -> bool:
    """Whether a `global` or `nonlocal` statement is among these statements (nested ones included)."""
    stack = list(body)
    while stack:
        stmt = stack.pop()
        if isinstance(stmt, (ast.Global, ast.Nonlocal)):
            return True
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            inner = getattr(stmt, field, None)
            if type(inner) is list:
                stack.extend(inner)
    return False


def _children(node: ast.AST) -> list[ast.AST]:
    found = []
    for field in _FIELDS.get(type(node)) or _fields(type(node)):
        value = getattr(node, field, None)
        if type(value) is list:
            found.extend(child for child in value if isinstance(child, ast.AST))
        elif isinstance(value, ast.AST):
            found.append(value)
    return found


def _among(node: ast.AST, nodes: list) -> bool:
    return any(item is node for item in nodes)


def _inner_child(node: ast.AST) -> ast.AST:
    """A node inside the scope `node` opens (to find that scope through `_scope_on`)."""
    if isinstance(node, (*_FUNCTIONS, ast.ClassDef)):
        return node.body[0]
    if isinstance(node, ast.Lambda):
        return node.body
    return node.key if isinstance(node, ast.DictComp) else node.elt


_SCOPE_NODES = (*_FUNCTIONS, ast.ClassDef, ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_SCOPE_KINDS = {
    ast.FunctionDef: "function",
    ast.AsyncFunctionDef: "function",
    ast.Lambda: "lambda",
    ast.ClassDef: "class",
    **dict.fromkeys((ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp), "comprehension"),
}
_TRY_STAR = getattr(ast, "TryStar", None)
_MATCH = getattr(ast, "Match", None)


_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(kind: type) -> tuple[str, ...]:
    fields = _FIELDS[kind] = tuple(f for f in kind._fields if f not in ("ctx", "op", "type_comment"))
    return fields
