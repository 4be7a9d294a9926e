"""Notebook document sync (LSP 3.17) driven as VS Code drives it: a notebook's code cells are one
module, each cell's diagnostics land on its own URI at cell-relative positions, also after cells
are edited, added, moved and removed; IPython magics never break a cell."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest_lsp
from inprocess_lsp import IN_PROCESS
from lsprotocol import types
from pytest_lsp import LanguageClient

from tabguard.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "provenance"))
from provenance_helpers import foreign_record, schema_errors  # noqa: E402

CODE, MARKUP = types.NotebookCellKind.Code, types.NotebookCellKind.Markup


class Notebook:
    """The client's side of one notebook: cell URIs as VS Code makes them, versions, and the
    notifications that keep the server in step."""

    def __init__(self, client: LanguageClient, path: Path):
        self.client, self.path, self.uri, self.version, self.made = client, path, path.as_uri(), 0, 0

    def cell_uri(self) -> str:
        self.made += 1
        return f"vscode-notebook-cell:{self.path.as_posix()}#W{self.made}sZmlsZQ%3D%3D"

    def open(self, cells: list[tuple[types.NotebookCellKind, str]]) -> list[str]:
        uris = [self.cell_uri() for _ in cells]
        self.client.notebook_document_did_open(
            types.DidOpenNotebookDocumentParams(
                notebook_document=types.NotebookDocument(
                    uri=self.uri,
                    notebook_type="jupyter-notebook",
                    version=0,
                    cells=[
                        types.NotebookCell(kind, uri, metadata={"id": f"id-{uri[-12:-9]}"})
                        for uri, (kind, _) in zip(uris, cells)
                    ],
                ),
                cell_text_documents=[
                    types.TextDocumentItem(uri, "python" if kind == CODE else "markdown", 1, text)
                    for uri, (kind, text) in zip(uris, cells)
                ],
            )
        )
        return uris

    def change(self, cells: types.NotebookDocumentCellChanges) -> None:
        self.version += 1
        self.client.notebook_document_did_change(
            types.DidChangeNotebookDocumentParams(
                types.VersionedNotebookDocumentIdentifier(self.version, self.uri),
                types.NotebookDocumentChangeEvent(cells=cells),
            )
        )

    def edit(self, uri: str, version: int, start: tuple[int, int], end: tuple[int, int], text: str) -> None:
        rng = types.Range(types.Position(*start), types.Position(*end))
        self.change(
            types.NotebookDocumentCellChanges(
                text_content=[
                    types.NotebookDocumentCellContentChanges(
                        types.VersionedTextDocumentIdentifier(version, uri),
                        [types.TextDocumentContentChangePartial(rng, text)],
                    )
                ]
            )
        )

    def splice(self, start: int, delete: int, cells: list[str], opened=(), closed=()) -> None:
        """Cells [start, start+delete) replaced by `cells` (URIs; new ones listed in `opened`)."""
        self.change(
            types.NotebookDocumentCellChanges(
                structure=types.NotebookDocumentCellChangeStructure(
                    array=types.NotebookCellArrayChange(
                        start, delete, [types.NotebookCell(CODE, uri) for uri in cells]
                    ),
                    did_open=list(opened),
                    did_close=[types.TextDocumentIdentifier(uri) for uri in closed],
                )
            )
        )

    def close(self, uris: list[str]) -> None:
        self.client.notebook_document_did_close(
            types.DidCloseNotebookDocumentParams(
                types.NotebookDocumentIdentifier(self.uri),
                [types.TextDocumentIdentifier(uri) for uri in uris],
            )
        )


async def diagnostics(client: LanguageClient, uri: str, predicate, timeout: float = 15) -> list[types.Diagnostic]:
    """The diagnostics the client holds for `uri` once they satisfy `predicate`."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        found = client.diagnostics.get(uri)
        if found is not None and predicate(found):
            return found
        assert asyncio.get_running_loop().time() < deadline, (uri, found)
        await asyncio.sleep(0.02)


def places(found: list[types.Diagnostic]) -> list[tuple[str, int, int, int, int]]:
    r = [(d.code, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character) for d in found]
    return sorted(r)  # type: ignore[arg-type]


def has(*expected):
    return lambda found: places(found) == sorted(expected)


