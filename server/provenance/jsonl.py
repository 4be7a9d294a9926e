"""Append-only JSON-lines files: atomic appends, and a lazy index by file path for fast loading.

A ledger of 100,000 records must load in well under a second, so opening it only finds where each
record line starts and which file paths it names (a byte-level scan, no JSON parsing); the records
of one file are parsed when that file is asked for.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path, PurePath
from typing import Callable, Iterator, Optional

from tabguard import boundary

try:
    import fcntl
except ImportError:  # Windows: appends stay single writes, without the torn-line check's lock
    fcntl = None

# What follows a `"path"` key: the parser later keeps only the ones that name files.
_PATH_KEY = b'"path"'
_PATH_VALUE = re.compile(rb'[ \t]*:[ \t]*"((?:[^"\\\n]|\\.)*)"')


def append_lines(root: Path, relative: PurePath, objects: list[dict], sync: bool = False) -> None:
    """Append complete lines with one `write` on an O_APPEND descriptor, so concurrent writers and
    a crash can at worst leave a torn last line (a process killed mid-write), never interleaved
    halves. An advisory lock makes "is the last line torn? then start a new line" atomic among
    tabguard writers; the kernel drops it when a holder is killed. The file is opened inside the
    workspace boundary (`boundary.Refused` otherwise)."""
    data = "".join(json.dumps(o, ensure_ascii=False, separators=(",", ":")) + "\n" for o in objects)
    payload = data.encode("utf-8")
    fd = boundary.open_fd(root, relative, os.O_RDWR | os.O_APPEND | os.O_CREAT, create_folder=True)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            # A writer crashed mid-line: end its torn line so ours stays whole.
            payload = b"\n" + payload
        written = os.write(fd, payload)
        if written != len(payload):  # only on a full disk; a short line is torn and will be skipped
            raise OSError(f"short write to {relative}")
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
    (as `normalize` turns a raw path into a ledger key). The file is root/relative, opened inside
    the workspace boundary."""

    TAIL = 64  # bytes remembered from the end of what was indexed, to notice a rewritten file

    def __init__(self, root: Path, relative: PurePath, normalize: Callable[[str], Optional[str]]):
        self.root, self.relative = root, relative
        self.by_path: dict[str, list[tuple[int, int]]] = {}
        self.generation = 0  # bumped when the file was replaced and indexed anew
        self._end = 0  # offset just past the last complete line indexed
        self._tail = b""
        self._identity: Optional[tuple[int, int]] = None
        self._normalize = normalize
        self._keys: dict[bytes, Optional[str]] = {}

    def _reset(self) -> None:
        self.by_path, self._end, self._tail = {}, 0, b""
        self.generation += 1

    def refresh(self) -> bool:
        """Index lines appended since the last call (by any process); True when there were some.
        A file replaced meanwhile (a git checkout, stash or pull: another inode, a shorter file, or
        other bytes where the indexed part ended) is indexed again from the start."""
        try:
            handle = boundary.open_binary(self.root, self.relative)
        except FileNotFoundError:
            if self._end:
                self._reset()
            return False
        with handle:
            info = os.fstat(handle.fileno())
            identity = (info.st_dev, info.st_ino)
            handle.seek(self._end - len(self._tail))
            data = handle.read()
        if self._end and (identity != self._identity or not data.startswith(self._tail)):
            self._reset()
            self._identity = identity
            return self.refresh()
        self._identity = identity
        data = data[len(self._tail) :]
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
        self._tail = (self._tail + data)[-self.TAIL :]
        return True

    def read(self, locations: list[tuple[int, int]]) -> Iterator[tuple[int, bytes]]:
        with boundary.open_binary(self.root, self.relative) as handle:
            for offset, length in sorted(set(locations)):
                handle.seek(offset)
                yield offset, handle.read(length)

    def line_numbers(self, offsets: list[int]) -> dict[int, int]:
        """The 1-based numbers of the lines starting at `offsets` (for warnings), in one pass; none
        when the file cannot be read now."""
        found: dict[int, int] = {}
        try:
            with boundary.open_binary(self.root, self.relative) as handle:
                at, line = 0, 1
                for offset in sorted(set(offsets)):
                    line += handle.read(offset - at).count(b"\n")
                    at = offset
                    found[offset] = line
        except OSError:
            return {}
        return found


def parse_line(line: bytes, warn: Callable[[str], None]) -> Optional[dict]:
    """One JSON object, or None with a warning (a line torn by a crash, or hand-edited badly)."""
    try:
        value = json.loads(line)
    except RecursionError:
        warn("skipping a line nested too deeply to read")
        return None
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
        except (ValueError, RecursionError):
            attempts -= 1
            start = line.find(b"{", start + 1)
    return None
