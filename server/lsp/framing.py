"""The LSP base protocol on a byte stream: header lines, a blank line, then a JSON body of
Content-Length bytes. Pure (no I/O, no pygls): bytes go in, events come out.

Clients and streams get framing wrong in known ways: a length counted in characters instead of
bytes, lower-case header names, garbage between frames, a stream that ends inside a frame. No
declared length is trusted blindly: when a body does not parse, the decoder looks for the next
`Content-Length` header and resynchronises there, so one bad frame costs that frame only. Header
lines and bodies are bounded, so no input makes the buffer grow without limit.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Optional, Union

MAX_HEADER_LINE = 64 * 1024
DEFAULT_MAX_BODY = 32 * 1024 * 1024
# A header name is an RFC 9110 token; header names are case-insensitive.
_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_CONTENT_LENGTH = re.compile(rb"content-length[ \t]{0,16}:", re.IGNORECASE)
# A whole header line. A JSON body holds no raw newline inside a string, and outside one this is not
# JSON: met inside the bytes taken for a body, it means that body was cut short.
_HEADER_LINE = re.compile(rb"content-length[ \t]{0,16}:[ \t]{0,16}\d{1,12}[ \t]{0,16}\r?\n", re.IGNORECASE)
_JSON = json.JSONDecoder()
_OVERLAP = 32  # bytes kept between searches, so a header split across two reads is still found


@dataclass
class Message:
    """A body that parsed as JSON."""

    payload: Any


@dataclass
class BadBody:
    """A framed body that is not UTF-8 or not JSON: answered with a parse error."""

    reason: str


@dataclass
class TooLarge:
    """A Content-Length over the limit: the body is skipped unread and the client told."""

    size: int


@dataclass
class Resynchronised:
    """Bytes were skipped to find the next frame: logged, not answered."""

    reason: str


Event = Union[Message, BadBody, TooLarge, Resynchronised]


def parse_body(raw: bytes) -> Union[Message, BadBody]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return BadBody(f"the body is not UTF-8 ({error.reason} at byte {error.start})")
    try:
        return Message(json.loads(text))
    except (ValueError, RecursionError) as error:  # RecursionError: nesting too deep for the parser
        return BadBody(f"the body is not JSON ({error})")


def _leading_json(data: Union[bytes, bytearray]) -> Optional[tuple[Message, int]]:
    """The JSON object or array at the start of `data` (more may follow it), and the byte offset
    where it ends."""
    text = bytes(data).decode("utf-8", "surrogateescape")
    start = len(text) - len(text.lstrip())
    if text[start : start + 1] not in ("{", "["):
        return None
    try:
        value, end = _JSON.raw_decode(text, start)
        return Message(value), len(text[:end].encode("utf-8"))
    except (ValueError, RecursionError):  # UnicodeEncodeError is a ValueError: bytes that are not UTF-8
        return None


class FrameDecoder:
    def __init__(self, max_body: int = DEFAULT_MAX_BODY, max_header_line: int = MAX_HEADER_LINE):
        self.max_body = max_body
        self.max_header_line = max_header_line
        self.buffer = bytearray()
        self.length: Optional[int] = None  # the Content-Length of the headers read so far
        self.body: Optional[int] = None  # reading a body of this many bytes
        self.skip = 0  # bytes of an oversized body still to discard
        self.seek_from: Optional[int] = None  # resynchronising: search for a header from here
        self.scanned = 0  # how far the current body was searched for a header line

    @property
    def inside_frame(self) -> bool:
        """Part of a frame has been read (the input should not end here)."""
        return self.body is not None or self.skip > 0 or bool(self.buffer.strip())

    @property
    def waiting_for_body(self) -> bool:
        return self.body is not None

    def feed(self, data: bytes) -> list[Event]:
        self.buffer += data
        events: list[Event] = []
        while self._step(events):
            pass
        return events

    def stalled(self) -> list[Event]:
        """No input came for a while in the middle of a body. If what came is a whole JSON message
        (the declared length was too long and the client now waits for an answer), take it."""
        if self.body is None:
            return []
        hit = _leading_json(self.buffer)
        if hit is None:
            return []
        del self.buffer[: hit[1]]
        self.body = None
        return [Resynchronised("a Content-Length longer than its body"), hit[0], *self.feed(b"")]

    def _step(self, out: list[Event]) -> bool:
        if self.skip:
            return self._skip_oversized()
        if self.seek_from is not None:
            return self._seek()
        if self.body is not None:
            return self._read_body(out)
        return self._read_header(out)

    def _resync(self, out: list[Event], reason: str, start: int) -> bool:
        out.append(Resynchronised(reason))
        self.length, self.body, self.seek_from = None, None, start
        return True

    def _seek(self) -> bool:
        match = _CONTENT_LENGTH.search(self.buffer, self.seek_from or 0)
        if match is None:
            del self.buffer[: max(len(self.buffer) - _OVERLAP, 0)]
            self.seek_from = 0
            return False
        del self.buffer[: match.start()]
        self.seek_from = None
        return True

    def _read_header(self, out: list[Event]) -> bool:
        end = self.buffer.find(b"\n", 0, self.max_header_line + 1)
        if end < 0:
            if len(self.buffer) > self.max_header_line:
                return self._resync(out, f"a header line longer than {self.max_header_line} bytes", 1)
            return False
        line = bytes(self.buffer[:end]).rstrip(b"\r")
        if not line.strip():
            del self.buffer[: end + 1]
            if self.length is not None:  # the blank line that ends the headers
                self.body, self.length, self.scanned = self.length, None, 0
                if self.body > self.max_body:
                    out.append(TooLarge(self.body))
                    self.skip, self.body = self.body, None
            return True
        name, colon, value = line.partition(b":")
        inner = _CONTENT_LENGTH.search(line, 1)
        if inner is not None:  # garbage, or the end of a body whose length was too short, before a header
            return self._resync(out, "bytes that are not a header", inner.start())
        if not colon or not _TOKEN.fullmatch(name.strip()):
            return self._resync(out, "bytes that are not a header", 1)
        del self.buffer[: end + 1]
        if name.strip().lower() == b"content-length":
            value = value.strip()
            if not value.isdigit():
                return self._resync(out, f"a Content-Length that is not a number ({value[:40]!r})", 0)
            self.length = int(value)
        return True

    def _read_body(self, out: list[Event]) -> bool:
        size = self.body
        assert size is not None
        cut = self._header_inside(min(len(self.buffer), size))
        if cut is not None:
            raw = bytes(self.buffer[:cut])
            del self.buffer[:cut]
            self.body = None
            hit = _leading_json(raw)
            out.append(Resynchronised("a frame cut short by the next header"))
            out.append(hit[0] if hit is not None else BadBody("the body was cut short by the next frame"))
            return True
        if len(self.buffer) < size:
            return False
        raw = bytes(self.buffer[:size])
        del self.buffer[:size]
        self.body = None
        parsed = parse_body(raw)
        if isinstance(parsed, BadBody):
            parsed = self._recover(raw, out) or parsed
        out.append(parsed)
        return True

    def _header_inside(self, end: int) -> Optional[int]:
        """Where a header line starts inside the bytes taken for the current body, if one does."""
        while True:
            newline = self.buffer.find(b"\n", self.scanned, end)
            if newline < 0:
                self.scanned = max(self.scanned, end)
                return None
            self.scanned = newline + 1
            for match in _HEADER_LINE.finditer(self.buffer, max(0, newline - 96), newline + 1):
                if match.end() == newline + 1:
                    return match.start()

    def _recover(self, raw: bytes, out: list[Event]) -> Optional[Message]:
        """A body that does not parse: was its declared length wrong?"""
        # Too long: the body's JSON ends early, and what follows it is the next frame.
        hit = _leading_json(raw)
        if hit is not None:
            self.buffer[:0] = raw[hit[1] :]
            out.append(Resynchronised(f"a Content-Length {len(raw) - hit[1]} or more bytes too long"))
            return hit[0]
        # Too short (a length counted in characters): the rest of the body comes before the next header.
        following = _CONTENT_LENGTH.search(self.buffer)
        tail = bytes(self.buffer[: following.start() if following else len(self.buffer)]).rstrip()
        hit = _leading_json(raw + tail) if tail else None
        if hit is not None and hit[1] == len(raw) + len(tail):
            del self.buffer[: len(tail)]
            out.append(Resynchronised(f"a Content-Length {len(tail)} bytes too short"))
            return hit[0]
        return None

    def _skip_oversized(self) -> bool:
        """Discard an oversized body, but stop at what looks like the next frame (a header right
        after a closing brace), in case the length itself was the lie."""
        window = self.buffer[: self.skip]
        for match in _CONTENT_LENGTH.finditer(window):
            if window[: match.start()].rstrip().endswith((b"}", b"]")):
                del self.buffer[: match.start()]
                self.skip = 0
                return True
        taken = len(window) if len(window) == self.skip else max(len(window) - _OVERLAP, 0)
        del self.buffer[:taken]
        self.skip -= taken
        return self.skip == 0
