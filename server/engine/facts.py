"""Small per-block facts, merged into module facts, so rules never need the whole tree.

A block contributes the names it imports (alias -> qualified name), the functions and classes it
defines, the module-level constants it assigns, the module-level strings it builds from variables, and
the root names it reads (to know which blocks to re-check when an import changes).
"""

from __future__ import annotations

import ast
import keyword
import re
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Optional

if TYPE_CHECKING:
    from tabguard.engine.context import Context


@dataclass
class FunctionFacts:
    name: str
    params: tuple[str, ...]
    decorators: tuple[str, ...]  # dotted source names, e.g. "app.route", "login_required"
    # Indexes of parameters whose value flows to the return value ("simple helper returns").
    returns_params: frozenset[int] = frozenset()


@dataclass
class BlockFacts:
    imports: dict[str, str] = field(default_factory=dict)
    functions: dict[str, FunctionFacts] = field(default_factory=dict)
    # Module-level classes -> their methods' names; `files = FileService(...)` -> "FileService". A call
    # of such a method (`files.read(name)`, `FileService(base).read(name)`) is summarized like a helper.
    classes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    instances: dict[str, str] = field(default_factory=dict)
    # A class's bases as written (`UserRepo(BaseRepo)` -> ("BaseRepo",)), where its inherited methods are.
    bases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # What a class's attributes hold, by the class they are made from: `self.repo = UserRepo()` in a
    # method, `repo: UserRepo` in the body or `def __init__(self, repo: UserRepo)` then `self.repo =
    # repo` -> {"Service.repo": "UserRepo"}. A call `self.repo.find(name)` is a call of `UserRepo.find`.
    held: dict[str, str] = field(default_factory=dict)
    # Classes whose instances hold what they are made from (dataclasses, named tuples, pydantic and
    # attrs models): `Query(name=value).name` is `value`.
    records: dict[str, bool] = field(default_factory=dict)
    constants: dict[str, object] = field(default_factory=dict)
    # `query = "... WHERE name = '%s'" % name` at module level: name -> the building expression's text,
    # so a sink in another block (a script's next statement) sees how the string was made.
    built: dict[str, str] = field(default_factory=dict)
    used_names: tuple[str, ...] = ()  # distinct identifiers of the block, for the readers index
    # Module-level names holding user input (name -> what it came from); known after the block's check.
    tainted: dict[str, str] = field(default_factory=dict)
    # `router = APIRouter(dependencies=[Depends(require_user)])`: router -> its dependency callables.
    dependencies: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # `bp = Blueprint(..., url_prefix="/admin")`, `APIRouter(prefix="/orders")`: receiver -> path prefix.
    prefixes: dict[str, str] = field(default_factory=dict)
    # `CurrentUser = Annotated[User, Depends(get_current_user)]`: type alias -> its text (parameters
    # annotated with the alias get the dependency).
    aliases: dict[str, str] = field(default_factory=dict)
    # `app.router.add_get("/x", handler)`, `Route("/x", handler)`: handler -> its registrations
    # (`tabguard.engine.registrations`).
    routed: dict[str, tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]] = field(default_factory=dict)
    # `@bp.before_request def check(): ...`: receiver ("app" for before_app_request) -> hook function.
    request_hooks: dict[str, str] = field(default_factory=dict)
    # Names shown only in part somewhere (`p.ssn[-4:]`): name -> True. Read from the text (cheap).
    masked: dict[str, bool] = field(default_factory=dict)
    # Models whose records some code ties to the signed-in user (`Order.user_id == current_user.id`,
    # `Note(owner=request.user)`): model -> True. Read from the text (cheap).
    owned: dict[str, bool] = field(default_factory=dict)
    # `conn.create_function("MD5", 1, _md5)`, a statement anywhere in the block: a function handed to a
    # call with the names it is registered under (_md5 -> ("MD5",)), for code that implements a name.
    registered: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Schema classes that keep fields they do not declare (pydantic `extra="allow"`): name -> True.
    open_models: dict[str, bool] = field(default_factory=dict)
    # How the module's code knows who is signed in (`request.user`, `login_required`, ...): the
    # spellings its text uses -> True. Read from the text (cheap).
    sign_ins: dict[str, bool] = field(default_factory=dict)


KINDS = (
    "imports",
    "functions",
    "classes",
    "instances",
    "bases",
    "held",
    "records",
    "constants",
    "built",
    "tainted",
    "dependencies",
    "prefixes",
    "aliases",
    "routed",
    "request_hooks",
    "masked",
    "owned",
    "registered",
    "open_models",
    "sign_ins",
)


