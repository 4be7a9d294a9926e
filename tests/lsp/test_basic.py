"""End to end over stdio, as an editor drives the server."""

from __future__ import annotations

from lsprotocol import types
from pytest_lsp import LanguageClient

FLAWED = "import requests\n\ndef fetch(url):\n    return requests.get(url, verify=False, timeout=5)\n"


async def _open(client: LanguageClient, name: str, text: str, version: int = 1) -> str:
    path = client.workspace_root / name
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", version, text)))
    return uri


async def test_open_publishes_diagnostics_with_metadata(client: LanguageClient):
    uri = await _open(client, "app.py", FLAWED)
    diags = await client.published(uri, 1)
    assert [d.code for d in diags] == ["TG201"]
    d = diags[0]
    assert d.source == "tabguard"
    assert d.range.start.line == 3
    assert d.code_description.href.endswith("TG201.md")


async def test_quick_fix_hover_and_ignore(client: LanguageClient):
    uri = await _open(client, "app.py", FLAWED)
    diags = await client.published(uri, 1)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uri), diags[0].range, types.CodeActionContext(diagnostics=diags)
        )
    )
    titles = [a.title for a in actions]
    assert any(t.startswith("Fix: set verify=True") for t in titles), titles
    assert "Ignore TG201 on this line" in titles and "Explain TG201" in titles
    fix = next(a for a in actions if a.title.startswith("Fix"))
    (edit,) = fix.edit.changes[uri]
    assert edit.new_text == "requests.get(url, verify=True, timeout=5)"
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), diags[0].range.start)
    )
    assert "Why is this exploitable" in hover.contents.value and "requests.get" in hover.contents.value


async def test_bulk_insertion_is_analysed_at_once(client: LanguageClient):
    uri = await _open(client, "app.py", "import requests\n\n")
    await client.published(uri, 1)
    snippet = "def fetch(url):\n    return requests.get(url, verify=False, timeout=5)\n"
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(version=2, uri=uri),
            [types.TextDocumentContentChangePartial(types.Range(types.Position(2, 0), types.Position(2, 0)), snippet)],
        )
    )
    diags = await client.published(uri, 2)
    assert [(d.code, d.range.start.line) for d in diags] == [("TG201", 3)]


async def test_utf16_columns_with_emoji(client: LanguageClient):
    text = "import requests\nx = '😀😀'; requests.get(u, verify=False, timeout=5)\n"
    uri = await _open(client, "emoji.py", text)
    diags = await client.published(uri, 1)
    # "x = '😀😀'; requests.get(u, " is 24 code points; each emoji is 2 UTF-16 units.
    assert diags[0].range.start.character == len("x = '😀😀'; requests.get(u, ".encode("utf-16-le")) // 2


async def test_diagnostic_data_and_hover_show_the_findings_own_grade(client: LanguageClient):
    text = (
        "from flask import request\n\n"
        "def by_id(cur):\n"
        "    cur.execute(f\"SELECT * FROM t WHERE id = {request.args['id']}\")\n"
    )
    uri = await _open(client, "db.py", text)
    (diag,) = [d for d in await client.published(uri, 1) if d.code == "TG105"]
    assert diag.data["severity"] == "critical" and diag.data["confidence"] == "high"
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), diag.range.start)
    )
    assert "severity **critical**" in hover.contents.value and "confidence **high**" in hover.contents.value
