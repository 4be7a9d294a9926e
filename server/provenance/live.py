"""Moving spans with the edits of an open file.

An editor reports an edit as "lines first..old_last were replaced by n lines", which is coarse:
pressing Enter at the end of a span's last line replaces that line by two. Comparing the old and new
lines of the edited region first trims what did not change, so text typed right after (or before) a
span stays outside it, and only a real change inside a span touches it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

from tabguard.provenance.records import Review, TraceRange


@dataclass
class LiveSpan:
    trace: TraceRange
    start: int
    end: int
    content_hash: str
    review: Optional[Review] = None


@dataclass(frozen=True)
class Change:
    """Old lines first..last (inclusive; last = first - 1 for a pure insertion) became `count` new lines."""

    first: int
    last: int
    count: int

    @property
    def delta(self) -> int:
        return self.count - (self.last - self.first + 1)


def trim(old: Sequence[str], new: Sequence[str], first: int, old_last: int, new_count: int) -> Change:
    """The edit without its unchanged leading and trailing lines."""
    old_count = old_last - first + 1
    limit = min(old_count, new_count)
    head = 0
    while head < limit and old[first + head] == new[first + head]:
        head += 1
    tail = 0
    while tail < limit - head and old[old_last - tail] == new[first + new_count - 1 - tail]:
        tail += 1
    return Change(first + head, old_last - tail, new_count - head - tail)


SAME, MOVED, CHANGED, ENGULFED, GONE = "same", "moved", "changed", "engulfed", "gone"


def move(span: LiveSpan, change: Change) -> str:
    """Apply `change` to the span's extent; say what happened to it. ENGULFED: the change replaced a
    region strictly larger than the span, so only its content can tell where (if anywhere) it went."""
    start, end, first, last = span.start, span.end, change.first, change.last
    if last < first:  # pure insertion before old line `first`
        if first <= start:
            span.start, span.end = start + change.count, end + change.count
            return MOVED
        if first < end:
            span.end = end + change.count
            return CHANGED
        return SAME
    if last < start:
        span.start, span.end = start + change.delta, end + change.delta
        return MOVED if change.delta else SAME
    if first >= end:
        return SAME
    if first <= start and last >= end - 1:
        if not change.count:
            return GONE
        if first == start and last == end - 1:
            span.end = start + change.count
            return CHANGED
        return ENGULFED
    new_start = min(first, start)
    new_end = end + change.delta if end - 1 > last else first + change.count
    if new_end <= new_start:
        return GONE
    span.start, span.end = new_start, new_end
    return CHANGED