async def hover_rules(client: LanguageClient, uri: str, line: int, character: int) -> str:
    result = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(line, character))
    )
    return result.contents.value if result is not None else ""  # type: ignore[union-attr]


@pytest_lsp.fixture(config=IN_PROCESS)
async def client(lsp_client: LanguageClient, tmp_path):
    (tmp_path / ".git").mkdir()  # the workspace root (and the ledger's)
    result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(
                notebook_document=types.NotebookDocumentClientCapabilities(
                    synchronization=types.NotebookDocumentSyncClientCapabilities()
                ),
                text_document=types.TextDocumentClientCapabilities(
                    publish_diagnostics=types.PublishDiagnosticsClientCapabilities(related_information=True)
                ),
            ),
            root_uri=tmp_path.as_uri(),
            workspace_folders=[types.WorkspaceFolder(tmp_path.as_uri(), "ws")],
            initialization_options={"tabguard": {"reviewer": "Grace"}},
        )
    )
    lsp_client.root = tmp_path
    lsp_client.capabilities_result = result.capabilities
    yield
    await lsp_client.shutdown_session()


async def test_sync_is_advertised_for_python_cells_of_jupyter_notebooks(client: LanguageClient):
    sync = client.capabilities_result.notebook_document_sync
    assert sync is not None and sync.save
    [selector] = sync.notebook_selector
    assert selector.notebook == "jupyter-notebook" and [c.language for c in selector.cells] == ["python"]


async def test_open_edit_one_cell_and_close(client: LanguageClient):
    nb = Notebook(client, client.root / "analysis.ipynb")
    title, source, use = nb.open(
        [
            (MARKUP, "# Run a command"),
            (CODE, "import subprocess\ncmd = input()"),
            (CODE, "y = 2\nsubprocess.run(cmd, shell=True)"),
        ]
    )
    # The finding of the third cell needs the import and the input of the second: one module, in cell order.
    await diagnostics(client, use, has(("TG100", 1, 15, 1, 18)))
    assert "user input" in client.diagnostics[use][0].message
    assert "subprocess.run" in await hover_rules(client, use, 1, 16)
    assert await hover_rules(client, source, 1, 3) == ""
    # An edit inside the cell moves its finding within the cell; no other cell gets it.
    nb.edit(use, 2, (0, 0), (0, 0), "# run it\n")
    await diagnostics(client, use, has(("TG100", 2, 15, 2, 18)))
    assert not client.diagnostics[source] and title not in client.diagnostics
    # The cell above changes what the cell below means: a constant command is no injection.
    nb.edit(source, 2, (1, 6), (1, 13), "'ls -la'")
    await diagnostics(client, use, has())
    nb.edit(source, 3, (1, 6), (1, 14), "input()")
    await diagnostics(client, use, has(("TG100", 2, 15, 2, 18)))
    nb.close([title, source, use])
    await diagnostics(client, use, has())


async def test_a_data_flow_path_across_cells_points_at_each_cell(client: LanguageClient):
    nb = Notebook(client, client.root / "flow.ipynb")
    helper, route = nb.open(
        [
            (CODE, "import os\ndef archive(path):\n    os.system('tar ' + path)"),
            (
                CODE,
                "from flask import Flask, request\napp = Flask(__name__)\n@app.route('/a')\ndef a():\n    archive(request.args['p'])",
            ),
        ]
    )
    found = await diagnostics(client, route, lambda found: [d.code for d in found] == ["TG101"])
    related = [
        (r.location.uri, r.location.range.start.line, r.location.range.start.character)
        for r in found[0].related_information
    ]
    assert related == [(route, 4, 12), (route, 4, 12), (helper, 2, 14)]
    path = (await hover_rules(client, route, 4, 14)).split("**Path**")[1]
    assert "1. line 5: user-controlled data enters here" in path
    assert "3. code cell 1, line 3: reaches the sink" in path and "4. line 5: flagged here" in path


