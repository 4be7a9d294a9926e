"""The layers of docs/architecture.md, checked on the imports of every module of the package. An
import anywhere in a module counts (one inside a function is a dependency too): each part imports
only its own layer and the layers below, pygls and lsprotocol only in the language server, libcst
only in the engine and the rules, and no two parts import each other, even through others."""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Lowest first: (layer, its parts). A part is a subpackage (`engine` = `tabguard.engine`) or a
# top-level module (`scan`); `.` is the package's own __init__ (its version). A new part needs a
# layer here and in docs/architecture.md.
LAYERS = (
    ("base", ". atomic boundary counting ignore project sources tables usercache"),
    ("engine", "engine"),
    ("schema", "config_schema"),
    ("knowledge", "supply guards routes"),
    ("rules", "rules"),
    ("config", "config config_outputs rulecodes"),
    ("analysis", "analysis baseline batch docs fix_kinds fixing notebook render scan"),
    ("provenance", "provenance"),
    ("lsp", "lsp"),
    ("cli", "cli __main__ commands output"),
)
RANK = {
    "tabguard" + ("" if p == "." else "." + p): rank for rank, (_, parts) in enumerate(LAYERS) for p in parts.split()
}
ONLY_IN = {"pygls": {"tabguard.lsp"}, "lsprotocol": {"tabguard.lsp"}, "libcst": {"tabguard.engine", "tabguard.rules"}}


def _modules() -> dict[str, Path]:
    """Every module by its installed name (`server/` is `tabguard`, `rules/` is `tabguard.rules`)."""
    found = {}
    for folder, package in ((ROOT / "server", "tabguard"), (ROOT / "rules", "tabguard.rules")):
        for path in folder.rglob("*.py"):
            parts = [package, *path.relative_to(folder).with_suffix("").parts]
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = _modules()


@lru_cache(maxsize=None)
def _imports(path: Path) -> frozenset[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import (the layer check reads absolute ones)"
            names.add(node.module or "")
            names.update(f"{node.module}.{alias.name}" for alias in node.names)  # `from tabguard import boundary`
    return frozenset(names)


def part_of(module: str) -> str:
    """The part a tabguard module belongs to: `tabguard.engine.rule` -> `tabguard.engine`."""
    head = ".".join(module.split(".")[:2])
    return head if head in MODULES else "tabguard"  # `tabguard.__version__`: the package's __init__


@lru_cache(maxsize=None)
def dependencies() -> dict[str, dict[str, set[str]]]:
    """part -> imported part -> the modules of `part` that import it. Read when a test first asks
    (parsing every module at import time cost each test process about a second of collection)."""
    found: dict[str, dict[str, set[str]]] = {}
    for module, path in MODULES.items():
        mine = found.setdefault(part_of(module), {})
        for name in _imports(path):
            if name.split(".")[0] == "tabguard":
                mine.setdefault(part_of(name), set()).add(module)
    return found


def test_every_part_has_a_layer():
    assert set(dependencies()) <= set(RANK), (
        f"give these a layer in LAYERS and docs/architecture.md: {set(dependencies()) - set(RANK)}"
    )
    assert set(RANK) <= set(dependencies()), f"LAYERS names parts that do not exist: {set(RANK) - set(dependencies())}"


def upward(part: str, dependencies: dict[str, dict[str, set[str]]]) -> list[str]:
    """What `part` imports from layers above its own, and where."""
    return sorted(
        f"{target} ({LAYERS[RANK[target]][0]}) from {sorted(modules)}"
        for target, modules in dependencies.get(part, {}).items()
        if RANK[target] > RANK[part]
    )


@pytest.mark.parametrize("part", sorted(RANK))
def test_imports_only_its_layer_and_below(part):
    assert upward(part, dependencies()) == [], f"{part} ({LAYERS[RANK[part]][0]}) imports a higher layer"


@pytest.mark.parametrize("library", sorted(ONLY_IN))
def test_library_stays_in_its_layers(library):
    users = {m for m, path in MODULES.items() if any(n.split(".")[0] == library for n in _imports(path))}
    assert {part_of(m) for m in users} <= ONLY_IN[library], sorted(
        m for m in users if part_of(m) not in ONLY_IN[library]
    )


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of nodes that reach each other (strongly connected, more than one node)."""
    order, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        order[node] = low[node] = len(order)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in order:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], order[target])
        if low[node] == order[node]:
            group = []
            while not group or group[-1] != node:
                group.append(stack.pop())
                on_stack.discard(group[-1])
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in order:
            visit(node)
    return found


def test_no_import_cycle_between_parts():
    graph = {part: set(targets) - {part} for part, targets in dependencies().items()}
    assert cycles(graph) == []


def test_the_checks_catch_what_they_forbid():
    engine_to_lsp = {"tabguard.engine": {"tabguard.lsp": {"tabguard.engine.document"}}}
    assert upward("tabguard.engine", engine_to_lsp) == ["tabguard.lsp (lsp) from ['tabguard.engine.document']"]
    assert upward("tabguard.lsp", {"tabguard.lsp": {"tabguard.engine": {"tabguard.lsp.server"}}}) == []
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert part_of("tabguard.engine.rule") == "tabguard.engine"
    assert part_of("tabguard.__version__") == "tabguard"
    assert part_of("tabguard.boundary") == "tabguard.boundary"
    assert RANK["tabguard.engine"] < RANK["tabguard.supply"] < RANK["tabguard.rules"] < RANK["tabguard.lsp"]


def test_architecture_doc_shows_the_same_layers():
    rows = re.findall(
        r"^\| (\w+) \| (.*?) \| .* \|$", (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8"), re.M
    )
    documented = [
        (name, {p.removeprefix("tabguard.") if p != "tabguard" else "." for p in re.findall(r"`([\w.]+)`", parts)})
        for name, parts in rows
        if name != "layer"
    ]
    assert documented == [(name, set(parts.split())) for name, parts in LAYERS]
