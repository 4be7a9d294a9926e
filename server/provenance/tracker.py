"""`Provenance`: the AI spans of a workspace, kept current while files are open.

Plain Python for the language server and the CLI: lines are 0-based, end-exclusive. The ledger is
read lazily (an index by file on first use, a file's records when it is opened); `apply_edit`,
`spans`, `annotate` and `unhonoured_suppression` do no I/O and cost O(spans in that file).
"""

from __future__ import annotations

import os
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Optional, Sequence

from tabguard import boundary
from tabguard.engine.types import Finding
from tabguard.provenance import live
from tabguard.provenance.anchor import Evidence, FileView, locate, refind
from tabguard.provenance.fingerprint import HASH_PREFIX, content_hash, line_fingerprint
from tabguard.provenance.jsonl import LineIndex, append_lines, parse_line
from tabguard.provenance.records import (
    TOOL_NAME,
    Review,
    TraceRange,
    build_review,
    build_trace,
    parse_review,
    parse_trace,
)
from tabguard.provenance.workspace import (
    REVIEWS,
    TRACES,
    default_reviewer,
    ensure_gitattributes,
    git_revision,
    normalize_ledger_path,
    relative_key,
)


# The newest AI ranges of a file looked for in it when it is opened. Each costs a search of the file;
# a ledger is the repository's, and 100,000 records for one file held the editor's event loop for 32 s.
MAX_PLACED = 1000
# How many records back a span's reviews are looked for: each save of an edited span adds one.
MAX_LINEAGE = 64


def _by_record(reviews: Sequence[dict]) -> dict[str, list[dict]]:
    """Review records by the trace record they review, in ledger order."""
    grouped: dict[str, list[dict]] = {}
    for review in reviews:
        record = review.get("record")
        if isinstance(record, str):
            grouped.setdefault(record, []).append(review)
    return grouped


def _parents(history: Sequence[TraceRange]) -> dict[str, str]:
    """For each record that superseded another (the same span, edited), the one it superseded."""
    return {trace.record_id: trace.supersedes for trace in history if trace.supersedes}


def _drifted(span: live.LiveSpan, lines: Sequence[str]) -> bool:
    """The span's lines no longer match its record: the record would not find it again."""
    trace = span.trace
    if trace.content_hash and trace.content_hash.startswith(HASH_PREFIX):
        return content_hash(lines[span.start : span.end]) != trace.content_hash
    if trace.line_hashes:
        return [line_fingerprint(line) for line in lines[span.start : span.end]] != list(trace.line_hashes)
    # Another tool's record, placed by its range as written.
    return (span.start, span.end) != (trace.start_line, trace.end_line)


class LedgerError(RuntimeError):
    """The ledger does not hold what tabguard just wrote to it."""


@dataclass
class AISpan:
    start_line: int
    end_line: int
    origin: str
    tool: str
    model_id: Optional[str]
    timestamp: str
    reviewed: bool
    reviewer: Optional[str]
    record_id: str
    inferred: bool
    reviewed_at: Optional[str] = None  # the review record's timestamp

    def note(self) -> str:
        state = f"reviewed by {self.reviewer}" if self.reviewed else "not reviewed"
        return f"AI-inserted ({self.origin}), {state}"


def _supersedes(newer: live.LiveSpan, older: live.LiveSpan) -> bool:
    """One accept recorded twice: the same place, or an inferred bulk insertion that the editor
    then reported explicitly (with the real origin) over the same lines."""
    if (newer.start, newer.end) == (older.start, older.end):
        return True
    return older.trace.inferred and not newer.trace.inferred and newer.start <= older.start and older.end <= newer.end


