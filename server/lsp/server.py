"""`tabguard lsp`: thin pygls handlers over the incremental engine.

Documents live in the engine (`Document`), not in pygls's workspace: pygls's own text model costs
O(file) per change, which alone would break the latency budget on large files. Plain typing is
applied at once but analysed after a short debounce; an accepted suggestion (a bulk insertion or a
`tabguard/didAcceptSuggestion` notification) is analysed and published immediately.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method
from pygls.uris import to_fs_path

from tabguard import __version__
from tabguard.analysis import ruleset_from_config, visible
from tabguard.config import Config, load_config
from tabguard.engine.document import Document
from tabguard.engine.types import Finding
from tabguard.lsp import convert
from tabguard.lsp.positions import Encoding
from tabguard.render import explain_markdown
from tabguard.rules import rule_by_id

log = logging.getLogger("tabguard.lsp")
ACCEPT_NOTIFICATION = "tabguard/didAcceptSuggestion"
FILE_STATUS_REQUEST = "tabguard/fileStatus"
TYPING_DEBOUNCE_S = 0.03


class TabguardProtocol(LanguageServerProtocol):
    """Keeps pygls from mirroring document text: the engine owns it."""

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params):
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_OPEN)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params):
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params):
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CLOSE)) is not None:
            yield handler, (params,), None


@dataclass
class OpenDocument:
    uri: str
    path: Optional[Path]
    version: int
    doc: Document
    config: Config
    published_version: Optional[int] = None
    flush_handle: Optional[asyncio.TimerHandle] = field(default=None, repr=False)

    @property
    def lines(self) -> list[str]:
        return self.doc.lines


class TabguardServer(LanguageServer):
    def __init__(self):
        super().__init__("tabguard", __version__, protocol_cls=TabguardProtocol)
        self.documents: dict[str, OpenDocument] = {}
        self.encoding = Encoding("utf-16")
        self.settings: dict[str, Any] = {}
        self.pull_diagnostics = False
        self.reported_errors: set[str] = set()
        self._configs: dict[Path, Config] = {}

    # -- configuration ---------------------------------------------------------------------------
    def config_for(self, path: Optional[Path]) -> Config:
        folder = (path.parent if path else Path.cwd()).resolve()
        if folder not in self._configs:
            config = load_config(folder).merged(self.settings)
            for problem in config.problems:
                self.notify_user(f"tabguard config: {problem}", types.MessageType.Warning)
            self._configs[folder] = config
        return self._configs[folder]

    def notify_user(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        self.window_log_message(types.LogMessageParams(kind, message))
        if kind in (types.MessageType.Error, types.MessageType.Warning):
            self.window_show_message(types.ShowMessageParams(kind, message))

    # -- documents -------------------------------------------------------------------------------
    def open(self, item: types.TextDocumentItem) -> Optional[OpenDocument]:
        path = _path_of(item.uri)
        config = self.config_for(path)
        if item.language_id not in ("python", "") and not (path and path.suffix in (".py", ".pyi")):
            return None
        size = len(item.text)
        if size > config["max-file-size"]:
            self.notify_user(
                f"tabguard: {item.uri} is {size} characters, over max-file-size ({config['max-file-size']}); not analysed",
                types.MessageType.Warning,
            )
            return None
        relative = _relative(path, config)
        doc = Document(item.text, ruleset_from_config(config, relative), str(path or item.uri), config.options())
        opened = OpenDocument(item.uri, path, item.version, doc, config)
        self.documents[item.uri] = opened
        self.report_rule_errors(opened)
        return opened

    def apply_changes(self, opened: OpenDocument, changes) -> list[tuple[int, int]]:
        """Apply content changes; return the line ranges [start, end) of bulk insertions."""
        accepted: list[tuple[int, int]] = []
        for change in changes:
            if isinstance(change, types.TextDocumentContentChangeWholeDocument) or getattr(change, "range", None) is None:
                opened.doc.set_text(change.text)
                continue
            lines = opened.lines
            start = self.encoding.engine_position(lines, change.range.start)
            end = self.encoding.engine_position(lines, change.range.end)
            first, _, count = opened.doc.replace(*start, *end, change.text, analyze=False)
            if _is_bulk_insertion(change.text, opened.config):
                accepted.append(_inserted_lines(opened.lines, first, count))
        return accepted

    def findings(self, opened: OpenDocument) -> list[Finding]:
        findings = opened.doc.findings()
        self.report_rule_errors(opened)
        return visible(findings, opened.lines)

    def report_rule_errors(self, opened: OpenDocument) -> None:
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

    def publish(self, opened: OpenDocument) -> None:
        if opened.flush_handle is not None:
            opened.flush_handle.cancel()
            opened.flush_handle = None
        if self.pull_diagnostics:
            opened.doc.flush()
            self.workspace_diagnostic_refresh(None)
            return
        lines = opened.lines
        diagnostics = [convert.diagnostic(f, lines, self.encoding, opened.uri) for f in self.findings(opened)]
        opened.published_version = opened.version
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=opened.uri, diagnostics=diagnostics, version=opened.version)
        )

    def schedule_publish(self, opened: OpenDocument) -> None:
        if opened.flush_handle is not None:
            opened.flush_handle.cancel()
        loop = asyncio.get_event_loop()
        opened.flush_handle = loop.call_later(TYPING_DEBOUNCE_S, self._publish_if_open, opened.uri)

    def _publish_if_open(self, uri: str) -> None:
        opened = self.documents.get(uri)
        if opened is not None:
            opened.flush_handle = None
            self.publish(opened)

    def finding_at(self, opened: OpenDocument, position: types.Position) -> list[Finding]:
        line, col = self.encoding.engine_position(opened.lines, position)
        hits = []
        for finding in self.findings(opened):
            span = finding.span
            if (span.start_line, span.start_col) <= (line, col) <= (span.end_line, span.end_col):
                hits.append(finding)
        return hits


server = TabguardServer()


def _path_of(uri: str) -> Optional[Path]:
    if not uri.startswith("file:"):
        return None
    try:
        path = to_fs_path(uri)
        return Path(path) if path else None
    except Exception:
        return None


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


def _inserted_lines(lines: list[str], first: int, count: int) -> tuple[int, int]:
    """The non-blank lines of an insertion that now occupies lines first..first+count-1."""
    start, end = first, first + count
    while start < end - 1 and not lines[start].strip():
        start += 1
    while end - 1 > start and not lines[end - 1].strip():
        end -= 1
    return start, end


# -- lifecycle ---------------------------------------------------------------------------------------
@server.feature(types.INITIALIZE)
def initialize(ls: TabguardServer, params: types.InitializeParams) -> None:
    encoding = ls.protocol.workspace.position_encoding if ls.protocol._workspace else "utf-16"
    ls.encoding = Encoding(encoding or "utf-16")
    options = params.initialization_options
    if isinstance(options, dict):
        ls.settings = {k: v for k, v in options.items() if k not in ("tabguard",)}
        if isinstance(options.get("tabguard"), dict):
            ls.settings.update(options["tabguard"])
    caps = params.capabilities.text_document
    ls.pull_diagnostics = bool(caps and caps.diagnostic and ls.settings.pop("pullDiagnostics", False))


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: TabguardServer, params: types.DidOpenTextDocumentParams) -> None:
    opened = ls.open(params.text_document)
    if opened is not None:
        ls.publish(opened)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: TabguardServer, params: types.DidChangeTextDocumentParams) -> None:
    opened = ls.documents.get(params.text_document.uri)
    if opened is None:
        log.warning("didChange for a document that is not open: %s", params.text_document.uri)
        return
    if params.text_document.version is not None and params.text_document.version < opened.version:
        log.warning("didChange version went backwards for %s; applying anyway", opened.uri)
    opened.version = params.text_document.version
    accepted = ls.apply_changes(opened, params.content_changes)
    if accepted:
        ls.publish(opened)
    else:
        ls.schedule_publish(opened)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: TabguardServer, params: types.DidCloseTextDocumentParams) -> None:
    opened = ls.documents.pop(params.text_document.uri, None)
    if opened is not None:
        if opened.flush_handle is not None:
            opened.flush_handle.cancel()
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=opened.uri, diagnostics=[]))


@server.feature(ACCEPT_NOTIFICATION)
def did_accept_suggestion(ls: TabguardServer, params: Any) -> None:
    uri = _get(params, "textDocument", "uri")
    opened = ls.documents.get(uri) if isinstance(uri, str) else None
    if opened is None:
        log.warning("%s for a document that is not open: %r", ACCEPT_NOTIFICATION, uri)
        return
    ls.publish(opened)


@server.feature(
    types.TEXT_DOCUMENT_DIAGNOSTIC,
    types.DiagnosticOptions(identifier="tabguard", inter_file_dependencies=False, workspace_diagnostics=False),
)
def pull_diagnostics(ls: TabguardServer, params: types.DocumentDiagnosticParams):
    opened = ls.documents.get(params.text_document.uri)
    items = []
    if opened is not None:
        items = [convert.diagnostic(f, opened.lines, ls.encoding, opened.uri) for f in ls.findings(opened)]
    return types.RelatedFullDocumentDiagnosticReport(items=items)


# -- hover, code actions, commands ------------------------------------------------------------------
@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: TabguardServer, params: types.HoverParams) -> Optional[types.Hover]:
    opened = ls.documents.get(params.text_document.uri)
    if opened is None:
        return None
    hits = ls.finding_at(opened, params.position)
    if not hits:
        return None
    parts = []
    for finding in hits:
        rule = rule_by_id(finding.rule_id)
        if rule is None:
            continue
        text = explain_markdown(rule, finding.details, heading_level=3)
        if finding.details.get("ai_note"):
            text = f"**{finding.details['ai_note']}**\n\n{text}"
        parts.append(text)
    if not parts:
        return None
    first = hits[0].span
    return types.Hover(
        contents=types.MarkupContent(types.MarkupKind.Markdown, "\n\n---\n\n".join(parts)),
        range=ls.encoding.range(opened.lines, first),
    )


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix], resolve_provider=False),
)
def code_actions(ls: TabguardServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    opened = ls.documents.get(params.text_document.uri)
    if opened is None:
        return []
    lines = opened.lines
    start = ls.encoding.engine_position(lines, params.range.start)
    end = ls.encoding.engine_position(lines, params.range.end)
    actions: list[types.CodeAction] = []
    for finding in ls.findings(opened):
        span = finding.span
        if (span.end_line, span.end_col) < start or (span.start_line, span.start_col) > end:
            continue
        diag = convert.diagnostic(finding, lines, ls.encoding, opened.uri)
        fix = finding.fix()
        if fix is not None:
            actions.append(convert.fix_action(fix, opened.uri, lines, ls.encoding, diag))
        actions.append(convert.ignore_action(finding, opened.uri, lines, ls.encoding, diag))
        actions.append(
            types.CodeAction(
                title=f"Explain {finding.rule_id}",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diag],
                command=types.Command(
                    title=f"Explain {finding.rule_id}", command="tabguard.explain", arguments=[{"rule": finding.rule_id}]
                ),
            )
        )
    return actions


@server.command("tabguard.explain")
def explain_command(ls: TabguardServer, *args) -> Optional[str]:
    rule_id = _get(args[0] if args else None, "rule") or (args[0] if args and isinstance(args[0], str) else None)
    rule = rule_by_id(rule_id) if isinstance(rule_id, str) else None
    if rule is None:
        raise ValueError(f"unknown rule {rule_id!r}")
    return explain_markdown(rule)


@server.feature(FILE_STATUS_REQUEST)
def file_status(ls: TabguardServer, params: Any) -> dict:
    opened = ls.documents.get(_get(params, "textDocument", "uri"))
    if opened is None:
        return {"findings": 0, "aiSpans": 0, "unreviewed": 0}
    return {"findings": len(ls.findings(opened)), "aiSpans": 0, "unreviewed": 0}


def _get(obj: Any, *keys: str) -> Any:
    """Read nested params whether pygls gave us a dict or an attribute object."""
    for key in keys:
        if obj is None:
            return None
        if isinstance(obj, dict):
            obj = obj.get(key)
        else:
            obj = getattr(obj, key, None) or getattr(obj, _snake(key), None)
    return obj


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


def serve(tcp: Optional[tuple[str, int]] = None) -> None:
    logging.basicConfig(level=logging.WARNING)
    if tcp:
        server.start_tcp(*tcp)
    else:
        server.start_io()