async def test_positions_after_cells_are_added_moved_and_removed(client: LanguageClient):
    nb = Notebook(client, client.root / "moves.ipynb")
    first, second = nb.open([(CODE, "import yaml"), (CODE, "conf = yaml.load(t)")])
    await diagnostics(client, second, has(("TG115", 0, 7, 0, 19)))
    # Added at the top: its own finding at its own lines; the cell that moved down keeps its place.
    added = nb.cell_uri()
    nb.splice(
        0,
        0,
        [added],
        opened=[types.TextDocumentItem(added, "python", 1, "x = 1\n\nimport pickle\nobj = pickle.loads(blob)")],
    )
    await diagnostics(client, added, has(("TG114", 3, 19, 3, 23)))
    assert "pickle" in await hover_rules(client, added, 3, 20)
    assert "yaml" in await hover_rules(client, second, 0, 10)
    assert client.diagnostics[second] and places(client.diagnostics[second]) == [("TG115", 0, 7, 0, 19)]
    # Moved: the last cell first (the cells are the same documents, in a new order).
    nb.splice(0, 3, [second, added, first])
    nb.edit(second, 2, (0, 0), (0, 0), "\n")  # then edited where it now is
    await diagnostics(client, second, has(("TG115", 1, 7, 1, 19)))
    assert "yaml" in await hover_rules(client, second, 1, 10)
    assert "pickle" in await hover_rules(client, added, 3, 20)
    # Removed: its diagnostics go, the others stay where they are.
    nb.splice(1, 1, [], closed=[added])
    await diagnostics(client, added, has())
    nb.edit(second, 3, (0, 0), (1, 0), "")
    await diagnostics(client, second, has(("TG115", 0, 7, 0, 19)))
    assert await hover_rules(client, first, 0, 3) == ""


async def test_magic_cells_are_masked_and_never_crash(client: LanguageClient):
    nb = Notebook(client, client.root / "magics.ipynb")
    cells = nb.open(
        [
            (CODE, "%pip install requests\ncmd = input()"),
            (CODE, "%%bash\nrm -rf $HOME/{x}"),
            (CODE, "files = !ls {cmd}\nobj?"),
            (CODE, "import os\n"),
        ]
    )
    # `!ls {cmd}` runs a shell command built from input: the finding covers the escape.
    await diagnostics(
        client,
        cells[2],
        lambda found: [d.code for d in found] == ["TG101"] and places(found) == [("TG101", 0, 8, 0, 17)],
    )
    # Typing magics into a cell, one character at a time, and half-written escapes.
    for k, text in enumerate(["%", "%", "t", "i", "m", "e", "\n", "!", "{", "(", "%%sql\n"]):
        nb.edit(cells[3], 2 + k, (0, 0), (0, 0), text)
    nb.edit(cells[0], 2, (1, 0), (1, 0), "!echo {cmd\n")
    assert await hover_rules(client, cells[2], 0, 13) != ""  # still answering, positions still right
    await diagnostics(client, cells[2], lambda found: [d.code for d in found] == ["TG101"])


def trace_records(root: Path) -> list[dict]:
    path = root / ".agent-trace" / "traces.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


async def settled_records(root: Path, count: int, timeout: float = 15) -> list[dict]:
    deadline = asyncio.get_running_loop().time() + timeout
    while len(records := trace_records(root)) < count:
        assert asyncio.get_running_loop().time() < deadline, records
        await asyncio.sleep(0.02)
    return records