class _Open:
    """An open file: our copy of its lines and its live spans, with a lookup built on demand."""

    def __init__(self, lines: Sequence[str], spans: list[live.LiveSpan], considered: int, parents: dict[str, str]):
        self.lines = list(lines)
        self.spans = spans
        self.considered = considered  # how many of the file's trace ranges were placed or dropped
        self.parents = parents  # see `_parents`
        self._starts: Optional[list[int]] = None
        self._reach: list[int] = []

    def changed(self) -> None:
        self._starts = None

    def lineage(self, record_id: str) -> Iterator[str]:
        """The record and those it superseded, newest first (bounded: a ledger may hold a cycle)."""
        current: Optional[str] = record_id
        for _ in range(MAX_LINEAGE):
            if current is None:
                return
            yield current
            current = self.parents.get(current)

    def covered(self) -> set[str]:
        """The records of the placed spans, and the records those superseded."""
        return {record_id for span in self.spans for record_id in self.lineage(span.trace.record_id)}

    def review_of(self, reviewed: dict[tuple[str, str], Review], trace: TraceRange, digest: str) -> Optional[Review]:
        """The review of the span's content: of its record, or of a record it superseded (a review
        made before the edited span was saved names the record of then)."""
        return next((review for rid in self.lineage(trace.record_id) if (review := reviewed.get((rid, digest)))), None)

    def add(self, span: live.LiveSpan) -> None:
        """A newly recorded span; it replaces the spans it supersedes."""
        self.spans = [old for old in self.spans if not _supersedes(span, old)]
        self.spans.append(span)
        self.changed()

    def covering(self, first: int, last: int) -> list[live.LiveSpan]:
        """Spans overlapping lines first..last (inclusive)."""
        if self._starts is None:
            self.spans.sort(key=lambda s: (s.start, s.end))
            self._starts = [s.start for s in self.spans]
            reach, furthest = [], -1
            for span in self.spans:  # reach[i]: the furthest end among spans[0..i]
                furthest = max(furthest, span.end)
                reach.append(furthest)
            self._reach = reach
        found = []
        i = bisect_right(self._starts, last) - 1
        while i >= 0 and self._reach[i] > first:
            span = self.spans[i]
            if span.end > first:
                found.append(span)
            i -= 1
        found.reverse()
        return found


