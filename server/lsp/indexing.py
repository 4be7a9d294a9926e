"""The language server's workspace index of function summaries, built on a background thread.

An analysis never reads another module: a call into one is answered from the index (the summary of
the function, when it is built), and a module not indexed yet is asked for and answered later. The
background thread reads each asked-for file, parses it block by block and summarizes its top-level
functions; when a function's summary differs from what the index answered before (built for the
first time with sinks or returns, changed, or gone), the server re-checks only the blocks of open
documents that asked about it and publishes again. So the first publish after an edit carries the
local analysis, and the cross-file findings come as a second publish once their summaries are ready.
A module open in the editor is indexed from its text a moment after each edit (unsaved changes
count), from the disk again once it is saved or closed; the modules whose summaries used one of its
functions are then indexed again too.

The index works one small step at a time (one block's parse, one function's summary), only while
the analysis worker has nothing to do, and holding the worker's lock: the editor's analysis never
runs beside it (CPython 3.11's parser is not safe in two threads at once) and waits at most one step.
The modules indexed are those an open document imports from the workspace (asked for once it is
first analysed, so their summaries are usually ready before the first call into them is typed),
those an analysis asks about, and the modules those call in turn.
"""

from __future__ import annotations

import ast
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from tabguard.engine.checker import RuleSet
from tabguard.engine.document import parse_block
from tabguard.engine.facts import BlockFacts, ModuleFacts, collect_facts
from tabguard.engine.splitter import iter_block_starts
from tabguard.engine.summaries import FunctionSummary, SummaryProvider, WorkspaceIndex, summarize
from tabguard.lsp.worker import Worker
from tabguard.sources import SourceError, read_source

log = logging.getLogger("tabguard.lsp")
_MAX_FILE_BYTES = 2_000_000
_IDLE_POLL_S = 0.005  # how often a waiting step looks whether the analysis worker is free
Target = tuple[str, str]  # (file, function name)


@dataclass
class _Module:
    path: str
    facts: ModuleFacts
    # name -> (definition, the lines of its block, the block's first line in the file)
    functions: dict[str, tuple[ast.AST, list[str], int]]
    # class name -> (the lines of its block, the block's first line): for the calls between its methods
    classes: dict[str, tuple[list[str], int]] = field(default_factory=dict)
    summaries: dict[str, FunctionSummary] = field(default_factory=dict)


