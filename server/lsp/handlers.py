"""Thin pygls handlers: decode params, call the server's plain methods, encode results."""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, Optional

from lsprotocol import types

from tabguard.analysis import confidence_of
from tabguard.engine.fixes import keeps_parsing, syntax_error_line
from tabguard.engine.types import Span
from tabguard.lsp import convert, notebooks
from tabguard.lsp.positions import Encoding
from tabguard.lsp.server import (
    CONFIG_FILE_NAMES,
    DEPENDENCY_LIST_GLOBS,
    OpenDocument,
    TabguardServer,
    is_config_file,
    is_dependency_list,
    not_checked,
)
from tabguard.lsp.transport import Handlers, InvalidParams
from tabguard.lsp.views import View
from tabguard.provenance.inventory import build as build_inventory
from tabguard.render import explain_markdown, hover_markdown
from tabguard.rules import rule_by_id
from tabguard.counting import counted

log = logging.getLogger("tabguard.lsp")
ACCEPT_NOTIFICATION = "tabguard/didAcceptSuggestion"
FILE_STATUS_REQUEST = "tabguard/fileStatus"
MARK_REVIEWED = "tabguard.markReviewed"
INVENTORY = "tabguard.inventory"
EXPLAIN = "tabguard.explain"
_UINTEGER = 2**31 - 1  # the largest line or character LSP allows
WATCHED = types.WORKSPACE_DID_CHANGE_WATCHED_FILES

handlers = Handlers()  # registered on each server `build_server` makes (tests build many in one process)


def _get(obj: Any, *keys: str) -> Any:
    """Read nested params whether pygls gave us a dict, a namedtuple-like object or attrs."""
    for key in keys:
        if obj is None:
            return None
        if isinstance(obj, dict):
            obj = obj.get(key)
        else:
            obj = getattr(obj, key, None) if hasattr(obj, key) else getattr(obj, _snake(key), None)
    return obj


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


def _range_lines(ls: TabguardServer, view: View, params: Any) -> Optional[tuple[int, int]]:
    """[start, end) engine lines of an LSP range (in the view's document) given as dict or object;
    None when malformed."""
    start_line, start_char = _get(params, "start", "line"), _get(params, "start", "character")
    end_line, end_char = _get(params, "end", "line"), _get(params, "end", "character")
    if not all(isinstance(v, int) for v in (start_line, start_char, end_line, end_char)):
        return None
    lines = view.lines
    start = ls.encoding.engine_position(lines, _position(start_line, start_char))
    end = ls.encoding.engine_position(lines, _position(end_line, end_char))
    last = end[0] + (1 if end[1] > 0 or end[0] == start[0] else 0)
    first = start[0]
    if start[1] >= len(lines[first]) and last > first + 1:
        first += 1  # an accept that starts with a newline at the end of the line it was typed on
    return view.engine_lines(first, max(last, first + 1))


def _position(line: int, character: int) -> types.Position:
    """A client's position clamped to what LSP allows (uinteger): 2**31 raised, dropping the request."""
    return types.Position(min(max(line, 0), _UINTEGER), min(max(character, 0), _UINTEGER))


# -- lifecycle ---------------------------------------------------------------------------------------
@handlers.feature(types.INITIALIZE)
def initialize(ls: TabguardServer, params: types.InitializeParams) -> None:
    ls.encoding = Encoding(ls.protocol.workspace.position_encoding or "utf-16")
    options = params.initialization_options
    if isinstance(options, dict):
        nested = options.get("tabguard")
        ls.settings = (
            dict(nested) if isinstance(nested, dict) else {k: v for k, v in options.items() if k != "tabguard"}
        )
    text_caps = params.capabilities.text_document
    wants_pull = bool(ls.settings.pop("pullDiagnostics", False))
    ls.pull_diagnostics = bool(text_caps and text_caps.diagnostic and wants_pull)
    publish = text_caps.publish_diagnostics if text_caps else None
    ls.related_information = bool(publish and publish.related_information)


@handlers.feature(types.INITIALIZED)
def initialized(ls: TabguardServer, params: types.InitializedParams) -> None:
    ls.start_index()
    watched = _get(ls.client_capabilities, "workspace", "didChangeWatchedFiles", "dynamicRegistration")
    if watched:  # config files and dependency lists changed outside the editor are read again too
        globs = [f"**/{name}" for name in CONFIG_FILE_NAMES] + list(DEPENDENCY_LIST_GLOBS)
        watchers = [types.FileSystemWatcher(glob_pattern=glob) for glob in globs]
        options = types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers)
        ls.client_register_capability(
            types.RegistrationParams([types.Registration("tabguard.config-files", WATCHED, options)])
        )


