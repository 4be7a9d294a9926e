"""Where a Python project starts: the nearest folder at or above a file's that holds a project file.

One walk for every question that needs the project: the modules a cross-file summary may read
(engine/summaries), the workspace imports resolve in (supply/workspace) and whose folders make a
test tree (engine/testcode), whether a requirements
file belongs to a published library (supply/depfiles) and the ledgers' workspace, the nearest
folder holding a ledger, else the git work tree (provenance/workspace)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Callable, Optional

PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg", ".git")


def project_root(
    folder: Path,
    files: tuple[str, ...] = PROJECT_FILES,
    up: Optional[int] = None,
    also: Optional[Callable[[Path], bool]] = None,
) -> Optional[Path]:
    """The nearest of `folder` and the folders above it (at most `up` above) holding one of `files`
    or for which `also` holds; None when there is none."""
    chain = (folder, *folder.parents)
    for candidate in chain if up is None else chain[: up + 1]:
        if (also is not None and also(candidate)) or any((candidate / name).exists() for name in files):
            return candidate
    return None


@lru_cache(maxsize=4096)
def workspace_root(folder: Path) -> Optional[Path]:
    """The project `folder` is in (a folder with only a requirements.txt or a Pipfile counts), or the
    site-packages it is installed in: an installed package's workspace is its environment."""
    return project_root(folder, (*PROJECT_FILES, "requirements.txt", "Pipfile"), also=_installed)


def _installed(folder: Path) -> bool:
    return folder.name in ("site-packages", "dist-packages")