@dataclass
class ModuleFacts:
    """The merge of every block's facts, kept up to date incrementally: a name defined by several
    blocks takes the value of the last one, as at run time."""

    imports: dict[str, str] = field(default_factory=dict)
    functions: dict[str, FunctionFacts] = field(default_factory=dict)
    classes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    instances: dict[str, str] = field(default_factory=dict)
    bases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    held: dict[str, str] = field(default_factory=dict)
    records: dict[str, bool] = field(default_factory=dict)
    constants: dict[str, object] = field(default_factory=dict)
    built: dict[str, str] = field(default_factory=dict)
    tainted: dict[str, str] = field(default_factory=dict)
    dependencies: dict[str, tuple[str, ...]] = field(default_factory=dict)
    prefixes: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    routed: dict[str, tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]] = field(default_factory=dict)
    request_hooks: dict[str, str] = field(default_factory=dict)
    masked: dict[str, bool] = field(default_factory=dict)
    owned: dict[str, bool] = field(default_factory=dict)
    registered: dict[str, tuple[str, ...]] = field(default_factory=dict)
    open_models: dict[str, bool] = field(default_factory=dict)
    sign_ins: dict[str, bool] = field(default_factory=dict)
    # How many blocks define each (kind, name): with more than one, the order decides the value.
    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    # Bumped when a class, its bases or what it holds change: `class_members` is kept until then.
    class_revision: int = 0
    _members: Optional[tuple[int, frozenset[str], frozenset[str]]] = field(default=None, repr=False, compare=False)

    def class_members(self) -> tuple[frozenset[str], frozenset[str]]:
        """The method names of the module's classes, and the attributes that hold an instance
        (`held`): asked at each call on an object, computed once per change of the classes."""
        if self._members is None or self._members[0] != self.class_revision:
            methods = frozenset(m for names in self.classes.values() for m in names)
            self._members = (self.class_revision, methods, frozenset(k.rpartition(".")[2] for k in self.held))
        return self._members[1], self._members[2]

    @classmethod
    def merge(cls, blocks: Iterable[BlockFacts]) -> "ModuleFacts":
        blocks = list(blocks)
        merged = cls()
        merged.update((), blocks, lambda: blocks)
        return merged

    def update(
        self,
        removed: Iterable[BlockFacts],
        added: Iterable[BlockFacts],
        in_order: Callable[[], Iterable[BlockFacts]],
        kinds: tuple[str, ...] = KINDS,
    ) -> set[str]:
        """Take out the facts of blocks that went away, put in those of new blocks; `in_order` yields
        every block's facts in document order (read only for names defined more than once). Returns
        the names whose merged value changed."""
        before: dict[tuple[str, str], object] = {}
        rescan: set[tuple[str, str]] = set()
        for sign, group in ((-1, removed), (1, added)):
            for facts in group:
                for kind in kinds:
                    table = getattr(self, kind)
                    for key, value in getattr(facts, kind).items():
                        slot = (kind, key)
                        before.setdefault(slot, table.get(key, _MISSING))
                        count = self.counts.get(slot, 0) + sign
                        if count <= 0:
                            self.counts.pop(slot, None)
                            table.pop(key, None)
                            rescan.discard(slot)
                        else:
                            self.counts[slot] = count
                            if count == 1 and sign > 0:
                                table[key] = value
                            else:
                                rescan.add(slot)
        if any(kind in _CLASS_KINDS for kind, _ in before):
            self.class_revision += 1
        if rescan:
            for facts in in_order():
                for kind in kinds:
                    for key, value in getattr(facts, kind).items():
                        if (kind, key) in rescan:
                            getattr(self, kind)[key] = value
        return {
            key for (kind, key), old in before.items() if not _same(kind, old, getattr(self, kind).get(key, _MISSING))
        }


def _same(kind: str, old: object, new: object) -> bool:
    if kind == "functions" and isinstance(old, FunctionFacts) and isinstance(new, FunctionFacts):
        return old.returns_params == new.returns_params
    return old == new


_MISSING = object()
_CLASS_KINDS = frozenset({"classes", "bases", "held"})


# Django's own packages; an add-on named after them (`django_filters`, `rest_framework_simplejwt`)
# runs only on Django too.
_DJANGO_PACKAGES = ("django", "rest_framework")