@handlers.feature(WATCHED)
def did_change_watched_files(ls: TabguardServer, params: types.DidChangeWatchedFilesParams) -> None:
    if any(is_config_file(change.uri) for change in params.changes):
        ls.config_changed()
    if any(is_dependency_list(change.uri) for change in params.changes):
        ls.dependency_lists_changed()


@handlers.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
def did_change_configuration(ls: TabguardServer, params: types.DidChangeConfigurationParams) -> None:
    settings = _get(params, "settings")
    nested = _get(settings, "tabguard") if settings is not None else None
    if isinstance(nested, dict):
        ls.settings = dict(nested)
    ls.config_changed()


@handlers.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: TabguardServer, params: types.DidOpenTextDocumentParams) -> None:
    opened = ls.open(params.text_document)
    if opened is not None:
        ls.publish(opened)
        if opened.dependency and opened.config["network"]:
            asyncio.ensure_future(_check_dependencies_online(ls, opened))


@handlers.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: TabguardServer, params: types.DidChangeTextDocumentParams) -> None:
    opened = ls.documents.get(params.text_document.uri)
    if opened is None:
        log.warning("didChange for a document that is not open: %s", params.text_document.uri)
        return
    if params.text_document.version is not None:
        if params.text_document.version < opened.version:
            log.warning("didChange version went backwards for %s; applying anyway", opened.uri)
        opened.version = params.text_document.version
    ls.edit(opened, params.content_changes)
    ls.file_edited(opened)


@handlers.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: TabguardServer, params: types.DidSaveTextDocumentParams) -> None:
    if is_config_file(params.text_document.uri):
        ls.config_changed()
    elif is_dependency_list(params.text_document.uri):  # a new one is first written by a save
        ls.dependency_lists_changed()
    opened = ls.documents.get(params.text_document.uri)
    if opened is None:
        return
    ls.file_saved(opened)
    if opened.dependency and opened.config["network"]:
        asyncio.ensure_future(_check_dependencies_online(ls, opened))
    _sync_ledger(ls, opened)


def _sync_ledger(ls: TabguardServer, opened: OpenDocument) -> None:
    """On save: AI spans edited since their records get new ones; records and reviews other
    processes appended (an agent hook, `tabguard review`) show now."""
    opened.saved = opened.save_unrecorded = True
    ls.record_edits(opened)
    if opened.provenance is not None:
        changed = {str(path) for path in opened.provenance.sync()}
        ls.report_ledger(opened.provenance)
        for other in ls.documents.values():
            if other.provenance is opened.provenance and str(other.path) in changed:
                ls.publish(other)


async def _check_dependencies_online(ls: TabguardServer, opened: OpenDocument) -> None:
    """Index and vulnerability look-ups run off the event loop; their result is published only if
    the file has not changed meanwhile."""
    version = opened.version
    try:
        found = await ls.worker.run(ls.dependency_findings, opened, "\n".join(opened.lines), True)
    except Exception as error:  # the offline findings stay; say why the online ones are missing
        ls.notify_user(f"tabguard: online dependency checks failed: {error}", types.MessageType.Warning)
        return
    if ls.documents.get(opened.uri) is opened and opened.version == version and not opened.dep_dirty:
        opened.dep_findings = found
        ls.publish(opened)


# How long `shutdown` waits for the open files' queued edits, so their AI spans are recorded as edited.
SETTLE_AT_SHUTDOWN_S = 2.0


@handlers.feature(types.SHUTDOWN)
async def shutdown(ls: TabguardServer, params: Any) -> None:
    """Before `exit`: the AI spans edited in the open files, saved or not, get records of their
    current lines (`record_edits`), once the edits still queued behind an analysis are applied."""

    async def settle_all() -> None:
        for uri in list(ls.documents):
            opened = await ls.settled(uri)
            if opened is not None:
                ls.record_edits(opened, unsaved=True)

    try:
        await asyncio.wait_for(settle_all(), SETTLE_AT_SHUTDOWN_S)
    except asyncio.TimeoutError:  # a long analysis: `exit` records what is not queued
        log.warning("shutdown: edits still queued behind an analysis; their AI spans may not be recorded")


@handlers.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: TabguardServer, params: types.DidCloseTextDocumentParams) -> None:
    ls.close(params.text_document.uri)