class Provenance:
    """The ledger of one workspace (`root`), and the live AI spans of its open files.

    The editor calls `open_file`, `apply_edit` for every change, `record_accept` for every accepted
    suggestion and `close_file`; `spans`, `annotate` and `unhonoured_suppression` answer from memory.
    `sync` takes in what other processes appended. `reviewer` is the configured reviewer name
    (`mark_reviewed` falls back to git `user.name`).

    The ledger files are opened inside the workspace boundary: one that is a symlink, or whose folder
    leads outside the root, is neither read nor written, and `errors` says so. `warnings` lists the
    lines and records that were skipped.
    """

    def __init__(self, root: Path, reviewer: str = ""):
        self.root = Path(root).resolve()
        self._root = str(self.root)
        self._reviewer = reviewer
        self._warnings: list[str] = []
        self._unplaced: list[tuple[LineIndex, int, str]] = []  # bad lines, numbered when asked for
        self.errors: list[str] = []
        self._noted: set[str] = set()  # a ledger of bad lines must not cost a list scan per warning
        self._traces = LineIndex(self.root, TRACES, self._normalize)
        self._reviews = LineIndex(self.root, REVIEWS, self._normalize)
        self._loaded = False
        self._ranges: dict[str, tuple[int, list[TraceRange]]] = {}  # key -> (locations parsed, ranges)
        # key -> (locations parsed, reviews by (record id, content hash), raw review records)
        self._review_cache: dict[str, tuple[int, dict[tuple[str, str], Review], list[dict]]] = {}
        self._known_ids: set[str] = set()
        self._open: dict[str, _Open] = {}
        self._keys: dict[Path, Optional[str]] = {}
        self._normalized: dict[str, Optional[str]] = {}  # ledger path as written -> key
        self._gitattributes_checked = False
        self._unwritten: list[tuple[str, dict]] = []  # (key, record) of accepts placed, not yet persisted

    # -- reading the ledger -------------------------------------------------------------------

    def _normalize(self, raw: str) -> Optional[str]:
        key = self._normalized.get(raw, "")
        if key == "":
            try:
                key = normalize_ledger_path(self._root, raw)
            except (boundary.Refused, ValueError) as unusable:
                key = None
                self._note(self._warnings, str(unusable))
            self._normalized[raw] = key
        return key

    def _note(self, where: list[str], message: str) -> None:
        if message not in self._noted:
            self._noted.add(message)
            where.append(message)

    def key(self, path: Path) -> Optional[str]:
        """The ledger's name for `path` (relative to the root), None outside the workspace."""
        key = self._keys.get(path, "")
        if key == "":
            key = relative_key(self._root, path)
            if key is None:  # reached through a symlink: compare real paths (once per path)
                key = relative_key(self._root, Path(os.path.realpath(path)))
            self._keys[path] = key
        return key

    def on_disk(self, key: str) -> Optional[Path]:
        """The file a ledger key names, unless it leads outside the root through a symlink: then None,
        with a warning, and tabguard neither reads nor stats it."""
        path = self.root / key
        if boundary.inside(self.root, path):
            return path
        self._note(
            self._warnings, f"a record names {key}, which leads outside the workspace through a symlink; skipped"
        )
        return None

    def refresh(self) -> bool:
        """Pick up records appended since the last look, by us or by other tools. True when a ledger
        file was replaced (a git checkout, stash or pull): everything is then read again, and the
        open files' spans placed anew."""
        generations = (self._traces.generation, self._reviews.generation)
        for index in (self._traces, self._reviews):
            try:
                index.refresh()
            except OSError as error:  # a refused (symlinked) or unreadable ledger is not read at all
                self._note(
                    self.errors,
                    str(error)
                    if isinstance(error, boundary.Refused)
                    else f"{index.relative.as_posix()}: cannot read: {error}",
                )
        self._loaded = True
        if generations == (self._traces.generation, self._reviews.generation):
            return False
        self._ranges.clear()
        self._review_cache.clear()
        self._known_ids.clear()
        for key, state in list(self._open.items()):
            self._place(key, state.lines)
        return True

    def _ensure_loaded(self) -> None:
        if not self._loaded:
            self.refresh()

    def _warn(self, index: LineIndex, offset: int) -> Callable[[str], None]:
        def warn(message: str) -> None:
            self._unplaced.append((index, offset, message))

        return warn

    @property
    def warnings(self) -> list[str]:
        """What was skipped. A bad line is named by its line number, counted here in one pass over
        each ledger file (counting as lines are read would cost a pass per bad line)."""
        unplaced, self._unplaced = self._unplaced, []
        lines = {
            index: index.line_numbers([offset for i, offset, _ in unplaced if i is index])
            for index in {index for index, _, _ in unplaced}
        }
        for index, offset, message in unplaced:
            line = lines[index].get(offset)
            where = f"line {line}" if line is not None else f"byte {offset}"
            self._note(self._warnings, f"{index.relative.as_posix()}: {where}: {message}")
        return self._warnings

    def trace_ranges(self, key: str) -> list[TraceRange]:
        """Every AI range ever recorded for a file, oldest first (history; not the current view)."""
        self._ensure_loaded()
        locations = self._traces.by_path.get(key, [])
        done, ranges = self._ranges.get(key, (0, []))
        if done < len(locations):
            for offset, line in self._traces.read(locations[done:]):
                warn = self._warn(self._traces, offset)
                record = parse_line(line, warn)
                if record is None:
                    continue
                for item in parse_trace(record, f"{TRACES.as_posix()}@{offset}", self._normalize, warn):
                    if item.path == key and item.record_id not in self._known_ids:
                        self._known_ids.add(item.record_id)
                        ranges.append(item)
            self._ranges[key] = (len(locations), ranges)
        return ranges

    def _review_records(self, key: str) -> tuple[dict[str, Review], list[dict]]:
        """Reviews of a file: by content hash (latest wins), and the raw records (anchoring evidence)."""
        self._ensure_loaded()
        locations = self._reviews.by_path.get(key, [])
        done, reviewed, raw = self._review_cache.get(key, (0, {}, []))
        if done < len(locations):
            for offset, line in self._reviews.read(locations[done:]):
                warn = self._warn(self._reviews, offset)
                record = parse_line(line, warn)
                review = parse_review(record, self._normalize) if record is not None else None
                if review is None:
                    if record is not None:
                        warn("skipping a review without a path or content hash")
                    continue
                if review.path == key:
                    reviewed[review.record_id, review.content_hash] = review
                    raw.append(record)
            self._review_cache[key] = (len(locations), reviewed, raw)
        return reviewed, raw

    def tracked_files(self) -> list[str]:
        """Ledger keys of every file that has trace records."""
        self._ensure_loaded()
        return sorted(self._traces.by_path)

    # -- open files ---------------------------------------------------------------------------

    def open_file(self, path: Path, lines: list[str]) -> None:
        key = self.key(path)
        if key is None:
            return
        self.refresh()
        self._place(key, lines)

    def _place(self, key: str, lines: list[str]) -> None:
        """Place the file's recorded spans in `lines` (its text now)."""
        view = FileView(lines)
        reviewed, reviews = self._review_records(key)
        by_record = _by_record(reviews)
        spans: list[live.LiveSpan] = []
        places: set[tuple[int, int]] = set()
        reported: list[live.LiveSpan] = []
        history = self.trace_ranges(key)
        state = _Open(lines, spans, len(history), _parents(history))
        covered: set[str] = set()
        if len(history) > MAX_PLACED:
            self._note(
                self._warnings,
                f"{key}: {len(history)} AI ranges recorded; only the newest {MAX_PLACED} are looked for in the file",
            )
        for trace in reversed(history[-MAX_PLACED:]):  # newest first: it wins a tie for a place
            if trace.record_id in covered:  # the span is placed by a newer record of it
                continue
            where = locate(view, self._evidence(trace, by_record.get(trace.record_id, ())))
            if where is None or where in places:
                continue
            digest = content_hash(lines[where[0] : where[1]])
            span = live.LiveSpan(trace, where[0], where[1], digest, state.review_of(reviewed, trace, digest))
            if trace.inferred and any(_supersedes(newer, span) for newer in reported):
                continue
            places.add(where)
            spans.append(span)
            covered.update(state.lineage(trace.record_id))
            if not trace.inferred:
                reported.append(span)
        self._open[key] = state

    @staticmethod
    def _evidence(trace: TraceRange, reviews: Sequence[dict]) -> list[Evidence]:
        """Where the trace's span was seen: by the reviews of its record (`reviews`), newest first,
        then by the record itself."""
        evidence = []
        for review in reversed(reviews):  # a review saw the span later than its record did
            hashes = review.get("line_hashes")
            start, end = review.get("start_line"), review.get("end_line")
            if isinstance(start, int) and isinstance(end, int) and 1 <= start <= end:
                evidence.append(
                    Evidence(
                        start - 1,
                        end,
                        review.get("content_hash"),
                        tuple(hashes) if isinstance(hashes, list) and len(hashes) == end - start + 1 else (),
                    )
                )
        evidence.append(Evidence(trace.start_line, trace.end_line, trace.content_hash, trace.line_hashes))
        return evidence

    def sync(self) -> list[Path]:
        """Take in what other processes appended since (an agent's trace records, a `tabguard review`
        in a terminal) for the open files; the files whose spans changed. Reads only the new bytes,
        unless a ledger file was replaced."""
        if self.refresh():
            return [self.root / key for key in self._open]
        changed = []
        for key, state in self._open.items():
            history = self.trace_ranges(key)
            reviewed, reviews = self._review_records(key)
            dirty = False
            if len(history) > state.considered:
                view = FileView(state.lines)
                by_record = _by_record(reviews)
                state.parents = _parents(history)
                covered = state.covered()
                for trace in history[max(state.considered, len(history) - MAX_PLACED) :]:
                    evidence = self._evidence(trace, by_record.get(trace.record_id, ()))
                    where = None if trace.record_id in covered else locate(view, evidence)
                    if where is not None:
                        if trace.supersedes:  # another process saved the span edited: this record replaces it
                            older = set(state.lineage(trace.supersedes))
                            state.spans = [s for s in state.spans if s.trace.record_id not in older]
                            state.changed()
                            dirty = True
                        digest = content_hash(state.lines[where[0] : where[1]])
                        span = live.LiveSpan(
                            trace, where[0], where[1], digest, state.review_of(reviewed, trace, digest)
                        )
                        # A record made earlier never displaces the span that superseded it.
                        if not any(
                            _supersedes(old, span) and old.trace.timestamp >= trace.timestamp for old in state.spans
                        ):
                            state.add(span)
                            dirty = True
                state.considered = len(history)
            for span in state.spans:
                review = state.review_of(reviewed, span.trace, span.content_hash)
                if (review is None) != (span.review is None):
                    span.review, dirty = review, True
            if dirty:
                changed.append(self.root / key)
        return changed

    def is_open(self, path: Path) -> bool:
        return (self.key(path) or "") in self._open

    def close_file(self, path: Path) -> None:
        key = self.key(path)
        if key is not None:
            self._open.pop(key, None)

    def _state(self, path: Path, lines: list[str], window: Optional[tuple[int, int]] = None) -> Optional[_Open]:
        """The open file, opened now if needed, and in step with `lines` (the caller's current text).
        With `window` (start, end) only the length and those lines are compared: an editor keeps our
        copy in step through `apply_edit`, and an accept must not cost a comparison of the whole file."""
        key = self.key(path)
        if key is None:
            return None
        state = self._open.get(key)
        if state is None:
            self.open_file(path, lines)
            state = self._open.get(key)
        elif window is not None:
            start, end = window
            if len(state.lines) != len(lines) or state.lines[start:end] != lines[start:end]:
                self._resync(path, state, lines)
        elif state.lines != lines:
            self._resync(path, state, lines)
        return state

    # -- edits --------------------------------------------------------------------------------

    def apply_edit(
        self, path: Path, first_line: int, old_last_line: int, new_line_count: int, lines: list[str]
    ) -> None:
        state = self._open.get(self.key(path) or "")
        if state is None:
            return
        old = state.lines
        if not (0 <= first_line <= old_last_line < len(old)) or len(old) - (
            old_last_line - first_line + 1
        ) + new_line_count != len(lines):
            self._resync(path, state, lines)
            return
        change = live.trim(old, lines, first_line, old_last_line, new_line_count)
        if change.last < change.first and not change.count:
            state.lines[first_line : old_last_line + 1] = lines[first_line : first_line + new_line_count]
            return
        reviewed = self._cached_reviews(path)
        kept = []
        for span in state.spans:
            before = (span.start, span.end)
            outcome = live.move(span, change)
            if outcome == live.ENGULFED:
                found = refind(
                    old[before[0] : before[1]], lines[change.first : change.first + change.count], change.first
                )
                if found is None:
                    continue
                span.start, span.end = found
                outcome = live.CHANGED
            if outcome == live.GONE:
                continue
            if outcome == live.CHANGED:
                span.content_hash = content_hash(lines[span.start : span.end])
                span.review = state.review_of(reviewed, span.trace, span.content_hash)
            kept.append(span)
        state.spans = kept
        state.lines[first_line : old_last_line + 1] = lines[first_line : first_line + new_line_count]
        state.changed()

    def _cached_reviews(self, path: Path) -> dict[tuple[str, str], Review]:
        """Reviews by (record id, content hash), as loaded when the file was opened (no I/O on the
        edit path)."""
        return self._review_cache.get(self.key(path) or "", (0, {}, []))[1]

    def _resync(self, path: Path, state: _Open, lines: list[str]) -> None:
        """Our copy of the text drifted from the editor's: find each span again by its content."""
        view = FileView(lines)
        reviewed = self._cached_reviews(path)
        kept = []
        for span in state.spans:
            old = state.lines[span.start : span.end]
            evidence = Evidence(span.start, span.end, span.content_hash, tuple(line_fingerprint(x) for x in old))
            where = locate(view, [evidence])
            if where is not None:
                span.start, span.end = where
                span.content_hash = content_hash(lines[span.start : span.end])
                span.review = state.review_of(reviewed, span.trace, span.content_hash)
                kept.append(span)
        state.lines = list(lines)
        state.spans = kept
        state.changed()

    # -- queries ------------------------------------------------------------------------------

    def spans(self, path: Path) -> list[AISpan]:
        state = self._open.get(self.key(path) or "")
        if state is None:
            return []
        return [self._public(span) for span in state.covering(0, len(state.lines))]

    @staticmethod
    def _public(span: live.LiveSpan) -> AISpan:
        trace = span.trace
        return AISpan(
            start_line=span.start,
            end_line=span.end,
            origin=trace.origin,
            tool=trace.tool,
            model_id=trace.model_id,
            timestamp=trace.timestamp,
            reviewed=span.review is not None,
            reviewer=span.review.reviewer if span.review else None,
            record_id=trace.record_id,
            inferred=trace.inferred,
            reviewed_at=span.review.timestamp if span.review else None,
        )

    def unhonoured_suppression(self, path: Path, line: int) -> bool:
        """True when `line` lies in an unreviewed AI span: a suppression comment there is not honoured."""
        state = self._open.get(self.key(path) or "")
        return state is not None and any(span.review is None for span in state.covering(line, line))

    def annotate(self, path: Path, findings: list[Finding]) -> None:
        """Tell each finding whether it sits in an AI span. `details` is replaced, never mutated,
        because the engine may share it with cached copies of the finding."""
        state = self._open.get(self.key(path) or "")
        for finding in findings:
            spans = state.covering(finding.span.start_line, finding.span.end_line) if state else []
            if not spans and "ai" not in finding.details:
                continue  # nothing to add, nothing stale to remove
            details = {k: v for k, v in finding.details.items() if k not in ("ai", "ai_note", "sarif_properties")}
            if spans:
                # An unreviewed span decides: one reviewed neighbour must not hide it.
                span = self._public(next((s for s in spans if s.review is None), spans[0]))
                note = span.note()
                if "suppression_unhonoured" in details:
                    note += "; its suppression comment is not honoured until reviewed"
                details["ai"] = {
                    "origin": span.origin,
                    "reviewed": span.reviewed,
                    "record": span.record_id,
                    "tool": span.tool,
                    "model_id": span.model_id,
                    "reviewer": span.reviewer,
                    "inferred": span.inferred,
                    "start_line": span.start_line,
                    "end_line": span.end_line,
                    "note": note,
                }
                details["ai_note"] = note
                details["sarif_properties"] = {"aiInserted": True, "origin": span.origin, "reviewed": span.reviewed}
                if "suppression_unhonoured" in details:
                    details["sarif_properties"]["suppressionNotHonoured"] = True
            if details != finding.details:
                finding.details = details

    # -- writing ------------------------------------------------------------------------------

    def _first_write(self) -> None:
        if not self._gitattributes_checked:
            self._gitattributes_checked = True
            try:
                ensure_gitattributes(self.root)
            except boundary.Refused as refused:
                self._note(self.errors, str(refused))
            except OSError as error:
                self._note(self._warnings, f".gitattributes: cannot update: {error}")

    def record_accept(
        self,
        path: Path,
        lines: list[str],
        start_line: int,
        end_line: int,
        origin: str,
        inferred: bool,
        model_id: Optional[str] = None,
    ) -> AISpan:
        """Place an accepted suggestion's span and write its record (`place_accept`, then `persist`)."""
        span = self.place_accept(path, lines, start_line, end_line, origin, inferred, model_id)
        self.persist()
        return span

    def place_accept(
        self,
        path: Path,
        lines: list[str],
        start_line: int,
        end_line: int,
        origin: str,
        inferred: bool,
        model_id: Optional[str] = None,
        cell: Optional[dict] = None,
    ) -> AISpan:
        """The span of an accepted suggestion, placed in memory only, so that the findings published
        next already say it is AI code; `persist` writes its record. The language server persists
        right after publishing: the disk write is then off the accept-to-diagnostics path. For a
        notebook, `lines` are its code cells' (`VirtualModule.source_lines`) and `cell` names the cell."""
        key = self.key(path)
        if key is None:
            raise ValueError(f"{path} is outside the workspace {self.root}")
        start_line = max(0, min(start_line, len(lines) - 1))
        end_line = max(start_line + 1, min(end_line, len(lines)))
        record, trace, digest = self._new_record(key, lines, start_line, end_line, origin, inferred, model_id, cell)
        span = live.LiveSpan(trace, start_line, end_line, digest)
        state = self._state(path, lines, (start_line, end_line))
        if state is not None:
            state.add(span)
        self._unwritten.append((key, record))
        return self._public(span)

    def _new_record(
        self,
        key: str,
        lines: Sequence[str],
        start: int,
        end: int,
        origin: str,
        inferred: bool,
        model_id: Optional[str],
        cell: Optional[dict],
        **extra,
    ) -> tuple[dict, TraceRange, str]:
        """The record of lines start..end as they are now (`extra`: see `build_trace`), the trace it
        parses to, and the lines' content hash."""
        chunk = lines[start:end]
        digest = content_hash(chunk)
        fingerprints = [line_fingerprint(line) for line in chunk]
        record = build_trace(key, start, end, digest, fingerprints, origin, inferred, model_id, None, cell, **extra)
        return record, next(parse_trace(record, record["id"], self._normalize, lambda message: None)), digest

    @property
    def unwritten(self) -> bool:
        """Accepts placed and not yet persisted."""
        return bool(self._unwritten)

    def persist(self) -> None:
        """Append the records of the accepts placed since the last call. If that fails (OSError,
        LedgerError) the files concerned are placed again from the ledger: memory never claims a
        record the ledger does not hold."""
        pending, self._unwritten = self._unwritten, []
        if not pending:
            return
        try:
            self._append_traces(pending)
        except OSError:
            self._place_again({key for key, _ in pending})
            raise
        self._read_back(pending)

    def _append_traces(self, pending: list[tuple[str, dict]]) -> None:
        revision = git_revision(self.root)
        if revision:
            for _, record in pending:
                record["vcs"] = {"type": "git", "revision": revision}
        self._first_write()
        append_lines(self.root, TRACES, [record for _, record in pending])

    def _read_back(self, pending: list[tuple[str, dict]]) -> None:
        """Check that the records just appended are in the ledger, and mark them placed."""
        if self.refresh():  # the ledger had been replaced: every open file was placed again
            return
        for key in {key for key, _ in pending}:
            history = self.trace_ranges(key)
            written = {trace.record_id for trace in history}
            lost = [record["id"] for k, record in pending if k == key and record["id"] not in written]
            if lost:
                self._place_again({key})
                raise LedgerError(f"{TRACES.as_posix()}: the record just appended for {key} cannot be read back")
            state = self._open.get(key)
            if state is not None:
                state.parents = _parents(history)
                present = {span.trace.record_id for span in state.spans}
                if all(trace.record_id in present for trace in history[state.considered :]):
                    state.considered = len(history)  # our own records are placed: `sync` must not place them again

    def record_edits(
        self, path: Path, lines: list[str], cell_of: Optional[Callable[[int, int], Optional[dict]]] = None
    ) -> int:
        """On save (`lines` are the file as saved): write a new record for each span of the open file
        whose lines no longer match its record, so that the span is found again after a restart. The
        new record supersedes the old one (which is then not placed), keeps its origin, model and
        tool, and the old record's reviews count for it. `cell_of(start, end)` names a notebook cell.
        Returns how many records were written; OSError or LedgerError when the write failed, and then
        the spans keep their old records in memory."""
        key = self.key(path)
        if key is None or key not in self._open:
            return 0
        state = self._state(path, lines)
        if state is None:
            return 0
        pending, moved = [], []
        for span in state.spans:
            if not _drifted(span, lines):
                continue
            old = span.trace
            record, trace, digest = self._new_record(
                key,
                lines,
                span.start,
                span.end,
                old.origin,
                old.inferred,
                old.model_id,
                cell_of(span.start, span.end) if cell_of is not None else None,
                supersedes=old.record_id,
                tool=old.tool if old.tool != TOOL_NAME else None,
            )
            pending.append((key, record))
            moved.append((span, trace, digest))
        if not pending:
            return 0
        self._append_traces(pending)
        for span, trace, digest in moved:  # written: the spans now answer to their new records
            span.trace = trace
            span.content_hash = digest
        self._read_back(pending)
        return len(pending)

    def _place_again(self, keys: set[str]) -> None:
        for key in keys:
            state = self._open.get(key)
            if state is not None:
                self._place(key, state.lines)

    def mark_reviewed(
        self, path: Path, lines: list[str], start_line: int, end_line: int, reviewer: Optional[str] = None
    ) -> list[AISpan]:
        """Mark every AI span overlapping the range reviewed, for the content it has now."""
        key = self.key(path)
        state = self._state(path, lines)
        if key is None or state is None:
            return []
        spans = state.covering(start_line, max(start_line, end_line - 1))
        if not spans:
            return []
        who = reviewer or default_reviewer(self.root, self._reviewer)
        records = []
        for span in spans:
            chunk = lines[span.start : span.end]
            span.content_hash = content_hash(chunk)
            records.append(
                build_review(
                    key,
                    span.start,
                    span.end,
                    span.content_hash,
                    [line_fingerprint(line) for line in chunk],
                    who,
                    span.trace.record_id,
                )
            )
        self._first_write()
        append_lines(self.root, REVIEWS, records, sync=True)
        if self.refresh():
            state = self._open[key]
            spans = state.covering(start_line, max(start_line, end_line - 1))
        reviewed, _ = self._review_records(key)
        state = self._open[key]
        for span in spans:
            span.review = state.review_of(reviewed, span.trace, span.content_hash)
        return [self._public(span) for span in spans]