async def test_accepts_into_cells_are_recorded_with_the_cell_then_reviewed(client: LanguageClient):
    root = client.root
    nb = Notebook(client, root / "work" / "explore.ipynb")
    top, middle, bottom = nb.open(
        [(CODE, "import pickle\nimport subprocess\n"), (MARKUP, "## Load"), (CODE, "x = 1\n")]
    )
    await diagnostics(client, bottom, has())
    # 1. A bulk insertion into a cell (a paste from chat) is an inferred accept.
    nb.edit(bottom, 2, (1, 0), (1, 0), "def load(blob):\n    return pickle.loads(blob)\n")
    found = await diagnostics(client, bottom, lambda found: [d.code for d in found] == ["TG114"])
    assert places(found) == [("TG114", 2, 24, 2, 28)] and "AI-inserted (bulk-insert), not reviewed" in found[0].message
    [record] = await settled_records(root, 1)
    assert schema_errors(record) == []
    [entry] = record["files"]
    assert entry["path"] == "work/explore.ipynb"
    # Lines count in the notebook's code cells, in order (the first cell has three): lines 5-6.
    assert [(r["start_line"], r["end_line"]) for r in entry["conversations"][0]["ranges"]] == [(5, 6)]
    cell = record["metadata"]["dev.tabguard"]["cell"]
    assert cell == {"code_cell": 1, "start_line": 2, "end_line": 3, "id": f"id-{bottom[-12:-9]}"}

    # 2. The editor plugin's explicit accept, into the first cell, with its origin.
    nb.edit(top, 2, (2, 0), (2, 0), "def run(cmd):\n    subprocess.call(cmd, shell=True)\n")
    client.protocol.notify(
        "tabguard/didAcceptSuggestion",
        {
            "textDocument": {"uri": top, "version": 2},
            "origin": "copilot",
            "range": {"start": {"line": 2, "character": 0}, "end": {"line": 4, "character": 0}},
        },
    )
    shell = await diagnostics(client, top, lambda found: any("(copilot)" in d.message for d in found))
    assert places(shell) == [("TG100", 3, 20, 3, 23)]
    records = await settled_records(root, 3)  # the insertion (inferred), then the explicit accept
    explicit = records[-1]
    assert explicit["metadata"]["dev.tabguard"]["origin"] == "copilot"
    assert explicit["metadata"]["dev.tabguard"]["cell"]["code_cell"] == 0
    assert explicit["metadata"]["dev.tabguard"]["cell"]["start_line"] == 3
    assert [(r["start_line"], r["end_line"]) for r in explicit["files"][0]["conversations"][0]["ranges"]] == [(3, 4)]
    # The later cell's span moved down with the lines added above it.
    assert "AI-inserted (bulk-insert)" in client.diagnostics[bottom][0].message

    # Code lenses in each cell show that cell's spans only.
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(types.TextDocumentIdentifier(bottom)))
    assert [lens.range.start.line for lens in lenses if lens.command.title.startswith("AI (")] == [1]
    # The review action of the finding marks the cell's span reviewed (the ledger says so).
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(bottom), found[0].range, types.CodeActionContext(diagnostics=found)
        )
    )
    titles = [a.title for a in actions]
    assert "Mark AI suggestion as reviewed" in titles
    # The suppression would not be honoured in unreviewed AI code: the action says so.
    assert "Ignore TG114 on this line (counts once the AI code is reviewed)" in titles
    await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            "tabguard.markReviewed",
            [{"uri": bottom, "range": {"start": {"line": 1, "character": 0}, "end": {"line": 3, "character": 0}}}],
        )
    )
    reviewed = await diagnostics(client, bottom, lambda found: "reviewed by Grace" in found[0].message)
    assert places(reviewed) == [("TG114", 2, 24, 2, 28)]
    assert "not reviewed" in client.diagnostics[top][0].message
    reviews = [json.loads(line) for line in (root / ".tabguard" / "reviews.jsonl").read_text().splitlines()]
    assert [(r["path"], r["start_line"], r["end_line"], r["reviewer"]) for r in reviews] == [
        ("work/explore.ipynb", 7, 8, "Grace")
    ]
    assert middle not in client.diagnostics


async def test_a_quick_fix_edits_the_cell_it_is_in(client: LanguageClient):
    nb = Notebook(client, client.root / "fix.ipynb")
    _, cell = nb.open([(CODE, "import yaml"), (CODE, "%pip install pyyaml\nconf = yaml.load(t)")])
    found = await diagnostics(client, cell, has(("TG115", 1, 7, 1, 19)))
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(cell), found[0].range, types.CodeActionContext(diagnostics=found)
        )
    )
    fix = next(a for a in actions if a.title.startswith("Fix"))
    assert list(fix.edit.changes) == [cell]
    [edit] = fix.edit.changes[cell]
    assert (edit.range.start.line, edit.range.end.line, edit.new_text) == (1, 1, "conf = yaml.safe_load(t)")
    # The magic line is masked: no suppression comment is offered on it, and none is needed.
    nb.edit(cell, 2, (1, 0), (1, 0), "!pip show {t}\n")
    found = await diagnostics(client, cell, lambda found: [d.code for d in found] == ["TG101", "TG115"])
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(cell), found[0].range, types.CodeActionContext(diagnostics=found[:1])
        )
    )
    assert not [a.title for a in actions if a.title.startswith("Ignore TG101")]