def uses_django(imports: dict[str, str]) -> bool:
    """The one Django policy: the module imports (absolutely) from Django, Django REST framework or an
    add-on named after them. Its views take `request` first; a pytest fixture or helper elsewhere that
    also takes `request` first is no view, and an ORM there is no Django QuerySet."""
    return any(target.startswith(_DJANGO_PACKAGES) for target in imports.values())


def django_view_shape(func: ast.FunctionDef | ast.AsyncFunctionDef, imports: dict[str, str]) -> bool:
    """A public function taking `request` first in a Django module: a view, whose other parameters come
    from the URL. Not an error handler (`handler403 = permission_denied`), which Django calls with the
    exception that stopped the request, never from a URL."""
    params = [*func.args.posonlyargs, *func.args.args]
    return (
        bool(params)
        and params[0].arg == "request"
        and not func.name.startswith("_")
        and not (len(params) > 1 and params[1].arg == "exception")
        and uses_django(imports)
    )


def under_main_guard(node: ast.AST, ctx: Context) -> bool:
    """Inside `if __name__ == "__main__":`: code that runs when the file is executed as a script (a
    demo, a self-check), never when it is imported by a server."""
    parent = ctx.parent(node)
    while parent is not None:
        if isinstance(parent, ast.If) and "__main__" in ast.unparse(parent.test):
            return True
        parent = ctx.parent(parent)
    return False


def dotted_name(node: ast.AST) -> Optional[str]:
    """`a.b.c` for a Name/Attribute chain (calls in the chain are skipped: `a().b` -> `a.b`)."""
    parts = []
    while True:
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            return ".".join(reversed(parts))
        elif isinstance(node, ast.Call):
            node = node.func
        else:
            return None


# Text a block must contain to register a route by a call (`tabguard.engine.registrations`).
ROUTE_MARKERS = ("Route(", ".add_", "web.")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# `x.ssn[-4:]`, `card_number[-4:]`: the last characters of a value, the way masks are written.
_LAST_CHARACTERS = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*\[\s*-\s*\d+\s*:\s*\]")
_SIGN_INS = re.compile(
    r"\b(request\.user|current_user|g\.user|get_current_user|login_required|LoginRequiredMixin|IsAuthenticated)\b"
)
# Words that are never a module-level name another block could bind.
_NEVER_BOUND = frozenset(keyword.kwlist) | {"self", "cls"}


def collect_facts(tree: ast.Module, text: str) -> BlockFacts:
    """Facts of one block; cheap: statement-level walks only, names read from the text."""
    facts = BlockFacts()
    # Module-level imports only: an import inside a function binds a local name (see Context).
    for node in _module_statements(tree.body):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            record_import(node, facts.imports)
    for stmt in tree.body:
        _collect_top_level(stmt, facts)
    _collect_registrations(tree.body, facts.registered)
    if any(marker in text for marker in ROUTE_MARKERS):
        from tabguard.engine.registrations import route_registrations  # it reads `dotted_name` from here

        facts.routed = route_registrations(tree.body)
    # Every identifier in the text (a superset of the names read): decides which blocks to re-check
    # when an import or helper changes, so a superset only costs an occasional extra check.
    # Interned: the same names recur in every block of every open file.
    facts.used_names = tuple(sys.intern(n) for n in set(_IDENTIFIER.findall(text)) if n not in _NEVER_BOUND)
    if "[-" in text or "[ -" in text:
        facts.masked = dict.fromkeys(_LAST_CHARACTERS.findall(text), True)
    if "user" in text or "login" in text.lower() or "Authenticated" in text:
        facts.sign_ins = dict.fromkeys(_SIGN_INS.findall(text), True)
    if "user" in text:
        facts.owned = dict.fromkeys(_owned_models(text), True)
    return facts


# The signed-in user as handlers name it, and the fields that hold a record's owner.
_THE_USER = r"(?:current_user|request\.user|self\.request\.user|g\.user|user|me)\b"
_OWNER_FIELD = r"(?:owner|user|author|created_by|creator|customer|patient|account)(?:_id)?"
# `Order.user_id == current_user.id`; `Order.query.filter_by(user_id=current_user.id)`,
# `Order.objects.filter(owner=request.user)`, `Order(user_id=current_user.id, ...)` on one line.
_OWNED_COMPARE = re.compile(r"\b([A-Z]\w*)\." + _OWNER_FIELD + r"\s*==\s*" + _THE_USER)
_OWNED_KEYWORD = re.compile(
    r"\b([A-Z]\w*)(?:\.(?:query|objects)\.\w+)?\((?:[^()\n]|\([^()\n]*\))*?\b"
    + _OWNER_FIELD
    + r"(?:__id)?\s*=\s*"
    + _THE_USER.replace("|user|me", "")
)

