"""The data-flow path of a finding over LSP: relatedInformation (when the client shows it, files
of other modules included) and the hover, one step a line."""

from __future__ import annotations


import pytest_lsp
from inprocess_lsp import IN_PROCESS
from lsprotocol import types
from pytest_lsp import LanguageClient

DB = "import sqlite3\n\n\ndef find(name):\n    return sqlite3.connect('x').execute(\"SELECT * FROM t WHERE n = '%s'\" % name)\n"
APP = (
    "from flask import Flask, request\n\nfrom db import find\n\napp = Flask(__name__)\n\n\n"
    "@app.route('/u')\ndef u():\n    return str(find(request.args['name']))\n"
)


@pytest_lsp.fixture(config=IN_PROCESS)
async def related_client(lsp_client: LanguageClient, tmp_path):
    capabilities = types.ClientCapabilities(
        text_document=types.TextDocumentClientCapabilities(
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(related_information=True)
        )
    )
    await lsp_client.initialize_session(types.InitializeParams(capabilities=capabilities, root_uri=tmp_path.as_uri()))
    lsp_client.workspace_root = tmp_path
    yield
    await lsp_client.shutdown_session()


async def _open_app(client: LanguageClient):
    (client.workspace_root / "db.py").write_text(DB, encoding="utf-8")
    path = client.workspace_root / "app.py"
    path.write_text(APP, encoding="utf-8")
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, APP)))

    # The cross-file finding may come in a publish after the first (once the index has db.py).
    return uri, await client.published(uri, wanted=lambda ds: any(d.code == "TG105" for d in ds))


async def test_related_information_holds_the_path_into_the_other_module(related_client: LanguageClient):
    uri, diags = await _open_app(related_client)
    [diag] = [d for d in diags if d.code == "TG105"]
    assert diag.range.start.line == 9
    places = [(i.location.uri.rsplit("/", 1)[-1], i.location.range.start.line) for i in diag.related_information]
    assert places == [("app.py", 9), ("app.py", 9), ("db.py", 4)]
    hover = await related_client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), diag.range.start)
    )
    path = hover.contents.value.split("**Path**", 1)[1].strip().splitlines()
    assert path[0].startswith("1. line 10: user-controlled data enters here")
    assert path[2].startswith("3. db.py:5: reaches the sink in `find`")
    assert path[3] == "4. line 10: flagged here"


async def test_no_related_information_for_a_client_that_does_not_show_it(client: LanguageClient):
    _, diags = await _open_app(client)
    [diag] = [d for d in diags if d.code == "TG105"]
    assert diag.related_information is None
