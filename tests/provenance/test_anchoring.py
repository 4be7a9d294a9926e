"""Spans found again when the file changed while tabguard was not watching (another editor, git pull)."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from provenance_helpers import append_raw, foreign_record, write
from tabguard.provenance import Provenance

CODE = [
    "import os",
    "",
    "",
    "def load(name):",
    "    base = '/srv/data'",
    "    path = os.path.join(base, name)",
    "    with open(path) as handle:",
    "        return handle.read()",
    "",
    "",
    "def main():",
    "    print(load('x'))",
]


def _recorded(tmp_path, reviewed=False):
    path = tmp_path / "app.py"
    lines = write(path, "\n".join(CODE))
    prov = Provenance(tmp_path)
    prov.record_accept(path, lines, 3, 8, "copilot", False)
    if reviewed:
        prov.mark_reviewed(path, lines, 3, 8, "Ada")
    return path


def _reopen(tmp_path, path, lines):
    write(path, "\n".join(lines))
    prov = Provenance(tmp_path)
    prov.open_file(path, lines)
    return prov, prov.spans(path)


def test_lines_inserted_above_elsewhere_are_followed_by_content_hash(tmp_path):
    path = _recorded(tmp_path, reviewed=True)
    lines = ["#!/usr/bin/env python", '"""Loader."""', "import sys"] + CODE
    _prov, (span,) = _reopen(tmp_path, path, lines)
    assert (span.start_line, span.end_line) == (6, 11)
    assert span.reviewed and span.reviewer == "Ada"


def test_an_edit_inside_made_elsewhere_finds_the_span_and_unreviews_it(tmp_path):
    path = _recorded(tmp_path, reviewed=True)
    lines = ["import logging"] + CODE[:6] + ["    logging.info(path)"] + CODE[6:]
    _prov, (span,) = _reopen(tmp_path, path, lines)
    assert (span.start_line, span.end_line) == (4, 10)
    assert not span.reviewed


def test_an_edited_last_line_stays_in_the_span(tmp_path):
    path = _recorded(tmp_path)
    lines = list(CODE)
    lines[7] = "        return handle.read(4096)"
    _prov, (span,) = _reopen(tmp_path, path, lines)
    assert (span.start_line, span.end_line) == (3, 8)


def test_code_moved_into_a_class_is_found_despite_the_indentation(tmp_path):
    path = _recorded(tmp_path)
    lines = ["import os", "", "", "class Store:"] + ["    " + line if line else "" for line in CODE[3:8]] + CODE[8:]
    _prov, (span,) = _reopen(tmp_path, path, lines)
    assert (span.start_line, span.end_line) == (4, 9)


def test_deleted_code_is_dropped_from_the_view_not_from_history(tmp_path):
    path = _recorded(tmp_path)
    lines = CODE[:3] + CODE[10:]
    prov, spans = _reopen(tmp_path, path, lines)
    assert spans == []
    assert len(prov.trace_ranges("app.py")) == 1


def test_a_review_after_an_edit_in_session_survives_a_restart(tmp_path):
    path = tmp_path / "app.py"
    lines = write(path, "\n".join(CODE))
    prov = Provenance(tmp_path)
    prov.open_file(path, lines)
    prov.record_accept(path, lines, 3, 8, "copilot", False)
    fixed = CODE[:5] + ["    path = safe_join(base, name)"] + CODE[6:]
    prov.apply_edit(path, 5, 5, 1, fixed)
    prov.mark_reviewed(path, fixed, 5, 6, "Ada")
    _prov, (span,) = _reopen(tmp_path, path, fixed)
    assert (span.start_line, span.end_line, span.reviewed) == (3, 8, True)


def test_foreign_ranges_are_taken_as_written_and_clipped(tmp_path):
    path = tmp_path / "app.py"
    lines = write(path, "\n".join(CODE))
    append_raw(
        tmp_path,
        "".join(json.dumps(foreign_record("app.py", start, end)) + "\n" for start, end in ((11, 40), (50, 60))),
    )
    prov = Provenance(tmp_path)
    prov.open_file(path, lines)
    assert [(s.start_line, s.end_line) for s in prov.spans(path)] == [(10, 12)]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 10_000), st.integers(0, 4)), max_size=10))
def test_unrelated_edits_elsewhere_never_lose_or_blur_a_span(tmp_path_factory, edits):
    root = tmp_path_factory.mktemp("ws")
    path = root / "app.py"
    filler = [f"setting_{i} = {i}" for i in range(30)]
    lines = write(path, "\n".join(filler[:15] + CODE + filler[15:]))
    Provenance(root).record_accept(path, lines, 15 + 3, 15 + 8, "copilot", False)
    span_text = CODE[3:8]
    start = 18
    for counter, (above, where, count) in enumerate(edits):
        # Replace one line outside the span by `count` unrelated lines (0 deletes it).
        outside = list(range(start)) if above else list(range(start + len(span_text), len(lines)))
        if not outside or (count == 0 and len(lines) <= len(span_text) + 1):
            continue
        line = outside[where % len(outside)]
        lines[line : line + 1] = [f"other_{counter}_{k} = None" for k in range(count)]
        if line < start:
            start += count - 1
    _prov, spans = _reopen(root, path, lines)
    assert [(s.start_line, s.end_line) for s in spans] == [(start, start + len(span_text))]
