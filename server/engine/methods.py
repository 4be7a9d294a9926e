"""Which method a call on an object runs: the class of the receiver, and through that class's bases
the class that defines the method, in this module or in another module of the workspace.

Read from module facts only (engine/facts.py: `classes`, `bases`, `held`, `instances`, `imports`),
this module's and those the workspace index holds for the others, never from their trees: the
language server answers an accepted suggestion without parsing another module.

Receivers known: `self` (the class around the method, or the class a summarized method belongs
to), `super()` (its bases), `self.repo` (the class the class makes or is given for that attribute,
`self.repo = UserRepo()`), a fresh instance (`UserRepo().find`), a class (`UserRepo.find`), a name
bound to an instance in the function or at module level, and a parameter annotated with a class
(`def list_users(repo: UserRepo)`).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from tabguard.engine.facts import ModuleFacts, dotted_name

if TYPE_CHECKING:
    from tabguard.engine.context import Context
    from tabguard.engine.summaries import SummaryProvider

_DEPTH = 6  # bases (or re-exports) followed from one class: deeper hierarchies are not guessed at
ClassRef = tuple[str, str]  # (file, class name)


@dataclass(frozen=True)
class Method:
    path: str  # the file of the class that defines it
    owner: str  # that class
    name: str


def called_method(call: ast.Call, ctx: "Context", provider: "SummaryProvider") -> Optional[Method]:
    """The method `call` runs, when its receiver's class (or one of its bases) is known to define it."""
    func = call.func
    if type(func) is not ast.Attribute:
        return None
    receiver = func.value
    if type(receiver) is ast.Call and type(receiver.func) is ast.Name and receiver.func.id == "super":
        own = self_class(ctx)
        return _inherited((ctx.path, own), func.attr, ctx, provider) if own else None
    found = receiver_class(receiver, ctx, provider)
    return find_method(found, func.attr, ctx, provider) if found is not None else None


def receiver_class(receiver: ast.expr, ctx: "Context", provider: "SummaryProvider") -> Optional[ClassRef]:
    """The class of the object `receiver` evaluates to (or the class it names)."""
    if isinstance(receiver, ast.Name):
        if receiver.id in ("self", "cls"):
            own = self_class(ctx)
            return (ctx.path, own) if own else None
        return _name_class(receiver, ctx, provider)
    if isinstance(receiver, ast.Call):
        made_by = dotted_name(receiver.func) if isinstance(receiver.func, (ast.Name, ast.Attribute)) else None
        return class_named(made_by, ctx.path, ctx.module, provider) if made_by else None
    if isinstance(receiver, ast.Attribute):
        inner = receiver.value
        if isinstance(inner, ast.Name) and inner.id == "self":
            own = self_class(ctx)
            return _held((ctx.path, own), receiver.attr, ctx, provider) if own else None
        name = dotted_name(receiver)  # `repo.UserRepo` (module.Class)
        return class_named(name, ctx.path, ctx.module, provider) if name else None
    return None


def self_class(ctx: "Context") -> Optional[str]:
    """The class `self` is an instance of where the check is: the class a summarized method belongs
    to, else the class around the function in the block."""
    summary = ctx.summary
    if summary is not None and summary.owner is not None and ctx.functions and ctx.functions[0] is summary.node:
        return summary.owner
    node = ctx.function
    while node is not None and type(node) is not ast.ClassDef:
        node = ctx.parent(node)
    return node.name if isinstance(node, ast.ClassDef) else None


def find_method(cls: ClassRef, method: str, ctx: "Context", provider: "SummaryProvider") -> Optional[Method]:
    """The class defining `method` for instances of `cls`: `cls` itself or the first of its bases
    (depth first, as Python's method order is for single inheritance) that does."""
    facts = provider.facts_of(cls[0], ctx)
    if facts is None:
        return None
    if method in facts.classes.get(cls[1], ()):
        return Method(cls[0], cls[1], method)
    return _inherited(cls, method, ctx, provider)


def _inherited(
    cls: ClassRef, method: str, ctx: "Context", provider: "SummaryProvider", depth: int = 0
) -> Optional[Method]:
    facts = provider.facts_of(cls[0], ctx)
    if facts is None or depth >= _DEPTH:
        return None
    for base in facts.bases.get(cls[1], ()):
        found = class_named(base, cls[0], facts, provider)
        if found is None or found == cls:
            continue
        base_facts = provider.facts_of(found[0], ctx)
        if base_facts is not None and method in base_facts.classes.get(found[1], ()):
            return Method(found[0], found[1], method)
        inherited = _inherited(found, method, ctx, provider, depth + 1)
        if inherited is not None:
            return inherited
    return None


