"""Whole-file writes that a crash or a concurrent reader never sees half done: a temporary file in the
target's folder, then a rename over the target (atomic on one file system). The one writer for the
caches, the baseline, fixed source files and the workspace's own files (through `boundary`)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Optional, Union


def write_atomically(
    folder: Union[str, Path], name: str, data: bytes, mode: Optional[int] = None, sync: bool = False
) -> None:
    """Write `data` as `folder/name`. `mode`: the file's permission bits (None keeps the temporary
    file's 0o600, right for caches private to the user). `sync`: on disk before the rename, for files
    that are the user's (source, ledgers), not for caches that can be rebuilt."""
    handle, temp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tabguard-tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            if sync:
                out.flush()
                os.fsync(out.fileno())
        if mode is not None:
            os.chmod(temp, mode)
        os.replace(temp, os.path.join(folder, name))
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
