"""Reading source files the way Python does: UTF-8 (BOM allowed) or a PEP 263 coding line."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


class SourceError(Exception):
    """A file that cannot be analysed, with a message for the user."""


def source_encoding(data: bytes) -> tuple[str, bytes]:
    """The encoding a source file declares (PEP 263, default UTF-8) and its BOM (b"" when none)."""
    bom = codecs.BOM_UTF8 if data.startswith(codecs.BOM_UTF8) else b""
    for line in data[len(bom):].split(b"\n", 2)[:2]:
        match = _CODING.match(line)
        if match:
            return match.group(1).decode("ascii"), bom
    return "utf-8", bom


def decode_source(data: bytes) -> str:
    encoding, bom = source_encoding(data)
    data = data[len(bom):]
    if b"\x00" in data[:8192]:
        raise SourceError("binary file (contains NUL bytes), skipped")
    try:
        return data.decode(encoding)
    except LookupError:
        raise SourceError(f"unknown encoding {encoding!r} declared, skipped") from None
    except UnicodeDecodeError as error:
        raise SourceError(f"not valid {encoding} (byte {error.start}), skipped") from None


def read_source(path: Path, max_size: int) -> str:
    try:
        size = path.stat().st_size
        if size > max_size:
            raise SourceError(f"{size} bytes is over max-file-size ({max_size}), skipped")
        return decode_source(path.read_bytes())
    except OSError as error:
        raise SourceError(f"cannot read: {error.strerror or error}") from None