# `db.query(Order).filter_by(user_id=current_user.id)`
_OWNED_QUERY = re.compile(
    r"\bquery\(([A-Z]\w*)\)\.\w+\((?:[^()\n]|\([^()\n]*\))*?\b" + _OWNER_FIELD + r"\s*=\s*" + _THE_USER
)


def _owned_models(text: str) -> set[str]:
    return {model for pattern in (_OWNED_COMPARE, _OWNED_KEYWORD, _OWNED_QUERY) for model in pattern.findall(text)}


def _collect_registrations(body: list[ast.stmt], registered: dict[str, tuple[str, ...]]) -> None:
    """Statements (in functions and classes too) that call with string literals and a bare name:
    `register("MD5", 1, _md5)`. Statement-level, like the rest: expressions are not walked."""
    for stmt in body:
        value = stmt.value if isinstance(stmt, (ast.Expr, ast.Assign)) else None
        if isinstance(value, ast.Call):
            labels = tuple(a.value for a in value.args if isinstance(a, ast.Constant) and isinstance(a.value, str))
            for argument in value.args if labels else ():
                if isinstance(argument, ast.Name):
                    registered[argument.id] = registered.get(argument.id, ()) + labels
        for name in _STATEMENT_BLOCKS:
            inner = getattr(stmt, name, None)
            if type(inner) is list:
                _collect_registrations(inner, registered)
        for handler in getattr(stmt, "handlers", None) or ():
            _collect_registrations(handler.body, registered)


_STATEMENT_BLOCKS = ("body", "orelse", "finalbody")


def _module_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    for stmt in body:
        yield stmt
        if isinstance(stmt, (ast.If, ast.Try, ast.With)) or type(stmt).__name__ == "TryStar":
            for field in ("body", "orelse", "finalbody"):
                yield from _module_statements(getattr(stmt, field, []) or [])
            for handler in getattr(stmt, "handlers", []) or []:
                yield from _module_statements(handler.body)


def record_import(node: ast.Import | ast.ImportFrom, imports: dict[str, str]) -> None:
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                imports[alias.asname] = alias.name
            else:
                root = alias.name.split(".")[0]
                imports[root] = root
        return
    module = "." * node.level + (node.module or "")
    for alias in node.names:
        if alias.name == "*":
            continue
        target = f"{module}.{alias.name}" if module and not module.endswith(".") else module + alias.name
        imports[alias.asname or alias.name] = target


def _collect_top_level(stmt: ast.stmt, facts: BlockFacts) -> None:
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
        facts.functions[stmt.name] = function_facts(stmt)
        for decorator in facts.functions[stmt.name].decorators:
            receiver, _, hook = decorator.rpartition(".")
            if hook in ("before_request", "before_app_request") and receiver:
                facts.request_hooks["app" if hook == "before_app_request" else receiver] = stmt.name
    elif isinstance(stmt, ast.ClassDef):
        facts.classes[stmt.name] = tuple(
            s.name for s in stmt.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
        )
        if _allows_extra(stmt):
            facts.open_models[stmt.name] = True
        _collect_class(stmt, facts)
    elif (
        isinstance(stmt, ast.Assign)
        and isinstance(stmt.value, ast.Call)
        and any(k.arg in ("dependencies", "prefix", "url_prefix") for k in stmt.value.keywords)
    ):
        names = _dependency_names(stmt.value)
        prefix = next(
            (
                k.value.value
                for k in stmt.value.keywords
                if k.arg in ("prefix", "url_prefix")
                and isinstance(k.value, ast.Constant)
                and isinstance(k.value.value, str)
            ),
            "",
        )
        for target in stmt.targets:
            if isinstance(target, ast.Name) and names:
                facts.dependencies[target.id] = names
            if isinstance(target, ast.Name) and prefix:
                facts.prefixes[target.id] = prefix.rstrip("/")
    elif isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None and _dependency_alias(stmt.value):
        for target in stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]:
            if isinstance(target, ast.Name):
                facts.aliases[target.id] = ast.unparse(stmt.value)
    elif isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
        value = _literal(stmt.value)
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        for target in targets:
            if not isinstance(target, ast.Name):
                continue
            if value is not _MISSING:
                facts.constants[target.id] = value
            elif _builds_string(stmt.value):
                facts.built[target.id] = ast.unparse(stmt.value)
            elif isinstance(stmt.value, ast.Call) and isinstance(stmt.value.func, ast.Name):
                facts.instances[target.id] = stmt.value.func.id
    elif isinstance(stmt, (ast.If, ast.Try)):
        for child in ast.iter_child_nodes(stmt):
            if isinstance(child, ast.stmt):
                _collect_top_level(child, facts)


