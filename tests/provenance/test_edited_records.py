"""`record_edits`: a saved edit of an AI span writes a record of the span as it is now, superseding
the old one, so the span is found again by a new reader (a restart, the CLI)."""

import json

from provenance_helpers import append_raw, foreign_record, ledger_lines, schema_errors, write
from tabguard.provenance import Provenance
from tabguard.provenance.fingerprint import content_hash

BODY = ["import subprocess", "", "def run(cmd):", "    subprocess.call(cmd, shell=True)", "", "x = 1"]


def _accepted(tmp_path):
    path = tmp_path / "app.py"
    lines = write(path, "\n".join(BODY))
    prov = Provenance(tmp_path)
    prov.open_file(path, lines)
    prov.record_accept(path, lines, 3, 4, "copilot", False, "openai/gpt-4o")
    return prov, path, lines


def _edited(prov, path, lines):
    """Line 3 (the whole span) rewritten and saved."""
    after = lines[:3] + ["    subprocess.call(cmd.split(), shell=False)"] + lines[4:]
    prov.apply_edit(path, 3, 3, 1, after)
    write(path, "\n".join(after))
    return after


def _reopened(tmp_path, path):
    prov = Provenance(tmp_path)
    prov.open_file(path, path.read_text().split("\n"))
    return prov


def test_an_edited_span_is_recorded_anew_and_found_after_a_restart(tmp_path):
    prov, path, lines = _accepted(tmp_path)
    lines = _edited(prov, path, lines)
    assert prov.record_edits(path, lines) == 1
    assert prov.record_edits(path, lines) == 0  # nothing changed since
    first, second = ledger_lines(tmp_path)
    assert second["metadata"]["dev.tabguard"]["supersedes"] == first["id"]
    assert schema_errors(second) == []
    [span] = _reopened(tmp_path, path).spans(path)
    assert (span.start_line, span.end_line, span.origin, span.model_id) == (3, 4, "copilot", "openai/gpt-4o")
    assert span.record_id == second["id"] and not span.reviewed


def test_unchanged_spans_write_nothing(tmp_path):
    prov, path, lines = _accepted(tmp_path)
    moved = ["# a header"] + lines
    prov.apply_edit(path, 0, 0, 2, moved)
    assert prov.record_edits(path, moved) == 0  # its lines still match its record
    assert len(ledger_lines(tmp_path)) == 1


def test_another_tools_span_keeps_its_tool_and_origin(tmp_path):
    path = tmp_path / "app.py"
    lines = write(path, "\n".join(BODY))
    append_raw(tmp_path, json.dumps(foreign_record("app.py", 3, 4)) + "\n")
    prov = Provenance(tmp_path)
    prov.open_file(path, lines)
    moved = ["# a header"] + lines
    prov.apply_edit(path, 0, 0, 2, moved)  # its record names lines 3-4; the span is now at 4-5
    assert prov.record_edits(path, moved) == 1
    assert schema_errors(ledger_lines(tmp_path)[-1]) == []
    write(path, "\n".join(moved))
    [span] = _reopened(tmp_path, path).spans(path)
    assert (span.start_line, span.end_line, span.tool, span.origin) == (3, 5, "cursor", "cursor")
    assert span.model_id == "anthropic/claude-opus-4-5-20251101"


def test_a_superseding_record_that_finds_nothing_hides_nothing(tmp_path):
    """A record naming an older one as superseded, but whose own lines are not in the file (a
    hostile or stale line), does not take the older span out of the file."""
    prov, path, lines = _accepted(tmp_path)
    old = ledger_lines(tmp_path)[0]["id"]
    stray = foreign_record("app.py", 1, 1)
    stray["files"][0]["conversations"][0]["ranges"][0]["content_hash"] = "tabguard-sha256:" + "0" * 32
    stray["metadata"] = {"dev.tabguard": {"supersedes": old, "line_hashes": ["00000000"]}}
    append_raw(tmp_path, json.dumps(stray) + "\n")
    [span] = _reopened(tmp_path, path).spans(path)
    assert span.record_id == old


def test_a_cycle_of_superseding_records_ends(tmp_path):
    """Two records superseding each other (a hostile ledger): reading ends, one of them is placed."""
    prov, path, lines = _accepted(tmp_path)
    ring = [foreign_record("app.py", 6, 6), foreign_record("app.py", 6, 6)]
    for record, other in zip(ring, reversed(ring)):
        record["files"][0]["conversations"][0]["ranges"][0]["content_hash"] = content_hash(["x = 1"])
        record["metadata"] = {"dev.tabguard": {"supersedes": other["id"]}}
    append_raw(tmp_path, "".join(json.dumps(r) + "\n" for r in ring))
    spans = _reopened(tmp_path, path).spans(path)
    assert [(s.start_line, s.end_line) for s in spans] == [(3, 4), (5, 6)]
    assert spans[1].record_id == ring[1]["id"]


def test_a_review_made_before_the_save_counts_for_the_new_record(tmp_path):
    prov, path, lines = _accepted(tmp_path)
    lines = _edited(prov, path, lines)
    [reviewed] = prov.mark_reviewed(path, lines, 3, 4, reviewer="Ada")  # names the old record
    assert reviewed.reviewed
    prov.record_edits(path, lines)
    assert prov.spans(path)[0].reviewed
    [span] = _reopened(tmp_path, path).spans(path)
    assert span.reviewed and span.reviewer == "Ada"
    assert span.record_id == ledger_lines(tmp_path)[-1]["id"]