# -- notebooks (LSP 3.17 notebook document sync; see tabguard.lsp.notebooks) ---------------------------
@handlers.feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
def did_open_notebook(ls: TabguardServer, params: types.DidOpenNotebookDocumentParams) -> None:
    opened = ls.open_notebook(params)
    if opened is not None:
        ls.publish(opened)


@handlers.feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
def did_change_notebook(ls: TabguardServer, params: types.DidChangeNotebookDocumentParams) -> None:
    opened = ls.documents.get(params.notebook_document.uri)
    if opened is None or opened.notebook is None:
        log.warning("notebookDocument/didChange for a notebook that is not open: %s", params.notebook_document.uri)
        return
    opened.version = params.notebook_document.version
    ls.edit(opened, params.change)


@handlers.feature(types.NOTEBOOK_DOCUMENT_DID_SAVE)
def did_save_notebook(ls: TabguardServer, params: types.DidSaveNotebookDocumentParams) -> None:
    opened = ls.documents.get(params.notebook_document.uri)
    if opened is not None:
        _sync_ledger(ls, opened)


@handlers.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
def did_close_notebook(ls: TabguardServer, params: types.DidCloseNotebookDocumentParams) -> None:
    ls.close(params.notebook_document.uri)


@handlers.feature(ACCEPT_NOTIFICATION)
async def did_accept_suggestion(ls: TabguardServer, params: Any) -> None:
    uri = _get(params, "textDocument", "uri")
    view = await ls.settled_view(uri)
    if view is None:
        log.warning("%s for a document that is not open (or a cell that is not Python): %r", ACCEPT_NOTIFICATION, uri)
        return
    opened = view.opened
    span = _range_lines(ls, view, _get(params, "range"))
    if span is None:
        log.warning("%s without a valid range for %s", ACCEPT_NOTIFICATION, uri)
    elif opened.doc is not None:
        origin = _get(params, "origin")
        model = _get(params, "modelId") or _get(params, "model")
        ls.record_accept(
            opened,
            span[0],
            span[1],
            origin if isinstance(origin, str) and origin else "editor",
            inferred=False,
            model_id=model if isinstance(model, str) else None,
        )
    ls.publish(opened)


@handlers.feature(
    types.TEXT_DOCUMENT_DIAGNOSTIC,
    types.DiagnosticOptions(identifier="tabguard", inter_file_dependencies=False, workspace_diagnostics=False),
)
async def pull_diagnostics(ls: TabguardServer, params: types.DocumentDiagnosticParams):
    view = await ls.settled_view(params.text_document.uri)
    return types.RelatedFullDocumentDiagnosticReport(items=ls.diagnostics(view) if view else [])


# -- hover, code actions, code lens ------------------------------------------------------------------
@handlers.feature(types.TEXT_DOCUMENT_HOVER)
async def hover(ls: TabguardServer, params: types.HoverParams) -> Optional[types.Hover]:
    view = await ls.settled_view(params.text_document.uri)
    if view is None:
        return None
    hits = ls.findings_at(view, params.position)
    explained = [(rule, f, confidence_of(f)) for f in hits if (rule := rule_by_id(f.rule_id)) is not None]
    if not explained:
        return None
    span = view.local(hits[0].span)
    return types.Hover(
        contents=types.MarkupContent(types.MarkupKind.Markdown, hover_markdown(explained, view.describe)),
        range=ls.encoding.range(view.lines, span) if span is not None else None,
    )


