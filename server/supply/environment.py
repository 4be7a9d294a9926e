"""Installed distributions of an environment, read from their metadata files (never imported).

`*.dist-info` (wheels) and `*.egg-info` (older installs) give the distribution's name and version;
`top_level.txt`, or else the file list in `RECORD`, gives the import names it provides.
"""

from __future__ import annotations

import csv
import io
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

from tabguard.sources import open_regular
from tabguard.supply.names import normalize, requirement_keys

_SKIP_TOP = frozenset({"__pycache__", "..", "", "bin", "include", "share", "etc"})


@dataclass(frozen=True)
class Distribution:
    name: str  # normalised
    version: str
    modules: tuple[str, ...]  # top-level import names
    # What it installs, as `requirement_keys` (`kombu`, `kombu[redis]`): `requires` always, and under
    # `extras` what each of its extras adds (`Requires-Dist` with an `extra == "..."` marker).
    requires: tuple[str, ...] = ()
    extras: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass
class Header:
    """The headers of a METADATA/PKG-INFO file that tell what a distribution is and installs."""

    name: str = ""
    version: str = ""
    requires: list[str] = field(default_factory=list)
    extras: dict[str, list[str]] = field(default_factory=dict)


def read_header(metadata: Path) -> Header:
    """Name, Version and the Requires-Dist names; the headers end at the first blank line."""
    found = Header()
    try:
        with _text(metadata) as handle:
            for line in handle:
                if not line.strip():
                    break
                key, sep, value = line.partition(":")
                if sep and key == "Name" and not found.name:
                    found.name = value.strip()
                elif sep and key == "Version" and not found.version:
                    found.version = value.strip()
                elif sep and key == "Requires-Dist":
                    _add_requirement(found, value)
    except OSError:
        pass
    return found


_REQUIREMENT_HEAD = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?")
_EXTRA_MARKER = re.compile(r"""\bextra\s*==\s*["']([^"']+)["']""")


def _add_requirement(header: Header, value: str) -> None:
    requirement, _, marker = value.partition(";")
    head = _REQUIREMENT_HEAD.match(requirement)
    if head is None:
        return
    keys = requirement_keys(head.group(1), (head.group(2) or "").split(","))
    extra = _EXTRA_MARKER.search(marker)
    if extra is None:
        header.requires.extend(keys)
    else:
        header.extras.setdefault(normalize(extra.group(1)), []).extend(keys)


def _text(path: Path, newline: Optional[str] = None) -> io.TextIOWrapper:
    """A package metadata file, read as text when it is a regular file (`sources.Unreadable` otherwise)."""
    return io.TextIOWrapper(open_regular(path), encoding="utf-8", errors="replace", newline=newline)


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
            with _text(top_level) as handle:
                modules = {line.strip().replace("/", ".") for line in handle}
        elif (info / "RECORD").is_file():
            with _text(info / "RECORD", newline="") as handle:
                modules = {m for row in csv.reader(handle) if row for m in (_module_of(row[0]),) if m}
    except OSError:  # unreadable, or not a regular file (a symlink to /dev/zero would never end)
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
        name = normalize(header.name or entry.name.rsplit(".", 1)[0].split("-", 1)[0])
        extras = tuple((extra, tuple(keys)) for extra, keys in header.extras.items())
        found.append(Distribution(name, header.version, _modules(info, name), tuple(header.requires), extras))
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
