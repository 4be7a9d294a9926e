"""What a hostile ledger can cost. The ledger is the repository's, and opening a file places its
recorded spans on the editor's event loop: 100,000 records for one file held it for 32 s, one record
claiming 20,000 fingerprinted lines took 2.5 s to align, and each trace scanned every review record.
The work is bounded now; these tests count it rather than time it (timings vary with the machine)."""

from __future__ import annotations

import json
from pathlib import Path

from tabguard.provenance import Provenance, anchor, tracker
from tabguard.provenance.fingerprint import line_fingerprint

LINES = [f"value_{i} = compute({i})" for i in range(3000)]


def _record(number: int, start: int, size: int, hashes: list[str]) -> str:
    return json.dumps(
        {
            "version": "0.1.0",
            "id": f"record-{number}",
            "timestamp": "2026-01-01T00:00:00Z",
            "files": [
                {
                    "path": "big.py",
                    "conversations": [
                        {
                            "contributor": {"type": "ai"},
                            "ranges": [
                                {
                                    "start_line": start,
                                    "end_line": start + size - 1,
                                    "content_hash": f"tabguard-sha256:{number:032x}",
                                }
                            ],
                        }
                    ],
                }
            ],
            "metadata": {"dev.tabguard": {"origin": "x", "line_hashes": hashes}},
        }
    )


def _ledger(root: Path, records: list[str]) -> None:
    (root / ".agent-trace").mkdir()
    (root / ".agent-trace" / "traces.jsonl").write_text("\n".join(records) + "\n")
    (root / "big.py").write_text("\n".join(LINES) + "\n")


def test_only_the_newest_ranges_of_a_file_are_looked_for(tmp_path, monkeypatch):
    gone = ["deadbeef"] * 5  # code no longer in the file: each costs a search
    _ledger(tmp_path, [_record(n, 1 + n % 2000, 5, gone) for n in range(tracker.MAX_PLACED + 500)])
    searched = []
    monkeypatch.setattr(tracker, "locate", lambda view, evidence: searched.append(evidence) or None)
    prov = Provenance(tmp_path)
    prov.open_file(tmp_path / "big.py", LINES)
    assert len(searched) == tracker.MAX_PLACED
    assert searched[0][-1].content_hash == f"tabguard-sha256:{tracker.MAX_PLACED + 499:032x}"  # the newest first
    assert f"big.py: {tracker.MAX_PLACED + 500} AI ranges recorded; only the newest" in " ".join(prov.warnings)


def test_a_span_too_long_to_align_is_not_aligned(tmp_path, monkeypatch):
    """Its lines, shuffled, all occur in the file: aligning them cost O(length^2)."""
    fingerprints = [line_fingerprint(line) for line in LINES]
    hashes = fingerprints[1::2][: anchor.MAX_ALIGNED_LINES] + fingerprints[::2][:1]
    _ledger(tmp_path, [_record(1, 1, len(hashes), hashes)])
    aligned = []
    monkeypatch.setattr(anchor, "align", lambda *args: aligned.append(args) or None)
    Provenance(tmp_path).open_file(tmp_path / "big.py", LINES)
    assert not aligned
    _ledger_again = tmp_path / "again"
    _ledger_again.mkdir()
    _ledger(_ledger_again, [_record(1, 1, len(hashes) - 1, hashes[:-1])])  # at the bound: aligned as before
    Provenance(_ledger_again).open_file(_ledger_again / "big.py", LINES)
    assert len(aligned) == 1


def test_each_trace_is_given_its_own_reviews_only(tmp_path, monkeypatch):
    gone = ["deadbeef"] * 3
    _ledger(tmp_path, [_record(n, 1, 3, gone) for n in range(50)])
    reviews = [
        {"path": "big.py", "record": f"record-{n % 50}", "start_line": 1, "end_line": 3, "content_hash": f"h{n}"}
        for n in range(500)
    ]
    (tmp_path / ".tabguard").mkdir()
    (tmp_path / ".tabguard" / "reviews.jsonl").write_text("\n".join(map(json.dumps, reviews)) + "\n")
    given = []
    evidence = tracker.Provenance._evidence
    monkeypatch.setattr(
        tracker.Provenance,
        "_evidence",
        staticmethod(lambda trace, reviews: given.append(len(reviews)) or evidence(trace, reviews)),
    )
    Provenance(tmp_path).open_file(tmp_path / "big.py", LINES)
    assert given == [10] * 50  # 500 each before: every review record scanned for every trace