@handlers.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix], resolve_provider=False),
)
async def code_actions(ls: TabguardServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    view = await ls.settled_view(params.text_document.uri)
    if view is None:
        return []
    opened = view.opened
    lines, uri = opened.lines, opened.uri
    start = ls.engine_position(view, params.range.start)
    end = ls.engine_position(view, params.range.end)
    actions: list[types.CodeAction] = []
    review_offered = False
    hits = [
        f
        for f in ls.findings(opened)
        if (f.span.end_line, f.span.end_col) >= start and (f.span.start_line, f.span.start_col) <= end
    ]
    version = opened.version
    fixes = await ls.in_worker(opened, lambda: _checked_fixes(hits, lines)) if hits else []
    if fixes is None or ls.documents.get(uri) is not opened or opened.version != version:
        return []  # closed or edited meanwhile: the client asks again
    for finding, fix in zip(hits, fixes):
        local = view.local(finding.span)
        if local is None:
            continue
        diag = ls.diagnostic(view, finding)
        if fix is not None and view.position is None:
            actions.append(convert.fix_action(fix, uri, lines, ls.encoding, diag))
        elif fix is not None:
            action = notebooks.fix_action(ls, view, fix, diag)
            if action is not None:
                actions.append(action)
        ai = finding.details.get("ai")
        unreviewed = bool(ai) and not ai.get("reviewed")
        if not view.masked(finding.span.start_line):  # a comment on a masked line would be shell text
            local_finding = replace(finding, span=local)
            actions.append(convert.ignore_action(local_finding, view.uri, view.lines, ls.encoding, diag, unreviewed))
        if unreviewed and not review_offered:
            review_offered = True
            actions.extend(_review_action(ls, view, ai["start_line"], ai["end_line"], [diag]))
        actions.append(
            types.CodeAction(
                title=f"Explain {finding.rule_id}",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diag],
                command=types.Command(
                    title=f"Explain {finding.rule_id}", command=EXPLAIN, arguments=[{"rule": finding.rule_id}]
                ),
            )
        )
    if not review_offered and opened.provenance is not None:
        for span in opened.provenance.spans(opened.path):
            if not span.reviewed and span.start_line <= end[0] and start[0] < span.end_line:
                actions.extend(_review_action(ls, view, span.start_line, span.end_line, None))
                break
    return actions


def _checked_fixes(findings: list, lines: list[str]) -> list:
    """On the analysis thread: each finding's fix, or None where the fixed file would not parse."""
    error_before: list = []
    out = []
    for finding in findings:
        fix = finding.fix()
        if fix is not None:
            if not error_before:
                error_before.append(syntax_error_line("\n".join(lines)))
            if not keeps_parsing(fix, lines, error_before[0]):
                log.warning(
                    "tabguard: %s's fix at line %d would not parse; not offered",
                    finding.rule_id,
                    finding.span.start_line + 1,
                )
                fix = None
        out.append(fix)
    return out


def _review_action(ls: TabguardServer, view: View, start: int, end: int, diags) -> list[types.CodeAction]:
    """The action marking engine lines [start, end) reviewed, in the view's document (none when
    they lie in another cell)."""
    span = view.local(_line_span(start, end))
    if span is None:
        return []
    return [
        types.CodeAction(
            title="Mark AI suggestion as reviewed",
            kind=types.CodeActionKind.QuickFix,
            diagnostics=diags,
            command=types.Command(
                title="Mark AI suggestion as reviewed",
                command=MARK_REVIEWED,
                arguments=[{"uri": view.uri, "range": convert.to_json(ls.encoding.range(view.lines, span))}],
            ),
        )
    ]


def _line_span(start: int, end: int) -> Span:
    return Span(start, 0, max(start, end - 1), 10**9)


@handlers.feature(types.TEXT_DOCUMENT_CODE_LENS)
async def code_lens(ls: TabguardServer, params: types.CodeLensParams) -> list[types.CodeLens]:
    view = await ls.settled_view(params.text_document.uri)
    opened = view.opened if view is not None else None
    if view is None or opened is None or opened.provenance is None:
        return []
    findings = ls.findings(opened)
    lenses = []
    for span in opened.provenance.spans(opened.path):
        first = view.local(_line_span(span.start_line, span.start_line + 1))
        if first is None:
            continue  # in another cell
        inside = sum(1 for f in findings if span.start_line <= f.span.start_line < span.end_line)
        state = f"reviewed by {span.reviewer}" if span.reviewed else "not reviewed"
        title = f"AI ({span.origin}) · {_age(span.timestamp)} · {counted(inside, 'finding')} · {state}"
        rng = ls.encoding.range(view.lines, first)
        lenses.append(types.CodeLens(range=rng, command=types.Command(title=title, command="")))
        if not span.reviewed:
            for action in _review_action(ls, view, span.start_line, span.end_line, None):
                review = action.command
                assert review is not None
                lenses.append(
                    types.CodeLens(
                        range=rng,
                        command=types.Command(
                            title="Mark reviewed", command=review.command, arguments=review.arguments
                        ),
                    )
                )
    return lenses


