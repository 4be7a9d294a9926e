"""Bad input to `tabguard check` (issue 18): each is a clear one-line message, exit 2 where the
input is unusable, and the rest of the scan goes on. Each test crashed or hung before."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tabguard.cli import main
from tabguard.usercache import project_cache

FLAW = "import os\nos.system(input())\n"


def _run(*args: str, timeout: int = 60) -> subprocess.CompletedProcess:
    """In a subprocess: a hang fails the test instead of stopping the suite."""
    return subprocess.run(
        [sys.executable, "-m", "tabguard", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )


@pytest.mark.parametrize(
    "body, problem",
    [
        ("tool = 1\n", "[tool] must be a table, not an integer"),
        ('project = "x"\n[tool.tabguard]\n', "[project] must be a table, not a string"),
        ("dependency-groups = 3\n[tool.tabguard]\n", "[dependency-groups] must be a table, not an integer"),
        ("[project]\noptional-dependencies = 4\n[tool.tabguard]\n", "[project.optional-dependencies] must be a table"),
        ("[tool.poetry.group]\ndev = 5\n[tool.tabguard]\n", "[tool.poetry.group.dev] must be a table"),
        ('[tool]\ntabguard = 3\nnote = "tool.tabguard"\n', "[tool.tabguard] must be a table, not an integer"),
    ],
)
def test_pyproject_with_wrong_types(tmp_path, capsys, body, problem):
    (tmp_path / "pyproject.toml").write_text(body.replace("tool = 1", 'tool = 1\nname = "tool.tabguard"'))
    (tmp_path / "a.py").write_text(FLAW)
    assert main(["check", "--no-cache", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert problem in err and "pyproject.toml" in err and "Traceback" not in err


def test_a_fifo_is_skipped_not_read(tmp_path):
    os.mkfifo(tmp_path / "pipe.py")
    (tmp_path / "a.py").write_text(FLAW)
    done = _run("check", "--no-cache", str(tmp_path))
    assert done.returncode == 2
    assert "pipe.py: a named pipe (FIFO), not a regular file, skipped" in done.stderr
    assert "a.py:2:11: TG101" in done.stdout


def test_a_symlink_loop_is_reported(tmp_path, capsys):
    (tmp_path / "loop.py").symlink_to(tmp_path / "loop.py")
    (tmp_path / "a.py").write_text(FLAW)
    assert main(["check", "--no-cache", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert "loop.py: symlink loop, skipped" in captured.err and "a.py:2:11: TG101" in captured.out
    assert main(["check", "--no-cache", str(tmp_path / "loop.py")]) == 2
    assert "nothing to check" in capsys.readouterr().err


@pytest.mark.parametrize(
    "path, reason",
    [
        ("/dev/zero", "a character device, not a regular file"),
        ("/dev/null", "a character device, not a regular file"),
        ("/proc/self", "a system folder (/proc)"),
    ],
)
def test_special_paths_are_skipped_with_the_reason(capsys, path, reason):
    if not os.path.exists(path):
        pytest.skip(f"{path} does not exist here")
    assert main(["check", "--no-cache", path]) == 2
    captured = capsys.readouterr()
    assert f"{path}: {reason}" in captured.err and "nothing to check" in captured.err
    assert "No findings in 0 files" not in captured.out


def test_dev_stdin_is_skipped_with_the_reason(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "tabguard", "check", "--no-cache", "/dev/stdin", str(tmp_path / "a.py")],
        input="",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and "/dev/stdin: a named pipe (FIFO), not a regular file, skipped" in done.stderr


def test_a_special_path_beside_a_real_one_does_not_stop_the_scan(tmp_path, capsys):
    (tmp_path / "a.py").write_text(FLAW)
    assert main(["check", "--no-cache", "/dev/null", str(tmp_path / "a.py")]) == 2
    captured = capsys.readouterr()
    assert "/dev/null: a character device" in captured.err and "a.py:2:11: TG101" in captured.out


def test_output_to_a_folder(tmp_path, capsys):
    (tmp_path / "a.py").write_text(FLAW)
    assert main(["check", str(tmp_path / "a.py"), "-o", str(tmp_path)]) == 2
    assert "-o names a folder" in capsys.readouterr().err


def test_output_that_cannot_be_written(tmp_path, capsys):
    (tmp_path / "a.py").write_text(FLAW)
    assert main(["check", str(tmp_path / "a.py"), "-o", str(tmp_path / "missing" / "out.txt")]) == 2
    assert "cannot write the report" in capsys.readouterr().err


@pytest.mark.skipif(sys.platform != "linux", reason="needs a file system that takes any bytes in a name")
@pytest.mark.parametrize("form", ["text", "json", "sarif"])
def test_a_file_name_that_is_not_utf8(tmp_path, capsys, form):
    name = os.fsdecode(b"caf\xe9.py")
    (tmp_path / name).write_text(FLAW)
    out = tmp_path / "report.txt"
    assert main(["check", "--no-cache", "--format", form, str(tmp_path), "-o", str(out)]) == 1
    report = out.read_text(encoding="utf-8")
    if form == "text":
        assert "caf\\xe9.py:2:11: TG101" in report
    elif form == "json":
        assert json.loads(report)[0]["path"].endswith("caf\\xe9.py")
    else:
        location = json.loads(report)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"].endswith("caf%5Cxe9.py")
    if form == "text":  # through a pipe in the C locale's ASCII
        done = subprocess.run(
            [sys.executable, "-m", "tabguard", "check", "--no-cache", str(tmp_path)],
            capture_output=True,
            timeout=60,
            check=False,
            env={**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": "ascii"},
        )
        assert done.returncode == 1 and b"caf\\xe9.py:2:11" in done.stdout, done.stderr


@pytest.mark.parametrize(
    "entry",
    [
        5,
        [],
        [1, 2, 3],
        ["a", "b", "c", "d"],
        [0, 0, "x", [{}]],
        [0, 0, "x", [{"rule": "TG100"}]],
        [
            0,
            0,
            "x",
            [
                {
                    "rule": "TG100",
                    "span": "abcd",
                    "message": "m",
                    "severity": "high",
                    "details": {},
                    "related": [],
                    "fix": None,
                }
            ],
        ],
        [0, 0, "x", "not a list"],
        {"a": 1},
    ],
)
def test_cache_entries_of_the_wrong_shape_are_misses(tmp_path, capsys, entry):
    path = tmp_path / "a.py"
    path.write_text(FLAW)
    assert main(["check", str(path)]) == 1
    (index,) = project_cache(tmp_path, "results-v1").glob("*.json")
    data = json.loads(index.read_text())
    data = dict.fromkeys(data, entry)
    index.write_text(json.dumps(data))
    assert main(["check", str(path)]) == 1
    assert "a.py:2:11: TG101" in capsys.readouterr().out


def test_a_folder_too_deep_for_the_system_is_an_error_and_the_rest_is_checked(tmp_path, capsys):
    """Nested past PATH_MAX (as an archive can unpack it): a traceback (`File name too long`) before."""
    (tmp_path / "a.py").write_text(FLAW)
    folder = os.open(tmp_path, os.O_RDONLY)
    try:
        for _ in range(100):  # 100 x 51 bytes: beyond Linux's 4,096
            os.mkdir("d" * 50, dir_fd=folder)
            inner = os.open("d" * 50, os.O_RDONLY, dir_fd=folder)
            os.close(folder)
            folder = inner
    finally:
        os.close(folder)
    assert main(["check", "--no-cache", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert "cannot read: File name too long; the files in it are not checked" in captured.err
    assert "a.py:2:11: TG101" in captured.out and "Traceback" not in captured.err
