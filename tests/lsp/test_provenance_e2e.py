"""The provenance workflow end to end, driven as an editor drives the server: accepts are recorded
as Agent Trace records and flagged as AI in diagnostics; another tool's record is honoured; the CI
gate fails until review; an edit made with the server stopped unreviews; a restart restores spans."""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

import pytest_lsp
from inprocess_lsp import IN_PROCESS, ServerThread
from lsprotocol import types
from pytest_lsp import LanguageClient

from tabguard.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "provenance"))
from provenance_helpers import foreign_record, ledger_lines, schema_errors  # noqa: E402

BASE = "import requests\nimport subprocess\n\n\ndef keep():\n    return 1\n"
SNIPPET = "def fetch(url):\n    return requests.get(url, verify=False, timeout=5)\n"
ACCEPTED = "def run(cmd):\n    subprocess.call(cmd, shell=True)\n"


async def _status(client: LanguageClient, uri: str) -> dict:
    result = await client.protocol.send_request_async("tabguard/fileStatus", {"textDocument": {"uri": uri}})
    return result if isinstance(result, dict) else result._asdict()


def _change(client, uri, version, line, text):
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(version=version, uri=uri),
            [
                types.TextDocumentContentChangePartial(
                    types.Range(types.Position(line, 0), types.Position(line, 0)), text
                )
            ],
        )
    )


@pytest_lsp.fixture(config=IN_PROCESS)
async def client(lsp_client: LanguageClient, tmp_path):
    (tmp_path / ".git").mkdir()  # the workspace root
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            root_uri=tmp_path.as_uri(),
            initialization_options={"tabguard": {"reviewer": "Grace"}},
        )
    )
    lsp_client.root = tmp_path
    yield
    await lsp_client.shutdown_session()


async def test_accepts_are_recorded_flagged_reviewed_and_gated(client: LanguageClient):
    root = client.root
    path = root / "app.py"
    path.write_text(BASE)
    # Another tool (an agent hook) attributed `keep()` to AI before the editor opened the file.
    (root / ".agent-trace").mkdir()
    (root / ".agent-trace" / "traces.jsonl").write_text(json.dumps(foreign_record("app.py", 5, 6)) + "\n")
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, BASE)))
    await client.published(uri, 1)
    status = await _status(client, uri)
    assert status["aiSpans"] == 1 and status["unreviewed"] == 1

    # 1. A bulk insertion (a paste from chat) is an inferred accept.
    _change(client, uri, 2, 6, "\n\n" + SNIPPET)
    diags = await client.published(uri, 2)
    tls = next(d for d in diags if d.code == "TG201")
    assert "AI-inserted (bulk-insert), not reviewed" in tls.message
    # 2. An explicit accept reported by the editor plugin, with its origin.
    _change(client, uri, 3, 0, "")  # no-op change keeps versions honest
    text_now = BASE + "\n\n" + SNIPPET
    line = text_now.count("\n")
    _change(client, uri, 4, line, "\n\n" + ACCEPTED)
    client.protocol.notify(
        "tabguard/didAcceptSuggestion",
        {
            "textDocument": {"uri": uri, "version": 4},
            "range": {"start": {"line": line + 2, "character": 0}, "end": {"line": line + 4, "character": 0}},
            "origin": "copilot",
        },
    )

    # Version 4 is published twice (the insertion, then the accept): read what the client recorded
    # rather than waiting for the second publish, which may have arrived already.
    def shell_by_copilot(d):
        return d.code == "TG100" and "(copilot)" in d.message

    shell = next(
        filter(shell_by_copilot, await client.published(uri, wanted=lambda ds: any(map(shell_by_copilot, ds))))
    )
    assert "AI-inserted (copilot), not reviewed" in shell.message

    records = ledger_lines(root)
    mine = [r for r in records if r["tool"]["name"] == "tabguard"]
    origins = {r["metadata"]["dev.tabguard"]["origin"] for r in mine}
    assert {"bulk-insert", "copilot"} <= origins
    assert all(schema_errors(r) == [] for r in mine)

    # Code lens over each AI span, with a one-click review.
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(types.TextDocumentIdentifier(uri)))
    assert any(lens.command.title.startswith("AI (copilot)") for lens in lenses)
    assert any(lens.command.title == "Mark reviewed" for lens in lenses)

    # The CI gate sees unreviewed AI code with findings: the file on disk is what CI checks.
    client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri)))
    final_text = text_now + "\n\n" + ACCEPTED
    path.write_text(final_text)
    assert main(["check", "--gate", "--no-cache", str(path)]) == 1

    # Review everything through the command the code action runs.
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uri), shell.range, types.CodeActionContext(diagnostics=[shell])
        )
    )
    review = next(a for a in actions if a.title == "Mark AI suggestion as reviewed")
    whole = {"start": {"line": 0, "character": 0}, "end": {"line": final_text.count("\n"), "character": 0}}
    # (pytest-lsp's client decodes a CodeAction that carries a command but no edit as a Command,
    # with the nested command dict turned into its repr; editors read the JSON as a CodeAction)
    nested = review.command
    nested = ast.literal_eval(nested) if isinstance(nested, str) else {"command": nested.command}
    command = nested["command"]
    assert command == "tabguard.markReviewed"
    await client.workspace_execute_command_async(types.ExecuteCommandParams(command, [{"uri": uri, "range": whole}]))
    status = await _status(client, uri)
    assert status["aiSpans"] == 3 and status["unreviewed"] == 0
    assert main(["check", "--gate", "--no-cache", str(path)]) == 0

    # An edit to reviewed code made elsewhere (server not involved) makes the gate fail again.
    path.write_text(final_text.replace("cmd, shell=True", "cmd + ' -v', shell=True"))
    assert main(["check", "--gate", "--no-cache", str(path)]) == 1


async def test_restart_restores_every_span(client: LanguageClient):
    root = client.root
    path = root / "app.py"
    path.write_text(BASE)
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, BASE)))
    await client.published(uri, 1)
    _change(client, uri, 2, 0, SNIPPET + "\n\n")
    await client.published(uri, 2)
    _change(client, uri, 3, 0, "# header\n")  # the span moves down while the file is open
    text = "# header\n" + SNIPPET + "\n\n" + BASE
    path.write_text(text)
    before = await _status(client, uri)
    assert before["aiSpans"] == 1

    # A second server (a restart) re-anchors the span from the ledger by its content.
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from lspclient import Client

    second = Client([], proc=ServerThread())
    try:
        second.request("initialize", {"processId": None, "rootUri": root.as_uri(), "capabilities": {}})
        second.notify("initialized", {})
        second.notify(
            "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}
        )
        status = second.request("tabguard/fileStatus", {"textDocument": {"uri": uri}})
        lenses = second.request("textDocument/codeLens", {"textDocument": {"uri": uri}})
    finally:
        second.close()
    assert status["aiSpans"] == 1 and status["unreviewed"] == 1
    assert any(lens["range"]["start"]["line"] == 1 for lens in lenses)
