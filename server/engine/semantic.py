"""The semantic model of a block: its scopes, every binding of every name, and which bindings a use
of a name can see. Built lazily, once per block, the first time a rule asks (`Context.model`).

Scopes follow Python: module, class, function, lambda and comprehension. A function looks names up
in itself, then in enclosing functions (not classes), then in the module; `global` and `nonlocal`
send a name to the module or the enclosing function; a comprehension's first iterable belongs to
the enclosing scope and a walrus inside a comprehension binds in the enclosing function.

A binding takes effect where its statement (or expression) ends: in `x = x + 1` the `x` on the
right sees the binding before, and in `x = request.args["q"]; run(x)` on one line the call sees the
new one. A use of a local name sees the bindings before it in its scope that may have run last
(`reaching`): walking back in source order, a binding inside a statement list that does not also
hold the use (an `if`/`elif`/`else` arm, a loop's body or `else`, any part of a `try`, a `with`
body, a `case`) may not have run, so the ones before it reach too, up to one that runs whenever the
use does (in the use's statement list or one around it) or an `if`/`else` whose arms both bind the
name (an arm with a `break` or `continue` does not count). A binding in the other arm of the
`if` (or another `case`) that holds the use does not reach it, unless a loop around them runs both.
Loop back edges are not followed otherwise: a use early in a loop body does not see the bindings
made later in that body. Past a budget of steps per question (a long `elif` chain), each earlier
binding reaches, up to one in the use's statement list or one around it (a superset).
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
_CLIMB = 256  # steps from a binding's block up to the use's blocks that one `reaching` question may take


class Binding:
    """One binding of `name`: its kind, the node that binds (statement, `arg`, `alias`, handler...),
    the value expression when there is one, and where it takes effect (`at`, 1-based line, column)."""

    __slots__ = ("name", "kind", "node", "value", "at", "scope", "block")

    def __init__(
        self,
        name: str,
        kind: str,
        node: ast.AST,
        value: Optional[ast.expr],
        at: Position,
        scope: "Scope",
        block: "Block",
    ):
        self.name = name
        self.kind = kind
        self.node = node
        self.value = value
        self.at = at
        self.scope = scope
        self.block = block  # the statement list it is made in

    @property
    def line(self) -> int:
        return self.at[0]

    @property
    def col(self) -> int:
        return self.at[1]

    def __repr__(self) -> str:
        return f"Binding({self.name!r}, {self.kind}, at={self.at})"


class Block:
    """A statement list of a scope: the scope's own body (`stmt` None) or one arm of a compound
    statement (`arm`: "body", "orelse", "finalbody", a handler's or a case's index). `loop`: a loop
    body holds it, so its statements may run again; `jumps`: a `break` or `continue` of the
    innermost loop around it sits in it, so a binding in it may be skipped."""

    __slots__ = ("parent", "stmt", "arm", "loop", "jumps")

    def __init__(self, parent: Optional["Block"], stmt: Optional[ast.stmt], arm: object):
        self.parent = parent
        self.stmt = stmt
        self.arm = arm
        self.loop = parent is not None and (parent.loop or (arm == "body" and type(stmt) in _LOOPS))
        self.jumps = False


class Scope:
    __slots__ = ("node", "kind", "parent", "bindings", "globals", "nonlocals", "locals", "block")

    def __init__(self, node: ast.AST, kind: str, parent: Optional["Scope"]):
        self.node = node
        self.kind = kind  # module, class, function, lambda, comprehension
        self.parent = parent
        self.bindings: dict[str, list[Binding]] = {}
        self.globals: set[str] = set()
        self.nonlocals: set[str] = set()
        self.locals: set[str] = set()  # names bound here (annotated-only names included)
        self.block = Block(None, None, None)  # its body

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
        self.blocks: dict[int, Block] = {}  # statement of a read scope -> the statement list it is in
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
        """The bindings whose value `name` may hold where it is used, in source order: walking back
        from the use in the scope the name resolves to, each binding before it, until one that runs
        whenever the use does (in the use's statement list or one around it) or an `if`/`else`
        whose arms both bind the name; a binding in a branch that does not hold the use (see the
        module's docstring) may not have run. An augmented assignment (`q += ...`) does not end the
        walk: it extends the bindings before it. A name used in a nested function sees the
        enclosing scope's bindings made before the nested scope ends, as a use at its definition.
        Empty when nothing in the block binds the name before the use."""
        scope = self.scope_of(name)
        if scope is None:
            return ()
        target = self.resolve(scope, name.id)
        if target is None:
            return ()
        at: Position = (name.lineno, name.col_offset)
        user: ast.AST = name
        if target is not scope:
            # Read from a nested scope: what the enclosing scope bound up to the end of that scope.
            inner = scope
            while inner.parent is not None and inner.parent is not target:
                inner = inner.parent
            at = _end(inner.node) if target.kind != "comprehension" else _FAR
            user = inner.node
        elif target.kind == "comprehension":
            at = _FAR  # the element is written before the `for` that binds its names
        around = self._blocks_around(user)
        if target.block not in around:  # a lambda's or a comprehension's, or an odd tree
            around.add(target.block)
        if user is not name:  # a `global`/`nonlocal` write before the use, in the use's own scope
            around |= self._blocks_around(name)
        return self._walk_back(target, name.id, at, around)

    def _blocks_around(self, node: ast.AST) -> set[Block]:
        """The statement lists that hold `node`: that of its nearest statement and each one around
        it, up to its scope's body."""
        block: Optional[Block] = None
        up, blocks = self._known_up, self.blocks
        current: Optional[ast.AST] = node
        while current is not None and block is None:
            block = blocks.get(id(current))
            current = up.get(id(current))
        found = set()
        while block is not None:
            found.add(block)
            block = block.parent
        return found

    def _walk_back(self, target: Scope, name: str, at: Position, around: set[Block]) -> tuple[Binding, ...]:
        """`reaching` for a use at `at` held by the statement lists `around`: O(bindings of the name
        times the depth of the statement lists), that depth capped by `_CLIMB` steps per question
        (past them each earlier binding reaches, up to one in `around`: a superset)."""
        chain: list[Binding] = []
        budget = _CLIMB
        inside = {id(block.stmt) for block in around}  # compound statements holding the use
        armed: dict[int, set] = {}  # id(if) -> its arms known to bind the name (walking back)
        settled: set[Block] = set()  # blocks known to bind the name after the bindings still to walk
        for binding in reversed(target.bindings.get(name, ())):
            if binding.at > at:
                continue
            block = binding.block
            if block in around:
                chain.append(binding)
                if binding.kind != "augmented":
                    break
                continue
            if budget <= 0:
                chain.append(binding)  # may have run; not sorted out further (a long elif chain)
                continue
            # Made in a branch the use is not in: find that branch's arm next to the use's blocks.
            arm, overwritten = block, block in settled
            while arm.parent is not None and arm.parent not in around:
                arm = arm.parent
                overwritten = overwritten or arm in settled
                budget -= 1
            if overwritten:
                continue
            if arm.parent is not None and id(arm.stmt) in inside and type(arm.stmt) in _EXCLUSIVE:
                if not arm.parent.loop:
                    continue  # the other arm of the if/match that holds the use
            elif binding.kind != "augmented" and _settles(block, around, armed, settled):
                chain.append(binding)
                break
            chain.append(binding)
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
        """The expressions that may have made `name`'s value where it is used, in source order: the
        value of each plain binding that reaches it (`x = e`, `x: T = e`, `(x := e)`,
        `with e as x`; one per branch when branches bind it) and those of the `+=` that extended
        them. None when one of the values is not known here (a parameter, a loop variable, an
        import, an unpacked assignment, a name bound outside the block)."""
        return _values(self.reaching(name))

    def value_of(self, name: ast.Name) -> Optional[ast.expr]:
        """One expression for `name`'s value where it is used: `each_value` when one plain binding
        reaches the use, else None (branches bind different values, or `values` is None)."""
        each = self.each_value(name)
        return each[0] if each is not None and len(each) == 1 else None

    def each_value(self, name: ast.Name) -> Optional[list[ast.expr]]:
        """One expression per plain binding that reaches the use (one per branch that binds it), in
        source order: its value with each `+=` after it folded in as a binary operation
        (`q = "a"; q += b` -> `"a" + b`; a `+=` in a branch is folded in as if it ran). None as
        `values`."""
        chain = self.reaching(name)
        values = _values(chain)
        if values is None:
            return None
        each: list[ast.expr] = []
        for binding, value in zip(chain, values):
            if binding.kind != "augmented":
                each.append(value)
                continue
            for k, left in enumerate(each):
                each[k] = ast.copy_location(ast.BinOp(left=left, op=binding.node.op, right=value), binding.node)
        return each


def _at(binding: Binding) -> Position:
    return binding.at


def _values(chain: tuple[Binding, ...]) -> Optional[list[ast.expr]]:
    """`values` of a use that `chain` reaches."""
    if not chain or chain[0].kind == "augmented":
        return None  # extends a value made outside the block
    values = [b.value for b in chain if b.value is not None and (b.kind in VALUE_KINDS or b.kind == "augmented")]
    return values if len(values) == len(chain) else None


def _settles(block: Block, around: set[Block], armed: dict[int, set], settled: set[Block]) -> bool:
    """A plain binding sits directly in `block` (a branch the use is not in): whether the name is
    then bound whenever the use runs, so that no binding before it reaches. It is when the arms of
    an `if`/`else` (nested ones included) all bind it, that `if` sitting in a block of the use.
    Blocks found to bind it go to `settled`, so that earlier bindings in them are skipped (not a
    `try` body's: an exception may stop it between two bindings)."""
    while not block.jumps and not (block.arm == "body" and type(block.stmt) in _TRIES):
        settled.add(block)
        stmt = block.stmt
        if type(stmt) is not ast.If or not stmt.orelse:
            return False
        arms = armed.setdefault(id(stmt), set())
        arms.add(block.arm)
        if len(arms) < 2 or block.parent is None:
            return False
        block = block.parent
        if block in around:
            return True
    return False


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
        self.block = scope.block  # the statement list being read
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
        bindings.append(Binding(name, kind, node, value, at, owner, self.block))
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

    def arm(self, stmt: ast.stmt, arm: object, body: list) -> None:
        """Read one arm of a compound statement, in a block of its own."""
        outer = self.enter(stmt, arm)
        for inner in body:  # not through stmts(): a long elif chain nests deep enough already
            self.stmt(inner)
        self.block = outer

    def enter(self, stmt: ast.stmt, arm: object) -> Block:
        """Start reading an arm of `stmt` (the caller puts the returned outer block back)."""
        outer, self.block = self.block, Block(self.block, stmt, arm)
        return outer

    def stmt(self, node: ast.stmt) -> None:
        kind = type(node)
        self.model.blocks[id(node)] = self.block
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
            self.for_(node)
        elif kind is ast.While or kind is ast.If:
            self.walrus(node.test)
            self.arm(node, "body", node.body)
            self.arm(node, "orelse", node.orelse)
        elif kind in (ast.With, ast.AsyncWith):
            for item in node.items:
                self.walrus(item.context_expr)
                if item.optional_vars is not None:
                    self.target(item.optional_vars, "with", node, item.context_expr, _end(item.optional_vars))
            self.arm(node, "body", node.body)
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
            self.match(node)
        elif kind is ast.Break or kind is ast.Continue:
            self.jump()
        else:
            self.other(node, kind)

    def for_(self, node) -> None:
        self.walrus(node.iter)
        outer = self.enter(node, "body")  # the loop variable is bound only when the body runs
        self.target(node.target, "for", node, node.iter, _end(node.iter))
        self.stmts(node.body)
        self.block = outer
        self.arm(node, "orelse", node.orelse)

    def match(self, node) -> None:
        self.walrus(node.subject)
        for k, case in enumerate(node.cases):
            outer = self.enter(node, k)
            self.pattern(case.pattern)
            self.walrus(case.guard)
            self.stmts(case.body)
            self.block = outer

    def jump(self) -> None:
        """`break`/`continue`: the blocks up to the loop's body may stop before their end."""
        block: Optional[Block] = self.block
        while block is not None and not block.jumps:
            block.jumps = True
            block = block.parent if not (block.arm == "body" and type(block.stmt) in _LOOPS) else None

    def annotated(self, node: ast.AnnAssign) -> None:
        self.walrus(node.value)
        if isinstance(node.target, ast.Name):
            if node.value is not None:
                self.bind(node.target.id, "annotated", node, node.value, _end(node))
            else:  # `x: int` binds nothing but makes `x` local
                (self.model.module if node.target.id in self.scope.globals else self.scope).locals.add(node.target.id)

    def try_(self, node) -> None:
        self.arm(node, "body", node.body)
        for k, handler in enumerate(node.handlers):
            outer = self.enter(node, k)
            if handler.name:
                at = _end(handler.type) if handler.type else _start(handler)
                self.bind(handler.name, "except", handler, None, at)
            self.stmts(handler.body)
            if handler.name:  # Python deletes the name when the handler ends
                self.bind(handler.name, "del", handler, None, _end(handler))
            self.block = outer
        self.arm(node, "orelse", node.orelse)
        self.arm(node, "finalbody", node.finalbody)

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
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_TRIES = tuple(filter(None, (ast.Try, _TRY_STAR)))
_EXCLUSIVE = tuple(filter(None, (ast.If, _MATCH)))  # statements that run one arm at most


_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(kind: type) -> tuple[str, ...]:
    fields = _FIELDS[kind] = tuple(f for f in kind._fields if f not in ("ctx", "op", "type_comment"))
    return fields
