"""Reading source files exactly the way Python does (PEP 263/3120, by the standard library's own
`tokenize.detect_encoding`), and only from regular files: a FIFO, a device or a symlink loop is
skipped with a reason, never read (a FIFO would block the scan forever)."""

from __future__ import annotations

import codecs
import errno
import io
import os
import stat as stat_module
import tokenize
from pathlib import Path
from typing import BinaryIO

_KINDS = (
    (stat_module.S_ISFIFO, "a named pipe (FIFO)"),
    (stat_module.S_ISCHR, "a character device"),
    (stat_module.S_ISBLK, "a block device"),
    (stat_module.S_ISSOCK, "a socket"),
    (stat_module.S_ISDIR, "a directory"),
)
# Opening a FIFO for reading must not wait for a writer, nor a terminal become ours.
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)


class SourceError(Exception):
    """A file that cannot be analysed, with a message for the user."""


def file_kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def source_encoding(data: bytes) -> tuple[str, bytes]:
    """The encoding Python reads `data` in, as `tokenize.detect_encoding` finds it: the coding
    line counts only on line 1 or 2 and only after comments or blank lines, and a UTF-8 BOM
    forbids any other declared encoding. Returned with the BOM (b"" when none)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:  # an unknown codec, a BOM with a cookie other than UTF-8
        if not error.msg.startswith("invalid or missing encoding declaration"):
            raise SourceError(f"coding line not usable ({error.msg}), skipped") from None
        encoding = "utf-8"  # the first lines are not UTF-8: decoding says where
    if encoding == "utf-8-sig":
        return "utf-8", codecs.BOM_UTF8
    return encoding, b""


def decode_source(data: bytes) -> str:
    """`data` as Python would read it (see `source_encoding`), or SourceError saying why not."""
    if b"\x00" in data[:8192]:
        raise SourceError("binary file (contains NUL bytes), skipped")
    encoding, bom = source_encoding(data)
    try:
        return data[len(bom) :].decode(encoding)
    except UnicodeDecodeError as error:
        raise SourceError(f"not valid {encoding} (byte {error.start + len(bom)}), skipped") from None
    except (UnicodeError, LookupError) as error:  # codecs such as `undefined` or `punycode`
        raise SourceError(f"cannot decode as {encoding} ({error}), skipped") from None


def read_regular(path: Path, max_size: int) -> tuple[bytes, os.stat_result]:
    """The bytes of `path` and its stat, when it is a regular file of at most `max_size` bytes.
    Opened without blocking, then checked on the open descriptor, so a swap between the check and
    the read cannot make us read a pipe."""
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError as error:
        raise SourceError(os_reason(error)) from None
    with os.fdopen(fd, "rb") as handle:
        try:
            info = os.fstat(fd)
            if not stat_module.S_ISREG(info.st_mode):
                raise SourceError(f"{file_kind(info.st_mode)}, not a regular file, skipped")
            if info.st_size > max_size:
                raise SourceError(f"{info.st_size} bytes is over max-file-size ({max_size}), skipped")
            data = handle.read(max_size + 1)
        except OSError as error:
            raise SourceError(os_reason(error)) from None
    if len(data) > max_size:  # grew since the stat
        raise SourceError(f"over max-file-size ({max_size}), skipped")
    return data, info


def read_source(path: Path, max_size: int) -> str:
    return decode_source(read_regular(path, max_size)[0])


class Unreadable(OSError):
    """A file of the project tabguard reads on its own account (its config, pyproject.toml, an
    environment's package metadata) that is not a regular file or is over the size asked for. An
    OSError, so it is handled as an unreadable file is: a repository's symlink to /dev/zero or a
    FIFO in its place must not hang the check or fill the memory."""


def read_text(path: Path, max_size: int, errors: str = "strict") -> str:
    """The UTF-8 text of `path`, a regular file of at most `max_size` bytes; `Unreadable` otherwise."""
    with open_regular(path) as handle:
        data = handle.read(max_size + 1)
    if len(data) > max_size:
        raise Unreadable(f"larger than {max_size} bytes, not read")
    return data.decode("utf-8", errors)


def open_regular(path: Path) -> BinaryIO:
    """`path` opened for reading when it is a regular file (checked on the open descriptor, without
    blocking on a FIFO); `Unreadable` otherwise."""
    fd = os.open(path, _READ_FLAGS)
    mode = os.fstat(fd).st_mode
    if not stat_module.S_ISREG(mode):
        os.close(fd)
        raise Unreadable(f"{file_kind(mode)}, not a regular file, not read")
    return os.fdopen(fd, "rb")


def os_reason(error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return "symlink loop, skipped"
    return f"cannot read: {error.strerror or error}"
