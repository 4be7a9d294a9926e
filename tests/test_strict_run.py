"""The strict-run plugin (tests/strict_run.py) fails a run that changes the checkout, and with
CI=true a skipped editor test; each is checked on a throwaway project run by a child pytest."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import tabguard

HERE = Path(__file__).resolve().parent


def test_the_tests_import_the_checkout_not_an_installed_copy():
    assert Path(tabguard.__file__).resolve().is_relative_to(HERE.parent / "server")


def _pytest(project: Path, *, ci: str) -> subprocess.CompletedProcess:
    # Only the plugin under test: no third-party plugins to load in the child.
    env = {**os.environ, "CI": ci, "PYTHONPATH": str(HERE), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    env.pop("PYTEST_XDIST_WORKER", None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "strict_run"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def project(tmp_path) -> Path:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_writes.py").write_text(
        "import os, pytest\n"
        "def test_writes():\n"
        "    if os.environ.get('WRITE'):\n"
        "        open('tracked.txt', 'a').write('more')\n"
        "@pytest.mark.tooling\n"
        "def test_needs_an_editor():\n"
        "    pytest.skip('nvim not found')\n"
    )
    (tmp_path / "tracked.txt").write_text("text")
    for command in (["init", "-q"], ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"]):
        subprocess.run(["git", *command], cwd=tmp_path, check=True, capture_output=True)
    return tmp_path


def test_a_run_that_leaves_the_checkout_unchanged_passes_and_one_that_writes_into_it_fails(project, monkeypatch):
    assert _pytest(project, ci="").returncode == 0
    monkeypatch.setenv("WRITE", "1")
    changed = _pytest(project, ci="")
    assert changed.returncode == 1 and "tests changed the checkout" in changed.stdout
    assert "tracked.txt" in changed.stdout


def test_with_ci_true_a_test_needing_editor_tooling_fails_instead_of_skipping(project):
    assert "1 skipped" in _pytest(project, ci="").stdout
    strict = _pytest(project, ci="true")
    assert strict.returncode == 1 and "may not skip (nvim not found)" in strict.stdout, strict.stdout
