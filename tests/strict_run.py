"""pytest plugin (loaded by tests/conftest.py) holding the suite to two rules CI relies on:

- tests leave the checkout as they found it: the run fails when `git status` (and the content of
  every file it lists) differs at the end from the start; outside a git checkout this is not checked;
- with CI=true, a test that needs editor tooling (everything under tests/editors, and tests marked
  `tooling`) fails instead of skipping, so CI cannot be green without editor coverage."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path
from typing import Optional

import pytest

_TREE_KEY = pytest.StashKey[Optional[str]]()
_EDITORS = Path(__file__).resolve().parent / "editors"


def _tree_state(root: Path) -> Optional[str]:
    """What `git status` lists under `root`, with each listed file's content hash; None when `root`
    is not a git checkout (or git is missing)."""
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "-z", "--untracked-files=all", "--", "."],
            capture_output=True,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    lines = []
    for entry in proc.stdout.decode("utf-8", "surrogateescape").split("\0"):
        path = root / entry[3:]
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if entry and path.is_file() else "-"
        lines.append(f"{entry} {digest}")
    return "\n".join(lines)


def ci_strict() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "tooling: needs editor tooling (.ci/editors.sh); may not skip with CI=true")
    if not hasattr(config, "workerinput"):  # once per run, in the controller when tests run in workers
        config.stash[_TREE_KEY] = _tree_state(config.rootpath)


def pytest_sessionfinish(session: pytest.Session) -> None:
    before = session.config.stash.get(_TREE_KEY, None)
    if before is None:
        return
    after = _tree_state(session.config.rootpath)
    if after != before:
        changed = sorted(set((after or "").splitlines()) ^ set(before.splitlines()))
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line("tests changed the checkout (git status differs):\n  " + "\n  ".join(changed), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item):
    outcome = yield
    report = outcome.get_result()
    needs_tooling = item.path.is_relative_to(_EDITORS) or item.get_closest_marker("tooling") is not None
    if report.skipped and needs_tooling and ci_strict() and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reason = reason.removeprefix("Skipped: ")
        report.outcome = "failed"
        report.longrepr = f"CI=true: a test that needs editor tooling may not skip ({reason})"