def notebook_json(cells: list[tuple[types.NotebookCellKind, str, str]]) -> str:
    """An nbformat 4.5 file of (kind, id, source) cells, as Jupyter writes it."""
    return json.dumps(
        {
            "cells": [
                {
                    "cell_type": "code" if kind == CODE else "markdown",
                    "id": cell_id,
                    "metadata": {},
                    "source": source.splitlines(keepends=True),
                    **({"execution_count": None, "outputs": []} if kind == CODE else {}),
                }
                for kind, cell_id, source in cells
            ],
            "metadata": {"language_info": {"name": "python"}},
            "nbformat": 4,
            "nbformat_minor": 5,
        },
        indent=1,
    )


async def test_the_gate_review_and_inventory_read_a_notebooks_records(client: LanguageClient, capsys):
    root = client.root
    path = root / "report.ipynb"
    nb = Notebook(client, path)
    top, bottom = nb.open([(CODE, "import pickle\nimport subprocess\n"), (CODE, "x = 1\n")])
    await diagnostics(client, bottom, has())
    nb.edit(top, 2, (2, 0), (2, 0), "%time\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n")
    nb.edit(bottom, 2, (1, 0), (1, 0), "def load(blob):\n    return pickle.loads(blob)\n")
    await diagnostics(client, bottom, lambda found: [d.code for d in found] == ["TG114"])
    assert len(await settled_records(root, 2)) == 2
    # What the editor holds, saved: a markdown cell between the code cells (the CLI counts every cell).
    sources = [
        "import pickle\nimport subprocess\n%time\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n",
        "x = 1\ndef load(blob):\n    return pickle.loads(blob)\n",
    ]
    path.write_text(notebook_json([(CODE, "a1", sources[0]), (MARKUP, "m1", "# Notes"), (CODE, "b2", sources[1])]))
    capsys.readouterr()
    assert main(["check", "--gate", "--no-cache", str(path)]) == 1
    gate = capsys.readouterr().err
    assert (
        "report.ipynb:3-5 (cell 1, lines 3-5): AI-inserted (bulk-insert), not reviewed, holds 1 finding (TG100)" in gate
    )
    assert (
        "report.ipynb:8-9 (cell 3, lines 2-3): AI-inserted (bulk-insert), not reviewed, holds 1 finding (TG114)" in gate
    )
    # Reviewed from the terminal, in the lines the gate names.
    assert main(["review", f"{path}:3-5", "--by", "Ada"]) == 0
    assert main(["check", "--gate", "--no-cache", str(path)]) == 1
    # Or by the cell, as `check` names it: cell 2 is markdown, cell 3's line 1 holds no AI code.
    capsys.readouterr()
    assert main(["review", f"{path}:cell 2", "--by", "Ada"]) == 2
    assert "cell 2 is not a Python code cell" in capsys.readouterr().err
    assert main(["review", f"{path}:cell 3:1", "--by", "Ada"]) == 0
    assert "no unreviewed AI-inserted spans" in capsys.readouterr().out
    assert main(["review", f"{path}:cell 3:2-3", "--by", "Ada"]) == 0
    assert "report.ipynb:8-9: AI-inserted (bulk-insert) reviewed by Ada" in capsys.readouterr().out
    assert main(["check", "--gate", "--no-cache", str(path)]) == 0
    capsys.readouterr()
    assert main(["inventory", "--format", "json", str(root)]) == 0
    [entry] = json.loads(capsys.readouterr().out)["files"]
    assert (entry["path"], entry["lines"], entry["ai_lines"]) == ("report.ipynb", 9, 5)
    spans = sorted(
        (s["start_line"], s["end_line"], s["reviewer"], [f["rule"] for f in s["findings"]]) for s in entry["spans"]
    )
    assert spans == [(3, 5, "Ada", ["TG100"]), (8, 9, "Ada", ["TG114"])]


