"""Spans follow the edits of an open file, as the language server reports them."""

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from provenance_helpers import write
from tabguard.engine.types import Finding, Span
from tabguard.provenance import Provenance

BODY = [
    "import subprocess",
    "",
    "def run(cmd):",
    "    subprocess.call(cmd, shell=True)",
    "    return 1",
    "",
    "x = 1",
]


def _edit(prov, path, lines, first, old_last, new):
    """Replace lines first..old_last (inclusive) with `new`, tell `prov`, return the new text."""
    after = lines[:first] + list(new) + lines[old_last + 1 :]
    prov.apply_edit(path, first, old_last, len(new), after)
    return after


def _setup(tmp_path):
    path = tmp_path / "app.py"
    lines = write(path, "\n".join(BODY))
    prov = Provenance(tmp_path)
    prov.open_file(path, lines)
    prov.record_accept(path, lines, 2, 5, "copilot", False)
    return prov, path, lines


def _extent(prov, path):
    return [(s.start_line, s.end_line) for s in prov.spans(path)]


def test_lines_inserted_above_shift_the_span(tmp_path):
    prov, path, lines = _setup(tmp_path)
    lines = _edit(prov, path, lines, 0, 0, ["# header", "import subprocess"])
    assert _extent(prov, path) == [(3, 6)]
    assert lines[3:6] == BODY[2:5]


def test_enter_before_and_after_the_span_stays_outside(tmp_path):
    prov, path, lines = _setup(tmp_path)
    lines = _edit(prov, path, lines, 4, 4, ["    return 1", ""])  # Enter at the end of the last line
    assert _extent(prov, path) == [(2, 5)]
    lines = _edit(prov, path, lines, 2, 2, ["", "def run(cmd):"])  # Enter at column 0 of the first line
    assert _extent(prov, path) == [(3, 6)]


def test_an_edit_inside_grows_the_span_and_makes_it_unreviewed(tmp_path):
    prov, path, lines = _setup(tmp_path)
    prov.mark_reviewed(path, lines, 3, 4, "Ada")
    assert [s.reviewed for s in prov.spans(path)] == [True]
    edited = _edit(prov, path, lines, 3, 3, ["    cmd = cmd.strip()", "    subprocess.call(cmd, shell=True)"])
    (span,) = prov.spans(path)
    assert (span.start_line, span.end_line, span.reviewed) == (2, 6, False)
    # Undoing the edit restores the content the reviewer saw: the review holds again.
    _edit(prov, path, edited, 3, 4, ["    subprocess.call(cmd, shell=True)"])
    (span,) = prov.spans(path)
    assert (span.start_line, span.end_line, span.reviewed, span.reviewer) == (2, 5, True, "Ada")


def test_typing_in_a_one_line_span_keeps_it(tmp_path):
    path = tmp_path / "one.py"
    lines = write(path, "a = 1\nb = 2\nc = 3")
    prov = Provenance(tmp_path)
    prov.record_accept(path, lines, 1, 2, "copilot", False)
    _edit(prov, path, lines, 1, 1, ["b = 22"])
    assert _extent(prov, path) == [(1, 2)]


def test_deleting_part_shrinks_and_deleting_all_drops_the_span(tmp_path):
    prov, path, lines = _setup(tmp_path)
    lines = _edit(prov, path, lines, 4, 4, [])
    assert _extent(prov, path) == [(2, 4)]
    # An editor deletes whole lines as the range (2,0)-(4,0): lines 2..4 become old line 4.
    _edit(prov, path, lines, 2, 4, [lines[4]])
    assert _extent(prov, path) == []


def test_a_reformat_that_replaces_more_than_the_span_keeps_it_by_content(tmp_path):
    prov, path, lines = _setup(tmp_path)
    new = [
        "import subprocess  # formatted",
        "",
        "",
        "def run(cmd) :",
        "    subprocess.call(cmd, shell=True)",
        "    return 1",
        "",
        "x = 2",
    ]
    _edit(prov, path, lines, 0, len(lines) - 1, new)
    assert _extent(prov, path) == [(3, 6)]
    # Replaced by unrelated code, the span is gone.
    _edit(prov, path, new, 0, len(new) - 1, ["print('hello')", "y = 3"])
    assert _extent(prov, path) == []


def test_a_desynchronised_edit_is_resolved_by_content(tmp_path):
    prov, path, lines = _setup(tmp_path)
    moved = ["# one", "# two"] + lines
    prov.apply_edit(path, 0, 0, 1, moved)  # the counts do not add up: find the spans again
    assert _extent(prov, path) == [(4, 7)]


def test_annotate_marks_findings_inside_spans_only(tmp_path):
    prov, path, lines = _setup(tmp_path)
    inside = Finding("TG100", Span(3, 4, 3, 36), "shell", "high")
    outside = Finding("TG100", Span(0, 0, 0, 5), "x", "high")
    shared = {"callee": "subprocess.call"}
    inside.details = shared
    prov.annotate(path, [inside, outside])
    assert inside.details["ai"]["origin"] == "copilot" and inside.details["ai"]["reviewed"] is False
    assert inside.details["ai_note"] == "AI-inserted (copilot), not reviewed"
    assert inside.details["sarif_properties"] == {"aiInserted": True, "origin": "copilot", "reviewed": False}
    assert inside.details["callee"] == "subprocess.call"
    assert shared == {"callee": "subprocess.call"}  # the engine's dict is not touched
    assert "ai" not in outside.details
    prov.mark_reviewed(path, lines, 3, 4, "Ada")
    prov.annotate(path, [inside])
    assert inside.details["ai_note"] == "AI-inserted (copilot), reviewed by Ada"
    _edit(prov, path, lines, 0, 0, ["import subprocess", "", "", "", ""])
    prov.annotate(path, [inside])  # the finding is now above the span: its AI note goes away
    assert "ai" not in inside.details and "sarif_properties" not in inside.details


