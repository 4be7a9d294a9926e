"""The workspace boundary and a hostile ledger, driven as an editor drives the server: accepts never
write through a symlink or next to a file outside the workspace folders, a bad ledger line or a
foreign timestamp costs no diagnostics, and a ledger replaced under the server is read again."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest_lsp
from inprocess_lsp import IN_PROCESS
from lsprotocol import types
from pytest_lsp import LanguageClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "provenance"))
from provenance_helpers import foreign_record, ledger_lines  # noqa: E402

BASE = "import subprocess\n\n\ndef keep():\n    return 1\n"
PASTE = "def run(cmd):\n    subprocess.call(cmd, shell=True)\n    return cmd\n"
LINKS = {  # each ledger path, and where outside the root a hostile repository points it
    ".agent-trace": "agent-trace",
    ".agent-trace/traces.jsonl": "agent-trace/traces.jsonl",
    ".tabguard": "tabguard",
    ".tabguard/reviews.jsonl": "bashrc",
    ".gitattributes": "bashrc",
}


def _init(root):
    if root is None:
        return types.InitializeParams(capabilities=types.ClientCapabilities())
    return types.InitializeParams(
        capabilities=types.ClientCapabilities(),
        root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(root.as_uri(), "ws")],
    )


@pytest_lsp.fixture(config=IN_PROCESS)
async def client(lsp_client: LanguageClient, tmp_path):
    await lsp_client.initialize_session(_init(tmp_path / "ws"))
    lsp_client.root = tmp_path / "ws"
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=IN_PROCESS)
async def bare(lsp_client: LanguageClient, tmp_path):
    """An editor that opened single files, with no workspace folder at all."""
    await lsp_client.initialize_session(_init(None))
    yield
    await lsp_client.shutdown_session()


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else b"<dir>" for p in sorted(folder.rglob("*"))}


async def _open(client: LanguageClient, path: Path, text: str = BASE) -> str:
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, text)))
    await client.published(uri, 1)
    return uri


async def _paste(client: LanguageClient, uri: str, version: int, line: int) -> list[types.Diagnostic]:
    """A bulk insertion (a paste from chat): the server records it as an inferred accept. Its record
    is written just after the diagnostics are published: a round trip waits for that."""
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(version=version, uri=uri),
            [
                types.TextDocumentContentChangePartial(
                    types.Range(types.Position(line, 0), types.Position(line, 0)), PASTE
                )
            ],
        )
    )
    diagnostics = await client.published(uri, version)
    await _status(client, uri)
    return diagnostics


async def _status(client: LanguageClient, uri: str) -> dict:
    result = await client.protocol.send_request_async("tabguard/fileStatus", {"textDocument": {"uri": uri}})
    return result if isinstance(result, dict) else result._asdict()


def _shell_finding(diagnostics: list[types.Diagnostic]) -> types.Diagnostic:
    return next(d for d in diagnostics if d.code == "TG100")


async def test_accepts_never_follow_a_symlinked_ledger_path(client: LanguageClient, tmp_path):
    outside = tmp_path / "outside"
    _write(outside / "bashrc", "export PATH=/usr/bin\n")
    _write(outside / "agent-trace" / "traces.jsonl", json.dumps(foreign_record("app.py", 1, 5)) + "\n")
    (outside / "tabguard").mkdir()
    before = _snapshot(outside)
    for number, link in enumerate(sorted(LINKS)):
        folder = client.root / f"repo{number}"  # each its own git work tree, so its own ledger root
        (folder / ".git").mkdir(parents=True)
        (folder / link).parent.mkdir(parents=True, exist_ok=True)
        (folder / link).symlink_to(outside / LINKS[link])
        path = folder / "app.py"
        _write(path, BASE)
        uri = await _open(client, path)
        diagnostics = await _paste(client, uri, 2, 3)
        assert _shell_finding(diagnostics)  # published whatever the ledger does
        if link.startswith(".tabguard"):
            reviewed = await client.workspace_execute_command_async(
                types.ExecuteCommandParams("tabguard.markReviewed", [{"uri": uri}])
            )
            assert reviewed["reviewed"] == []  # refused: nothing recorded as reviewed
        shown = " ".join(m.message for m in client.messages)
        assert f"{link}: is a symlink" in shown or f"{link[: link.find('/')]}" in shown and "symlink" in shown, shown
    assert _snapshot(outside) == before


async def test_a_paste_outside_the_workspace_creates_no_ledger_there(client: LanguageClient, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / ".git").mkdir(parents=True)  # a git work tree of its own, outside the workspace
    path = elsewhere / "scratch.py"
    _write(path, BASE)
    uri = await _open(client, path)
    assert _shell_finding(await _paste(client, uri, 2, 3))
    assert _shell_finding(await _paste(client, uri, 3, 0))
    assert sorted(p.name for p in elsewhere.iterdir()) == [".git", "scratch.py"]
    told = [m.message for m in client.log_messages if "outside the workspace folders" in m.message]
    assert len(told) == 1 and str(path) in told[0]
    assert (await _status(client, uri))["aiSpans"] == 0


async def test_a_paste_without_any_workspace_creates_no_ledger(bare: LanguageClient, tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    path = repo / "app.py"
    _write(path, BASE)
    uri = await _open(bare, path)
    assert _shell_finding(await _paste(bare, uri, 2, 3))
    assert sorted(p.name for p in repo.iterdir()) == [".git", "app.py"]


async def test_a_deeply_nested_ledger_line_costs_no_diagnostics(client: LanguageClient):
    root = client.root
    (root / ".git").mkdir(parents=True)
    deep = '{"files":[{"path":"app.py","conversations":' + "[" * 4000 + "]" * 4000 + "}]}"
    good = json.dumps(foreign_record("app.py", 4, 5))
    _write(
        root / ".agent-trace" / "traces.jsonl", good + "\n" + deep + "\n" + good.replace('"id": "', '"id": "x') + "\n"
    )
    path = root / "app.py"
    _write(path, BASE)
    uri = await _open(client, path)
    diagnostics = await _paste(client, uri, 2, 0)
    assert "AI-inserted (bulk-insert)" in _shell_finding(diagnostics).message
    assert (await _status(client, uri))["aiSpans"] == 2  # the foreign span (twice recorded, one place) and the paste
    logged = " ".join(m.message for m in client.log_messages)
    assert ".agent-trace/traces.jsonl: line 2: skipping a line nested too deeply" in logged


async def test_code_lens_takes_a_timestamp_without_offset_as_utc(client: LanguageClient):
    root = client.root
    (root / ".git").mkdir(parents=True)
    _write(
        root / ".agent-trace" / "traces.jsonl",
        json.dumps(foreign_record("app.py", 4, 5, timestamp="2026-01-23T14:30:00")) + "\n",
    )
    path = root / "app.py"
    _write(path, BASE)
    uri = await _open(client, path)
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(types.TextDocumentIdentifier(uri)))
    titles = [lens.command.title for lens in lenses]
    assert any(t.startswith("AI (cursor) · ") and " ago · " in t for t in titles), titles


async def test_a_ledger_replaced_under_the_server_is_read_again(client: LanguageClient):
    root = client.root
    (root / ".git").mkdir(parents=True)
    path = root / "app.py"
    _write(path, BASE)
    uri = await _open(client, path)
    await _paste(client, uri, 2, 0)
    await _paste(client, uri, 3, 0)
    ledger = root / ".agent-trace" / "traces.jsonl"
    assert len(ledger_lines(root)) == 2
    # A git checkout of a branch whose ledger is shorter: rewritten in place, and then replaced.
    ledger.write_text(json.dumps(foreign_record("other.py", 1, 1)) + "\n")
    version = 4
    for replace in (False, True):
        if replace:
            os.replace(ledger, root / "old.jsonl")
            ledger.write_text(json.dumps(foreign_record("other.py", 1, 1)) + "\n")
        for _ in range(2):
            diagnostics = await _paste(client, uri, version, 0)
            assert "AI-inserted (bulk-insert)" in _shell_finding(diagnostics).message
            version += 1
        ours = [r for r in ledger_lines(root) if r["tool"]["name"] == "tabguard"]
        assert len(ours) == 2 and all(r["files"][0]["path"] == "app.py" for r in ours)
    assert (await _status(client, uri))["aiSpans"] >= 2
    assert not [m for m in client.log_messages if "internal error" in m.message]
