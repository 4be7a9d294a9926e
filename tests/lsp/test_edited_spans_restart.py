"""AI spans whose every line was edited in the editor survive a restart: the save writes a record of
the span as it is now, superseding the old one, so a new server (and the CLI) still finds the span,
with its origin and its review state."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import pytest
from conftest import SERVER, Client
from inprocess_lsp import ServerThread

from tabguard.cli import main

HEAD = "import requests\nimport subprocess\n\n\ndef fetch(url):\n"
ONE = "    return requests.get(url, verify=False, timeout=5)\n"  # line 5, accepted alone
MANY = "def run(cmd):\n    subprocess.call(cmd, shell=True)\n"  # lines 7-8
TAIL = "\n\ndef keep():\n    return 1\n"


class Editor:
    """One server session on `root`, with the editor's copy of one file."""

    def __init__(self, root: Path, process: bool = False):
        self.client = Client(SERVER, cwd=str(root)) if process else Client([], proc=ServerThread())
        self.client.request("initialize", {"processId": None, "rootUri": root.as_uri(), "capabilities": {}})
        self.client.notify("initialized", {})
        self.path = root / "app.py"
        self.uri = self.path.as_uri()
        self.lines = self.path.read_text().split("\n")
        self.version = 1
        self.client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": self.uri, "languageId": "python", "version": 1, "text": self.text}},
        )

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def change(self, line: int, start: int, end: int, new: str, end_line: Optional[int] = None) -> None:
        """Replace characters start..end of `line` (to `end` on `end_line`) by `new`."""
        last = line if end_line is None else end_line
        text = self.lines[line][:start] + new + self.lines[last][end:]
        self.lines[line : last + 1] = text.split("\n")
        self.version += 1
        self.client.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": self.uri, "version": self.version},
                "contentChanges": [
                    {
                        "range": {"start": {"line": line, "character": start}, "end": {"line": last, "character": end}},
                        "text": new,
                    }
                ],
            },
        )

    def replace(self, line: int, old: str, new: str) -> None:
        at = self.lines[line].index(old)
        self.change(line, at, at + len(old), new)

    def accept(self, start: int, end: int, origin: str, model: Optional[str] = None) -> None:
        params = {
            "textDocument": {"uri": self.uri, "version": self.version},
            "range": {"start": {"line": start, "character": 0}, "end": {"line": end, "character": 0}},
            "origin": origin,
        }
        if model:
            params["modelId"] = model
        self.client.notify("tabguard/didAcceptSuggestion", params)

    def review(self, start: int, end: int) -> None:
        whole = {"start": {"line": start, "character": 0}, "end": {"line": end, "character": 0}}
        self.client.request(
            "workspace/executeCommand",
            {"command": "tabguard.markReviewed", "arguments": [{"uri": self.uri, "range": whole}]},
        )

    def save(self) -> None:
        self.path.write_text(self.text)
        self.client.notify("textDocument/didSave", {"textDocument": {"uri": self.uri}})

    def spans(self) -> dict[int, str]:
        """Start line -> the code lens title of each AI span."""
        self.client.request("tabguard/fileStatus", {"textDocument": {"uri": self.uri}})  # settled
        lenses = self.client.request("textDocument/codeLens", {"textDocument": {"uri": self.uri}})
        return {
            lens["range"]["start"]["line"]: lens["command"]["title"]
            for lens in lenses
            if lens["command"]["title"].startswith("AI (")
        }

    def status(self) -> dict:
        return self.client.request("tabguard/fileStatus", {"textDocument": {"uri": self.uri}})

    def close(self) -> None:
        self.client.close()
        assert self.client.proc.wait(timeout=30) == 0


def _traces(root: Path) -> list[dict]:
    return [json.loads(line) for line in (root / ".agent-trace" / "traces.jsonl").read_text().splitlines()]


def _accept_both(root: Path, process: bool = False) -> Editor:
    """A session with the one-line and the two-line suggestion accepted."""
    (root / ".git").mkdir()
    (root / "app.py").write_text(HEAD + TAIL)
    editor = Editor(root, process)
    editor.change(5, 0, 0, ONE)
    editor.accept(5, 6, "copilot", "openai/gpt-4o")
    editor.change(6, 0, 0, "\n" + MANY)
    editor.accept(7, 9, "cursor")
    assert set(editor.spans()) == {5, 7}
    return editor


def _edit_every_line(editor: Editor) -> None:
    editor.replace(5, "verify=False", "verify=True")  # the quick fix of the one-line span
    editor.replace(7, "cmd", "command")
    editor.replace(8, "(cmd,", "(command,")


def _origins(spans: dict[int, str]) -> dict[int, str]:
    return {line: title.split(")")[0] + ")" for line, title in spans.items()}


