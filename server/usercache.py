"""Where tabguard keeps its caches: in the user's cache folder, never in the repository.

A cache inside the repository is input that anyone who can open a pull request controls: a committed
`.tabguard-cache` that maps a flawed file's hash to "no findings" would make `check` and `--gate`
pass. The user's cache folder is written only by the user's own tabguard runs.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path


def cache_home() -> Path:
    """`TABGUARD_CACHE_DIR`, else the platform's user cache folder + `tabguard`."""
    explicit = os.environ.get("TABGUARD_CACHE_DIR")
    if explicit:
        return Path(explicit)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = str(Path.home() / "Library" / "Caches")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tabguard"


def project_cache(project: Path, kind: str) -> Path:
    """The folder of one project's `kind` cache, named by the project's real path."""
    name = hashlib.sha256(os.path.realpath(project).encode("utf-8", "surrogateescape")).hexdigest()[:20]
    return cache_home() / kind / name
