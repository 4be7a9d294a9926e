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
    "assign", "annotated", "augmented", "for", "with", "walrus", "except", "import", "param", "def",
    "class", "del", "comprehension", "match",
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
    """Scopes and bindings of one parsed block (`tree`), and the scope of every name in it."""

    def __init__(self, tree: ast.AST):
        self.tree = tree
        self.module = Scope(tree, "module", None)
        self.scopes: dict[int, Scope] = {id(tree): self.module}  # scope-owning node -> scope
        self._name_scope: dict[int, Scope] = {}  # Name node -> the scope it appears in
        _Builder(self).run()
        for scope in self.scopes.values():
            for bindings in scope.bindings.values():
                bindings.sort(key=_at)

    # -- questions -------------------------------------------------------------------------------
    def scope(self, node: ast.AST) -> Optional[Scope]:
        """The scope a module, class, function, lambda or comprehension node opens."""
        return self.scopes.get(id(node))

    def scope_of(self, name: ast.Name) -> Optional[Scope]:
        """The scope a name node appears in (None for a node not in this block)."""
        return self._name_scope.get(id(name))

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
        scope = self._name_scope.get(id(name))
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
        names = [n for n in ast.walk(self.tree) if type(n) is ast.Name and n.id == binding.name and type(n.ctx) is not ast.Store]
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
    """One recursive pass over the block: opens scopes, records bindings and the scope of each name."""

    def __init__(self, model: SemanticModel):
        self.model = model

    def run(self) -> None:
        module = self.model.module
        tree = self.model.tree
        for stmt in getattr(tree, "body", ()):
            self.stmt(stmt, module)

    # -- recording -------------------------------------------------------------------------------
    def bind(self, scope: Scope, name: str, kind: str, node: ast.AST, value: Optional[ast.expr], at: Position) -> None:
        owner = scope
        if name in scope.globals:
            owner = self.model.module
        elif name in scope.nonlocals:
            owner = self.model._enclosing_function(scope.parent, name) or scope
        owner.locals.add(name)
        owner.bindings.setdefault(name, []).append(Binding(name, kind, node, value, at, owner))

    def target(self, target: ast.AST, scope: Scope, kind: str, node: ast.AST, value: Optional[ast.expr], at: Position) -> None:
        """Bind the names of an assignment target; `value` pairs with the target when it is a name
        (an unpacked element gets its own value only when the right side is a literal tuple/list)."""
        if isinstance(target, ast.Name):
            self.model._name_scope[id(target)] = scope
            self.bind(scope, target.id, kind, node, value, at)
        elif isinstance(target, (ast.Tuple, ast.List)):
            values = value.elts if isinstance(value, (ast.Tuple, ast.List)) and kind != "for" else None
            paired = values is not None and len(values) == len(target.elts) and not any(
                isinstance(e, ast.Starred) for e in (*values, *target.elts)
            )
            for k, element in enumerate(target.elts):
                inner = element.value if isinstance(element, ast.Starred) else element
                self.target(inner, scope, kind, node, values[k] if paired else (value if kind == "for" else None), at)
        elif isinstance(target, ast.Starred):
            self.target(target.value, scope, kind, node, None, at)
        else:  # attribute or subscript: not a name binding, but its parts are uses
            self.expr(target, scope)

    # -- statements ------------------------------------------------------------------------------
    def stmts(self, body: list, scope: Scope) -> None:
        for stmt in body:
            self.stmt(stmt, scope)

    def stmt(self, node: ast.stmt, scope: Scope) -> None:
        kind = type(node)
        if kind in _FUNCTIONS:
            self.function(node, scope)
        elif kind is ast.ClassDef:
            self.klass(node, scope)
        elif kind is ast.Assign:
            self.expr(node.value, scope)
            for target in node.targets:
                self.target(target, scope, "assign", node, node.value, _end(node))
        elif kind is ast.AnnAssign:
            if node.value is not None:
                self.expr(node.value, scope)
            self.annotation(node.annotation, scope)
            if isinstance(node.target, ast.Name):
                self.model._name_scope[id(node.target)] = scope
                if node.value is not None:
                    self.bind(scope, node.target.id, "annotated", node, node.value, _end(node))
                else:  # `x: int` binds nothing but makes `x` local
                    (self.model.module if node.target.id in scope.globals else scope).locals.add(node.target.id)
            else:
                self.expr(node.target, scope)
        elif kind is ast.AugAssign:
            self.expr(node.value, scope)
            self.target(node.target, scope, "augmented", node, node.value, _end(node))
        elif kind in (ast.For, ast.AsyncFor):
            self.expr(node.iter, scope)
            self.target(node.target, scope, "for", node, node.iter, _end(node.iter))
            self.stmts(node.body, scope)
            self.stmts(node.orelse, scope)
        elif kind in (ast.With, ast.AsyncWith):
            for item in node.items:
                self.expr(item.context_expr, scope)
                if item.optional_vars is not None:
                    self.target(item.optional_vars, scope, "with", node, item.context_expr, _end(item.optional_vars))
            self.stmts(node.body, scope)
        elif kind in (ast.Import, ast.ImportFrom):
            for alias in node.names:
                if alias.name != "*":
                    bound = alias.asname or (alias.name.split(".")[0] if kind is ast.Import else alias.name)
                    self.bind(scope, bound, "import", node, None, _end(node))
        elif kind is ast.Global:
            scope.globals.update(node.names)
        elif kind is ast.Nonlocal:
            scope.nonlocals.update(node.names)
        elif kind is ast.Delete:
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.target(target, scope, "del", node, None, _end(node))
                else:
                    self.expr(target, scope)
        elif kind is ast.Try or type(node).__name__ == "TryStar":
            self.stmts(node.body, scope)
            for handler in node.handlers:
                if handler.type is not None:
                    self.expr(handler.type, scope)
                if handler.name:
                    self.bind(scope, handler.name, "except", handler, None, _end(handler.type) if handler.type else _start(handler))
                self.stmts(handler.body, scope)
                if handler.name:  # Python deletes the name when the handler ends
                    self.bind(scope, handler.name, "del", handler, None, _end(handler))
            self.stmts(node.orelse, scope)
            self.stmts(node.finalbody, scope)
        elif type(node).__name__ == "Match":
            self.expr(node.subject, scope)
            for case in node.cases:
                self.pattern(case.pattern, scope)
                if case.guard is not None:
                    self.expr(case.guard, scope)
                self.stmts(case.body, scope)
        else:  # expressions, if/while/return/raise/assert...: uses, and nested statement lists
            for field in _FIELDS.get(kind) or _fields(kind):
                value = getattr(node, field, None)
                if type(value) is list:
                    for child in value:
                        if isinstance(child, ast.stmt):
                            self.stmt(child, scope)
                        elif isinstance(child, ast.AST):
                            self.expr(child, scope)
                elif isinstance(value, ast.AST):
                    self.expr(value, scope)

    def annotation(self, node: Optional[ast.AST], scope: Scope) -> None:
        if node is not None:
            self.expr(node, scope)

    def function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, scope: Scope) -> None:
        args = node.args
        for decorator in getattr(node, "decorator_list", ()):
            self.expr(decorator, scope)
        for default in (*args.defaults, *filter(None, args.kw_defaults)):
            self.expr(default, scope)
        params = [*args.posonlyargs, *args.args, *filter(None, (args.vararg,)), *args.kwonlyargs, *filter(None, (args.kwarg,))]
        for param in params:
            self.annotation(param.annotation, scope)
        self.annotation(getattr(node, "returns", None), scope)
        inner = Scope(node, "lambda" if isinstance(node, ast.Lambda) else "function", scope)
        self.model.scopes[id(node)] = inner
        for param in params:
            self.bind(inner, param.arg, "param", param, None, _start(node))
        if isinstance(node, ast.Lambda):
            self.expr(node.body, inner)
        else:
            # Declarations apply to the whole body, wherever they are written.
            for stmt in _declarations(node.body):
                (inner.globals if isinstance(stmt, ast.Global) else inner.nonlocals).update(stmt.names)
            self.stmts(node.body, inner)
            self.bind(scope, node.name, "def", node, None, _start(node))

    def klass(self, node: ast.ClassDef, scope: Scope) -> None:
        for child in (*node.decorator_list, *node.bases, *(k.value for k in node.keywords)):
            self.expr(child, scope)
        inner = Scope(node, "class", scope)
        self.model.scopes[id(node)] = inner
        for stmt in _declarations(node.body):
            (inner.globals if isinstance(stmt, ast.Global) else inner.nonlocals).update(stmt.names)
        self.stmts(node.body, inner)
        self.bind(scope, node.name, "class", node, None, _start(node))

    def pattern(self, pattern: ast.AST, scope: Scope) -> None:
        for sub in ast.walk(pattern):
            name = getattr(sub, "name", None) if type(sub).__name__ in ("MatchAs", "MatchStar") else None
            rest = getattr(sub, "rest", None) if type(sub).__name__ == "MatchMapping" else None
            for bound in filter(None, (name, rest)):
                self.bind(scope, bound, "match", sub, None, _end(sub))
            if type(sub).__name__ == "MatchValue":
                self.expr(sub.value, scope)

    # -- expressions -----------------------------------------------------------------------------
    def expr(self, node: ast.AST, scope: Scope) -> None:
        stack = [node]
        while stack:
            node = stack.pop()
            kind = type(node)
            if kind is ast.Name:
                self.model._name_scope[id(node)] = scope
                continue
            if kind is ast.Lambda:
                self.function(node, scope)
                continue
            if kind in _COMPREHENSIONS:
                self.comprehension(node, scope)
                continue
            if kind is ast.NamedExpr:
                self.expr(node.value, scope)
                owner = scope
                while owner.kind == "comprehension" and owner.parent is not None:
                    owner = owner.parent
                self.model._name_scope[id(node.target)] = scope
                self.bind(owner, node.target.id, "walrus", node, node.value, _end(node))
                continue
            for field in _FIELDS.get(kind) or _fields(kind):
                value = getattr(node, field, None)
                if type(value) is list:
                    stack.extend(child for child in value if isinstance(child, ast.AST))
                elif isinstance(value, ast.AST):
                    stack.append(value)

    def comprehension(self, node: ast.AST, scope: Scope) -> None:
        generators = node.generators
        self.expr(generators[0].iter, scope)  # evaluated in the enclosing scope
        inner = Scope(node, "comprehension", scope)
        self.model.scopes[id(node)] = inner
        for k, generator in enumerate(generators):
            if k:
                self.expr(generator.iter, inner)
            self.target(generator.target, inner, "comprehension", generator, generator.iter, _end(generator.iter))
            for condition in generator.ifs:
                self.expr(condition, inner)
        if isinstance(node, ast.DictComp):
            self.expr(node.key, inner)
            self.expr(node.value, inner)
        else:
            self.expr(node.elt, inner)


def _declarations(body: list[ast.stmt]):
    """`global` / `nonlocal` statements of a scope's body (nested blocks included, nested scopes not)."""
    stack = list(body)
    while stack:
        stmt = stack.pop()
        if isinstance(stmt, (ast.Global, ast.Nonlocal)):
            yield stmt
        elif not isinstance(stmt, (*_FUNCTIONS, ast.ClassDef)):
            for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                inner = getattr(stmt, field, None)
                if type(inner) is list:
                    stack.extend(inner)


_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(kind: type) -> tuple[str, ...]:
    fields = _FIELDS[kind] = tuple(f for f in kind._fields if f not in ("ctx", "op", "type_comment"))
    return fields