def _held(cls: ClassRef, attr: str, ctx: "Context", provider: "SummaryProvider", depth: int = 0) -> Optional[ClassRef]:
    """The class of what attribute `attr` of instances of `cls` holds (set by `cls` or a base)."""
    facts = provider.facts_of(cls[0], ctx)
    if facts is None or depth >= _DEPTH:
        return None
    made_by = facts.held.get(f"{cls[1]}.{attr}")
    if made_by is not None:
        return class_named(made_by, cls[0], facts, provider)
    for base in facts.bases.get(cls[1], ()):
        found = class_named(base, cls[0], facts, provider)
        held = _held(found, attr, ctx, provider, depth + 1) if found is not None and found != cls else None
        if held is not None:
            return held
    return None


def _name_class(name: ast.Name, ctx: "Context", provider: "SummaryProvider") -> Optional[ClassRef]:
    """A local bound to an instance (`repo = UserRepo()`), a parameter annotated with a class, a
    module-level instance, or a class itself."""
    module = ctx.module
    if ctx.function is not None and name.id not in module.imports:  # an imported name is rarely rebound
        chain = ctx.model.reaching(name)
        if chain:
            if len(chain) != 1:
                return None
            binding = chain[0]
            annotation = getattr(binding.node, "annotation", None) if binding.kind == "param" else None
            if isinstance(annotation, (ast.Name, ast.Attribute)):
                made_by = dotted_name(annotation)
            elif binding.kind in ("assign", "annotated") and isinstance(binding.value, ast.Call):
                func = binding.value.func
                made_by = dotted_name(func) if isinstance(func, (ast.Name, ast.Attribute)) else None
            else:
                return None
            return class_named(made_by, ctx.path, module, provider) if made_by else None
    made_by = module.instances.get(name.id)
    return class_named(made_by or name.id, ctx.path, module, provider)


def class_named(
    name: str, path: str, facts: ModuleFacts, provider: "SummaryProvider", depth: int = 0
) -> Optional[ClassRef]:
    """The class that `name` (as written in module `path`, whose facts are `facts`) refers to: one of
    that module's, or one imported from a module of the workspace (through re-exports, such as a
    package's `__init__.py` importing it from a submodule)."""
    root, _, rest = name.partition(".")
    if not rest and name in facts.classes:
        return (path, name)
    target = facts.imports.get(root)
    if target is None or depth >= _DEPTH:
        return None
    module, _, cls = (f"{target}.{rest}" if rest else target).rpartition(".")
    folder = provider.folder(path)
    file = provider.workspace.locate(module, folder) if module and folder is not None else None
    if file is None or file.suffix != ".py" or str(file) == path:
        return None  # not found, a namespace package's folder, or the module itself
    found = str(file)
    other = provider.facts_of(found, None)
    if other is None or cls in other.classes:
        return (found, cls)  # not indexed yet: the summary asked for later says whether it is one
    return class_named(cls, found, other, provider, depth + 1) if cls in other.imports else None


def makes_record(func: ast.expr, ctx: "Context", provider: Optional["SummaryProvider"]) -> bool:
    """`func` names a record class (a dataclass, named tuple, pydantic or attrs model) of this module
    or of one of the workspace: an instance holds what it was made from."""
    name = dotted_name(func) if isinstance(func, (ast.Name, ast.Attribute)) else None
    if not name or not name.rpartition(".")[2][:1].isupper():
        return False
    if name in ctx.module.records:
        return True
    if provider is None or name.partition(".")[0] not in ctx.module.imports:
        return False
    found = class_named(name, ctx.path, ctx.module, provider)
    facts = provider.facts_of(found[0], ctx) if found is not None else None
    return facts is not None and found is not None and found[1] in facts.records


def folder_of(path: str) -> Optional[Path]:
    """The folder imports in file `path` are looked for from (None: text without a file)."""
    try:
        resolved = Path(path).resolve()
    except (OSError, RuntimeError):
        return None
    return resolved.parent if resolved.is_file() or Path(path).is_absolute() else None
