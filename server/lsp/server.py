"""The language server's state: open documents, configuration, provenance, publishing.

Documents live in the engine (`Document`), not in pygls's workspace: pygls's own text model costs
O(file) per change, which alone would break the latency budget on large files. Edits are applied
on the event loop; analysis runs on worker threads (`tabguard.lsp.scheduling`). Plain typing is
analysed after a short debounce; an accepted suggestion (a bulk insertion or a
`tabguard/didAcceptSuggestion` notification) or a bulk deletion is analysed and published at once.
A document that grows over max-file-size keeps only its text until it is smaller again.
A notebook is one open document too: its text is the virtual module of its code cells, and its
diagnostics go to each cell's URI (`tabguard.lsp.notebooks`).
The handlers that pygls calls are in `tabguard.lsp.handlers`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from lsprotocol import types
from pygls.uris import to_fs_path

from tabguard import __version__, boundary
from tabguard.analysis import dependency_report, ruleset_from_config, visible
from tabguard.config import Config, load_config, user_config_path
from tabguard.engine.document import Document, split_lines, splice
from tabguard.engine.types import Finding
from tabguard.lsp import convert, notebooks
from tabguard.lsp.indexing import BackgroundIndex
from tabguard.lsp.notebook_text import NotebookText, cell_key
from tabguard.notebook.checking import in_cells
from tabguard.lsp.positions import Encoding
from tabguard.lsp.scheduling import Scheduling
from tabguard.lsp.transport import Server
from tabguard.lsp.views import View
from tabguard.provenance import Provenance
from tabguard.provenance.tracker import LedgerError
from tabguard.provenance.workspace import find_root
from tabguard.supply.depfiles import is_dependency_file
from tabguard.supply.workspace import forget_declarations

log = logging.getLogger("tabguard.lsp")
SIZE_CHECK_CHARS = 64 * 1024  # a document's size is recounted after this much text was inserted
INDEX_DEBOUNCE_S = 0.3  # an edited module is indexed again once edits pause this long
CONFIG_FILE_NAMES = ("pyproject.toml", "tabguard.toml")  # as tabguard.config finds them
# Dependency lists the workspace reads but whose appearance no watched folder time shows (see
# tabguard.supply.declared.workspace_other_declarations): the editor is asked to watch them.
DEPENDENCY_LIST_GLOBS = ("**/*requirements*.txt", "**/requirements/*.txt")


@dataclass
class OpenDocument:
    uri: str
    path: Optional[Path]
    version: int
    config: Config
    dependency: bool = False
    # Python files are engine documents; dependency files (and files over max-file-size) are plain
    # lines, dependency files checked as a whole.
    doc: Optional[Document] = None
    dep_lines: Optional[list[str]] = None
    dep_findings: list[Finding] = field(default_factory=list)
    dep_dirty: bool = True
    text: Optional[str] = field(default=None, repr=False)  # to build the engine document from
    oversized: bool = False
    grown: int = 0  # characters inserted since the size was last counted
    provenance: Optional[Provenance] = None
    urgent: bool = False  # a change since the last publish that must not wait for the typing debounce
    # Analysis state (see tabguard.lsp.scheduling): changes that arrived while a worker held the document.
    queued: list = field(default_factory=list, repr=False)
    analysing: bool = False
    failed: bool = False
    want_publish: bool = False
    job: Optional[asyncio.Future] = field(default=None, repr=False)
    flush_handle: Optional[asyncio.TimerHandle] = field(default=None, repr=False)
    # Serialized diagnostics of the last publish, by the block's own finding: a block an edit did not
    # change keeps its findings, so a publish serializes only what the edit changed (moving line
    # numbers for blocks that moved). id -> (base finding, details, start line, json).
    published: dict[int, tuple[Finding, dict, int, str]] = field(default_factory=dict, repr=False)
    # Functions of other modules (path, name) whose summaries changed since the last analysis.
    stale: set = field(default_factory=set, repr=False)
    index_key: Optional[str] = None  # the file as the workspace index names it
    index_handle: Optional[asyncio.TimerHandle] = field(default=None, repr=False)
    # A notebook: its cells, and the serialized diagnostics last published to each cell's URI.
    notebook: Optional[NotebookText] = field(default=None, repr=False)
    cell_published: dict[str, str] = field(default_factory=dict, repr=False)
    # The text is as saved (no edit since the last save), and the ledger has not seen that save yet.
    saved: bool = True
    save_unrecorded: bool = False

    @property
    def ledger_lines(self) -> list[str]:
        """The text the provenance ledger sees: a notebook's code cells as written, IPython syntax
        unmasked (numbered like the engine's lines)."""
        return self.notebook.raw if self.notebook is not None else self.lines

    @property
    def lines(self) -> list[str]:
        if self.doc is not None:
            return self.doc.lines
        return self.dep_lines if self.dep_lines is not None else []

    @property
    def has_text(self) -> bool:
        """Edits can be applied (the engine document is built, or the text is kept as lines; a
        notebook over max-file-size keeps its cells only)."""
        return self.doc is not None or self.dep_lines is not None or (self.notebook is not None and self.oversized)


class TabguardServer(Scheduling, Server):
    def __init__(self):
        super().__init__("tabguard", __version__, notebook_document_sync=notebooks.SYNC_OPTIONS)
        self.documents: dict[str, OpenDocument] = {}
        self.encoding = Encoding("utf-16")
        self.settings: dict[str, Any] = {}
        self.pull_diagnostics = False
        self.related_information = True  # the client shows a diagnostic's related places (its data-flow path)
        self.reported_errors: set[str] = set()
        self._configs: dict[Path, Config] = {}
        self._warned: set[str] = set()  # ignored settings, shown once per session, not once per folder
        self._told_problems: set[str] = set()  # config errors shown since the config files were read
        self._ledgers: dict[Path, Provenance] = {}
        self._ledger_told: dict[Path, tuple[int, int]] = {}  # root -> errors, warnings already logged
        self.index = BackgroundIndex(self.worker, self._summaries_changed_elsewhere)
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self.cell_owner: dict[str, str] = {}  # notebook cell (unquoted URI) -> its notebook's URI
        self.unchecked: dict[str, str] = {}  # open documents refused at open -> why

    # -- the workspace index (tabguard.lsp.indexing) --------------------------------------------------
    def start_index(self) -> None:
        """After `initialize`: the index thread starts; what it finds comes back to this loop."""
        self._loop = asyncio.get_running_loop()
        self.index.start()

    def _summaries_changed_elsewhere(self, changed: set) -> None:
        """On the index thread: hand the change to the event loop."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self.summaries_changed, changed)

    def summaries_changed(self, changed: set) -> None:
        """Summaries of other modules' functions changed: the open documents whose blocks used them
        re-check those blocks (off the loop) and publish again."""
        for opened in list(self.documents.values()):
            if not opened.dependency:  # kept until the engine document exists, if it is being built
                opened.stale |= changed
                self.analyse(opened)

    def file_saved(self, opened: OpenDocument) -> None:
        if opened.index_key is not None:
            self.index.changed_on_disk(opened.index_key)

    def file_edited(self, opened: OpenDocument) -> None:
        """A module the index holds was edited: its text is indexed a moment after the edits stop."""
        if opened.index_key is None or not self.index.indexed(opened.index_key):
            return
        if opened.index_handle is not None:
            opened.index_handle.cancel()
        opened.index_handle = asyncio.get_running_loop().call_later(INDEX_DEBOUNCE_S, self._index_text, opened)

    def _index_text(self, opened: OpenDocument) -> None:
        opened.index_handle = None
        if self.documents.get(opened.uri) is opened and opened.has_text:
            self.index.changed_text(opened.index_key, "\n".join(opened.lines))

    # -- configuration and ledgers -----------------------------------------------------------------
    def finished(self, code: int) -> None:
        self.persist_accepts()  # an accept placed just before `exit` is still written
        for opened in list(self.documents.values()):
            self.record_edits(opened, unsaved=True)
        self.index.stop()
        super().finished(code)

    def config_for(self, path: Optional[Path]) -> Config:
        folder = (path.parent if path else Path.cwd()).resolve()
        if folder not in self._configs:
            config = load_config(folder).merged(self.settings)
            for problem in map(str, config.problems):  # the CLI stops on these (exit 2); the editor cannot
                if problem not in self._told_problems:  # once, not once per folder the file covers
                    self._told_problems.add(problem)
                    self.notify_user(
                        f"tabguard: config error: {problem} (the default is used until it is fixed)",
                        types.MessageType.Error,
                    )
            for warning in map(str, config.warnings):  # ignored settings: the rest of the config applies
                if warning not in self._warned:
                    self._warned.add(warning)
                    self.notify_user(f"tabguard: config warning: {warning}", types.MessageType.Warning)
            self._configs[folder] = config
        return self._configs[folder]

    def ledger_for(self, path: Optional[Path], config: Config) -> Optional[Provenance]:
        """The ledger of the workspace folder holding `path`; None for a file outside every folder
        the editor opened (or with none): its accepts are not recorded, so no ledger appears
        beside it. The ledger root is never above the workspace folder."""
        if path is None:
            return None
        folder = self.workspace_folder(path)
        if folder is None:
            self.tell_once(
                f"tabguard: {path} is outside the workspace folders: accepted suggestions in it are not recorded"
            )
            return None
        root = find_root(path, within=folder)
        if root not in self._ledgers:
            self._ledgers[root] = Provenance(root, config["reviewer"])
        return self._ledgers[root]

    def workspace_folder(self, path: Path) -> Optional[Path]:
        """The deepest workspace folder (or root) that holds `path`, symlinks resolved."""
        workspace = self.protocol.workspace
        uris = [folder.uri for folder in workspace.folders.values()] + [workspace.root_uri or ""]
        holding = [f for f in map(_path_of, uris) if f is not None and boundary.inside(f, path)]
        return max(holding, key=lambda f: len(os.path.realpath(f)), default=None)

    def tell_once(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        if message not in self.reported_errors:
            self.reported_errors.add(message)
            self.notify_user(message, kind)

    def report_ledger(self, prov: Provenance) -> None:
        """Log what the ledger refused (shown to the user too) and skipped, each once."""
        errors, warnings = self._ledger_told.get(prov.root, (0, 0))
        for message in prov.errors[errors:]:
            self.notify_user(f"tabguard: ledger: {message}", types.MessageType.Error)
        for message in prov.warnings[warnings:]:
            self.window_log_message(types.LogMessageParams(types.MessageType.Warning, f"tabguard: ledger: {message}"))
        self._ledger_told[prov.root] = (len(prov.errors), len(prov.warnings))

    def forget_configs(self) -> None:
        self._configs.clear()
        self._told_problems.clear()  # a config still broken after an edit says so again

    def config_changed(self) -> None:
        """A config file was saved or changed on disk, or the editor's settings changed: every open
        document takes its folder's config again, and one whose config changed is analysed anew."""
        self.forget_configs()
        self.window_log_message(types.LogMessageParams(types.MessageType.Info, "tabguard: configuration read again"))
        for uri in list(self.documents):
            asyncio.ensure_future(self._reconfigure(uri))

    def dependency_lists_changed(self) -> None:
        """A requirements file was added, removed or changed where the workspace's cached lists do
        not look (one folder down): the open documents are checked again against the new lists."""
        forget_declarations()
        for uri in list(self.documents):
            asyncio.ensure_future(self._reconfigure(uri, rebuild=True))

    async def _reconfigure(self, uri: str, rebuild: bool = False) -> None:
        opened = await self.idle(uri)
        if opened is None:
            return
        config = self.config_for(opened.path)
        if config == opened.config and not rebuild:
            return
        opened.config = config
        if opened.dependency:
            opened.dep_dirty = True
        else:  # over the new max-file-size the size check stops the analysis and says so
            book = opened.notebook
            over = self._check_notebook_size(opened, book) if book is not None else self._check_size(opened)
            if not over and opened.doc is not None:  # built again with the new rules; AI spans stay as they are
                opened.text, opened.doc, opened.published = "\n".join(opened.doc.lines), None, {}
        self.publish(opened)

    def notify_user(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        self.window_log_message(types.LogMessageParams(kind, message))
        if kind in (types.MessageType.Error, types.MessageType.Warning):
            self.window_show_message(types.ShowMessageParams(kind, message))

    # -- documents -------------------------------------------------------------------------------
    def open(self, item: types.TextDocumentItem) -> Optional[OpenDocument]:
        path = _path_of(item.uri)
        config = self.config_for(path)
        dependency = path is not None and is_dependency_file(path)
        python = item.language_id == "python" or (path is not None and path.suffix in (".py", ".pyi"))
        if not (dependency or python):
            return None
        if len(item.text) > config["max-file-size"]:
            self.refuse(item.uri, f"{len(item.text)} characters", config)
            return None
        opened = OpenDocument(item.uri, path, item.version, config, dependency=dependency)
        opened.index_key = str(path.resolve()) if path is not None and python else None
        if dependency:
            opened.dep_lines = split_lines(item.text)
        else:
            opened.text = item.text
        self.documents[item.uri] = opened
        return opened

    def refuse(self, uri: str, size: str, config: Config) -> None:
        """A document over max-file-size is not analysed: say so, and remember it for `tabguard/fileStatus`
        (a status of 0 findings would read as a clean file)."""
        self.unchecked[uri] = not_checked(config)
        path = _path_of(uri)
        self.notify_user(
            f"tabguard: {path or uri} has {size}, over max-file-size ({config['max-file-size']}); not analysed "
            "(max-file-size in [tool.tabguard] sets the limit)",
            types.MessageType.Warning,
        )

    def open_notebook(self, params: types.DidOpenNotebookDocumentParams) -> Optional[OpenDocument]:
        book = params.notebook_document
        path = _path_of(book.uri)
        config = self.config_for(path)
        text = NotebookText(book.cells, params.cell_text_documents)
        if notebooks.size(text) > config["max-file-size"]:
            self.refuse(book.uri, f"{notebooks.size(text)} characters of code", config)
            return None
        opened = OpenDocument(book.uri, path, book.version, config, notebook=text, text="\n".join(text.masked))
        self.documents[book.uri] = opened
        for key in text.texts:
            self.cell_owner[key] = book.uri
        return opened

    def owner(self, uri: Any) -> Optional[OpenDocument]:
        """The open document that answers for `uri`: a file, or the notebook holding a cell."""
        if not isinstance(uri, str):
            return None
        return self.documents.get(uri) or self.documents.get(self.cell_owner.get(cell_key(uri), ""))

    async def settled_view(self, uri: Any) -> Optional[View]:
        """`settled` for the document a request names: a file, or a notebook's Python cell."""
        opened = self.owner(uri)
        opened = await self.settled(opened.uri) if opened is not None else None
        return notebooks.view(opened, uri) if opened is not None else None

    def analysis_step(self, opened: OpenDocument, peek: bool = False):
        """The next piece of analysis the document needs: (work for a worker thread, what to do
        with its result on the loop), or None when its findings are up to date with its text."""
        if opened.oversized or opened.failed:
            return None
        if opened.dependency:
            if not opened.dep_dirty:
                return None
            if peek:
                return True
            opened.dep_dirty = False
            text = "\n".join(opened.dep_lines)
            return (lambda: self.dependency_findings(opened, text)), (
                lambda found: setattr(opened, "dep_findings", found)
            )
        if opened.doc is not None:
            if opened.stale and not peek:
                changed, opened.stale = opened.stale, set()
                if opened.doc.workspace_changed(changed):
                    opened.want_publish = True
            return (opened.doc.flush, None) if opened.doc.dirty or (peek and opened.stale) else None
        if opened.text is None:
            return None
        if peek:
            return True
        text, opened.text = opened.text, None
        ruleset = ruleset_from_config(opened.config, _relative(opened.path, opened.config))
        options = opened.config.options()
        index = self.index
        return (lambda: Document(text, ruleset, str(opened.path or opened.uri), options, index)), (
            lambda doc: self._attach(opened, doc)
        )

    def _attach(self, opened: OpenDocument, doc: Document) -> None:
        opened.doc = doc
        if opened.path is not None:
            self.index.warm(str(opened.path), list(doc.module.imports.values()), (doc.ruleset, doc.options))
        if opened.provenance is None:  # kept by a document built again for a new config
            opened.provenance = self.ledger_for(opened.path, opened.config)
            if opened.provenance is not None:
                opened.provenance.open_file(opened.path, opened.ledger_lines)
                self.report_ledger(opened.provenance)
        self.report_rule_errors(opened)

    def close(self, uri: str) -> None:
        self.unchecked.pop(uri, None)
        opened = self.documents.pop(uri, None)
        if opened is None:
            return
        if opened.flush_handle is not None:
            opened.flush_handle.cancel()
        if opened.index_handle is not None:
            opened.index_handle.cancel()
        self.file_saved(opened)  # what the editor held unsaved is gone: the index reads the disk again
        self.persist_accepts()
        self.record_edits(opened)
        self._release(opened)
        if opened.notebook is not None:
            notebooks.clear_cells(
                self, opened, [cell.uri for cell in opened.notebook.texts.values()] + list(opened.cell_published)
            )
            return
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def _release(self, opened: OpenDocument) -> None:
        """Drop what the document holds besides its text (its analysis, its ledger tracking)."""
        if opened.provenance is not None and opened.path is not None:
            opened.provenance.close_file(opened.path)
        opened.provenance, opened.doc, opened.published, opened.dep_findings = None, None, {}, []

    def apply_changes(self, opened: OpenDocument, changes) -> list[tuple[int, int]]:
        """Apply content changes (for a notebook, one notebookDocument/didChange); return the line
        ranges [start, end) of bulk insertions."""
        if opened.notebook is not None:
            accepted = notebooks.apply_change(self, opened, changes)
            return [] if self._check_notebook_size(opened, opened.notebook) else accepted
        opened.dep_dirty = True
        accepted = self._apply_changes(opened, changes)
        if not opened.dependency:
            opened.grown += sum(len(change.text) for change in changes)
            if opened.grown > SIZE_CHECK_CHARS or opened.oversized:
                opened.grown = 0
                if self._check_size(opened):
                    return []
        return accepted

    def _check_size(self, opened: OpenDocument) -> bool:
        """Over max-file-size: analysis stops and only the text is kept (a document is never parsed
        at that size); under it again: analysed anew. True while over."""
        lines, limit = opened.lines, opened.config["max-file-size"]
        size = sum(map(len, lines)) + len(lines) - 1
        if size > limit and not opened.oversized:
            self._release(opened)
            opened.oversized, opened.dep_lines = True, lines
            self.notify_user(
                f"tabguard: {opened.uri} has grown to {size} characters, over max-file-size ({limit}); "
                "not analysed until it is smaller",
                types.MessageType.Warning,
            )
        elif size <= limit and opened.oversized:
            opened.oversized, opened.text, opened.dep_lines = False, "\n".join(lines), None
        return opened.oversized

    def _check_notebook_size(self, opened: OpenDocument, notebook: NotebookText) -> bool:
        """`_check_size` for a notebook (its code counted after each change, O(lines)): over
        max-file-size only its cells are kept, and analysis resumes once it is smaller. True while over."""
        size, limit = notebooks.size(notebook), opened.config["max-file-size"]
        if size > limit and not opened.oversized:
            self._release(opened)
            opened.oversized = True
            notebooks.send_diagnostics(self, opened, [])
            self.notify_user(
                f"tabguard: {opened.uri} has grown to {size} characters of code, over max-file-size ({limit}); "
                "not analysed until it is smaller",
                types.MessageType.Warning,
            )
        elif size <= limit and opened.oversized:
            opened.oversized, opened.text = False, "\n".join(notebook.masked)
        return opened.oversized

    def _apply_changes(self, opened: OpenDocument, changes) -> list[tuple[int, int]]:
        accepted: list[tuple[int, int]] = []
        for change in changes:
            if getattr(change, "range", None) is None:
                self._replace_all(opened, change.text)
                continue
            lines = opened.lines
            start = self.encoding.engine_position(lines, change.range.start)
            end = self.encoding.engine_position(lines, change.range.end)
            if opened.doc is None:
                splice(opened.dep_lines, *start, *end, change.text)
                continue
            first, old_last, count = opened.doc.replace(*start, *end, change.text, analyze=False)
            if opened.provenance is not None:
                opened.provenance.apply_edit(opened.path, first, old_last, count, opened.doc.lines)
            inserted = self.classify_edit(opened, first, old_last - first + 1 - count, change.text)
            if inserted is not None:
                accepted.append(inserted)
        return accepted

    def classify_edit(self, opened: OpenDocument, first: int, removed: int, text: str) -> Optional[tuple[int, int]]:
        """An edit that inserted `text` on line `first` and removed `removed` lines: the lines
        [start, end) of a bulk insertion (an accept), else None."""
        if _is_bulk_insertion(text, opened.config):
            return _inserted_lines(opened.ledger_lines, first, text)
        if removed >= opened.config["bulk-insert-lines"]:
            opened.urgent = True  # a bulk deletion (an undone accept, a cut) is answered at once too
        return None

    def _replace_all(self, opened: OpenDocument, text: str) -> None:
        if opened.doc is None:
            opened.dep_lines = split_lines(text)
            return
        old_count = len(opened.doc.lines)
        opened.doc.set_text(text, analyze=False)
        if opened.provenance is not None:
            opened.provenance.apply_edit(opened.path, 0, old_count - 1, len(opened.doc.lines), opened.doc.lines)

    def record_accept(
        self, opened: OpenDocument, start: int, end: int, origin: str, inferred: bool, model_id=None
    ) -> None:
        """Place the accepted span now (the findings published next say it is AI code); its record is
        written by `persist_accepts` once those findings are out."""
        if opened.provenance is None or opened.path is None:
            return
        cell = opened.notebook.address(start, end) if opened.notebook is not None and opened.notebook.code else None
        try:
            opened.provenance.place_accept(
                opened.path, opened.ledger_lines, start, end, origin, inferred, model_id, cell
            )
        except (OSError, ValueError) as error:
            self.notify_user(f"tabguard: could not record the accepted suggestion: {error}", types.MessageType.Warning)
        except Exception:  # a bug: the diagnostics are still published, and the trace is in the log
            self._accept_failed()

    def persist_accepts(self) -> None:
        """Write the records of the accepts placed since (see `record_accept`): called after a
        publish, and before the server exits."""
        for prov in self._ledgers.values():
            if not prov.unwritten:
                continue
            try:
                prov.persist()
            except (OSError, LedgerError) as error:
                self.notify_user(
                    f"tabguard: could not record the accepted suggestion: {error}", types.MessageType.Warning
                )
            except Exception:
                self._accept_failed()
            self.report_ledger(prov)

    def record_edits(self, opened: OpenDocument, unsaved: bool = False) -> None:
        """Once the ledger sees the text as saved: new records for the AI spans edited since their
        records were written (`Provenance.record_edits`). Waits while edits made before the save are
        still queued; skipped when the text was edited after the save (the file on disk differs),
        except at exit (`unsaved`): an editor restores unsaved text on its next start, and if that
        text is discarded instead, the old record still finds the span in the file as saved."""
        prov = opened.provenance
        if not ((unsaved or opened.save_unrecorded and opened.saved) and opened.has_text) or opened.queued:
            return
        if prov is None or opened.path is None:
            return
        opened.save_unrecorded = False
        cell_of = opened.notebook.address if opened.notebook is not None and opened.notebook.code else None
        try:
            prov.record_edits(opened.path, opened.ledger_lines, cell_of)
        except (OSError, LedgerError) as error:
            self.notify_user(f"tabguard: could not record the edited AI code: {error}", types.MessageType.Warning)
        except Exception:
            log.exception("recording edited AI spans failed")
        self.report_ledger(prov)

    def _accept_failed(self) -> None:
        log.exception("recording an accepted suggestion failed")
        self.notify_user(
            f"tabguard: could not record the accepted suggestion (internal error): {traceback.format_exc(limit=-3)}",
            types.MessageType.Error,
        )

    def dependency_findings(self, opened: OpenDocument, text: str, online: bool = False) -> list[Finding]:
        """On a worker thread: the dependency file's findings (`text` is a snapshot of it)."""
        return dependency_report(opened.path, text, opened.config, online=online).findings

    # -- findings and publishing --------------------------------------------------------------------
    def findings(self, opened: OpenDocument) -> list[Finding]:
        """The findings of a settled document (see `settled`): never analyses on the event loop."""
        if opened.doc is None:
            return visible(opened.dep_findings, opened.dep_lines) if opened.dependency else []
        findings = opened.doc.findings()
        self.report_rule_errors(opened)
        prov, path = opened.provenance, opened.path
        honoured = None if prov is None else (lambda line: not prov.unhonoured_suppression(path, line))
        if opened.notebook is not None:
            shown = in_cells(opened.notebook.vm, findings, honoured=honoured)
        else:
            shown = visible(findings, opened.lines, honoured=honoured)
        if prov is not None:
            prov.annotate(path, shown)
        return shown

    def report_rule_errors(self, opened: OpenDocument) -> None:
        if opened.doc is None:
            return
        for error in opened.doc.take_errors():
            key = f"{error.rule_id}:{type(error.error).__name__}"
            if key not in self.reported_errors:
                self.reported_errors.add(key)
                detail = "".join(traceback.format_exception(error.error)[-3:])
                self.window_log_message(
                    types.LogMessageParams(
                        types.MessageType.Error,
                        f"tabguard: rule {error.rule_id} failed in {opened.uri} (other rules unaffected): {detail}",
                    )
                )

    def send_diagnostics(self, opened: OpenDocument) -> None:
        """Publish a settled document's findings (see `Scheduling.publish`)."""
        if opened.notebook is not None:
            # Pushed also to a client that pulls: vscode-languageclient 9 pulls for text documents
            # only, never for notebook cells (vscode-languageserver-node issue 1464).
            notebooks.send_diagnostics(self, opened, self.findings(opened))
            return
        if self.pull_diagnostics:
            self.workspace_diagnostic_refresh(None)
            return
        lines, before, now = opened.lines, opened.published, {}
        for finding in self.findings(opened):
            # Keyed by the block's own finding: a block that only moved keeps it (and its text).
            base = finding.base or finding
            line = finding.span.start_line
            kept = before.get(id(base))
            if kept is None or kept[0] is not base or kept[1] is not finding.details or _elsewhere(finding):
                text = json.dumps(
                    convert.diagnostic_json(finding, lines, self.encoding, opened.uri, self.related_information)
                )
            else:
                text = kept[3] if kept[2] == line else convert.moved(kept[3], line - kept[2])
            now[id(base)] = (base, finding.details, line, text)
        opened.published = now
        # Sent as JSON text: pygls would convert the dicts back through lsprotocol types.
        self.protocol.send_serialized(
            f'{{"jsonrpc": "2.0", "method": "{types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS}", "params": '
            f'{{"uri": {json.dumps(opened.uri)}, "diagnostics": [{", ".join(k[3] for k in now.values())}], '
            f'"version": {json.dumps(opened.version)}}}}}'
        )

    def diagnostics(self, view: View) -> list[types.Diagnostic]:
        """The diagnostics of the document a view shows (a file, or one cell)."""
        out = []
        for finding in self.findings(view.opened):
            if view.local(finding.span) is not None:
                out.append(self.diagnostic(view, finding))
        return out

    def diagnostic(self, view: View, finding: Finding) -> types.Diagnostic:
        """A finding's diagnostic as published (for a notebook, on the finding's cell)."""
        notebook = view.opened.notebook
        if notebook is None:
            return convert.diagnostic(finding, view.lines, self.encoding, view.uri)
        return convert.structured(notebooks.cell_diagnostic(self, notebook, finding)[1])

    def engine_position(self, view: View, position: types.Position) -> tuple[int, int]:
        return view.to_engine(*self.encoding.engine_position(view.lines, position))

    def findings_at(self, view: View, position: types.Position) -> list[Finding]:
        line, col = self.engine_position(view, position)
        return [
            f
            for f in self.findings(view.opened)
            if (f.span.start_line, f.span.start_col) <= (line, col) <= (f.span.end_line, f.span.end_col)
        ]


def not_checked(config: Config) -> str:
    """Why a document is not analysed, as `tabguard/fileStatus` says it."""
    return f"over max-file-size ({config['max-file-size']} characters)"


def is_config_file(uri: str) -> bool:
    """A file tabguard reads its configuration from: a project's, or the user's own."""
    path = _path_of(uri)
    return path is not None and (path.name in CONFIG_FILE_NAMES or path == user_config_path())


def is_dependency_list(uri: str) -> bool:
    """A requirements file (any folder): its appearance changes what the workspace declares."""
    path = _path_of(uri)
    return path is not None and path.suffix == ".txt" and "requirements" in (path.name + path.parent.name)


def _path_of(uri: str) -> Optional[Path]:
    """The file a `file:` URI names; None for other schemes and for a name no file can have
    (`%00`: every file operation on it raised, and the document was never opened)."""
    if not uri.startswith("file:"):
        return None
    try:
        path = to_fs_path(uri)
    except Exception:
        return None
    return Path(path) if path and "\x00" not in path else None


def _relative(path: Optional[Path], config: Config) -> str:
    if path is None:
        return ""
    root = config.root
    if root is not None:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return path.name


def _is_bulk_insertion(text: str, config: Config) -> bool:
    """A single change that inserts code in bulk (several non-blank lines, or a long run of text) is
    taken for an accepted suggestion; plain typing and auto-indented newlines are not."""
    code_lines = sum(1 for line in text.splitlines() if line.strip())
    return code_lines >= config["bulk-insert-lines"] or len(text.strip()) >= config["bulk-insert-chars"]


def _inserted_lines(lines: list[str], first: int, text: str) -> tuple[int, int]:
    """The lines [start, end) holding the non-blank part of `text`, inserted on line `first`."""
    pieces = split_lines(text)
    breaks = len(pieces) - 1
    start, end = first, first + breaks + (0 if text.endswith(("\n", "\r")) else 1)
    if breaks and not pieces[0].strip() and start + 1 < end:
        start += 1  # it starts with a line break (accepted at the end of a typed line): none of it is on `first`
    while start < end - 1 and not lines[start].strip():
        start += 1
    while end - 1 > start and not lines[end - 1].strip():
        end -= 1
    return start, end


def _elsewhere(finding) -> bool:
    """A finding with a related place in another file: its serialized form cannot just be moved."""
    return any(r.path for r in finding.related)
