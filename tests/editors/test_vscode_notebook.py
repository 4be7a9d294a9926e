"""The VS Code extension in a Jupyter notebook, end to end (issue 17): code-server opens an .ipynb in
its built-in notebook editor, a two-line ghost-text suggestion is accepted with Tab into a code
cell, and tabguard's diagnostic shows on that cell. The suggestion builds SQL from `name`, which an
earlier cell reads with input(): only a server that checks the cells as one module, in order
(LSP notebookDocument sync), sees that the query holds input(), and its diagnostic says so.

Harness and requirements: vscode_harness.py (skipped without code-server, Chromium or Playwright).
Screenshots go to .cache/editor-tests/vscode/notebook/."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from vscode_harness import accepts, drive, extension_log, focus_editor, messages, missing, open_file, sent

NOTEBOOK = "analysis.ipynb"
SETUP_CELL = 'import sqlite3\n\nconn = sqlite3.connect("shop.db")\nname = input("customer: ")\n'
TRIGGER = "# orders"
# What the extension's test provider offers after TRIGGER (editors/vscode/src/testInlineProvider.js).
ACCEPTED = ["query = f\"SELECT * FROM orders WHERE customer = '{name}'\"", "rows = conn.execute(query).fetchall()"]
ORIGIN = "AI-inserted (vscode.inlineSuggest), not reviewed"
RULE = "TG105"  # SQL built by formatting; its message names input() only when the cells are one module

pytestmark = pytest.mark.skipif(missing() is not None, reason=str(missing()))


def _notebook() -> str:
    def cell(kind: str, source: str) -> dict:
        extra = {"execution_count": None, "outputs": []} if kind == "code" else {}
        return {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True), **extra}

    return json.dumps(
        {
            "cells": [cell("markdown", "# Orders of one customer\n"), cell("code", SETUP_CELL), cell("code", "")],
            "metadata": {
                "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                "language_info": {"name": "python"},
            },
            "nbformat": 4,
            "nbformat_minor": 5,
        },
        indent=1,
    )


def _scenario(page, url: str, tap_log: Path, shots: Path) -> dict:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    facts: dict = {}
    page.goto(url)
    page.wait_for_selector(".monaco-workbench", timeout=60_000)
    page.keyboard.press("Control+P")
    page.keyboard.type(NOTEBOOK)
    page.wait_for_selector(f".quick-input-list .monaco-list-row:has-text('{NOTEBOOK}')", timeout=30_000)
    page.keyboard.press("Enter")
    # The built-in notebook editor (not the JSON text): two code cells, the first with the setup code.
    page.wait_for_selector(".notebookOverlay .code-cell-row .view-lines:has-text('sqlite3.connect')", timeout=30_000)
    cells = page.locator(".notebookOverlay .code-cell-row")
    assert cells.count() == 2, cells.count()
    target = cells.nth(1)
    # The language client starts after the notebook opens: type once the server has the notebook.
    deadline = time.monotonic() + 30
    while not sent(tap_log, "notebookDocument/didOpen") and time.monotonic() < deadline:
        time.sleep(0.1)

    # Type the trigger comment into the empty cell, wait for the ghost text, accept it with Tab.
    focus_editor(target)
    page.keyboard.type(TRIGGER)
    target.locator(".ghost-text").first.wait_for(timeout=30_000)
    page.screenshot(path=str(shots / "1-ghost-text.png"))
    page.keyboard.press("Tab")
    deadline = time.monotonic() + 15
    while not accepts(tap_log) and time.monotonic() < deadline:
        time.sleep(0.1)
    page.wait_for_function(
        "([cell, text]) => document.querySelectorAll('.notebookOverlay .code-cell-row')[cell]"
        ".querySelector('.view-lines').innerText.replace(/\\u00a0/g, ' ').includes(text)",
        arg=[1, ACCEPTED[1]],
        timeout=15_000,
    )
    facts["cell_text"] = target.locator(".view-lines").inner_text().replace("\xa0", " ")

    # The diagnostic: in the Problems panel, and as a squiggle in the accepting cell only.
    page.keyboard.press("Control+Shift+M")
    try:
        row = page.wait_for_selector(f".markers-panel .monaco-list-row:has-text('{RULE}')", timeout=45_000)
        facts["problem"] = row.inner_text()
    except PlaywrightTimeout:
        facts["problem"] = None
    # The server's bulk-insert guess may be published first; the editor's report then renames the span.
    try:
        row = page.wait_for_selector(
            f".markers-panel .monaco-list-row:has-text('{RULE}'):has-text('{ORIGIN}')", timeout=15_000
        )
        facts["problem"] = row.inner_text()
    except PlaywrightTimeout:
        pass
    facts["problems_panel"] = page.inner_text(".markers-panel") if page.query_selector(".markers-panel") else ""
    try:  # the squiggle is drawn a moment after the Problems row
        target.locator("[class*='squiggly-']").first.wait_for(timeout=15_000)
    except PlaywrightTimeout:
        pass
    facts["squiggles"] = [cells.nth(i).locator("[class*='squiggly-']").count() for i in range(cells.count())]
    # The status bar counts the accept once (the server's bulk-insert guess and the report are one span).
    try:
        page.wait_for_function(
            "() => [...document.querySelectorAll('.statusbar-item')]"
            ".some(e => e.innerText.includes('1/1 AI unreviewed'))",
            timeout=15_000,
        )
    except PlaywrightTimeout:
        pass
    facts["status"] = [
        e.inner_text().strip() for e in page.query_selector_all(".statusbar-item") if "AI unreviewed" in e.inner_text()
    ]
    page.screenshot(path=str(shots / "2-diagnostic.png"))

    def to_finding() -> None:
        """The cursor on `query` in `conn.execute(query)` (cell line 3), where the finding is."""
        focus_editor(target)
        page.keyboard.press("Control+End")
        page.keyboard.press("Home")
        for _ in range(ACCEPTED[1].index("(query)") + 2):
            page.keyboard.press("ArrowRight")

    # Hover at the finding: the server's explanation.
    to_finding()
    page.keyboard.press("Control+K")
    page.keyboard.press("Control+I")
    try:
        hover = page.wait_for_selector(".monaco-hover:has-text('Why is this exploitable')", timeout=20_000)
        facts["hover"] = hover.inner_text()
    except PlaywrightTimeout:
        facts["hover"] = None
    page.screenshot(path=str(shots / "3-hover.png"))

    # Code actions at the finding; "Ignore TG105 on this line" edits that line of that cell.
    page.keyboard.press("ArrowLeft")  # moving the cursor closes the hover (Escape would leave the cell's editor)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Control+.")
    try:
        page.wait_for_selector(".action-widget :text('Ignore TG105 on this line')", timeout=20_000)
        facts["actions"] = page.inner_text(".action-widget")
        page.screenshot(path=str(shots / "4-actions.png"))
        page.keyboard.press("Enter")  # the first action, selected (a click on its label does nothing)
        page.wait_for_function(
            "() => document.querySelectorAll('.notebookOverlay .code-cell-row')[1]"
            ".querySelector('.view-lines').innerText.replace(/\\u00a0/g, ' ').includes('tabguard: ignore[TG105]')",
            timeout=15_000,
        )
    except PlaywrightTimeout:
        facts.setdefault("actions", None)
        page.screenshot(path=str(shots / "4-actions-failed.png"))
    facts["cells_after_action"] = [
        cells.nth(i).locator(".view-lines").inner_text().replace("\xa0", " ") for i in range(cells.count())
    ]
    facts["pushed"] = _pushed_diagnostics(page, target, shots)
    return facts


def _pushed_diagnostics(page, target, shots: Path) -> dict:
    """vscode-languageclient never pulls a cell's diagnostics: the server pushes them. They must follow
    a review (no edit: the suppression comment in the AI code now counts, the finding goes), edits
    (the comment removed, the finding comes back), go when the notebook closes, and come back when it
    opens again. Each state is waited for; the run stops at the first one not reached."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    shown = (
        f"[...document.querySelectorAll('.markers-panel .monaco-list-row')].some(r => r.innerText.includes('{RULE}'))"
    )
    reached: dict = {}

    def state(name: str, present: bool) -> None:
        page.wait_for_function(f"() => {'' if present else '!'}({shown})", timeout=20_000)
        reached[name] = True

    try:
        state("not_honoured_in_unreviewed_ai_code", True)
        target.locator(".codelens-decoration a:has-text('Mark reviewed')").click()  # the cell's code lens
        state("suppressed_once_reviewed", False)
        focus_editor(target)
        page.keyboard.press("Control+End")
        page.keyboard.press("End")
        for _ in "  # tabguard: ignore[TG105]":
            page.keyboard.press("Backspace")
        state("suppression_removed", True)
        page.keyboard.press("Control+S")
        page.wait_for_selector(f".tabs-container .tab:has-text('{NOTEBOOK}'):not(.dirty)", timeout=15_000)
        page.keyboard.press("Control+W")
        state("closed", False)
        open_file(page, NOTEBOOK)
        state("reopened", True)
        cell = page.locator(".notebookOverlay .code-cell-row").nth(1)
        cell.locator("[class*='squiggly-']").first.wait_for(timeout=20_000)  # drawn a moment after the row
        reached["squiggle"] = True
    except PlaywrightTimeout as error:
        reached["failed"] = str(error).splitlines()[0]
        page.screenshot(path=str(shots / "5-pushed-failed.png"))
    return reached


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> dict:
    facts, root = drive(tmp_path_factory, "notebook", {NOTEBOOK: _notebook()}, _scenario)
    facts["messages"] = messages(root / "lsp.jsonl")
    facts["ext_log"] = extension_log(root)
    return facts