def test_unhonoured_suppression_only_inside_unreviewed_spans(tmp_path):
    prov, path, lines = _setup(tmp_path)
    assert prov.unhonoured_suppression(path, 3)
    assert not prov.unhonoured_suppression(path, 6)
    prov.mark_reviewed(path, lines, 2, 5)
    assert not prov.unhonoured_suppression(path, 3)


def test_mark_reviewed_covers_every_span_in_a_selection(tmp_path):
    path = tmp_path / "many.py"
    lines = write(path, "\n".join(f"v{i} = {i}" for i in range(30)))
    prov = Provenance(tmp_path)
    for start in (2, 10, 20):
        prov.record_accept(path, lines, start, start + 3, "chat-paste", False)
    done = prov.mark_reviewed(path, lines, 5, 22, "Ada")
    assert [(s.start_line, s.end_line) for s in done] == [(10, 13), (20, 23)]
    assert [s.reviewed for s in prov.spans(path)] == [False, True, True]


def test_close_file_stops_tracking(tmp_path):
    prov, path, lines = _setup(tmp_path)
    prov.close_file(path)
    assert prov.spans(path) == []
    prov.apply_edit(path, 0, 0, 1, lines)  # ignored, no error


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 1000), st.integers(0, 3)), max_size=12))
def test_edits_outside_a_span_never_change_what_it_covers(tmp_path_factory, edits):
    root = Path(tmp_path_factory.mktemp("ws"))
    path = root / "f.py"
    lines = write(path, "\n".join(f"line_{i} = {i}" for i in range(20)))
    prov = Provenance(root)
    prov.record_accept(path, lines, 8, 12, "copilot", False)
    covered = lines[8:12]
    for counter, (above, where, count) in enumerate(edits):
        (span,) = prov.spans(path)
        # Replace one line outside the span by `count` new lines (0 deletes it).
        candidates = range(span.start_line) if above else range(span.end_line, len(lines))
        if not candidates:
            continue
        line = candidates[where % len(candidates)]
        new = [f"human_{counter}_{k} = 0" for k in range(count)]
        if not new and len(lines) == 1:
            continue
        lines = _edit(prov, path, lines, line, line, new)
    (span,) = prov.spans(path)
    assert lines[span.start_line : span.end_line] == covered and not span.reviewed


def test_an_explicit_accept_replaces_the_inferred_bulk_insertion_it_explains(tmp_path):
    path = tmp_path / "app.py"
    lines = write(path, "\n".join(BODY))
    prov = Provenance(tmp_path)
    prov.open_file(path, lines)
    prov.record_accept(path, lines, 3, 5, "bulk-insert", True)
    prov.record_accept(path, lines, 2, 5, "copilot", False, "openai/gpt-4o")
    assert [(s.start_line, s.end_line, s.origin) for s in prov.spans(path)] == [(2, 5, "copilot")]
    again = Provenance(tmp_path)
    again.open_file(path, lines)
    assert [(s.start_line, s.end_line, s.origin) for s in again.spans(path)] == [(2, 5, "copilot")]


def test_sync_takes_in_records_and_reviews_written_by_other_processes(tmp_path):
    prov, path, lines = _setup(tmp_path)
    assert prov.sync() == []
    other = Provenance(tmp_path)  # an agent hook, or `tabguard review` in a terminal
    other.record_accept(path, lines, 6, 7, "claude-code", False)
    other.mark_reviewed(path, lines, 2, 5, "Ada")
    assert prov.sync() == [path.resolve()]
    spans = prov.spans(path)
    assert [(s.start_line, s.end_line, s.origin, s.reviewed) for s in spans] == [
        (2, 5, "copilot", True),
        (6, 7, "claude-code", False),
    ]
    prov.record_accept(path, lines, 0, 1, "copilot", False)
    assert prov.sync() == [] and len(prov.spans(path)) == 3


def test_a_review_covers_the_span_it_saw_not_a_copy_of_its_code_elsewhere(tmp_path):
    path = tmp_path / "dup.py"
    lines = write(path, "\n".join(["def a():", "    return eval(x)", "", "def a():", "    return eval(x)"]))
    prov = Provenance(tmp_path)
    prov.record_accept(path, lines, 0, 2, "copilot", False)
    prov.record_accept(path, lines, 3, 5, "copilot", False)
    prov.mark_reviewed(path, lines, 0, 2, "Ada")
    assert [s.reviewed for s in prov.spans(path)] == [True, False]
    again = Provenance(tmp_path)
    again.open_file(path, lines)
    assert [s.reviewed for s in again.spans(path)] == [True, False]
