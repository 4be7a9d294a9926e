"""The files a check reads besides the code (config, pyproject.toml, a project environment's package
metadata, the baseline): a repository commits them, so each can be a symlink to /dev/zero, a FIFO,
nested thousands deep or absurdly large. Each hung (with memory growing), crashed with a traceback
or blocked the editor before; now it is a clear message and the rest of the check goes on."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tabguard.cli import main

FLAW = "import os\nos.system(input())\n"
SITE = ".venv/lib/python3.11/site-packages/"


def _check(folder, *args: str, timeout: int = 60) -> subprocess.CompletedProcess:
    """`tabguard check` in a subprocess: a hang fails the test instead of stalling the suite."""
    return subprocess.run(
        [sys.executable, "-m", "tabguard", "check", "--no-cache", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def _main(folder, capsys, *args: str) -> tuple[int, str, str]:
    """`tabguard check` in this process (for inputs that never could hang), from `folder`."""
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        code = main(["check", "--no-cache", *args])
    finally:
        os.chdir(cwd)
    out, err = capsys.readouterr()
    return code, out, err


def _place(folder, relative: str, kind: str) -> None:
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to(kind)


@pytest.mark.parametrize(
    "relative, kind",
    [
        ("pyproject.toml", "/dev/zero"),  # the supply rules read the project's name and build system
        ("pyproject.toml", "fifo"),
        (SITE + "evil-1.0.dist-info/METADATA", "/dev/zero"),  # the project environment's installed packages
        (SITE + "evil-1.0.dist-info/METADATA", "fifo"),
    ],
)
def test_a_side_file_that_is_not_a_regular_file_is_not_read(tmp_path, relative, kind):
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero here")
    (tmp_path / ".venv" / "pyvenv.cfg").parent.mkdir()
    (tmp_path / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    if relative != "pyproject.toml":
        (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["requests"]\n')
    _place(tmp_path, relative, kind)
    (tmp_path / "a.py").write_text("import evil\n" + FLAW)
    done = _check(tmp_path, "a.py", timeout=30)
    assert "Traceback" not in done.stderr
    assert "a.py:3:11: TG101" in done.stdout


@pytest.mark.parametrize(
    "body",
    [
        "[tool.tabguard]\nx = " + "[" * 3000 + "]" * 3000 + "\n",
        "[tool.tabguard]\nx = " + "{a=" * 2000 + "1" + "}" * 2000 + "\n",
    ],
)
def test_a_config_nested_too_deeply_is_a_config_error(tmp_path, capsys, body):
    (tmp_path / "pyproject.toml").write_text(body)
    (tmp_path / "a.py").write_text(FLAW)
    code, _, err = _main(tmp_path, capsys, ".")
    assert code == 2 and "pyproject.toml: invalid TOML: nested too deeply to read" in err


def test_a_dependency_pyproject_nested_too_deeply_is_reported_and_the_rest_checked(tmp_path, capsys):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nx = ' + "[" * 3000 + "]" * 3000 + "\n")
    (tmp_path / "a.py").write_text(FLAW)
    code, out, err = _main(tmp_path, capsys, ".")
    assert code == 2 and "pyproject.toml: invalid TOML (nested too deeply to read), dependencies not checked" in err
    assert "a.py:2:11: TG101" in out


def test_a_config_over_the_size_limit_is_a_config_error_not_parsed(tmp_path, capsys):
    (tmp_path / "pyproject.toml").write_text('[tool.tabguard]\nreviewer = "' + "x" * 3_000_000 + '"\n')
    (tmp_path / "a.py").write_text(FLAW)
    code, _, err = _main(tmp_path, capsys, ".")
    assert code == 2 and "pyproject.toml: cannot read: larger than 262144 bytes, not read" in err


@pytest.mark.parametrize(
    "line, message",
    [
        ("max-file-size = 99999999999999999999999999999", "'max-file-size': got 99999999999999999999999999999"),
        ("bulk-insert-lines = 2147483648", "expected positive integer up to 2147483647"),
        ('python = "venv\\u0000/bin/python"', "'python': got 'venv\\x00/bin/python'; expected path"),
    ],
)
def test_config_values_out_of_range_are_config_errors(tmp_path, capsys, line, message):
    (tmp_path / "tabguard.toml").write_text(line + "\n")
    (tmp_path / "a.py").write_text(FLAW)
    code, _, err = _main(tmp_path, capsys, ".")
    assert code == 2 and message in err


@pytest.mark.parametrize(
    "content, reason",
    [
        ("[" * 100_000, "maximum recursion depth exceeded"),
        (None, "cannot read the baseline baseline.json: a character device, not a regular file"),
    ],
)
def test_a_hostile_baseline_is_exit_2_with_the_reason(tmp_path, content, reason):
    baseline = tmp_path / "baseline.json"
    if content is None:
        if not os.path.exists("/dev/zero"):
            pytest.skip("no /dev/zero here")
        baseline.symlink_to("/dev/zero")  # a committed symlink: read before, without end
    else:
        baseline.write_text(content)
    (tmp_path / "a.py").write_text(FLAW)
    done = _check(tmp_path, ".", "--baseline", "baseline.json", timeout=30)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert reason in done.stderr
    assert done.stdout == ""  # nothing reported from a baseline not read
