"""The VS Code extension end to end in a real VS Code (code-server) driven by Playwright in headless
Debian Chromium, against the real `tabguard lsp`: the built .vsix is installed, a Python file shows
the diagnostic in the Problems panel, hover explains it, the quick fix applies, plain Tab still
indents, and accepting a ghost-text suggestion with Tab reaches the server. In Restricted Mode
(an untrusted folder) only the user's tabguard runs, never the workspace's own (issue 18).

Needs code-server (.cache/code-server, see .ci/editors.sh), /usr/bin/chromium and the playwright
package; skipped otherwise. Screenshots go to .cache/editor-tests/vscode/files/; set
TABGUARD_UPDATE_SCREENSHOT=1 to refresh editors/vscode/screenshot.png from the run."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import time
from pathlib import Path

import pytest
from vscode_harness import (
    EXTENSION,
    SHOTS,
    CodeServer,
    accepts,
    drive,
    extension_log,
    failure,
    focus_editor,
    messages,
    missing,
    open_file,
    sent,
    session,
    vsix,
)

SOURCE = "import requests\n\n\ndef fetch(url):\n    r = requests.get(url, verify=False)\n    return r.json()\n"
MESSAGE = "TLS certificate verification disabled"

pytestmark = pytest.mark.skipif(missing() is not None, reason=str(missing()))


def _focus_tab(page, name: str) -> None:
    """Back to an open editor by its tab (keys sent while a webview has focus may not reach the workbench)."""
    page.click(f".tabs-container .tab:has-text('{name}')")
    focus_editor(page.locator(".editor-instance"))


def _palette(page, title: str) -> None:
    page.keyboard.press("F1")
    page.keyboard.type(title)
    page.wait_for_selector(
        f".quick-input-list .monaco-list-row:has-text('{title.split(': ', 1)[1]}')",
        timeout=15_000,
    )
    page.keyboard.press("Enter")


def _wait_for_frame_text(page, text: str, seconds: float) -> bool:
    """Webviews (the Markdown preview) render in nested iframes."""
    from playwright.sync_api import Error as PlaywrightError

    def frame_text(frame) -> str:
        try:
            return frame.content()
        except PlaywrightError:  # the frame navigated away while we read it
            return ""

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if any(text in frame_text(frame) for frame in page.frames):
            return True
        time.sleep(0.2)
    return False


def _scenario(page, url: str, tap_log: Path, shots: Path) -> dict:
    """Drive the UI; returns facts for the asserts. Selectors verified on Code 1.100 and 1.139."""
    facts: dict = {}

    def shot(name: str) -> Path:
        path = shots / f"{name}.png"
        page.screenshot(path=str(path))
        return path

    page.goto(url)
    page.wait_for_selector(".monaco-workbench", timeout=60_000)
    open_file(page, "app.py")
    page.wait_for_selector(".monaco-editor .view-lines:has-text('verify=False')", timeout=30_000)

    # The diagnostic in the Problems panel.
    page.keyboard.press("Control+Shift+M")
    row = page.wait_for_selector(f".markers-panel .monaco-list-row:has-text('{MESSAGE}')", timeout=60_000)
    facts["problem"] = row.inner_text()

    # Hover over `verify=False` (line 5, column 30): the server's explanation.
    focus_editor(page.locator(".editor-instance"))
    page.keyboard.press("Control+G")
    page.keyboard.type("5:30")
    page.keyboard.press("Enter")
    page.keyboard.press("Control+K")
    page.keyboard.press("Control+I")
    hover = page.wait_for_selector(".monaco-hover:has-text('Why is this exploitable')", timeout=30_000)
    facts["hover"] = hover.inner_text()
    facts["hover_shot"] = shot("1-diagnostic-hover")
    page.keyboard.press("Escape")

    # The quick fix.
    page.keyboard.press("Control+.")
    page.wait_for_selector(".action-widget :text('Fix: set verify=True')", timeout=30_000)
    shot("2-quick-fix-menu")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('.monaco-editor .view-lines').innerText.includes('verify=True')",
        timeout=30_000,
    )
    page.wait_for_function(
        f"() => ![...document.querySelectorAll('.markers-panel .monaco-list-row')].some(r => r.innerText.includes('{MESSAGE}'))",
        timeout=30_000,
    )
    shot("3-fixed")

    # Plain Tab on an empty line indents and reports nothing.
    page.keyboard.press("Control+End")  # the empty last line, 7
    page.keyboard.press("Tab")
    page.wait_for_selector(".statusbar-item:has-text('Col 5')", timeout=10_000)
    facts["accepts_after_plain_tab"] = len(accepts(tap_log))

    # Accept the (test provider's) ghost text with Tab.
    page.keyboard.type("# fetch")
    page.wait_for_selector(".monaco-editor .ghost-text", timeout=30_000)
    shot("4-ghost-text")
    page.keyboard.press("Tab")
    deadline = time.monotonic() + 15
    while not accepts(tap_log) and time.monotonic() < deadline:
        time.sleep(0.1)
    row = page.wait_for_selector(f".markers-panel .monaco-list-row:has-text('{MESSAGE}')", timeout=30_000)
    facts["problem_after_accept"] = row.inner_text()
    facts["editor_text"] = page.inner_text(".monaco-editor .view-lines").replace("\xa0", " ")  # Monaco renders nbsp
    status = page.wait_for_selector(".statusbar-item:has-text('AI unreviewed')", timeout=15_000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.statusbar-item')].some(e => e.innerText.includes('1/1 AI unreviewed'))",
        timeout=15_000,
    )
    facts["status_after_accept"] = status.inner_text()
    shot("5-accepted")

    # "Mark AI suggestion reviewed" from the command palette, with the cursor in the accepted line.
    _palette(page, "tabguard: Mark AI suggestion reviewed")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.statusbar-item')].some(e => e.innerText.includes('0/1 AI unreviewed'))",
        timeout=15_000,
    )
    facts["status_after_review"] = page.inner_text(".statusbar-item:has-text('AI unreviewed')")
    shot("6-reviewed")

    # "Show AI inventory" (a report of the saved files) opens as JSON.
    _focus_tab(page, "app.py")
    page.keyboard.press("Control+S")
    page.wait_for_selector(".tabs-container .tab:has-text('app.py'):not(.dirty)", timeout=15_000)  # on disk
    _palette(page, "tabguard: Show AI inventory")
    inventory = page.wait_for_selector(".monaco-editor .view-lines:has-text('files_with_ai_code')", timeout=15_000)
    facts["inventory"] = inventory.inner_text().replace("\xa0", " ")
    shot("8-inventory")

    # Accept only the next word of a suggestion (Ctrl+Right): reported too.
    _focus_tab(page, "app.py")
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type("# fetch")
    page.wait_for_selector(".monaco-editor .ghost-text", timeout=30_000)
    page.keyboard.press("Control+ArrowRight")
    deadline = time.monotonic() + 15
    while len(accepts(tap_log)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    shot("7-accept-next-word")
    assert len(accepts(tap_log)) == 2, "the next-word accept was not reported"  # a failure screenshot, a retry
    # "Explain rule" with the cursor on `verify=False`: TG201's Markdown opens in a preview (a webview,
    # which keeps keyboard focus: this step comes last).
    _focus_tab(page, "app.py")
    page.keyboard.press("Control+G")
    page.keyboard.type("8:30")
    page.keyboard.press("Enter")
    _palette(page, "tabguard: Explain rule")
    facts["explained"] = _wait_for_frame_text(page, "Why is this exploitable", 20)
    shot("9-explain")

    # A config file written outside the editor (the server watches them): TG201's rows go at once.
    (tap_log.parent / "ws" / "tabguard.toml").write_text('ignore = ["TG201"]\n')
    page.wait_for_function(
        f"() => ![...document.querySelectorAll('.markers-panel .monaco-list-row')].some(r => r.innerText.includes('{MESSAGE}'))",
        timeout=30_000,
    )
    facts["problems_after_config"] = page.inner_text(".markers-panel")
    shot("10-config-ignores-tg201")

    # The server dies: the editor starts it again, which opens the file again and answers for it,
    # the accepted code still marked as AI (its record was written before the crash).
    started = len(sent(tap_log, "initialize"))
    os.kill(int(Path(f"{tap_log}.pid").read_text()), signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not _answered_after_restart(tap_log, started):
        time.sleep(0.2)
    facts["after_crash"] = _answered_after_restart(tap_log, started)
    row = page.wait_for_selector(
        ".markers-panel .monaco-list-row:has-text('TG215'):has-text('AI-inserted')", timeout=30_000
    )
    facts["problem_after_crash"] = row.inner_text()
    shot("11-after-crash")

    return facts


def _answered_after_restart(tap_log: Path, started: int) -> list[str]:
    """Messages of the TG215 diagnostics the server answered with after its `started`-th initialize."""
    log = messages(tap_log)
    starts = [i for i, m in enumerate(log) if m["message"].get("method") == "initialize"]
    if len(starts) <= started:
        return []
    results = [m["message"].get("result") for m in log[starts[started] :] if m["direction"] == "to_client"]
    items = [item for r in results if isinstance(r, dict) for item in r.get("items") or []]
    return [item["message"] for item in items if item.get("code") == "TG215"]


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> dict:
    facts, root = drive(tmp_path_factory, "files", {"app.py": SOURCE}, _scenario)
    facts["messages"] = messages(root / "lsp.jsonl")
    reviews = root / "ws" / ".tabguard" / "reviews.jsonl"
    facts["reviews"] = [json.loads(line) for line in reviews.read_text().splitlines()] if reviews.exists() else []
    facts["ext_log"] = extension_log(root)
    if os.environ.get("TABGUARD_UPDATE_SCREENSHOT") == "1" or not (EXTENSION / "screenshot.png").exists():
        shutil.copy(facts["hover_shot"], EXTENSION / "screenshot.png")
    return facts


def test_problems_panel_shows_the_diagnostic(run):
    assert MESSAGE in run["problem"] and "TG201" in run["problem"] and "tabguard" in run["problem"]


def test_hover_shows_the_explanation(run):
    assert "TG201" in run["hover"]


def test_plain_tab_still_indents_and_is_not_reported(run):
    assert run["accepts_after_plain_tab"] == 0


def test_accepted_ghost_text_reaches_the_server_after_its_edit(run):
    messages = [m["message"] for m in run["messages"] if m["direction"] == "to_server"]
    accepts = [i for i, m in enumerate(messages) if m.get("method") == "tabguard/didAcceptSuggestion"]
    assert len(accepts) == 2, run["ext_log"]  # the Tab accept here, the next-word accept below
    accept = messages[accepts[0]]["params"]
    assert accept["origin"] == "vscode.inlineSuggest"
    assert accept["textDocument"]["uri"].endswith("/app.py")
    # The suggestion "\n    r = requests.get(url, verify=False)" went in after "    # fetch" on line 7.
    assert accept["range"] == {
        "start": {"line": 6, "character": 11},
        "end": {"line": 7, "character": 39},
    }, accept
    changes = [m for m in messages[: accepts[0]] if m.get("method") == "textDocument/didChange"]
    assert changes and changes[-1]["params"]["textDocument"]["version"] == accept["textDocument"]["version"]
    assert "r = requests.get(url, verify=False)" in run["editor_text"]


def test_accepted_code_is_flagged_again(run):
    assert "TG201" in run["problem_after_accept"] and "Ln 8" in run["problem_after_accept"]


def test_status_bar_counts_the_accepted_span_and_review_clears_it(run):
    assert "1/1 AI unreviewed" in run["status_after_accept"]
    assert "0/1 AI unreviewed" in run["status_after_review"]
    # One review record, covering the accepted line 8 (the server decides the span's exact lines).
    assert [(r["path"], r["start_line"] <= 8 <= r["end_line"]) for r in run["reviews"]] == [("app.py", True)]


def test_a_config_file_changed_on_disk_applies_without_a_restart(run):
    registered = [
        m["message"]["params"]["registrations"]
        for m in run["messages"]
        if m["direction"] == "to_client" and m["message"].get("method") == "client/registerCapability"
    ]
    assert any(r["method"] == "workspace/didChangeWatchedFiles" for rs in registered for r in rs), registered
    assert "TG215" in run["problems_after_config"] and "TG201" not in run["problems_after_config"]


def test_after_a_crash_the_server_is_started_again_and_the_ai_mark_survives(run):
    assert any("AI-inserted (vscode.inlineSuggest)" in message for message in run["after_crash"]), run["after_crash"]
    assert "AI-inserted" in run["problem_after_crash"]


def test_explain_rule_opens_the_explanation(run):
    assert run["explained"]


def test_show_inventory_lists_the_ai_code(run):
    # Only the lines on screen are in the DOM: the summary at the top of the report.
    visible = run["inventory"]
    assert '"spans": 1,' in visible and '"reviewed_spans": 1,' in visible, visible


def test_accepting_the_next_word_is_reported(run):
    accepts = [
        m["message"]["params"]
        for m in run["messages"]
        if m["direction"] == "to_server" and m["message"].get("method") == "tabguard/didAcceptSuggestion"
    ]
    assert len(accepts) == 2, accepts
    second = accepts[1]
    # typed "    # fetch" on line 9; the first word of "\n    r = requests..." went in after it
    assert second["range"]["start"] == {"line": 8, "character": 11}, second
    assert (second["range"]["end"]["line"], second["range"]["end"]["character"]) > (
        8,
        11,
    )
    assert second["textDocument"]["version"] > accepts[0]["textDocument"]["version"]


# -- issue 18: Restricted Mode never runs the workspace's own server ---------------------------------
def _launcher(path: Path, marker: Path) -> None:
    """A `tabguard` that records that it ran, then starts the real server."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'#!/bin/sh\necho ran >> "{marker}"\nexec "{sys.executable}" -m tabguard "$@"\n')
    path.chmod(0o755)


