"""Text that can always be printed, and that cannot drive the terminal it is printed on.

- A file name that is not UTF-8 arrives from the OS with surrogate escapes (PEP 383), which every
  encoder rejects: shown as `\\xff`, the same in the text, JSON and SARIF reports and on stderr.
- A repository chooses its file names, route paths and string literals, and they reach the report:
  a name holding `ESC [2K ESC [1A` would erase the finding printed above it, `\\r` would overwrite
  a line, a bidi override would reorder it. Every command but `lsp` writes through `TerminalSafe`,
  which escapes such characters (`\\x1b`); tabguard's own colours are the only sequences let through.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Optional, TextIO

# C0 controls but tab and newline, DEL and C1 controls, and the bidi marks, embeddings, overrides and
# isolates (Unicode TR9), which reorder what a terminal shows.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# The colours tabguard writes itself (severity colours, bold, reset): nothing else passes.
_OUR_COLOURS = re.compile("\x1b\\[(?:0|1|31|33|36|1;31)m")


def printable(text: str) -> str:
    """A name (a file's, a route's) as one line of text: undecodable bytes as `\\xNN`, any other lone
    surrogate as `\\udNNN`, and every character that is not printable (a newline that would forge a
    report line among them) escaped."""
    text = _encodable(text)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def _encodable(text: str) -> str:
    """`text` with undecodable bytes as `\\xNN` and any other lone surrogate as `\\udNNN`."""
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that does not stand for a byte
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


def terminal_safe(text: str) -> str:
    """`text` with the characters that could drive a terminal escaped, tabguard's colours kept."""
    pieces = _OUR_COLOURS.split(text)
    if len(pieces) == 1 and not _UNSAFE.search(text):
        return text
    colours = _OUR_COLOURS.findall(text)
    escaped = [_UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), p) for p in pieces]
    return "".join(piece + (colours[i] if i < len(colours) else "") for i, piece in enumerate(escaped))


class TerminalSafe:
    """A text stream that writes `terminal_safe` text to `stream`; everything else is the stream's."""

    def __init__(self, stream: TextIO):
        self.unfiltered = stream

    def write(self, text: str) -> int:
        self.unfiltered.write(terminal_safe(text))
        return len(text)

    def __getattr__(self, name: str):
        return getattr(self.unfiltered, name)


def unfiltered(stream: TextIO) -> TextIO:
    """The stream under a `TerminalSafe` (for output that must stay byte for byte, a diff)."""
    return getattr(stream, "unfiltered", stream)


def colour_terminal() -> bool:
    """Colour only for a person at a terminal; https://no-color.org says any non-empty NO_COLOR turns it off."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def say(message: str, stream: Optional[TextIO] = None) -> None:
    """One line on stderr (or `stream`), prefixed `tabguard: `, whatever the terminal's encoding."""
    write(f"tabguard: {message}\n", stream or sys.stderr)


def write(text: str, stream: TextIO) -> None:
    text = _encodable(text)
    try:
        stream.write(text)
    except UnicodeEncodeError:  # a terminal in ASCII or Latin-1
        encoding = getattr(stream, "encoding", None) or "ascii"
        stream.write(text.encode(encoding, "backslashreplace").decode(encoding))
