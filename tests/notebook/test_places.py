"""Positions in the notebook file: each character of a JSON string is found where it is written,
escapes included, so SARIF regions in an .ipynb point at the text shown."""

import json
import re

from hypothesis import given, strategies as st

from tabguard.engine.document import split_lines
from tabguard.engine.types import Span
from tabguard.notebook import Notebook
from tabguard.notebook.jsonspans import string_offsets
from tabguard.notebook.places import NotebookView, Place

TEXT = st.text(st.characters(blacklist_categories=("Cs",)) | st.sampled_from('"\\\n\t\r\x00é😀'), max_size=30)


@given(TEXT, st.booleans())
def test_each_character_of_a_json_string_is_found_where_it_is_written(value, ascii_only):
    raw = "  " + json.dumps(value, ensure_ascii=ascii_only) + " "
    offsets = string_offsets(raw, 2)
    assert len(offsets) == len(value) + 1 and raw[offsets[-1]] == '"'
    for k, char in enumerate(value):
        assert json.loads('"' + raw[offsets[k] : offsets[k + 1]] + '"') == char


@given(st.lists(TEXT, min_size=1, max_size=4), st.booleans(), st.sampled_from([None, 1, "\t"]))
def test_a_cell_position_maps_to_its_character_in_the_file(lines, as_list, indent):
    source = "\n".join(lines)
    written = re.findall(r"[^\n]*\n|[^\n]+", source) if as_list else source
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "source": written}
    text = json.dumps({"cells": [{"cell_type": "markdown", "metadata": {}, "source": "x"}, cell]}, indent=indent)
    view = NotebookView.of(Notebook.from_json(text))
    file_lines = text.split("\n")
    for line, content in enumerate(split_lines(source)):
        for col, char in enumerate(content):
            at = view.file_span(Place(view.code[0], Span(line, col, line, col + 1)))
            shown = file_lines[at.start_line][at.start_col : at.end_col] if at.start_line == at.end_line else None
            assert shown is not None and json.loads('"' + shown + '"') == char
