"""LSP 3.17 notebook document sync: a notebook is one open document whose text is the virtual
module of its Python code cells (`tabguard.lsp.notebook_text`); its diagnostics are published to
each cell's own URI, at cell-relative positions.

The server calls these functions. A notebook goes through the same scheduling as a file (edits
queued while it is analysed, accepts answered at once, plain typing debounced): only its text model
and its publishing differ. Requests for a cell URI are answered by the notebook that holds the cell.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Sequence

from lsprotocol import types

from tabguard.engine.document import split_lines
from tabguard.engine.fixes import materialize
from tabguard.engine.types import Finding, Fix, Related, Span
from tabguard.lsp import convert
from tabguard.lsp.notebook_text import LineChange, NotebookText, cell_key, line_change
from tabguard.lsp.transport import TabguardProtocol
from tabguard.lsp.views import View

if TYPE_CHECKING:
    from tabguard.lsp.server import OpenDocument, TabguardServer

log = logging.getLogger("tabguard.lsp")
NOTEBOOK_TYPE = "jupyter-notebook"
SYNC_OPTIONS = types.NotebookDocumentSyncOptions(
    notebook_selector=[
        types.NotebookDocumentFilterWithNotebook(
            notebook=NOTEBOOK_TYPE,
            cells=[types.NotebookCellLanguage(language="python")],
        )
    ],
    save=True,
)


def size(text: NotebookText) -> int:
    """Characters of code, as max-file-size counts a file's."""
    return sum(map(len, text.masked)) + len(text.masked) - 1


def clear_cells(ls: "TabguardServer", opened: "OpenDocument", uris: Sequence[str]) -> None:
    """Take down the diagnostics of cells that are gone (closed, or their notebook closed)."""
    for uri in uris:
        if ls.cell_owner.get(cell_key(uri)) == opened.uri:
            del ls.cell_owner[cell_key(uri)]
        if opened.cell_published.pop(uri, None):
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


def apply_change(
    ls: "TabguardServer", opened: "OpenDocument", change: types.NotebookDocumentChangeEvent
) -> list[tuple[int, int]]:
    """Apply one notebookDocument/didChange: cells (re)structured first, then their text, as the
    protocol orders them. Returns the raw line ranges [start, end) of bulk insertions."""
    notebook = opened.notebook
    cells = change.cells
    if notebook is None or cells is None:
        return []
    if cells.structure is not None or cells.data:
        masked, raw, closed = notebook.restructure(cells)
        for item in cells.structure.did_open or [] if cells.structure is not None else []:
            ls.cell_owner[cell_key(item.uri)] = opened.uri
        _replace(opened, notebook, masked, raw)
        clear_cells(ls, opened, closed)
    accepted: list[tuple[int, int]] = []
    for content in cells.text_content or []:
        cell = notebook.cell(content.document.uri)
        if cell is None:
            log.warning("a change for a cell that is not open: %s", content.document.uri)
            continue
        for edit in content.changes:
            if isinstance(edit, types.TextDocumentContentChangeWholeDocument):
                start, end = (0, 0), (len(cell.lines) - 1, len(cell.lines[-1]))
            else:
                start = ls.encoding.engine_position(cell.lines, edit.range.start)
                end = ls.encoding.engine_position(cell.lines, edit.range.end)
            masked, raw, first = notebook.edit_cell(
                content.document.uri, start, end, edit.text, content.document.version
            )
            _replace(opened, notebook, masked, raw)
            # A cell's whole text sent again is no insertion (clients that sync cells in full).
            if (
                first is not None
                and raw is not None
                and not isinstance(edit, types.TextDocumentContentChangeWholeDocument)
            ):
                inserted = ls.classify_edit(opened, first, raw.old_last - raw.first + 1 - len(raw.lines), edit.text)
                if inserted is not None:
                    accepted.append(inserted)
    return accepted


def _replace(
    opened: "OpenDocument", notebook: NotebookText, masked: Optional[LineChange], raw: Optional[LineChange]
) -> None:
    """Hand one change of the virtual module to the engine and to the ledger's live spans."""
    if masked is not None and opened.doc is not None:
        last = opened.doc.lines[masked.old_last]
        opened.doc.replace(masked.first, 0, masked.old_last, len(last), "\n".join(masked.lines), analyze=False)
    if raw is not None and opened.provenance is not None and opened.path is not None:
        opened.provenance.apply_edit(opened.path, raw.first, raw.old_last, len(raw.lines), notebook.raw)


