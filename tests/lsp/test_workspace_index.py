"""The workspace index of summaries over stdio: a call into another module's helper is found once the
index has summarized it (a publish after the local one), and saving an edit of the helper
re-publishes the caller's diagnostics without any change to the caller."""

from __future__ import annotations

from lsprotocol import types
from pytest_lsp import LanguageClient

DANGEROUS = "import sqlite3\n\n\ndef find(name):\n    return sqlite3.connect('x').execute(\"SELECT * FROM t WHERE n = '%s'\" % name)\n"
SANITISED = "import sqlite3\n\n\ndef find(name):\n    return sqlite3.connect('x').execute('SELECT * FROM t WHERE n = ?', (name,))\n"
APP = (
    "from flask import Flask, request\n\nfrom db import find\n\napp = Flask(__name__)\n\n\n"
    "@app.route('/u')\ndef u():\n    return str(find(request.args['name']))\n"
)


def _cross_file(diagnostics) -> list[int]:
    return [d.range.start.line for d in diagnostics if d.code == "TG105"]


def _open(client: LanguageClient, name: str, text: str) -> str:
    path = client.workspace_root / name
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, text)))
    return uri


def _edit(client: LanguageClient, uri: str, old: str, new: str, version: int) -> None:
    """Replace the open document's text as an editor does (without saving it)."""
    end = types.Position(len(old.splitlines()), 0)
    change = types.TextDocumentContentChangePartial(types.Range(types.Position(0, 0), end), new)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(types.VersionedTextDocumentIdentifier(uri=uri, version=version), [change])
    )


def _save(client: LanguageClient, uri: str, name: str, old: str, new: str, version: int) -> None:
    """Edit the open document, write it, and say it was saved."""
    _edit(client, uri, old, new, version)
    (client.workspace_root / name).write_text(new, encoding="utf-8")
    client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri)))


async def test_a_helper_edited_and_saved_in_another_module_republishes_its_callers(client: LanguageClient):
    db = _open(client, "db.py", DANGEROUS)
    app = _open(client, "app.py", APP)
    # The index summarizes db.find in the background; app.py's call is then reported.
    assert _cross_file(await client.published(app, wanted=_cross_file)) == [9]

    _save(client, db, "db.py", DANGEROUS, SANITISED, 2)
    assert _cross_file(await client.published(app, wanted=lambda d: not _cross_file(d))) == []

    _save(client, db, "db.py", SANITISED, DANGEROUS, 3)
    assert _cross_file(await client.published(app, wanted=_cross_file)) == [9]


async def test_a_caller_opened_before_the_helper_is_indexed_gets_the_finding_in_a_later_publish(client: LanguageClient):
    (client.workspace_root / "db.py").write_text(DANGEROUS, encoding="utf-8")
    app = _open(client, "app.py", APP)
    diagnostics = await client.published(app, wanted=_cross_file)
    [finding] = [d for d in diagnostics if d.code == "TG105"]
    assert "db.py:5" in finding.message
    # The local findings of app.py come with it (the cross-file part is added, nothing is lost).
    assert {d.code for d in diagnostics} >= {"TG105"}


async def test_unsaved_edits_of_the_helper_count_until_its_editor_is_closed(client: LanguageClient):
    db = _open(client, "db.py", DANGEROUS)
    app = _open(client, "app.py", APP)
    assert _cross_file(await client.published(app, wanted=_cross_file)) == [9]
    _edit(client, db, DANGEROUS, SANITISED, 2)  # not saved: the disk still holds the dangerous one
    assert _cross_file(await client.published(app, wanted=lambda d: not _cross_file(d))) == []
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(db)))
    assert _cross_file(await client.published(app, wanted=_cross_file)) == [9]


REPOSITORY = (
    "import sqlite3\n\n\nclass Base:\n    def fetch(self, sql):\n        return sqlite3.connect('x').execute(sql).fetchall()\n"
    "\n\nclass Users(Base):\n    def search(self, term):\n"
    "        return self.fetch(\"SELECT * FROM users WHERE name LIKE '%s'\" % term)\n"
)
SERVICE = (
    "from repository import Users\n\n\nclass Service:\n    def __init__(self):\n        self.users = Users()\n\n"
    "    def lookup(self, name):\n        return self.users.search(name)\n"
)
SERVICE_APP = (
    "from flask import Flask, request\n\nfrom service import Service\n\napp = Flask(__name__)\n\n\n"
    "@app.route('/u')\ndef u():\n    return str(Service().lookup(request.args['name']))\n"
)


async def test_a_method_of_a_class_in_another_module_reached_through_an_attribute_and_a_base(client: LanguageClient):
    (client.workspace_root / "repository.py").write_text(REPOSITORY, encoding="utf-8")
    (client.workspace_root / "service.py").write_text(SERVICE, encoding="utf-8")
    app = _open(client, "app.py", SERVICE_APP)
    # Service.lookup -> self.users (a Users) .search -> Base.fetch, each summarized by the index.
    assert _cross_file(await client.published(app, wanted=_cross_file)) == [9]