def _to_server(run: dict, method: str) -> list[dict]:
    return [
        m["message"] for m in run["messages"] if m["direction"] == "to_server" and m["message"].get("method") == method
    ]


def _cell_uris(run: dict) -> list[str]:
    """The code cells' document URIs, in notebook order, from notebookDocument/didOpen."""
    opened = _to_server(run, "notebookDocument/didOpen")
    assert opened, "the server was not sent notebookDocument/didOpen (no notebookDocumentSync?)"
    return [c["document"] for c in opened[0]["params"]["notebookDocument"]["cells"] if c["kind"] == 2]


def test_the_accepted_suggestion_went_into_the_cell(run):
    assert run["cell_text"].splitlines() == [TRIGGER, *ACCEPTED], run["cell_text"]


def test_the_notebook_is_synced_as_a_notebook(run):
    opened = _to_server(run, "notebookDocument/didOpen")
    reopened = 1 if run["pushed"].get("reopened") else 0  # the last step closes and opens it again
    assert len(opened) == 1 + reopened, [m.get("method") for m in _to_server(run, "textDocument/didOpen")]
    notebook = opened[0]["params"]["notebookDocument"]
    assert notebook["uri"].endswith(f"/{NOTEBOOK}") and notebook["notebookType"] == "jupyter-notebook"
    texts = [d["text"] for d in opened[0]["params"]["cellTextDocuments"]]
    assert texts == [SETUP_CELL, ""], texts
    # No cell went to the server as a text document of its own.
    assert not [
        m
        for m in _to_server(run, "textDocument/didOpen")
        if "vscode-notebook-cell" in m["params"]["textDocument"]["uri"]
    ]


