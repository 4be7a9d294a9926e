"""A client that pulls diagnostics still gets a notebook's pushed to its cells: VS Code's
vscode-languageclient 9 (the extension's, which tells the server `pullDiagnostics`) pulls for text
documents only, never for notebook cells (vscode-languageserver-node issue 1464), so a cell
diagnostic that is not pushed is never shown."""

from __future__ import annotations

import pytest_lsp
from inprocess_lsp import IN_PROCESS
from lsprotocol import types
from pytest_lsp import LanguageClient
from test_notebooks import CODE, Notebook, diagnostics, has


@pytest_lsp.fixture(config=IN_PROCESS)
async def client(lsp_client: LanguageClient, tmp_path):
    (tmp_path / ".git").mkdir()
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(
                text_document=types.TextDocumentClientCapabilities(diagnostic=types.DiagnosticClientCapabilities()),
                notebook_document=types.NotebookDocumentClientCapabilities(
                    synchronization=types.NotebookDocumentSyncClientCapabilities()
                ),
            ),
            root_uri=tmp_path.as_uri(),
            workspace_folders=[types.WorkspaceFolder(tmp_path.as_uri(), "ws")],
            initialization_options={"pullDiagnostics": True},  # as editors/vscode sends it
        )
    )
    lsp_client.root = tmp_path
    yield
    await lsp_client.shutdown_session()


async def test_cells_are_pushed_to_a_pulling_client(client: LanguageClient):
    nb = Notebook(client, client.root / "pulls.ipynb")
    source, use = nb.open([(CODE, "import subprocess\ncmd = input()"), (CODE, "subprocess.run(cmd, shell=True)")])
    await diagnostics(client, use, has(("TG100", 0, 15, 0, 18)))
    nb.edit(use, 2, (0, 0), (0, 0), "\n")  # an edit is pushed too, at the cell's new lines
    await diagnostics(client, use, has(("TG100", 1, 15, 1, 18)))


async def test_files_are_still_pulled(client: LanguageClient):
    path = client.root / "app.py"
    path.write_text("import subprocess\nsubprocess.run(input(), shell=True)\n")
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(path.as_uri(), "python", 1, path.read_text()))
    )
    report = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(types.TextDocumentIdentifier(path.as_uri()))
    )
    assert [d.code for d in report.items] == ["TG100"]  # type: ignore[union-attr]
    assert path.as_uri() not in client.diagnostics  # answered by the pull, never pushed
