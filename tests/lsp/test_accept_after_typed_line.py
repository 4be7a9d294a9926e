"""A multi-line suggestion accepted at the end of the line it was typed on ("# orders" + Tab): the
edit starts with a line break, so the typed line holds none of it. The server's bulk-insert guess
and the plugin's report then name the same lines, and the accept is one AI span with the
assistant's name, not two (one of them "bulk-insert" and covering the typed line)."""

from __future__ import annotations

import pytest_lsp
from inprocess_lsp import IN_PROCESS
from lsprotocol import types
from pytest_lsp import LanguageClient
from test_provenance_e2e import _status

BASE = 'import sqlite3\n\nconn = sqlite3.connect("shop.db")\nname = input("customer: ")\n# orders\n'
SUGGESTION = "\nquery = f\"SELECT * FROM orders WHERE customer = '{name}'\"\nrows = conn.execute(query).fetchall()"


@pytest_lsp.fixture(config=IN_PROCESS)
async def client(lsp_client: LanguageClient, tmp_path):
    (tmp_path / ".git").mkdir()
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=tmp_path.as_uri())
    )
    lsp_client.root = tmp_path
    yield
    await lsp_client.shutdown_session()


async def test_the_guess_and_the_report_are_one_span(client: LanguageClient):
    path = client.root / "orders.py"
    path.write_text(BASE)
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, BASE)))
    at = types.Position(4, len("# orders"))
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(version=2, uri=uri),
            [types.TextDocumentContentChangePartial(types.Range(at, at), SUGGESTION)],
        )
    )
    client.protocol.notify(
        "tabguard/didAcceptSuggestion",
        {
            "textDocument": {"uri": uri, "version": 2},
            "range": {"start": {"line": 4, "character": 8}, "end": {"line": 6, "character": 37}},
            "origin": "copilot",
        },
    )
    by_copilot = lambda d: d.code == "TG105" and "(copilot)" in d.message  # noqa: E731
    [finding] = filter(by_copilot, await client.published(uri, wanted=lambda ds: any(map(by_copilot, ds))))
    assert finding.range.start.line == 6
    status = await _status(client, uri)
    assert (status["aiSpans"], status["unreviewed"]) == (1, 1), status
