"""`tabguard check` at scale: the cache gives the same answers, folders honour .gitignore, workers
give the same answers as one process, and symlinks never lead out of the tree."""

from __future__ import annotations

import json
import os

from tabguard.batch import PARALLEL_THRESHOLD
from tabguard.cli import main

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
    assert (tmp_path / ".tabguard-cache" / ".gitignore").is_file()
    code, warm = _json(capsys, str(tmp_path))
    assert warm == cold
    (tmp_path / "a.py").write_text("x = 2\n")
    code, edited = _json(capsys, str(tmp_path))
    assert code == 0 and edited == []


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
