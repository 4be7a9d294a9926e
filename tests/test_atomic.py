"""The one atomic writer (atomic.py): a temporary file beside the target, then a rename."""

from __future__ import annotations

import os
import stat

import pytest

from tabguard.atomic import write_atomically


def test_the_file_is_replaced_whole_with_the_mode_asked_for(tmp_path) -> None:
    (tmp_path / "cache.json").write_text("old")
    write_atomically(tmp_path, "cache.json", b"new")  # a cache: private to the user
    assert (tmp_path / "cache.json").read_bytes() == b"new"
    assert stat.S_IMODE((tmp_path / "cache.json").stat().st_mode) == 0o600
    write_atomically(tmp_path, "app.py", b"x = 1\n", 0o755, sync=True)
    assert stat.S_IMODE((tmp_path / "app.py").stat().st_mode) == 0o755
    assert sorted(os.listdir(tmp_path)) == ["app.py", "cache.json"]


def test_a_failed_write_leaves_the_target_and_no_temporary_file(tmp_path) -> None:
    (tmp_path / "taken").mkdir()  # a rename cannot replace a folder with a file
    with pytest.raises(OSError):
        write_atomically(tmp_path, "taken", b"data")
    assert os.listdir(tmp_path) == ["taken"] and (tmp_path / "taken").is_dir()


def test_a_symlink_at_the_target_is_replaced_not_followed(tmp_path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("keep")
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "ledger").symlink_to(outside)
    write_atomically(tmp_path / "ws", "ledger", b"record")
    assert outside.read_text() == "keep" and (tmp_path / "ws" / "ledger").read_bytes() == b"record"
