"""Shared by the VS Code end-to-end tests: a code-server with the built .vsix installed, driven by
Playwright in headless Debian Chromium, against the real `tabguard lsp` behind lsp_tap.py (which
logs every LSP message both ways). Recipes: /work/shared/EDITORS-TESTING.md, section 2.

Needs code-server (.cache/code-server, see .ci/editors.sh), /usr/bin/chromium and the playwright
package; `missing()` says which is absent so the tests can skip with the reason."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import pytest

HERE = Path(__file__).parent
REPO = HERE.parent.parent
EXTENSION = REPO / "editors" / "vscode"
VSIX = EXTENSION / "tabguard.vsix"
SHOTS = REPO / ".cache" / "editor-tests" / "vscode"


def code_server() -> str | None:
    candidates = [
        os.environ.get("TABGUARD_CODE_SERVER"),
        str(REPO / ".cache/code-server/node_modules/.bin/code-server"),
    ]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("code-server")


def chromium() -> str | None:
    return next(
        (p for p in ("/usr/bin/chromium", shutil.which("chromium") or "") if p and os.access(p, os.X_OK)),
        None,
    )


def missing() -> str | None:
    if code_server() is None:
        return "code-server not installed (run .ci/editors.sh VENV)"
    if chromium() is None:
        return "chromium not installed (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright not installed (pip install playwright)"
    return None


def vsix() -> Path:
    """The packaged extension, rebuilt when a source file is newer."""
    sources = [
        p
        for p in EXTENSION.rglob("*")
        if p.is_file()
        and not {"node_modules", ".tools"} & set(p.parts)
        and p.suffix != ".vsix"
        and p.name != "screenshot.png"
    ]
    if not VSIX.exists() or max(p.stat().st_mtime for p in sources) > VSIX.stat().st_mtime:
        proc = subprocess.run(
            [str(EXTENSION / "package.sh")],
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
        if proc.returncode != 0:
            pytest.skip(f"could not build the .vsix: {proc.stdout[-1500:]}{proc.stderr[-1500:]}")
    return VSIX


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def messages(log: Path) -> list[dict]:
    """Every LSP message lsp_tap.py logged, in order: {"direction": "to_server"|"to_client", "message": ...}."""
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def sent(log: Path, method: str) -> list[dict]:
    """The logged messages of `method` the server received."""
    return [m for m in messages(log) if m["direction"] == "to_server" and m["message"].get("method") == method]


def accepts(log: Path) -> list[dict]:
    return [
        m["message"]["params"]
        for m in messages(log)
        if m["direction"] == "to_server" and m["message"].get("method") == "tabguard/didAcceptSuggestion"
    ]


def extension_log(root: Path, tail: int | None = None) -> str:
    """The extension's output channel, from the run's user-data dir."""
    return "\n".join(f.read_text()[-tail if tail else 0 :] for f in (root / "user" / "logs").rglob("*tabguard*.log"))


class CodeServer:
    """A code-server with the extension installed, in its own dirs, on a free local port."""

    def __init__(self, root: Path, workspace: Path, tap_log: Path, trust: bool = False, **settings_override):
        """`trust`: leave Workspace Trust on (the folder opens in Restricted Mode); settings given as
        keyword arguments (dots as `__`) replace the defaults, None removes one."""
        self.trust = trust
        self.binary = code_server()
        self.user = root / "user"
        self.extensions = root / "extensions"
        self.log = root / "code-server.log"
        self.workspace = workspace
        self.port = free_port()
        self.env = dict(
            os.environ,
            XDG_CONFIG_HOME=str(root / "config"),
            XDG_DATA_HOME=str(root / "data"),
        )
        settings = {
            "tabguard.serverCommand": [
                sys.executable,
                str(HERE / "lsp_tap.py"),
                str(tap_log),
                "--",
                sys.executable,
                "-m",
                "tabguard",
                "lsp",
            ],
            "tabguard.testInlineProvider": True,
            "workbench.startupEditor": "none",
            "security.workspace.trust.enabled": False,
            "telemetry.telemetryLevel": "off",
            "extensions.autoUpdate": False,
            "workbench.tips.enabled": False,
            "editor.inlineSuggest.enabled": True,
        }
        for key, value in settings_override.items():
            settings.pop(key.replace("__", "."), None)
            if value is not None:
                settings[key.replace("__", ".")] = value
        (self.user / "User").mkdir(parents=True)
        (self.user / "User" / "settings.json").write_text(json.dumps(settings, indent=2))
        self.process: subprocess.Popen | None = None

    def _args(self) -> list[str]:
        return [
            str(self.binary),
            "--user-data-dir",
            str(self.user),
            "--extensions-dir",
            str(self.extensions),
        ]

    def install(self, package: Path) -> None:
        proc = subprocess.run(
            [*self._args(), "--install-extension", str(package)],
            capture_output=True,
            text=True,
            timeout=120,
            env=self.env,
            check=False,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr

    def start(self) -> str:
        with open(self.log, "w") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                [
                    *self._args(),
                    "--auth",
                    "none",
                    "--bind-addr",
                    f"127.0.0.1:{self.port}",
                    "--disable-telemetry",
                    "--disable-update-check",
                    *([] if self.trust else ["--disable-workspace-trust"]),
                    str(self.workspace),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env,
                start_new_session=True,
            )
        url = f"http://127.0.0.1:{self.port}/"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(url + "healthz", timeout=2)
                return f"{url}?folder={self.workspace}"
            except OSError:
                assert self.process.poll() is None, self.log.read_text()
                time.sleep(0.3)
        raise AssertionError(f"code-server did not start: {self.log.read_text()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # its own session: code-server and its children
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def focus_editor(editor) -> None:
    """Put the keyboard in a code editor (the page, or a locator of one notebook cell) by clicking one
    of its text lines: a click on the middle of the editor can land on a code lens ("Mark reviewed"),
    which takes the click (Playwright then waits for it to move) or runs the lens's command."""
    editor.locator(".monaco-editor .view-line").first.click(position={"x": 1, "y": 1})  # a line is 1e6 px wide