def _untrusted_scenario(page, url: str, ran) -> dict:
    facts: dict = {}
    page.goto(url)
    page.wait_for_selector(".monaco-workbench", timeout=60_000)
    open_file(page, "app.py")
    page.keyboard.press("Control+Shift+M")
    page.wait_for_selector(f".markers-panel .monaco-list-row:has-text('{MESSAGE}')", timeout=60_000)
    facts["restricted"] = dict(ran())
    # Trust the folder: the extension restarts the server, now allowed to use the workspace's own.
    _palette(page, "Workspaces: Manage Workspace Trust")
    page.click(".workspace-trust-editor .monaco-button:has-text('Trust')", timeout=30_000)
    deadline = time.monotonic() + 30
    while not ran()["workspace_setting"] and time.monotonic() < deadline:
        time.sleep(0.2)
    facts["trusted"] = dict(ran())
    return facts


@pytest.fixture(scope="module")
def untrusted(tmp_path_factory) -> dict:
    from playwright.sync_api import Error as PlaywrightError

    package = vsix()
    root = tmp_path_factory.mktemp("vscode-untrusted")
    workspace = root / "ws"
    (workspace / ".vscode").mkdir(parents=True)
    (workspace / "app.py").write_text(SOURCE)
    markers = {name: root / name for name in ("workspace_venv", "workspace_setting", "user_path")}
    _launcher(workspace / ".venv" / "bin" / "tabguard", markers["workspace_venv"])
    _launcher(workspace / "tools" / "server.sh", markers["workspace_setting"])
    (workspace / ".vscode" / "settings.json").write_text(
        json.dumps(
            {"tabguard.serverCommand": [str(workspace / "tools" / "server.sh"), "lsp"], "tabguard.network": True}
        )
    )
    _launcher(root / "user-bin" / "tabguard", markers["user_path"])
    server = CodeServer(
        root,
        workspace,
        root / "unused.jsonl",
        trust=True,
        tabguard__serverCommand=None,
        security__workspace__trust__enabled=True,
        security__workspace__trust__startupPrompt="never",
    )
    # The user's PATH holds their tabguard; VSCODE_CLI=1 keeps VS Code from replacing PATH with a login shell's.
    server.env.update(PATH=os.pathsep.join([str(root / "user-bin"), server.env.get("PATH", "")]), VSCODE_CLI="1")
    with session(server, package) as (page, url):
        try:
            return _untrusted_scenario(page, url, lambda: {k: m.exists() for k, m in markers.items()})
        except (PlaywrightError, AssertionError) as error:
            pytest.fail(failure(page, SHOTS / "failure-untrusted.png", error, root))


def test_restricted_mode_runs_only_the_users_tabguard(untrusted):
    assert untrusted["restricted"] == {"workspace_venv": False, "workspace_setting": False, "user_path": True}


def test_trusting_the_folder_restarts_with_the_workspace_server_command(untrusted):
    assert untrusted["trusted"]["workspace_setting"], untrusted
