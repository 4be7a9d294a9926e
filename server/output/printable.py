"""Text that can always be printed: a file name that is not UTF-8 arrives from the OS with
surrogate escapes (PEP 383), which every encoder rejects. Shown here as `\\xff`, the same in
the text, JSON and SARIF reports and in messages on stderr."""

from __future__ import annotations

import os
import sys
from typing import Optional, TextIO


def printable(text: str) -> str:
    """`text` with undecodable bytes as `\\xNN` and any other lone surrogate as `\\udNNN`."""
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that does not stand for a byte
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


def colour_terminal() -> bool:
    """Colour only for a person at a terminal; https://no-color.org says any non-empty NO_COLOR turns it off."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def say(message: str, stream: Optional[TextIO] = None) -> None:
    """One line on stderr (or `stream`), prefixed `tabguard: `, whatever the terminal's encoding."""
    write(f"tabguard: {message}\n", stream or sys.stderr)


def write(text: str, stream: TextIO) -> None:
    text = printable(text)
    try:
        stream.write(text)
    except UnicodeEncodeError:  # a terminal in ASCII or Latin-1
        encoding = getattr(stream, "encoding", None) or "ascii"
        stream.write(text.encode(encoding, "backslashreplace").decode(encoding))