def open_file(page, name: str) -> None:
    """Quick open; pressing Enter before the row shows opens nothing."""
    page.keyboard.press("Control+P")
    page.keyboard.type(name)
    page.wait_for_selector(f".quick-input-list .monaco-list-row:has-text('{name}')", timeout=30_000)
    page.keyboard.press("Enter")


@contextmanager
def session(server: CodeServer, package: Path) -> Iterator[tuple[Any, str]]:
    """Install the extension, start code-server and a headless Chromium page; yields (page, url of
    the workspace); stops both."""
    from playwright.sync_api import sync_playwright

    server.install(package)
    url = server.start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
            try:
                yield browser.new_page(viewport={"width": 1280, "height": 800}), url
            finally:
                browser.close()
    finally:
        server.stop()


def failure(page, shot: Path, error: Exception, root: Path) -> str:
    """Screenshot the page as it failed; the error with the end of the extension's log."""
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot))
    return f"{error}\nextension log:\n{extension_log(root, tail=2000)}"


Scenario = Callable[[Any, str, Path, Path], dict]


def drive(tmp_path_factory, name: str, files: dict[str, str], scenario: Scenario) -> tuple[dict, Path]:
    """Run `scenario(page, url, tap_log, shots)` in a fresh code-server whose workspace holds `files`,
    with one retry: code-server UIs occasionally miss a keystroke during start-up. Returns the
    scenario's facts (as JSON gives them back: paths are strings) and the run's root folder (workspace
    `ws/`, LSP log `lsp.jsonl`, user data `user/`); fails the test with the last error, the
    extension's log and screenshots otherwise.

    Once per test session: pytest-xdist hands a module's tests to several workers, each of which
    would start its own editor for the module's fixture (two editors on two cores, each slower and
    more likely to miss a keystroke). The first worker drives it; the others wait and read its record."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the session's folder, above each worker's own
    record = shared / f"vscode-{name}.json"
    with open(shared / f"vscode-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record.exists():
            record.write_text(json.dumps(_drive_once(tmp_path_factory, name, files, scenario), default=str))
    outcome = json.loads(record.read_text())
    if "failure" in outcome:
        pytest.fail(outcome["failure"])
    return outcome["facts"], Path(outcome["root"])


def _drive_once(tmp_path_factory, name: str, files: dict[str, str], scenario: Scenario) -> dict:
    from playwright.sync_api import Error as PlaywrightError

    package = vsix()
    shots = SHOTS / name
    shots.mkdir(parents=True, exist_ok=True)
    for old in shots.glob("*.png"):
        old.unlink()
    last_error = None
    for attempt in (1, 2):
        root = tmp_path_factory.mktemp(f"{name}{attempt}")
        workspace = root / "ws"
        workspace.mkdir()
        for path, text in files.items():
            (workspace / path).write_text(text)
        tap_log = root / "lsp.jsonl"
        with session(CodeServer(root, workspace, tap_log), package) as (page, url):
            try:
                return {"facts": scenario(page, url, tap_log, shots), "root": str(root)}
            except (PlaywrightError, AssertionError) as error:
                last_error = failure(page, shots / f"failure-attempt{attempt}.png", error, root)
    return {"failure": f"the VS Code scenario {name!r} failed twice; screenshots in {shots}: {last_error}"}
