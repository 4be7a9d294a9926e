"""`tabguard check` at scale: the cache gives the same answers, folders honour .gitignore, workers
give the same answers as one process, and symlinks never lead out of the tree."""

from __future__ import annotations

import hashlib
import json
import os

from tabguard.batch import PARALLEL_THRESHOLD, cache_salt, code_token, environment_token, tree_token
from tabguard.cli import main
from tabguard.config import load_config

FLAW = "import os\n\ndef run(cmd):\n    os.system(cmd)\n"


def _json(capsys, *args):
    capsys.readouterr()
    code = main(["check", *args, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def test_warm_run_reuses_the_cache_and_sees_edits(tmp_path, capsys):
    (tmp_path / "a.py").write_text(FLAW)
    (tmp_path / "b.py").write_text("x = 1\n")
    code, cold = _json(capsys, str(tmp_path))
    assert code == 1 and [f["rule"] for f in cold] == ["TG101"]
    assert not (tmp_path / ".tabguard-cache").exists()  # kept in the user's cache folder
    code, warm = _json(capsys, str(tmp_path))
    assert warm == cold
    (tmp_path / "a.py").write_text("x = 2\n")
    code, edited = _json(capsys, str(tmp_path))
    assert code == 0 and edited == []


def test_a_cache_committed_to_the_repository_cannot_hide_a_finding(tmp_path, capsys):
    """A pull request can add a `.tabguard-cache` whose entry says the flawed file is clean: the
    entry is forged the way tabguard's own cache used to name and read it, and is never consulted."""
    flawed = tmp_path / "a.py"
    flawed.write_text(FLAW)
    (tmp_path / ".agent-trace").mkdir()
    record = {
        "version": "0.1.0",
        "id": "forged-1",
        "timestamp": "2026-01-01T00:00:00Z",
        "files": [{"path": "a.py", "conversations": [{"ranges": [{"start_line": 3, "end_line": 4}]}]}],
    }
    (tmp_path / ".agent-trace" / "traces.jsonl").write_text(json.dumps(record) + "\n")
    salt = cache_salt(load_config(tmp_path), (), (), environment_token(tmp_path))
    digest = hashlib.sha256(flawed.read_bytes()).hexdigest()
    info = flawed.stat()
    forged = tmp_path / ".tabguard-cache" / "v1" / (hashlib.sha256(salt.encode()).hexdigest()[:20] + ".json")
    forged.parent.mkdir(parents=True)
    clean = [info.st_mtime_ns, info.st_size, digest, []]
    forged.write_text(json.dumps({str(flawed): clean, flawed.as_posix(): clean, "a.py": clean}))

    code, found = _json(capsys, str(tmp_path))
    assert code == 1 and [f["rule"] for f in found] == ["TG101"]
    assert main(["check", "--gate", str(tmp_path)]) == 1
    assert "a.py:3-4: AI-inserted" in capsys.readouterr().err


def test_gitignore_and_exclude_are_respected(tmp_path, capsys):
    (tmp_path / ".gitignore").write_text("generated/\n*.gen.py\n!keep.gen.py\n")
    for name in ("generated/x.py", "a.gen.py", "keep.gen.py", "src/app.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(FLAW)
    _, found = _json(capsys, str(tmp_path), "--no-cache")
    assert sorted(os.path.relpath(f["path"], tmp_path) for f in found) == ["keep.gen.py", "src/app.py"]


def test_symlinks_out_of_the_tree_are_not_followed(tmp_path, capsys):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "evil.py").write_text(FLAW)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "link").symlink_to(outside, target_is_directory=True)
    (tree / "ok.py").write_text("x = 1\n")
    code, found = _json(capsys, str(tree), "--no-cache")
    assert code == 0 and found == []


def test_worker_processes_agree_with_one_process(tmp_path, capsys):
    for i in range(PARALLEL_THRESHOLD + 6):
        (tmp_path / f"m{i}.py").write_text(FLAW if i % 3 == 0 else f"x = {i}\n")
    _, serial = _json(capsys, str(tmp_path), "--no-cache", "--jobs", "1")
    _, parallel = _json(capsys, str(tmp_path), "--no-cache", "--jobs", "2")
    assert serial == parallel and len(serial) == (PARALLEL_THRESHOLD + 6 + 2) // 3


def test_the_cache_is_keyed_on_the_analysers_own_code(tmp_path):
    """A pull that changes a rule keeps the version number; its results must not come from the old code."""
    (tmp_path / "rules").mkdir()
    rule = tmp_path / "rules" / "tg999.py"
    rule.write_text("FLAGS = True\n")
    before = tree_token([tmp_path])
    rule.write_text("FLAGS = False  # changed\n")
    assert tree_token([tmp_path]) != before
    salt = cache_salt(load_config(tmp_path), (), (), environment_token(tmp_path))
    assert code_token() in salt


def test_a_cached_result_is_dropped_when_a_module_it_called_into_changes(tmp_path, capsys):
    """The finding in app.py exists because of db.py's helper: fixing only db.py must clear it on
    a warm run, although app.py's own bytes are unchanged."""
    apps = os.path.join(os.path.dirname(__file__), "apps", "flask_db")
    for name in ("app.py", "db.py"):
        with open(os.path.join(apps, "vulnerable", name), encoding="utf-8") as source:
            (tmp_path / name).write_text(source.read())
    code, cold = _json(capsys, str(tmp_path))
    assert code == 1 and any(f["rule"] == "TG105" for f in cold)
    with open(os.path.join(apps, "secure", "db.py"), encoding="utf-8") as source:
        (tmp_path / "db.py").write_text(source.read())
    code, warm = _json(capsys, str(tmp_path))
    assert [f for f in warm if f["rule"] == "TG105"] == []