def test_the_accept_is_reported_on_the_cell_after_its_edit(run):
    reported = [m["params"] for m in _to_server(run, "tabguard/didAcceptSuggestion")]
    assert len(reported) == 1, run["ext_log"]
    accept = reported[0]
    assert accept["textDocument"]["uri"] == _cell_uris(run)[1]
    assert accept["range"] == {
        "start": {"line": 0, "character": len(TRIGGER)},
        "end": {"line": 2, "character": len(ACCEPTED[1])},
    }, accept
    # The notebook change carrying the accepted text reached the server before the notification.
    messages_ = [m["message"] for m in run["messages"] if m["direction"] == "to_server"]
    before = messages_[: messages_.index(_to_server(run, "tabguard/didAcceptSuggestion")[0])]
    cell_versions = [
        change["document"]["version"]
        for m in before
        if m.get("method") == "notebookDocument/didChange"
        for change in (m["params"]["change"].get("cells") or {}).get("textContent") or []
        if change["document"]["uri"] == accept["textDocument"]["uri"]
    ]
    assert cell_versions and cell_versions[-1] == accept["textDocument"]["version"], (cell_versions, accept)


def test_the_diagnostic_shows_on_the_accepting_cell(run):
    assert run["problem"] is not None, f"no {RULE} in the Problems panel:\n{run['problems_panel']}\n{run['ext_log']}"
    assert "TG105" in run["problem"] and "tabguard" in run["problem"], run["problem"]
    assert "input()" in run["problem"], run["problem"]  # the data flow from the cell above
    assert "Ln 3" in run["problem"], run["problem"]  # the execute line of the cell, not of the notebook
    setup, accepting = run["squiggles"]
    assert accepting > 0 and setup == 0, run["squiggles"]


def test_the_accepted_code_is_one_ai_span_named_after_its_origin(run):
    assert ORIGIN in run["problem"], run["problem"]
    assert run["status"] == ["1/1 AI unreviewed · 1 finding"], run["status"]


def test_hover_explains_the_finding_in_the_cell(run):
    assert run["hover"] is not None and "TG105" in run["hover"], run["hover"]


def test_cell_diagnostics_follow_edits_close_and_reopen(run):
    assert run["pushed"].get("reopened") and run["pushed"].get("squiggle"), run["pushed"]


def test_code_actions_edit_the_cell_they_are_for(run):
    assert run["actions"] is not None and "Explain TG105" in run["actions"], run["actions"]
    # In unreviewed AI code a suppression comment does not count yet: the action says so.
    assert "Ignore TG105 on this line (counts once the AI code is reviewed)" in run["actions"], run["actions"]
    setup, accepting = run["cells_after_action"]
    assert setup.splitlines() == [line for line in SETUP_CELL.splitlines() if line], (
        setup
    )  # blank lines not in innerText
    assert accepting.splitlines()[2] == f"{ACCEPTED[1]}  # tabguard: ignore[TG105]", accepting