async def test_on_save_another_tools_record_for_the_notebook_shows_in_its_cell(client: LanguageClient):
    root = client.root
    nb = Notebook(client, root / "agent.ipynb")
    first, second = nb.open([(CODE, "import yaml\n"), (CODE, "x = 1\nconf = yaml.load(t)")])
    found = await diagnostics(client, second, has(("TG115", 1, 7, 1, 19)))
    assert "AI-inserted" not in found[0].message
    # An agent hook attributes the second cell's lines (3-4 of the notebook's code) to AI meanwhile.
    (root / ".agent-trace").mkdir()
    (root / ".agent-trace" / "traces.jsonl").write_text(json.dumps(foreign_record("agent.ipynb", 3, 4)) + "\n")
    client.notebook_document_did_save(types.DidSaveNotebookDocumentParams(types.NotebookDocumentIdentifier(nb.uri)))
    found = await diagnostics(client, second, lambda found: "AI-inserted (cursor), not reviewed" in found[0].message)
    assert places(found) == [("TG115", 1, 7, 1, 19)]
    assert not client.diagnostics[first]


async def test_a_notebook_grown_over_max_file_size_is_not_analysed_until_it_is_smaller(client: LanguageClient):
    (client.root / "tabguard.toml").write_text("max-file-size = 300\n")
    nb = Notebook(client, client.root / "big.ipynb")
    _, cell = nb.open([(CODE, "import yaml\n"), (CODE, "conf = yaml.load(t)\n")])
    await diagnostics(client, cell, has(("TG115", 0, 7, 0, 19)))
    filler = "".join(f"value_{k} = {k}\n" for k in range(30))  # about 400 characters
    nb.edit(cell, 2, (1, 0), (1, 0), filler)
    await diagnostics(client, cell, has())
    nb.edit(cell, 3, (0, 0), (0, 0), "# still typing\n")  # edits go on while it is over the limit
    nb.edit(cell, 4, (2, 0), (2 + filler.count("\n"), 0), "")
    await diagnostics(client, cell, has(("TG115", 1, 7, 1, 19)))


async def test_a_suppression_comment_counts_in_its_own_cell_only(client: LanguageClient):
    # As `tabguard check` reads it: the comment on the last line of one cell is not "the line
    # above" the first line of the next cell; within the cell it suppresses as in a file.
    nb = Notebook(client, client.root / "quiet.ipynb")
    first, second = nb.open(
        [
            (CODE, "import os\nos.system(input())  # tabguard: ignore[TG101] reviewed\n# tabguard: ignore[TG101]"),
            (CODE, "os.system(input())"),
        ]
    )
    await diagnostics(client, second, has(("TG101", 0, 10, 0, 17)))
    assert not client.diagnostics.get(first)


async def test_a_span_edited_in_its_cell_is_recorded_anew_on_save(client: LanguageClient, capsys):
    root = client.root
    path = root / "edited.ipynb"
    nb = Notebook(client, path)
    top, bottom = nb.open([(CODE, "import pickle\n"), (CODE, "x = 1\n")])
    await diagnostics(client, bottom, has())
    nb.edit(bottom, 2, (1, 0), (1, 0), "def load(blob):\n    return pickle.loads(blob)\n")
    [accepted] = await settled_records(root, 1)
    # Every line of the span changed: the accept's fingerprints no longer find it.
    nb.edit(bottom, 3, (1, 9), (1, 13), "data")
    nb.edit(bottom, 4, (2, 24), (2, 28), "data")
    await diagnostics(client, bottom, lambda found: places(found) == [("TG114", 2, 24, 2, 28)])
    source = "x = 1\ndef load(data):\n    return pickle.loads(data)\n"
    path.write_text(notebook_json([(CODE, "a1", "import pickle\n"), (CODE, "b2", source)]))
    client.notebook_document_did_save(types.DidSaveNotebookDocumentParams(types.NotebookDocumentIdentifier(nb.uri)))
    accepted, successor = await settled_records(root, 2)
    ours = successor["metadata"]["dev.tabguard"]
    assert (ours["supersedes"], ours["origin"], ours["inferred"]) == (accepted["id"], "bulk-insert", True)
    assert (ours["cell"]["code_cell"], ours["cell"]["start_line"], ours["cell"]["end_line"]) == (1, 2, 3)
    assert schema_errors(successor) == []
    capsys.readouterr()
    assert main(["check", "--gate", "--no-cache", str(path)]) == 1
    assert "edited.ipynb:4-5 (cell 2, lines 2-3): AI-inserted (bulk-insert), not reviewed" in capsys.readouterr().err
