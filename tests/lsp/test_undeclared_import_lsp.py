"""TG703 in the editor: an accepted suggestion that imports a package the application's requirements
do not list is told once, at its first import; deleting that import brings up the next one (the
server re-checks only the edited statement, so the repeats are dropped when diagnostics are read)."""

from __future__ import annotations

import pytest_lsp
from inprocess_lsp import IN_PROCESS
from lsprotocol import types
from pytest_lsp import LanguageClient

BASE = "from flask import Flask\n\napp = Flask(__name__)\n"
SUGGESTION = "import requests\nfrom requests.adapters import HTTPAdapter\n"


@pytest_lsp.fixture(config=IN_PROCESS)
async def client(lsp_client: LanguageClient, tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "requirements.txt").write_text("flask==3.1.0\n")
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=tmp_path.as_uri())
    )
    lsp_client.root = tmp_path
    yield
    await lsp_client.shutdown_session()


def _edit(client: LanguageClient, uri: str, version: int, start: int, end: int, text: str) -> None:
    change = types.TextDocumentContentChangePartial(types.Range(types.Position(start, 0), types.Position(end, 0)), text)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(types.VersionedTextDocumentIdentifier(version=version, uri=uri), [change])
    )


def _undeclared(diagnostics) -> list[tuple[int, str]]:
    return [(d.range.start.line, d.message) for d in diagnostics if d.code == "TG703"]


async def test_an_accepted_undeclared_import_is_told_once_at_its_first_import(client: LanguageClient):
    path = client.root / "app.py"
    path.write_text(BASE)
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, BASE)))
    assert _undeclared(await client.published(uri, 1)) == []

    _edit(client, uri, 2, 1, 1, SUGGESTION)
    client.protocol.notify(
        "tabguard/didAcceptSuggestion",
        {
            "textDocument": {"uri": uri, "version": 2},
            "range": {"start": {"line": 1, "character": 0}, "end": {"line": 3, "character": 0}},
            "origin": "copilot",
        },
    )
    told = _undeclared(await client.published(uri, 2, wanted=lambda ds: any("(copilot)" in d.message for d in ds)))
    assert len(told) == 1 and told[0][0] == 1, told
    assert "`requests` is imported but `requests` is not declared" in told[0][1]
    assert "AI-inserted (copilot)" in told[0][1]

    _edit(client, uri, 3, 1, 2, "")  # the first import goes: the second is now the one told
    assert [line for line, _ in _undeclared(await client.published(uri, 3))] == [1]
