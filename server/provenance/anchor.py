"""Finding a recorded span again in a file that changed since it was recorded.

Evidence for where a span is (the trace record, and each review of it) carries a line range, a
content hash and per-line fingerprints. In order of trust: the recorded place still holds the
recorded content; the same lines (by fingerprint) sit elsewhere, nearest wins; most of the lines
are found in order (a fuzzy match, after edits inside or around the span). Records from other tools
carry no fingerprints tabguard can check: their range is taken as written, clipped to the file.
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass
from typing import Optional, Sequence

from tabguard.provenance.fingerprint import HASH_PREFIX, content_hash, line_fingerprint

_BLANK = line_fingerprint("")
# Fingerprints this common in a file (`return`, `)`, `else:`) say nothing about where a span went.
_COMMON = 20
# A span is found again when at least this share of its non-blank lines is found in order.
_MIN_MATCH = 0.5
# Aligning costs up to the span's length times three times it. A span longer than this (a record
# can claim any length) is found again only unchanged, not after edits: one record of 20,000 lines
# took 2.5 s to align, on the editor's event loop.
MAX_ALIGNED_LINES = 1000


@dataclass(frozen=True)
class Evidence:
    start_line: int
    end_line: int
    content_hash: Optional[str]
    line_hashes: tuple[str, ...]


class FileView:
    """A file's lines with fingerprints computed once, on first need."""

    def __init__(self, lines: Sequence[str]):
        self.lines = lines
        self._fps: Optional[list[str]] = None
        self._where: Optional[dict[str, list[int]]] = None

    @property
    def fps(self) -> list[str]:
        if self._fps is None:
            self._fps = [line_fingerprint(line) for line in self.lines]
        return self._fps

    @property
    def where(self) -> dict[str, list[int]]:
        if self._where is None:
            where: dict[str, list[int]] = {}
            for number, fp in enumerate(self.fps):
                where.setdefault(fp, []).append(number)
            self._where = where
        return self._where


def locate(view: FileView, evidence: Sequence[Evidence]) -> Optional[tuple[int, int]]:
    """Where the span is now (0-based, end-exclusive), or None when its code is gone."""
    total = len(view.lines)
    for ev in evidence:
        if (
            ev.content_hash
            and ev.end_line <= total
            and content_hash(view.lines[ev.start_line : ev.end_line]) == ev.content_hash
        ):
            return ev.start_line, ev.end_line
    fingerprinted = [ev for ev in evidence if ev.line_hashes]
    for ev in fingerprinted:
        found = _exact(view, ev)
        if found is not None:
            return found
    for ev in fingerprinted:
        found = _fuzzy(view, ev)
        if found is not None:
            return found
    for ev in evidence:
        checkable = ev.line_hashes or (ev.content_hash or "").startswith(HASH_PREFIX)
        if not checkable and ev.start_line < total:
            return ev.start_line, min(ev.end_line, total)
    return None


def _exact(view: FileView, ev: Evidence) -> Optional[tuple[int, int]]:
    wanted = list(ev.line_hashes)
    size = len(wanted)
    fps = view.fps
    starts = [p for p in view.where.get(wanted[0], ()) if fps[p : p + size] == wanted]
    if not starts:
        return None
    best = min(starts, key=lambda p: abs(p - ev.start_line))
    return best, best + size


def _fuzzy(view: FileView, ev: Evidence) -> Optional[tuple[int, int]]:
    wanted = ev.line_hashes
    size = len(wanted)
    meaningful = sum(1 for fp in wanted if fp != _BLANK)
    if not meaningful or size > MAX_ALIGNED_LINES:
        return None
    # Vote for the shift that lines up the most distinctive lines, then align around it.
    votes: Counter[int] = Counter()
    where = view.where
    for index, fp in enumerate(wanted):
        places = where.get(fp)
        if places and fp != _BLANK and len(places) <= _COMMON:
            votes.update(p - index for p in places)
    if not votes:
        return None
    shift = min(votes.most_common(3), key=lambda item: (-item[1], abs(item[0] - ev.start_line)))[0]
    lo = max(0, shift - size)
    hi = min(len(view.lines), shift + 2 * size)
    return align(wanted, view.fps[lo:hi], lo, meaningful)


def align(wanted: Sequence[str], window: Sequence[str], offset: int, meaningful: int) -> Optional[tuple[int, int]]:
    """Align a span's fingerprints to a window of the file; the span's extent in the file if enough
    of it matched in order. Unmatched lines at either end were edited in place: they stay inside."""
    matcher = difflib.SequenceMatcher(None, wanted, window, autojunk=False)
    pairs = [
        (block.a + k, block.b + k)
        for block in matcher.get_matching_blocks()
        for k in range(block.size)
        if wanted[block.a + k] != _BLANK
    ]
    if not pairs or len(pairs) < _MIN_MATCH * meaningful:
        return None
    (first_a, first_b), (last_a, last_b) = pairs[0], pairs[-1]
    start = max(0, first_b - first_a)
    end = min(len(window), last_b + 1 + (len(wanted) - 1 - last_a))
    return offset + start, offset + end


def refind(span_lines: Sequence[str], window: Sequence[str], offset: int) -> Optional[tuple[int, int]]:
    """Where a span's old lines went inside a rewritten region (`window`, starting at line `offset`)."""
    wanted = [line_fingerprint(line) for line in span_lines]
    meaningful = sum(1 for fp in wanted if fp != _BLANK)
    if not meaningful:
        return None
    return align(wanted, [line_fingerprint(line) for line in window], offset, meaningful)
