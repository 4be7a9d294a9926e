"""The notebook text model: every change (cell text edited; cells added, moved, removed, turned
into markdown) is one replacement of whole lines that turns the old module into the new one."""

from hypothesis import given, settings, strategies as st
from lsprotocol import types

from tabguard.analysis import analyze_text
from tabguard.lsp.notebook_text import NotebookText, line_change
from tabguard.notebook import VirtualModule

SOURCES = [
    "import os\ncmd = input()",
    "",
    "!echo {cmd}\nos.system(cmd)",
    "%%bash\nls",
    "y = 2\n",
    "a = 1\nb = a",
    "def f(u):\n    return requests.get(u, verify=False)",
    "import subprocess\nsubprocess.run(cmd, shell=True)",
]
CODE, MARKUP = types.NotebookCellKind.Code, types.NotebookCellKind.Markup


def replaced(old: list[str], change) -> list[str]:
    return old if change is None else old[: change.first] + change.lines + old[change.old_last + 1 :]


def check(book: NotebookText, masked: list[str], raw: list[str], changes) -> None:
    assert replaced(masked, changes[0]) == book.masked
    assert replaced(raw, changes[1]) == book.raw
    sources = ["\n".join(book.texts[key].lines) for key in book.code]
    assert book.masked == (VirtualModule.build(sources).lines or [""])
    for change in changes[:2]:
        assert change is None or (change.lines and change.first <= change.old_last)


def test_line_change_is_the_smallest_whole_line_replacement():
    assert line_change(["a", "b", "c"], ["a", "x", "c"], 0, 3, 3).__dict__ == {
        "first": 1,
        "old_last": 1,
        "lines": ["x"],
    }
    assert line_change(["a", "c"], ["a", "b", "c"], 0, 2, 3).__dict__ == {
        "first": 0,
        "old_last": 0,
        "lines": ["a", "b"],
    }
    assert line_change(["a", "b"], ["b"], 0, 2, 1).__dict__ == {"first": 0, "old_last": 1, "lines": ["b"]}
    assert line_change(["a"], ["a"], 0, 1, 1) is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(SOURCES), min_size=1, max_size=6), st.data())
def test_every_change_turns_the_old_lines_into_the_new(sources, data):
    run_changes(sources, data, check)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(SOURCES), min_size=1, max_size=4), st.data())
def test_the_engine_fed_these_changes_finds_what_a_fresh_analysis_finds(sources, data):
    """The server hands each change to one engine document: incremental analysis must agree."""
    doc = None

    def apply(book, masked, raw, changes):
        nonlocal doc
        if doc is None:
            doc = analyze_text("\n".join(masked))
        if changes[0] is not None:
            change = changes[0]
            doc.replace(change.first, 0, change.old_last, len(doc.lines[change.old_last]), "\n".join(change.lines))
        assert doc.lines == book.masked
        fresh = analyze_text("\n".join(book.masked)).findings()
        assert [(f.rule_id, f.span) for f in doc.findings()] == [(f.rule_id, f.span) for f in fresh]

    run_changes(sources, data, apply)


def run_changes(sources, data, after):
    """Open a notebook of these cells, make random changes, and call `after(book, masked, raw,
    changes)` after each with the lines before it."""
    uris = [f"cell:{k}" for k in range(len(sources))]
    book = NotebookText(
        [types.NotebookCell(CODE, u) for u in uris],
        [types.TextDocumentItem(u, "python", 1, s) for u, s in zip(uris, sources)],
    )
    made = len(uris)
    for _ in range(data.draw(st.integers(1, 6))):
        masked, raw = book.masked, book.raw
        action = data.draw(st.sampled_from(["edit", "add", "move", "remove", "markdown"]))
        order = [s.key for s in book.slots]
        if action == "edit" and book.code:
            cell = book.texts[data.draw(st.sampled_from(book.code))]
            line = data.draw(st.integers(0, len(cell.lines) - 1))
            end = data.draw(st.integers(line, len(cell.lines) - 1))
            text = data.draw(st.sampled_from(["", "x", "\n", "%%time\n", "!ls {a}\n", "def f():\n    return 1\n"]))
            changes = book.edit_cell(cell.uri, (line, 0), (end, len(cell.lines[end])), text, None)
        else:
            structure = None
            if action == "add":
                made += 1
                uri = f"cell:{made}"
                at = data.draw(st.integers(0, len(order)))
                structure = types.NotebookDocumentCellChangeStructure(
                    types.NotebookCellArrayChange(at, 0, [types.NotebookCell(CODE, uri)]),
                    did_open=[types.TextDocumentItem(uri, "python", 1, data.draw(st.sampled_from(SOURCES)))],
                )
            elif action == "move" and order:
                moved = data.draw(st.permutations(order))
                structure = types.NotebookDocumentCellChangeStructure(
                    types.NotebookCellArrayChange(0, len(order), [types.NotebookCell(CODE, u) for u in moved])
                )
            elif action == "remove" and order:
                at = data.draw(st.integers(0, len(order) - 1))
                structure = types.NotebookDocumentCellChangeStructure(
                    types.NotebookCellArrayChange(at, 1, []), did_close=[types.TextDocumentIdentifier(order[at])]
                )
            kinds = None
            if action == "markdown" and order:
                kinds = [types.NotebookCell(MARKUP, data.draw(st.sampled_from(order)))]
            changes = book.restructure(types.NotebookDocumentCellChanges(structure=structure, data=kinds))
        after(book, masked, raw, changes)


def test_a_cell_closed_and_opened_again_in_one_change_stays_with_its_new_text():
    book = NotebookText([types.NotebookCell(CODE, "cell:a")], [types.TextDocumentItem("cell:a", "python", 1, "x = 1")])
    structure = types.NotebookDocumentCellChangeStructure(
        types.NotebookCellArrayChange(0, 1, [types.NotebookCell(CODE, "cell:a")]),
        did_open=[types.TextDocumentItem("cell:a", "python", 2, "y = 2")],
        did_close=[types.TextDocumentIdentifier("cell:a")],
    )
    masked, raw, closed = book.restructure(types.NotebookDocumentCellChanges(structure=structure))
    assert closed == [] and book.masked == ["y = 2"] and masked is not None and masked.lines == ["y = 2"]
