"""Installed distributions of an environment, read from their metadata files (never imported).

`*.dist-info` (wheels) and `*.egg-info` (older installs) give the distribution's name and version;
`top_level.txt`, or else the file list in `RECORD`, gives the import names it provides.
"""

from __future__ import annotations

import csv
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

from tabguard.supply.names import normalize

_SKIP_TOP = frozenset({"__pycache__", "..", "", "bin", "include", "share", "etc"})


@dataclass(frozen=True)
class Distribution:
    name: str  # normalised
    version: str
    modules: tuple[str, ...]  # top-level import names
    requires: tuple[str, ...] = ()  # normalised names it always installs (`Requires-Dist` without an extra)


def read_header(metadata: Path) -> dict[str, str]:
    """Name, Version and the unconditional Requires-Dist names (space-separated) from a METADATA/PKG-INFO
    file; the headers end at the first blank line."""
    found: dict[str, str] = {}
    requires: list[str] = []
    try:
        with metadata.open(encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if not line.strip():
                    break
                key, sep, value = line.partition(":")
                if sep and key in ("Name", "Version"):
                    found.setdefault(key, value.strip())
                elif sep and key == "Requires-Dist" and "extra" not in value.partition(";")[2]:
                    requires.append(normalize(_REQUIREMENT_NAME.match(value.strip()).group(0)))
    except OSError:
        pass
    found["Requires-Dist"] = " ".join(r for r in requires if r)
    return found


_REQUIREMENT_NAME = re.compile(r"[A-Za-z0-9._-]*")


def _module_of(path: str) -> Optional[str]:
    first, sep, _ = path.partition("/")
    if sep:
        if first.endswith((".dist-info", ".egg-info", ".data")) or first in _SKIP_TOP:
            return None
        return first if first.isidentifier() else None
    stem = first.split(".", 1)[0]
    if first.endswith((".py", ".so", ".pyd", ".pyi")) and stem.isidentifier() and not stem.startswith("__editable__"):
        return stem
    return None


def _modules(info: Path, name: str) -> tuple[str, ...]:
    top_level = info / "top_level.txt"
    modules: set[str] = set()
    try:
        if top_level.is_file():
            modules = {line.strip().replace("/", ".") for line in top_level.read_text(errors="replace").splitlines()}
        elif (info / "RECORD").is_file():
            with (info / "RECORD").open(encoding="utf-8", errors="replace", newline="") as handle:
                modules = {m for row in csv.reader(handle) if row for m in (_module_of(row[0]),) if m}
    except OSError:
        pass
    modules.discard("")
    # Editable installs list no package files; their import name is almost always the project name.
    modules.add(name.replace("-", "_"))
    return tuple(sorted(modules))


def read_distributions(site_packages: Path) -> list[Distribution]:
    found = []
    try:
        entries = list(os.scandir(site_packages))
    except OSError:
        return found
    for entry in entries:
        if not entry.name.endswith((".dist-info", ".egg-info")) or not entry.is_dir():
            continue
        info = Path(entry.path)
        header = read_header(info / ("METADATA" if entry.name.endswith(".dist-info") else "PKG-INFO"))
        raw = header.get("Name") or entry.name.rsplit(".", 1)[0].split("-", 1)[0]
        name = normalize(raw)
        requires = tuple(header["Requires-Dist"].split())
        found.append(Distribution(name, header.get("Version", ""), _modules(info, name), requires))
    return found


def site_packages_of(prefix: Path) -> list[Path]:
    """The site-packages folders of an environment prefix (POSIX and Windows layouts)."""
    found: dict[Path, Path] = {}
    for pattern in ("lib/python3*/site-packages", "lib64/python3*/site-packages", "Lib/site-packages"):
        for folder in sorted(prefix.glob(pattern)):
            if folder.is_dir():
                found.setdefault(folder.resolve(), folder)  # lib64 is often a link to lib
    return list(found.values())


def environment_site_packages(root: Optional[Path], file: Optional[Path], python: str = "") -> list[Path]:
    """Where the workspace's distributions are installed: the interpreter the config names, then
    `.venv`/`venv` in the workspace, the site-packages a file itself lives in, and only when none
    of those exists, the environment tabguard runs in."""
    found: list[Path] = []
    if python:
        interpreter = Path(python).expanduser()
        prefix = interpreter if interpreter.is_dir() else interpreter.parent.parent
        found.extend(site_packages_of(prefix))
    if root is not None:
        for name in (".venv", "venv"):
            found.extend(site_packages_of(root / name))
    if file is not None:
        for parent in file.parents:
            if parent.name in ("site-packages", "dist-packages"):
                found.append(parent)
                break
    if not found:
        found.extend(Path(p) for p in _running_site_packages())
    return list(dict.fromkeys(found))


def _running_site_packages() -> Iterable[str]:
    return [p for p in sys.path if p.endswith(("site-packages", "dist-packages")) and os.path.isdir(p)]
