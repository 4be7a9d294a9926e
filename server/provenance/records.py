"""Agent Trace records (spec v0.1, github.com/cursor/agent-trace) and tabguard's review records.

Written records follow the spec's JSON schema strictly. Reading is tolerant, because real writers
differ (versions "0.1.0" or "1.0", no `tool.version`, no contributor): only what tabguard needs to
place a span (a file path and a valid line range) is required.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Iterator, Optional

from tabguard import __version__

TRACE_VERSION = "0.1.0"  # the spec version implemented; its schema wants major.minor.patch
TOOL_NAME = "tabguard"
VENDOR_KEY = "dev.tabguard"
REVIEW_VERSION = "1"
# A conversation without a contributor is still in an AI trace file: treat it as AI, not as human.
_AI_TYPES = frozenset({"ai", "mixed", None})


@dataclass(frozen=True)
class TraceRange:
    """One attributed range, lines 0-based and end-exclusive (the file says 1-based, inclusive)."""

    record_id: str
    path: str
    start_line: int
    end_line: int
    content_hash: Optional[str]
    line_hashes: tuple[str, ...]
    tool: str
    model_id: Optional[str]
    timestamp: str
    origin: str
    inferred: bool
    supersedes: Optional[str] = None  # the range this record replaces (the same span, edited since)


@dataclass(frozen=True)
class Review:
    path: str
    record_id: str  # the trace record (range) whose span was reviewed
    content_hash: str
    reviewer: str
    timestamp: str


def utc_now() -> str:
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def build_trace(
    path: str,
    start_line: int,
    end_line: int,
    content_hash: str,
    line_hashes: list[str],
    origin: str,
    inferred: bool,
    model_id: Optional[str],
    revision: Optional[str],
    cell: Optional[dict] = None,
    supersedes: Optional[str] = None,
    tool: Optional[str] = None,
) -> dict:
    """A trace record; `cell` names the notebook cell the range lies in (see docs/provenance.md).
    A record of a span edited since its record was written names the range it `supersedes`, and the
    tool of that range when another tool wrote it (this record's `tool` is its writer, tabguard)."""
    contributor = {"type": "ai"}
    if model_id:
        contributor["model_id"] = model_id[:250]
    record = {
        "version": TRACE_VERSION,
        "id": str(uuid.uuid4()),
        "timestamp": utc_now(),
        "tool": {"name": TOOL_NAME, "version": __version__},
        "files": [
            {
                "path": path,
                "conversations": [
                    {
                        "contributor": contributor,
                        "ranges": [{"start_line": start_line + 1, "end_line": end_line, "content_hash": content_hash}],
                    }
                ],
            }
        ],
        "metadata": {VENDOR_KEY: {"origin": origin, "inferred": inferred, "line_hashes": line_hashes}},
    }
    ours = record["metadata"][VENDOR_KEY]
    for name, value in (("cell", cell), ("supersedes", supersedes), ("tool", tool)):
        if value is not None:
            ours[name] = value
    if revision:
        record["vcs"] = {"type": "git", "revision": revision}
    return record


def build_review(
    path: str, start_line: int, end_line: int, content_hash: str, line_hashes: list[str], reviewer: str, record_id: str
) -> dict:
    return {
        "version": REVIEW_VERSION,
        "id": str(uuid.uuid4()),
        "timestamp": utc_now(),
        "reviewer": label(reviewer) or "unknown",
        "path": path,
        "start_line": start_line + 1,
        "end_line": end_line,
        "content_hash": content_hash,
        "line_hashes": line_hashes,
        "record": record_id,
    }


def _text(value) -> Optional[str]:
    return value if isinstance(value, str) and value else None


def label(value, limit: int = 200) -> Optional[str]:
    """A name people read (tool, origin, model, reviewer), from a ledger or a repository's config:
    data, never markup. Control and format characters, which could drive a terminal (escape
    sequences) or reorder the text (bidi overrides), are written escaped; the length is capped."""
    text = _text(value)
    if text is None or (len(text) <= limit and text.isprintable()):
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text[:limit])


def _line(value) -> Optional[int]:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 1 else None


def parse_trace(
    record: dict, fallback_id: str, normalize: Callable[[str], Optional[str]], warn: Callable[[str], None]
) -> Iterator[TraceRange]:
    """The AI-attributed ranges of one record; parts without a usable path or range are skipped."""
    files = record.get("files")
    if not isinstance(files, list):
        warn("skipping a trace record without `files`")
        return
    record_id = _text(record.get("id")) or fallback_id
    tool = record.get("tool") if isinstance(record.get("tool"), dict) else {}
    metadata = record.get("metadata") if isinstance(record.get("metadata"), dict) else {}
    ours = metadata.get(VENDOR_KEY) if isinstance(metadata.get(VENDOR_KEY), dict) else {}
    tool_name = label(ours.get("tool")) or label(tool.get("name")) or "unknown"
    supersedes = label(ours.get("supersedes"))
    origin = label(ours.get("origin")) or tool_name
    inferred = ours.get("inferred") is True
    hashes = ours.get("line_hashes")
    line_hashes = tuple(h for h in hashes if isinstance(h, str)) if isinstance(hashes, list) else ()
    timestamp = label(record.get("timestamp"), 40) or ""
    found = []
    for entry in files:
        path = normalize(entry["path"]) if isinstance(entry, dict) and isinstance(entry.get("path"), str) else None
        conversations = entry.get("conversations") if isinstance(entry, dict) else None
        if path is None or not isinstance(conversations, list):
            warn("skipping a file entry without a path or conversations")
            continue
        for conversation in conversations:
            ranges = conversation.get("ranges") if isinstance(conversation, dict) else None
            if not isinstance(ranges, list):
                continue
            for item in ranges:
                start, end = (
                    (_line(item.get("start_line")), _line(item.get("end_line")))
                    if isinstance(item, dict)
                    else (None, None)
                )
                if start is None or end is None or end < start:
                    warn("skipping a range without valid 1-based lines")
                    continue
                contributor = item.get("contributor") or conversation.get("contributor")
                kind = contributor.get("type") if isinstance(contributor, dict) else None
                if kind not in _AI_TYPES:
                    continue
                model = label(contributor.get("model_id")) if isinstance(contributor, dict) else None
                found.append((path, start - 1, end, _text(item.get("content_hash")), model))
    several = len(found) > 1
    for index, (path, start, end, content, model) in enumerate(found):
        yield TraceRange(
            record_id=f"{record_id}#{index}" if several else record_id,
            path=path,
            start_line=start,
            end_line=end,
            content_hash=content,
            # Per-line fingerprints describe the record's single range only.
            line_hashes=line_hashes if not several and len(line_hashes) == end - start else (),
            tool=tool_name,
            model_id=model,
            timestamp=timestamp,
            origin=origin,
            inferred=inferred,
            # Like the fingerprints, it describes a record of a single range.
            supersedes=supersedes if not several and supersedes != record_id else None,
        )


def parse_review(record: dict, normalize: Callable[[str], Optional[str]]) -> Optional[Review]:
    path = normalize(record["path"]) if isinstance(record.get("path"), str) else None
    content, record_id = _text(record.get("content_hash")), _text(record.get("record"))
    if path is None or content is None or record_id is None:
        return None
    return Review(
        path, record_id, content, label(record.get("reviewer")) or "unknown", label(record.get("timestamp"), 40) or ""
    )