class BackgroundIndex(WorkspaceIndex):
    """A `WorkspaceIndex` whose summaries are built on its own thread (see the module docstring).
    `changed(targets)` is called on that thread with the functions whose summary changed."""

    def __init__(self, worker: Worker, changed: Callable[[set[Target]], None]):
        super().__init__()
        self.worker = worker
        self.on_changed = changed
        self._indexed: dict[str, _Module] = {}
        self._queue: "OrderedDict[str, tuple[RuleSet, dict]]" = OrderedDict()
        self._wake = threading.Condition()
        self._settings: Optional[tuple[RuleSet, dict]] = None  # of the last analysis that asked
        # file -> the indexed modules whose summaries used one of its functions
        self._users: dict[str, set[str]] = {}
        self._texts: dict[str, str] = {}  # file -> its text in the editor, while it differs from the disk
        self._imports: list[tuple[str, tuple[str, ...], tuple[RuleSet, dict]]] = []  # see `warm`
        self._thread: Optional[threading.Thread] = None
        self._stopped = False

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="tabguard-index", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """The server is done: the thread ends after the module it is indexing (a process that
        runs servers one after another, the tests', keeps no idle index threads)."""
        with self._wake:
            self._stopped = True
            self._wake.notify()

    # -- answering analyses (any thread) ---------------------------------------------------------
    def summary(self, target: Target, provider: SummaryProvider) -> Optional[FunctionSummary]:
        path, function = target
        module = self._indexed.get(path)
        if module is None:
            self._ask(path, (provider.ruleset, provider.options))
            return None
        return module.summaries.get(function)

    def facts(self, path: str) -> Optional[ModuleFacts]:
        module = self._indexed.get(path)
        if module is None:
            if self._settings is not None:
                self._ask(path, self._settings)
            return None
        return module.facts

    def warm(self, importer: str, targets, settings: tuple[RuleSet, dict]) -> None:
        """Index the workspace modules that file `importer` imports (`targets`: dotted import
        targets, as `ModuleFacts.imports` holds them); the files are looked up on the index thread."""
        with self._wake:
            self._imports.append((importer, tuple(targets), settings))
            self._wake.notify()

    def indexed(self, path: str) -> bool:
        return path in self._indexed

    def changed_text(self, path: str, text: str) -> None:
        """An indexed file was edited in the editor: index its text."""
        self._texts[path] = text
        if self._settings is not None:
            self._ask(path, self._settings)

    def changed_on_disk(self, path: str) -> None:
        """A file was saved (or its editor closed): read it from the disk again if it is indexed
        (and resolve imports anew: a module may have appeared)."""
        self._located.clear()
        self._texts.pop(path, None)
        if path in self._indexed and self._settings is not None:
            self._ask(path, self._settings)

    def _ask(self, path: str, settings: tuple[RuleSet, dict]) -> None:
        with self._wake:
            self._settings = settings
            if path not in self._queue:
                self._queue[path] = settings
                self._wake.notify()

    # -- the background thread -------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._queue and not self._imports and not self._stopped:
                    self._wake.wait()
                if self._stopped:
                    return
                imports = self._imports.pop(0) if self._imports else None
                if imports is None:
                    path, settings = self._queue.popitem(last=False)
            if imports is not None:
                self._ask_imported(*imports)
                continue
            try:
                changed = self._index(path, *settings)
            except Exception:  # one module that cannot be indexed must not stop the index
                log.exception("tabguard: indexing %s failed", path)
                continue
            if changed:
                for user in self._users.get(path, ()):
                    if user != path:
                        self._ask(user, settings)
                self.on_changed(changed)

    def _ask_imported(self, importer: str, targets: tuple[str, ...], settings: tuple[RuleSet, dict]) -> None:
        folder = Path(importer).resolve().parent
        for target in targets:
            # `from db import find` -> `db.find`: the module is `db` (or a package's `db/find.py`).
            file = self.locate(target, folder) or self.locate(target.rpartition(".")[0] or target, folder)
            if file is not None and str(file) not in self._indexed and str(file) != str(Path(importer).resolve()):
                self._ask(str(file), settings)

    def _step(self, work: Callable[[], object]) -> object:
        """`work()` once the analysis worker is idle, holding its lock."""
        while self.worker.pending():
            time.sleep(_IDLE_POLL_S)
        with self.worker.lock:
            return work()

    def _index(self, path: str, ruleset: RuleSet, options: dict) -> set[Target]:
        """(Re)build one module's summaries; the functions whose summary changed."""
        # A file that cannot be read or parsed is indexed empty: asked about again only once saved.
        module = self._read(path) or _Module(path, ModuleFacts(), {})
        before = self._indexed.get(path)
        provider = SummaryProvider(ruleset, path, options, module.facts, _function_source(module), self)
        provider.asked = set()
        for name, (node, lines, start) in module.functions.items():
            # The loop's values are bound as defaults, so the work does not depend on when _step runs it.
            def summary(name=name, node=node, lines=lines, start=start):
                owner = name.rpartition(".")[0] or None  # a method's class, by its `Class.method` key
                return provider.memoized(
                    ("index", name),
                    lambda: summarize(node, lines, module.facts, ruleset, path, options, start, provider, owner),
                )

            found = self._step(summary)
            if found is not None:
                module.summaries[name] = found
        for used_path, _ in provider.asked:
            self._users.setdefault(used_path, set()).add(path)
        self._indexed[path] = module
        return _targets(path, before, module)

    def _read(self, path: str) -> Optional[_Module]:
        text = self._texts.get(path)
        try:
            text = read_source(Path(path), _MAX_FILE_BYTES) if text is None else text
        except (SourceError, OSError):
            return None
        lines = text.splitlines()
        starts = [s.line for s in iter_block_starts(lines)] + [len(lines)]
        blocks: list[BlockFacts] = []
        functions: dict[str, tuple[ast.AST, list[str], int]] = {}
        classes: dict[str, tuple[list[str], int]] = {}
        for start, end in zip(starts, starts[1:]):
            block_lines = lines[start:end]
            block_text = "\n".join(block_lines) + "\n"
            tree = self._step(lambda: parse_block(block_text)[0])  # noqa: B023 (run at once by _step)
            if tree is None:
                continue
            blocks.append(collect_facts(tree, block_text))
            for node in tree.body:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    functions[node.name] = (node, block_lines, start)
                elif isinstance(node, ast.ClassDef):  # methods by `Class.method`, as WorkspaceIndex keys them
                    classes[node.name] = (block_lines, start)
                    for method in node.body:
                        if isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
                            functions[f"{node.name}.{method.name}"] = (method, block_lines, start)
        return _Module(path, ModuleFacts.merge(blocks), functions, classes)


def _function_source(module: _Module) -> Callable[[str], Optional[tuple[str, int]]]:
    """A module's own helpers and classes, for the calls between its functions and methods."""

    def source(name: str) -> Optional[tuple[str, int]]:
        found = module.functions.get(name)
        block = (found[1], found[2]) if found is not None else module.classes.get(name)
        return ("\n".join(block[0]) + "\n", block[1]) if block is not None else None

    return source


def _targets(path: str, before: Optional[_Module], after: Optional[_Module]) -> set[Target]:
    """The functions whose summary reads differently now (not indexed counts as an empty summary)."""
    names = set(before.summaries if before else ()) | set(after.summaries if after else ())
    return {
        (path, name)
        for name in names
        if _signature(before.summaries.get(name) if before else None)
        != _signature(after.summaries.get(name) if after else None)
    }


def _signature(summary: Optional[FunctionSummary]) -> tuple:
    """What a caller's findings read from a summary."""
    if summary is None:
        return ((), frozenset(), None, ())
    sinks = sorted((param, tuple(sink)) for param, found in summary.sinks.items() for sink in map(_sink_fields, found))
    source = summary.returns_source
    notes = tuple(sorted(summary.notes.items()))
    return (tuple(sinks), frozenset(summary.returns_params), (source.label, source.only) if source else None, notes)


def _sink_fields(sink) -> tuple:
    return (sink.rule_id, tuple(sink.span), sink.message, sink.path, sink.function, sink.param)
