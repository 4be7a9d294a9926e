"""The workspace boundary: every file tabguard reads or writes in a workspace on its own account (the
ledgers, `.gitattributes`, the config `tabguard init` writes) is opened here, never through a symlink.

A repository is untrusted input. A committed symlink at `.tabguard/reviews.jsonl` (or at its folder)
must not turn an append into a write to the reviewer's shell start-up file, and a ledger must not make
tabguard read files outside the root. So: the folders on the way must resolve inside the root, the
file itself is opened with O_NOFOLLOW, and it must be a regular file (a FIFO would hang a reader).
Paths are checked against the root as the operating system resolves them; a local process racing
to swap a folder between the check and the open is out of scope (it could write the file itself).
"""

from __future__ import annotations

import errno
import functools
import os
import stat
from pathlib import Path, PurePath
from typing import BinaryIO, Optional, Sequence, Union

from tabguard.atomic import write_atomically

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # opening a FIFO must not block; regular files ignore it
_BINARY = getattr(os, "O_BINARY", 0)

Relative = Union[str, PurePath]


class Refused(OSError):
    """A workspace path tabguard will not open: it leads outside the root, or is not a plain file."""


def within(base: str, real: str) -> bool:
    """Whether the resolved path `real` is `base` or below it."""
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)


# The root's own ancestors are not the repository's to choose: resolved once per root.
_real_root = functools.lru_cache(maxsize=64)(os.path.realpath)


def inside(root: Path, path: Union[str, Path]) -> bool:
    """`path`, every symlink resolved, is the root or lies under it."""
    return within(_real_root(str(root)), os.path.realpath(path))


def led_out(path: Union[str, Path], roots: Sequence[Path]) -> Optional[str]:
    """Where `path` really leads, when it lies in one of `roots` as written but a symlink on its way
    (the file itself, or a folder) takes it outside every root; None otherwise. A path outside the
    roots as written (`/dev/stdout`, a folder of the user's) is the user's own to choose."""
    written = os.path.abspath(path)
    if not any(within(os.path.abspath(root), written) or within(_real_root(str(root)), written) for root in roots):
        return None
    real = os.path.realpath(path)
    return None if any(within(_real_root(str(root)), real) for root in roots) else real


def escapes(relative: str) -> bool:
    """A ledger path (forward slashes) that leaves its root by its text alone: absolute or with `..`."""
    return relative.startswith("/") or ".." in relative.split("/")


def _folder(root: Path, relative: Relative, create: bool) -> str:
    """The real path of `relative`'s folder, checked to lie inside the root (made when `create`).
    Only the components below the root can be the repository's symlinks: each is looked at once."""
    name = PurePath(relative).as_posix()
    if escapes(name):
        raise Refused(f"{name}: outside the workspace {root}; refused")
    base = _real_root(str(root))
    real = base
    for part in PurePath(relative).parent.parts:
        real = os.path.join(real, part)
        if os.path.islink(real):
            real = os.path.realpath(real)
            if not within(base, real):
                raise Refused(f"{name}: its folder is a symlink that leads outside the workspace {root}; refused")
    if create and not os.path.isdir(real):
        os.makedirs(real, exist_ok=True)
        return _folder(root, relative, create=False)  # made meanwhile by someone else, as a symlink?
    return real


def open_fd(root: Path, relative: Relative, flags: int, mode: int = 0o644, create_folder: bool = False) -> int:
    """A descriptor for root/relative opened with `flags`, or `Refused` when a folder on the way leads
    outside the root, the file is a symlink, or it is not a regular file. FileNotFoundError as usual."""
    name = PurePath(relative).as_posix()
    path = os.path.join(_folder(root, relative, create_folder), PurePath(relative).name)
    try:
        fd = os.open(path, flags | _NOFOLLOW | _NONBLOCK | _BINARY, mode)
    except OSError as error:
        if error.errno == errno.ELOOP or (not _NOFOLLOW and os.path.islink(path)):
            raise Refused(f"{name}: is a symlink; tabguard does not follow symlinks for its own files") from None
        if error.errno == errno.ENXIO:  # a FIFO opened for writing with no reader
            raise Refused(f"{name}: not a regular file; refused") from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise Refused(f"{name}: not a regular file; refused")
    return fd


def open_binary(root: Path, relative: Relative) -> BinaryIO:
    return os.fdopen(open_fd(root, relative, os.O_RDONLY), "rb")


def read_text(root: Path, relative: Relative) -> Optional[str]:
    """The file's text, or None when it does not exist."""
    try:
        with open_binary(root, relative) as handle:
            return handle.read().decode("utf-8")
    except FileNotFoundError:
        return None


def append_text(root: Path, relative: Relative, text: str) -> None:
    fd = open_fd(root, relative, os.O_WRONLY | os.O_APPEND | os.O_CREAT, create_folder=True)
    with os.fdopen(fd, "wb") as handle:
        handle.write(text.encode("utf-8"))


def replace_text(root: Path, relative: Relative, text: str) -> None:
    """Write the whole file at once: a temporary file beside it, then a rename, so a crash leaves the
    old or the new file, never half of one. An existing file keeps its permissions."""
    folder = _folder(root, relative, create=False)
    try:
        with os.fdopen(open_fd(root, relative, os.O_RDONLY), "rb") as current:
            mode = stat.S_IMODE(os.fstat(current.fileno()).st_mode)
    except FileNotFoundError:
        mode = 0o644
    write_atomically(folder, PurePath(relative).name, text.encode("utf-8"), mode, sync=True)