@pytest.mark.parametrize("process", [False, True], ids=["in-process", "stdio"])
def test_fully_edited_spans_survive_a_restart(tmp_path, process):
    editor = _accept_both(tmp_path, process)
    _edit_every_line(editor)
    assert _origins(editor.spans()) == {5: "AI (copilot)", 7: "AI (cursor)"}
    editor.save()
    editor.close()

    records = _traces(tmp_path)
    old = {r["id"]: r for r in records if "supersedes" not in r["metadata"]["dev.tabguard"]}
    new = [r for r in records if "supersedes" in r["metadata"]["dev.tabguard"]]
    assert len(new) == 2
    superseded = [old[r["metadata"]["dev.tabguard"]["supersedes"]] for r in new]
    assert sorted(r["metadata"]["dev.tabguard"]["origin"] for r in superseded) == ["copilot", "cursor"]
    one = next(r for r in new if r["files"][0]["conversations"][0]["ranges"][0]["start_line"] == 6)
    assert one["files"][0]["conversations"][0]["contributor"] == {"type": "ai", "model_id": "openai/gpt-4o"}
    assert one["metadata"]["dev.tabguard"]["origin"] == "copilot"

    again = Editor(tmp_path, process)
    try:
        assert _origins(again.spans()) == {5: "AI (copilot)", 7: "AI (cursor)"}
        assert again.status()["unreviewed"] == 2
    finally:
        again.close()
    # The gate sees the edited two-line span, unreviewed, holding its shell finding.
    assert main(["check", "--gate", "--no-cache", str(tmp_path / "app.py")]) == 1


def test_a_review_of_the_span_as_saved_holds_after_the_restart(tmp_path, capsys):
    editor = _accept_both(tmp_path)
    editor.review(0, 12)
    assert editor.status()["unreviewed"] == 0
    _edit_every_line(editor)
    # Changed code is unreviewed again (docs/provenance.md); the one-line span is reviewed anew,
    # under the record of then, before the save writes its successor.
    assert editor.status()["unreviewed"] == 2
    editor.review(5, 6)
    assert editor.status()["unreviewed"] == 1
    editor.save()
    editor.close()

    again = Editor(tmp_path)
    try:
        spans = again.spans()
        assert _origins(spans) == {5: "AI (copilot)", 7: "AI (cursor)"}
        assert "reviewed" in spans[5] and "not reviewed" not in spans[5]
        assert again.status()["unreviewed"] == 1
    finally:
        again.close()
    path = str(tmp_path / "app.py")
    assert main(["check", "--gate", "--no-cache", path]) == 1  # the unreviewed span's shell finding
    capsys.readouterr()
    assert main(["inventory", "--format", "json", path]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert "copilot" in json.dumps(listed) and "cursor" in json.dumps(listed)


def test_a_chain_of_edits_and_saves(tmp_path):
    editor = _accept_both(tmp_path)
    _edit_every_line(editor)
    editor.review(0, 12)
    editor.save()
    editor.close()

    second = Editor(tmp_path)  # both spans found by their new records, reviewed as saved
    try:
        assert _origins(second.spans()) == {5: "AI (copilot)", 7: "AI (cursor)"}
        assert second.status()["unreviewed"] == 0
        second.replace(5, "timeout=5", "timeout=10")
        second.replace(7, "command", "argv")
        second.replace(8, "(command,", "(argv,")
        assert second.status()["unreviewed"] == 2
        second.review(7, 9)
        second.save()
        second.replace(4, "url", "address")  # edited after the save: not recorded, the disk differs
    finally:
        second.close()

    records = _traces(tmp_path)
    superseding = [r for r in records if "supersedes" in r["metadata"]["dev.tabguard"]]
    assert len(superseding) == 4  # each span superseded twice
    third = Editor(tmp_path)
    try:
        spans = third.spans()
        assert _origins(spans) == {5: "AI (copilot)", 7: "AI (cursor)"}
        assert "not reviewed" in spans[5] and "not reviewed" not in spans[7]
    finally:
        third.close()
    assert main(["check", "--gate", "--no-cache", str(tmp_path / "app.py")]) == 0


@pytest.mark.parametrize("kept", [True, False], ids=["restored", "discarded"])
def test_unsaved_edits_at_exit(tmp_path, kept):
    """Edited and not saved when the server exits: the editor brings the text back on its next start
    (found by the record written at exit), or it was discarded (found by the record of the accept)."""
    editor = _accept_both(tmp_path)
    editor.save()
    _edit_every_line(editor)
    edited = editor.text
    editor.close()
    if kept:
        (tmp_path / "app.py").write_text(edited)  # what the next session opens with
    again = Editor(tmp_path)
    try:
        assert _origins(again.spans()) == {5: "AI (copilot)", 7: "AI (cursor)"}
    finally:
        again.close()
