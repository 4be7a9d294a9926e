"""The workspace boundary: a repository's symlinks at the ledger paths never make tabguard read or write
outside the workspace root, and a ledger record cannot point it at a file outside either."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from provenance_helpers import foreign_record, write
from tabguard import boundary
from tabguard.cli import main
from tabguard.provenance import Provenance

APP = "import subprocess\n\n\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n"
RECORD = json.dumps(foreign_record("app.py", 4, 5)) + "\n"
# Each ledger path, and what outside the root a hostile repository points it at.
LINKS = {
    ".agent-trace": "agent-trace",
    ".agent-trace/traces.jsonl": "agent-trace/traces.jsonl",
    ".tabguard": "tabguard",
    ".tabguard/reviews.jsonl": "bashrc",
    ".gitattributes": "bashrc",
}


def _hostile(tmp_path: Path, link: str) -> tuple[Path, Path]:
    """A workspace whose `link` is a symlink out of it; outside, a shell start-up file and a ledger
    that attributes app.py to AI (read, it would show up in the reports)."""
    root, outside = tmp_path / "ws", tmp_path / "outside"
    (root / ".git").mkdir(parents=True)
    write(root / "app.py", APP)
    write(outside / "bashrc", "export PATH=/usr/bin\n")
    write(outside / "agent-trace" / "traces.jsonl", RECORD)
    (outside / "tabguard").mkdir()
    if not link.startswith(".agent-trace"):
        write(root / ".agent-trace" / "traces.jsonl", RECORD)
    (root / link).parent.mkdir(parents=True, exist_ok=True)
    (root / link).symlink_to(outside / LINKS[link])
    return root, outside


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else b"<dir>" for p in sorted(folder.rglob("*"))}


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("link", sorted(LINKS))
def test_a_symlinked_ledger_path_is_refused_and_nothing_outside_is_read_or_written(tmp_path, capsys, link):
    root, outside = _hostile(tmp_path, link)
    before = _snapshot(outside)
    app = root / "app.py"
    traces_linked = link.startswith(".agent-trace")

    code, out, err = _run(capsys, "check", "--gate", str(app))
    if link != ".gitattributes":  # check never touches .gitattributes
        assert code == 2 and "tabguard: error:" in err and "symlink" in err
    assert "AI-inserted" not in out + err if traces_linked else True

    code, out, err = _run(capsys, "inventory", str(root))
    if traces_linked:
        assert code == 2 and "symlink" in err
        assert "app.py" not in out  # the outside ledger's record was not read

    code, out, err = _run(capsys, "review", str(app), "--by", "Mallory $(touch pwned)")
    assert code == 2 and "symlink" in err, err
    assert "Traceback" not in err

    prov = Provenance(root)
    lines = APP.split("\n")
    prov.open_file(app, lines)
    try:
        prov.record_accept(app, lines, 0, 2, "copilot", False)
    except boundary.Refused as refused:
        assert traces_linked and "symlink" in str(refused)
    else:
        assert not traces_linked and any("symlink" in e for e in prov.errors)

    assert _snapshot(outside) == before
    assert not list(tmp_path.rglob("pwned"))


def test_ledger_records_naming_files_outside_the_root_are_skipped_unread(tmp_path, capsys):
    root, outside = tmp_path / "ws", tmp_path / "outside"
    (root / ".git").mkdir(parents=True)
    write(root / "app.py", APP)
    write(outside / "secret.py", "import os\nos.system(input())\n" * 7)
    (root / "link").symlink_to(outside)
    records = [
        foreign_record("../outside/secret.py", 1, 2),
        foreign_record(str(outside / "secret.py"), 1, 2),
        foreign_record("sub/../../outside/secret.py", 1, 2),
        foreign_record("link/secret.py", 1, 2),
        foreign_record("app.py", 4, 5),
    ]
    write(root / ".agent-trace" / "traces.jsonl", "".join(json.dumps(r) + "\n" for r in records))

    code, out, err = _run(capsys, "inventory", str(root), "--format", "json")
    report = json.loads(out)
    assert code == 0
    assert [f["path"] for f in report["files"]] == ["app.py"]  # secret.py: neither its existence nor its lines
    assert "14" not in json.dumps(report["summary"])
    outside_warnings = [w for w in report["warnings"] if "outside the workspace" in w]
    assert len(outside_warnings) == 4, report["warnings"]

    code, out, err = _run(capsys, "check", "--gate", str(root))
    assert code == 1 and "app.py:4-5" in err and "secret" not in out
    assert "outside the workspace" in err

    code, out, err = _run(capsys, "review", str(root), "--by", "Ada")
    assert code == 0 and "app.py:4-5" in out and "secret" not in out
    assert "outside the workspace" in err


def test_boundary_refuses_fifos_and_writes_atomically_keeping_the_mode(tmp_path):
    os.mkfifo(tmp_path / "pipe.jsonl")
    with pytest.raises(boundary.Refused, match="not a regular file"):
        boundary.read_text(tmp_path, "pipe.jsonl")
    write(tmp_path / "pyproject.toml", "[project]\n")
    os.chmod(tmp_path / "pyproject.toml", 0o640)
    inode = (tmp_path / "pyproject.toml").stat().st_ino
    boundary.replace_text(tmp_path, "pyproject.toml", "[project]\nname = 'x'\n")
    after = (tmp_path / "pyproject.toml").stat()
    assert after.st_ino != inode and after.st_mode & 0o777 == 0o640  # a new file renamed over the old
    assert (tmp_path / "pyproject.toml").read_text() == "[project]\nname = 'x'\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe.jsonl", "pyproject.toml"]  # no temp file left


@pytest.mark.parametrize("name", ["pyproject.toml", "tabguard.toml"])
def test_init_never_writes_through_a_symlink(tmp_path, capsys, name):
    root, outside = tmp_path / "ws", tmp_path / "outside"
    root.mkdir()
    write(outside / "target.toml", "[project]\nname = 'other'\n")
    (root / name).symlink_to(outside / "target.toml" if name == "pyproject.toml" else outside / "new.toml")
    before = _snapshot(outside)
    code, out, err = _run(capsys, "init", str(root))
    if name == "pyproject.toml":
        assert code == 2 and "symlink" in err and "Traceback" not in err
    else:  # a (dangling) tabguard.toml symlink is "already present": left alone, nothing created
        assert code == 0 and "already present" in out
    assert _snapshot(outside) == before


def test_init_replaces_pyproject_whole_and_keeps_its_mode(tmp_path, capsys):
    write(tmp_path / "pyproject.toml", "[project]\nname = 'demo'\n")
    os.chmod(tmp_path / "pyproject.toml", 0o600)
    inode = (tmp_path / "pyproject.toml").stat().st_ino
    code, out, _ = _run(capsys, "init", str(tmp_path))
    after = (tmp_path / "pyproject.toml").stat()
    assert code == 0 and "added [tool.tabguard]" in out
    assert after.st_ino != inode and after.st_mode & 0o777 == 0o600  # written beside it, renamed over it
    assert (tmp_path / "pyproject.toml").read_text().startswith("[project]\nname = 'demo'\n\n[tool.tabguard]\n")


def test_reviewer_and_ledger_names_are_data_never_shell_or_terminal_input(tmp_path, capsys):
    (tmp_path / ".git").mkdir()
    app = tmp_path / "app.py"
    write(app, APP)
    # A repository's config names the reviewer; OSC 52 would write the clipboard, \u202e reorders text.
    write(
        tmp_path / "pyproject.toml",
        '[tool.tabguard]\nreviewer = "$(touch pwned) \\u001b]52;c;ZXZpbA==\\u0007Mallory"\n',
    )
    record = foreign_record("app.py", 4, 5, tool={"name": "\x1b[2Jcursor"})
    record["files"][0]["conversations"][0]["contributor"]["model_id"] = "\u202egpt"
    other = foreign_record("app\x1b[31m.py", 1, 1)
    write(tmp_path / ".agent-trace" / "traces.jsonl", json.dumps(record) + "\n" + json.dumps(other) + "\n")

    code, out, err = _run(capsys, "review", str(app))
    assert code == 0 and "reviewed by $(touch pwned) \\x1b]52;c;ZXZpbA==\\x07Mallory" in out
    reviews = (tmp_path / ".tabguard" / "reviews.jsonl").read_text()
    assert json.loads(reviews)["reviewer"] == "$(touch pwned) \\x1b]52;c;ZXZpbA==\\x07Mallory"
    code, inventory_out, inventory_err = _run(capsys, "inventory", str(tmp_path))
    assert code == 0 and "\\x1b[2Jcursor" in inventory_out and "\\u202egpt" in inventory_out
    printed = out + err + inventory_out + inventory_err
    assert "\x1b" not in printed and "\u202e" not in printed and "\x07" not in printed
    assert "with control characters; skipped" in inventory_err
    assert not list(tmp_path.rglob("pwned"))


@pytest.mark.skipif(os.name != "posix", reason="a shell script stands for the executable")
@pytest.mark.parametrize("relative", ["", "."])
def test_a_repositorys_own_git_is_never_run(tmp_path, monkeypatch, capsys, relative):
    """`tabguard review` (and "mark reviewed" in the editor) asks git for the reviewer's name with the
    workspace as the current folder: with `.` or an empty entry in PATH, a committed executable named
    `git` ran."""
    marker = tmp_path / "ran"
    workspace = tmp_path / "repo"
    workspace.mkdir()
    (workspace / ".git").mkdir()
    fake = workspace / "git"
    fake.write_text(f"#!/bin/sh\necho ran > {marker}\necho attacker\n")
    fake.chmod(0o755)
    write(workspace / "app.py", APP)
    write(workspace / ".agent-trace" / "traces.jsonl", RECORD)
    monkeypatch.setenv("PATH", os.pathsep.join([relative, *os.get_exec_path()]))
    monkeypatch.chdir(workspace)
    assert main(["review", "app.py"]) == 0
    assert not marker.exists()
    assert "reviewed by attacker" not in capsys.readouterr().out