# Decorators and bases that make a class a record of the values it is made from.
_RECORD_DECORATORS = frozenset({"dataclass", "define", "frozen", "mutable", "s", "attrs"})
_RECORD_BASES = frozenset({"NamedTuple", "BaseModel", "TypedDict", "Struct"})


def _collect_class(cls: ast.ClassDef, facts: BlockFacts) -> None:
    """A class's bases, what its attributes hold (statement level: `self.x = Made(...)` in its methods,
    annotations), and whether it is a record."""
    bases = tuple(name for name in map(dotted_name, cls.bases) if name and name != "object")
    if bases:
        facts.bases[cls.name] = bases
    decorators = {(dotted_name(d) or "").rpartition(".")[2] for d in cls.decorator_list}
    if decorators & _RECORD_DECORATORS or {b.rpartition(".")[2] for b in bases} & _RECORD_BASES:
        facts.records[cls.name] = True
    for stmt in cls.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            _hold(facts, cls.name, stmt.target.id, stmt.annotation)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            annotated = {a.arg: a.annotation for a in (*stmt.args.args, *stmt.args.kwonlyargs) if a.annotation}
            for inner in _statements(stmt.body):
                if isinstance(inner, ast.Assign) and len(inner.targets) == 1:
                    target, value = inner.targets[0], inner.value
                elif isinstance(inner, ast.AnnAssign) and inner.value is not None:
                    target, value = inner.target, inner.value
                else:
                    continue
                if (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == "self"
                ):
                    if isinstance(value, ast.Call):
                        _hold(facts, cls.name, target.attr, value.func)
                    elif isinstance(value, ast.Name) and value.id in annotated:
                        _hold(facts, cls.name, target.attr, annotated[value.id])


def _hold(facts: BlockFacts, cls: str, attr: str, made_by: ast.expr) -> None:
    """Record that `cls().attr` holds an instance of the class `made_by` names (a plain or dotted
    name starting with a capital letter: a class, not a factory function)."""
    name = dotted_name(made_by) if isinstance(made_by, (ast.Name, ast.Attribute)) else None
    if name and name.rpartition(".")[2][:1].isupper():
        facts.held[f"{cls}.{attr}"] = name


_MAX_PIECES = 64  # a longer `+` chain is not a string worth recording (and deep trees are costly)


def _builds_string(node: ast.expr) -> bool:
    """An f-string, `+`, `%` or `.format` that puts a non-literal into literal text (read without
    the context: the rule asking decides what the names hold). Iterative: chains can be deep."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) and not isinstance(v.value, ast.Constant) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        text = variable = False
        stack: list[ast.expr] = [node]
        for _ in range(_MAX_PIECES):
            if not stack:
                return text and variable
            piece = stack.pop()
            if isinstance(piece, ast.BinOp) and isinstance(piece.op, (ast.Add, ast.Mod)):
                stack += (piece.left, piece.right)
            elif isinstance(piece, ast.Constant):
                text = text or isinstance(piece.value, str)
            else:
                variable = True
                text = text or isinstance(piece, ast.JoinedStr) or _formats(piece)
        return False
    return (
        isinstance(node, ast.Call)
        and _formats(node)
        and any(not isinstance(a, ast.Constant) for a in (*node.args, *(k.value for k in node.keywords)))
    )


def _formats(node: ast.expr) -> bool:
    """`"...".format(...)`."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
        and isinstance(node.func.value, ast.Constant)
        and isinstance(node.func.value.value, str)
    )


def _dependency_alias(value: ast.expr) -> bool:
    """`Annotated[User, Depends(get_current_user)]`: a type that brings a FastAPI dependency."""
    return (
        isinstance(value, ast.Subscript)
        and (dotted_name(value.value) or "").rpartition(".")[2] == "Annotated"
        and any(
            isinstance(node, ast.Call) and (dotted_name(node.func) or "").rpartition(".")[2] in ("Depends", "Security")
            for node in ast.walk(value.slice)
        )
    )