def _age(timestamp: str) -> str:
    try:
        then = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return "unknown age"
    if then.tzinfo is None:  # another tool's timestamp without an offset: taken as UTC
        then = then.replace(tzinfo=timezone.utc)
    seconds = max(0, (datetime.now(timezone.utc) - then).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{int(seconds // size)} {unit} ago"
    return "just now"


# -- commands and custom requests --------------------------------------------------------------------
@handlers.command(MARK_REVIEWED)
async def mark_reviewed(ls: TabguardServer, *args) -> dict:
    params = args[0] if args else None
    if isinstance(params, list) and params:
        params = params[0]
    uri = _get(params, "uri")
    view = await ls.settled_view(uri)
    opened = view.opened if view is not None else None
    if view is None or opened is None or opened.provenance is None:
        raise InvalidParams(f"{MARK_REVIEWED}: {_shown(uri)} is not an open Python document in a workspace folder")
    span = _range_lines(ls, view, _get(params, "range")) or view.engine_lines(0, len(view.lines))
    reviewer = _get(params, "reviewer")
    try:
        marked = opened.provenance.mark_reviewed(
            opened.path, opened.ledger_lines, span[0], span[1], reviewer if isinstance(reviewer, str) else None
        )
    except OSError as error:  # refused (a symlinked ledger), a read-only folder, a full disk
        ls.notify_user(f"tabguard: the review was not recorded: {error}", types.MessageType.Error)
        marked = []
    ls.publish(opened)
    if ls.client_capabilities.workspace and ls.client_capabilities.workspace.code_lens:
        ls.workspace_code_lens_refresh(None)
    return {"reviewed": [{"startLine": s.start_line, "endLine": s.end_line, "reviewer": s.reviewer} for s in marked]}


@handlers.command(INVENTORY)
def inventory(ls: TabguardServer, *args) -> dict:
    ledgers = {id(o.provenance): o for o in ls.documents.values() if o.provenance is not None}
    reports = [build_inventory(o.provenance, o.provenance.root, o.config) for o in ledgers.values()]
    return reports[0] if len(reports) == 1 else {"workspaces": reports}


@handlers.command(EXPLAIN)
def explain(ls: TabguardServer, *args) -> str:
    params = args[0] if args else None
    if isinstance(params, list) and params:
        params = params[0]
    rule_id = params if isinstance(params, str) else _get(params, "rule")
    rule = rule_by_id(rule_id) if isinstance(rule_id, str) else None
    if rule is None:
        raise InvalidParams(f"{EXPLAIN}: unknown rule {_shown(rule_id)}")
    return explain_markdown(rule)


@handlers.feature(FILE_STATUS_REQUEST)
async def file_status(ls: TabguardServer, params: Any) -> dict:
    uri = _get(params, "textDocument", "uri")
    view = await ls.settled_view(uri)
    opened = view.opened if view is not None else None
    if opened is None:
        refused = ls.unchecked.get(uri) if isinstance(uri, str) else None
        return {"findings": 0, "aiSpans": 0, "unreviewed": 0, **({"notChecked": refused} if refused else {})}
    spans = opened.provenance.spans(opened.path) if opened.provenance is not None else []
    status = {
        "findings": len(ls.findings(opened)),
        "aiSpans": len(spans),
        "unreviewed": sum(1 for s in spans if not s.reviewed),
    }
    if opened.oversized:  # grown over the limit: not analysed until it is smaller
        status["notChecked"] = not_checked(opened.config)
    return status


def _shown(value: Any) -> str:
    """A client's argument in an error message: its repr, cut short (an argument can be megabytes)."""
    text = repr(value)
    return text if len(text) <= 200 else f"{text[:200]}..."


def build_server() -> TabguardServer:
    """A new server with every handler of this module registered."""
    server = TabguardServer()
    handlers.register_on(server)
    return server


def serve(tcp: Optional[tuple[str, int]] = None, max_message_bytes: Optional[int] = None) -> int:
    """Run until `exit` or the end of the input; returns the process exit code."""
    logging.basicConfig(level=logging.WARNING)
    # Analysis allocates many short-lived tree nodes (freed by reference counting); collect cycles
    # less often than the default so latency stays flat. What is loaded by now (the rules, libcst,
    # lsprotocol) lives as long as the process: frozen once, it is never scanned again. Nothing is
    # frozen later: a document's objects must be collectable once it is closed.
    gc.set_threshold(50_000, 20, 100)
    gc.collect()
    gc.freeze()
    # A collection or parse on an analysis thread holds the GIL; hand it back to the loop sooner.
    sys.setswitchinterval(0.001)
    server = build_server()
    if max_message_bytes:
        server.max_body = max_message_bytes
    return server.serve_tcp(*tcp) if tcp else server.serve_stdio()
