"""Pull diagnostics are offered only to a client that asked to pull (`pullDiagnostics`). Neovim 0.11
declares pull support and pulls whenever the server offers it, without saying so; offered pull while
also pushed to, it listed every finding twice."""

from __future__ import annotations

import pytest_lsp
from inprocess_lsp import IN_PROCESS
from lsprotocol import types
from pytest_lsp import LanguageClient

PULLS = types.ClientCapabilities(
    text_document=types.TextDocumentClientCapabilities(diagnostic=types.DiagnosticClientCapabilities())
)


async def _start(client: LanguageClient, root, options: dict) -> types.InitializeResult:
    (root / ".git").mkdir()
    client.root = root
    return await client.initialize_session(
        types.InitializeParams(capabilities=PULLS, root_uri=root.as_uri(), initialization_options=options)
    )


@pytest_lsp.fixture(config=IN_PROCESS)
async def silent(lsp_client: LanguageClient, tmp_path):
    lsp_client.result = await _start(lsp_client, tmp_path, {})
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=IN_PROCESS)
async def asking(lsp_client: LanguageClient, tmp_path):
    lsp_client.result = await _start(lsp_client, tmp_path, {"pullDiagnostics": True})
    yield
    await lsp_client.shutdown_session()


async def test_a_client_that_did_not_ask_is_not_offered_pull_and_is_pushed_to(silent: LanguageClient):
    assert silent.result.capabilities.diagnostic_provider is None
    path = silent.root / "app.py"
    path.write_text("import subprocess\nsubprocess.run(input(), shell=True)\n")
    silent.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(path.as_uri(), "python", 1, path.read_text()))
    )
    published = await silent.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert [d.code for d in published.diagnostics] == ["TG100"]


async def test_a_client_that_asked_is_offered_pull(asking: LanguageClient):
    assert asking.result.capabilities.diagnostic_provider is not None
