"""Template files a handler renders by name, read from the project: `render(request, "shop/cart.html")`
in `shop/views.py` renders `shop/templates/shop/cart.html` (Django's app templates, Flask's and a
blueprint's `templates/` folder beside the module, or one a few folders up).

A file is read once per size and modification time, never outside the project (also not through a
symlink), and recorded as consulted like another module's functions: a cached result for the Python
file is only as fresh as the templates it read.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from tabguard.boundary import within
from tabguard.engine.summaries import WORKSPACE
from tabguard.project import project_root

_MAX_BYTES = 512_000
_MAX_CACHED = 512  # template texts kept (oldest dropped first)
_FOLDERS_UP = 3  # `app/views/pages.py` rendering from `app/templates/`
_texts: dict[str, tuple[tuple[int, int], Optional[str]]] = {}


def template_text(importer: str, name: str) -> Optional[str]:
    """The text of template `name` as rendered from the Python file `importer`, else None."""
    if not name or name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
        return None
    here = Path(importer)
    if not here.is_absolute() and not here.exists():
        return None  # text without a file (an editor buffer not saved yet, a test snippet)
    folder = here.resolve().parent
    root = project_root(folder, up=_FOLDERS_UP + 3)
    if root is None:
        return None
    for base in [folder, *folder.parents][: _FOLDERS_UP + 1]:
        candidate = base / "templates" / name
        if candidate.is_file() and within(os.path.realpath(root), os.path.realpath(candidate)):
            return _read(str(candidate))
        if base == root:
            break
    return None


def _read(path: str) -> Optional[str]:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    stamp = (stat.st_size, stat.st_mtime_ns)
    if WORKSPACE.consulted is not None:
        WORKSPACE.consulted[path] = stamp
    known = _texts.get(path)
    if known is not None and known[0] == stamp:
        return known[1]
    text: Optional[str] = None
    if stat.st_size <= _MAX_BYTES:
        try:
            text = Path(path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = None
    if len(_texts) >= _MAX_CACHED:
        _texts.pop(next(iter(_texts)))
    _texts[path] = (stamp, text)
    return text