def _dependency_names(call: ast.Call) -> tuple[str, ...]:
    """The callables in `dependencies=[Depends(f), Security(g, ...)]` of a router or app."""
    names = []
    for argument in call.keywords:
        if argument.arg != "dependencies":
            continue
        for node in ast.walk(argument.value):
            if isinstance(node, ast.Call) and (dotted_name(node.func) or "").rpartition(".")[2] in (
                "Depends",
                "Security",
            ):
                name = dotted_name(node.args[0]) if node.args else None
                if name:
                    names.append(name)
    return tuple(names)


def _literal(node: ast.expr) -> object:
    """The value of a constant or a flat list/tuple/set of constants (as a tuple), else _MISSING."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        values = [e.value for e in node.elts if isinstance(e, ast.Constant)]
        if len(values) == len(node.elts):
            return tuple(values)
    return _MISSING


def function_facts(node: ast.FunctionDef | ast.AsyncFunctionDef) -> FunctionFacts:
    args = node.args
    params = tuple(a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs))
    decorators = tuple(filter(None, (dotted_name(d) for d in node.decorator_list)))
    return FunctionFacts(node.name, params, decorators, _returned_params(node, params))


def _returned_params(node: ast.FunctionDef | ast.AsyncFunctionDef, params: tuple[str, ...]) -> frozenset[int]:
    """Parameters whose value reaches a `return` through plain assignments (no calls we don't know).
    Walks statements only, not every expression, to stay cheap."""
    flows: dict[str, set[int]] = {name: {i} for i, name in enumerate(params)}
    result: set[int] = set()
    for stmt in _statements(node.body):
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            flows[stmt.targets[0].id] = _names_in(stmt.value, flows)
        elif isinstance(stmt, ast.Return) and stmt.value is not None:
            result |= _names_in(stmt.value, flows)
        elif isinstance(stmt, ast.If) and stmt.body and isinstance(stmt.body[-1], (ast.Raise, ast.Return)):
            # A helper that refuses bad input (`if not full.startswith(BASE): raise`) returns checked data.
            from tabguard.engine.taint import _rejected_unless_valid  # taint imports this module

            for name in _rejected_unless_valid(stmt.test):
                flows[name] = set()
    return frozenset(result)


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    for stmt in body:
        yield stmt
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for name in ("body", "orelse", "finalbody"):
            inner = getattr(stmt, name, None)
            if inner:
                yield from _statements(inner)
        for handler in getattr(stmt, "handlers", None) or ():
            yield from _statements(handler.body)


def escapes_markup(call: ast.Call) -> bool:
    """`.replace("<", "&lt;")` (or `>`): the step of a hand-written HTML escape that makes a tag
    impossible, as html.escape does."""
    texts = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    return len(call.args) == 2 == len(texts) and texts[0] in ("<", ">") and texts[1][:1] == "&" and texts[1][-1:] == ";"


def _escaped_chain(expr: ast.AST) -> bool:
    """`text.replace("&", "&amp;").replace("<", "&lt;")...`: an escape function's body."""
    while isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "replace":
        if escapes_markup(expr):
            return True
        expr = expr.func.value
    return False


def _names_in(expr: ast.AST, flows: dict[str, set[int]]) -> set[int]:
    if _escaped_chain(expr):
        return set()
    found: set[int] = set()
    for sub in ast.walk(expr):
        if isinstance(sub, ast.Name) and sub.id in flows:
            found |= flows[sub.id]
        elif isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and sub.func.id in ("int", "float", "bool"):
            return set()
    return found


def _allows_extra(cls: ast.ClassDef) -> bool:
    """A pydantic model that keeps undeclared fields: `class M(BaseModel, extra=Extra.allow)`,
    `model_config = ConfigDict(extra="allow")`, or `class Config: extra = "allow"`."""
    settings = [k.value for k in cls.keywords if k.arg == "extra"]
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "model_config" for t in stmt.targets
        ):
            config = stmt.value
            if isinstance(config, ast.Call):
                settings += [k.value for k in config.keywords if k.arg == "extra"]
            elif isinstance(config, ast.Dict):
                settings += [v for k, v in zip(config.keys, config.values) if _is_text(k, "extra")]
        elif isinstance(stmt, ast.ClassDef) and stmt.name == "Config":
            settings += [
                a.value
                for a in stmt.body
                if isinstance(a, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "extra" for t in a.targets)
            ]
    return any(_is_text(v, "allow") or (isinstance(v, ast.Attribute) and v.attr == "allow") for v in settings)


def _is_text(node: Optional[ast.AST], text: str) -> bool:
    return isinstance(node, ast.Constant) and node.value == text