def view(opened: "OpenDocument", uri: str) -> Optional[View]:
    """The request's document as seen from `opened`; None for a cell that is not Python code."""
    if opened.notebook is None:
        return View(opened, uri)
    position = opened.notebook.position(uri)
    return View(opened, uri, position) if position is not None else None


# -- publishing --------------------------------------------------------------------------------------
def send_diagnostics(ls: "TabguardServer", opened: "OpenDocument", findings: list[Finding]) -> None:
    """Publish each cell's diagnostics to its URI: only the cells whose diagnostics changed."""
    notebook = opened.notebook
    assert notebook is not None
    by_cell: dict[str, list[str]] = {notebook.code_cell(p).uri: [] for p in range(len(notebook.code))}
    for finding in findings:
        uri, diagnostic = cell_diagnostic(ls, notebook, finding)
        by_cell.setdefault(uri, []).append(json.dumps(diagnostic))
    protocol = ls.protocol
    assert isinstance(protocol, TabguardProtocol)
    for uri in set(opened.cell_published) - set(by_cell):  # no longer a code cell: its diagnostics go
        if opened.cell_published.pop(uri):
            _publish(protocol, uri, "", notebook)
    for uri, items in by_cell.items():
        text = ", ".join(items)
        if opened.cell_published.get(uri) != text:  # every code cell is published once, then on changes
            opened.cell_published[uri] = text
            _publish(protocol, uri, text, notebook)


def _publish(protocol: TabguardProtocol, uri: str, diagnostics: str, notebook: NotebookText) -> None:
    """Sent as JSON text, as a file's diagnostics are (see `TabguardServer.send_diagnostics`)."""
    cell = notebook.cell(uri)
    version = f', "version": {cell.version}' if cell is not None else ""
    protocol.send_serialized(
        f'{{"jsonrpc": "2.0", "method": "{types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS}", "params": '
        f'{{"uri": {json.dumps(uri)}, "diagnostics": [{diagnostics}]{version}}}}}'
    )


def cell_diagnostic(ls: "TabguardServer", notebook: NotebookText, finding: Finding) -> tuple[str, dict[str, Any]]:
    """(cell URI, diagnostic JSON) of a finding; its related places in their own cells."""
    position, span = notebook.vm.to_cell_span(finding.span)
    cell = notebook.code_cell(position)
    out = convert.diagnostic_json(finding, cell.lines, ls.encoding, cell.uri, related=False, span=span)
    if finding.related and ls.related_information:
        out["relatedInformation"] = [_related(ls, notebook, r) for r in finding.related]
    return cell.uri, out


def _related(ls: "TabguardServer", notebook: NotebookText, related: Related) -> dict[str, Any]:
    if related.path:
        where = {"uri": Path(related.path).as_uri(), "range": convert.plain_range(related.span)}
    else:
        position, span = notebook.vm.to_cell_span(related.span)
        cell = notebook.code_cell(position)
        where = {"uri": cell.uri, "range": convert.range_json(cell.lines, span, ls.encoding)}
    return {"location": where, "message": related.message}


# -- code actions --------------------------------------------------------------------------------------
def fix_action(ls: "TabguardServer", view: View, fix: Fix, diag: types.Diagnostic) -> Optional[types.CodeAction]:
    """A fix as edits of the cells it changes (an import may land in the first cell); None when it
    cannot be made in the cells (it spans two cells, or touches masked IPython syntax)."""
    notebook = view.opened.notebook
    assert notebook is not None
    sources = notebook.vm.apply(materialize(fix, view.opened.lines))
    if not sources:
        return None
    changes = {}
    for position, source in sources.items():
        cell = notebook.code_cell(position)
        changes[cell.uri] = [_cell_edit(ls, cell.lines, split_lines(source))]
    title = fix.title if fix.safe else f"{fix.title} (unsafe: review the change)"
    return types.CodeAction(
        title=title,
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diag],
        is_preferred=fix.safe or None,
        edit=types.WorkspaceEdit(changes=changes),
    )


def _cell_edit(ls: "TabguardServer", old: list[str], new: list[str]) -> types.TextEdit:
    """One edit turning a cell's lines `old` into `new`: the lines between their common head and tail."""
    change = line_change(old, new, 0, len(old), len(new)) or LineChange(0, 0, old[:1])
    rng = ls.encoding.range(old, Span(change.first, 0, change.old_last, len(old[change.old_last])))
    return types.TextEdit(rng, "\n".join(change.lines))
