"""Append-only JSON-lines files: atomic appends, and a lazy index by file path for fast loading.

A ledger of 100,000 records must load in well under a second, so opening it only finds where each
record line starts and which file paths it names (a byte-level scan, no JSON parsing); the records
of one file are parsed when that file is asked for.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Callable, Iterator, Optional

try:
    import fcntl
except ImportError:  # Windows: appends stay single writes, without the torn-line check's lock
    fcntl = None

# What follows a `"path"` key: the parser later keeps only the ones that name files.
_PATH_KEY = b'"path"'
_PATH_VALUE = re.compile(rb'[ \t]*:[ \t]*"((?:[^"\\\n]|\\.)*)"')


def append_lines(path: Path, objects: list[dict], sync: bool = False) -> None:
    """Append complete lines with one `write` on an O_APPEND descriptor, so concurrent writers and
    a crash can at worst leave a torn last line (a process killed mid-write), never interleaved
    halves. An advisory lock makes "is the last line torn? then start a new line" atomic among
    tabguard writers; the kernel drops it when a holder is killed."""
    data = "".join(json.dumps(o, ensure_ascii=False, separators=(",", ":")) + "\n" for o in objects)
    payload = data.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            # A writer crashed mid-line: end its torn line so ours stays whole.
            payload = b"\n" + payload
        written = os.write(fd, payload)
        if written != len(payload):  # only on a full disk; a short line is torn and will be skipped
            raise OSError(f"short write to {path}")
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)


def decode_path(raw: bytes) -> Optional[str]:
    try:
        return json.loads(b'"' + raw + b'"')
    except ValueError:
        return None


class LineIndex:
    """Byte offsets of complete lines in a JSON-lines file, grouped by the paths they mention
    (as `normalize` turns a raw path into a ledger key)."""

    def __init__(self, path: Path, normalize: Callable[[str], Optional[str]]):
        self.path = path
        self.by_path: dict[str, list[tuple[int, int]]] = {}
        self._end = 0  # offset just past the last complete line indexed
        self._normalize = normalize
        self._keys: dict[bytes, Optional[str]] = {}

    def refresh(self) -> bool:
        """Index lines appended since the last call (by any process); True when there were some."""
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self._end)
                data = handle.read()
        except FileNotFoundError:
            return False
        last_newline = data.rfind(b"\n")
        if last_newline < 0:
            return False  # nothing, or a line still being written
        data = data[: last_newline + 1]
        base = self._end
        by_path, keys = self.by_path, self._keys
        find, rfind, value = data.find, data.rfind, _PATH_VALUE.match
        # bytes.find jumps from key to key at C speed: no per-line Python work, no JSON parsing.
        at = find(_PATH_KEY)
        while at >= 0:
            match = value(data, at + len(_PATH_KEY))
            if match is None:
                at = find(_PATH_KEY, at + 1)
                continue
            raw = match.group(1)
            if raw not in keys:
                decoded = decode_path(raw)
                keys[raw] = self._normalize(decoded) if decoded is not None else None
            key = keys[raw]
            if key is not None:
                start = rfind(b"\n", 0, at) + 1
                places = by_path.setdefault(key, [])
                if not places or places[-1][0] != base + start:
                    places.append((base + start, find(b"\n", at) - start))
            at = find(_PATH_KEY, match.end())
        self._end = base + len(data)
        return True

    def read(self, locations: list[tuple[int, int]]) -> Iterator[tuple[int, bytes]]:
        with open(self.path, "rb") as handle:
            for offset, length in sorted(set(locations)):
                handle.seek(offset)
                yield offset, handle.read(length)


def parse_line(line: bytes, warn: Callable[[str], None]) -> Optional[dict]:
    """One JSON object, or None with a warning (a line torn by a crash, or hand-edited badly)."""
    try:
        value = json.loads(line)
    except ValueError:
        value = _after_torn_prefix(line)
        if value is None:
            warn("skipping a malformed line")
            return None
        warn("skipping a torn record; the record appended after it was kept")
    if not isinstance(value, dict):
        warn("skipping a line that is not a JSON object")
        return None
    return value


def _after_torn_prefix(line: bytes, attempts: int = 256) -> Optional[dict]:
    """A whole record that another writer, which did not notice the torn line before it, appended
    right after it: the longest tail of the line that is one JSON object."""
    start = line.find(b"{", 1)
    while start > 0 and attempts:
        try:
            value = json.loads(line[start:])
            return value if isinstance(value, dict) else None
        except ValueError:
            attempts -= 1
            start = line.find(b"{", start + 1)
    return None
