"""Reading notebooks (any odd input is a NotebookError, never a crash) and writing back cell sources
without touching anything else."""

import json

import pytest

from tabguard.notebook import Notebook, NotebookError


def notebook(cells, metadata=None, **dumps):
    data = {
        "cells": cells,
        "metadata": metadata or {"kernelspec": {"language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(data, **dumps)


def code(source, **extra):
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source, **extra}


def test_sources_as_strings_or_lists_and_only_python_code_cells():
    text = notebook(
        [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Title\n", "text"]},
            code(["import os\n", "os.getcwd()"]),
            {"cell_type": "raw", "metadata": {}, "source": "!not code"},
            code("x = 1"),
            code("SELECT 1", metadata={"vscode": {"languageId": "sql"}}),
        ]
    )
    nb = Notebook.from_json(text)
    assert [(c.index, c.source, c.source_is_list) for c in nb.code_cells()] == [
        (1, "import os\nos.getcwd()", True),
        (3, "x = 1", False),
    ]


def test_a_notebook_in_another_language_has_no_python_cells():
    text = notebook([code("x <- 1")], metadata={"kernelspec": {"language": "R", "name": "ir"}})
    nb = Notebook.from_json(text)
    assert not nb.is_python and nb.code_cells() == []


@pytest.mark.parametrize(
    "text, reason",
    [
        ("{", "not valid JSON"),
        ("", "not valid JSON"),
        ("[1, 2]", "not a notebook"),
        ('{"metadata": {}}', "no `cells` list"),
        ('{"worksheets": [], "nbformat": 3}', "nbformat 3"),
        ('{"cells": [1]}', "cell 1 is not a JSON object"),
        ('{"cells": [{"cell_type": "wat"}]}', "unknown cell_type"),
        ('{"cells": [{"cell_type": "code", "source": 5}]}', "neither a string nor a list"),
        ('{"cells": [{"cell_type": "code", "source": ["a", 1]}]}', "neither a string nor a list"),
        ('{"cells": [{"cell_type": "code", "source": "", "outputs": {}}]}', "`outputs` is not a list"),
        ("[" * 100000, "JSON"),
        ('{"cells": []}\x00', "not valid JSON"),
    ],
)
def test_unreadable_notebooks_raise_a_reason(text, reason):
    with pytest.raises(NotebookError, match=reason):
        Notebook.from_json(text)


def test_missing_pieces_default_sensibly():
    nb = Notebook.from_json('{"cells": [{"cell_type": "code"}]}')
    assert nb.is_python and nb.code_cells()[0].source == "" and nb.code_cells()[0].outputs == ()


@pytest.mark.parametrize(
    "dumps",
    [
        {"indent": 1, "ensure_ascii": False},  # Jupyter's own layout
        {"indent": 2, "sort_keys": True},
        {"indent": "\t"},
        {},  # one line, ", " separators
        {"separators": (",", ":")},
    ],
)
@pytest.mark.parametrize("as_list", [True, False])
def test_writing_a_source_back_changes_only_that_source(dumps, as_list):
    first = ["import os\n", "os.system(cmd)  # é\n", "x = 1"] if as_list else "import os\nos.system(cmd)\n"
    text = (
        notebook(
            [
                code(first, outputs=[{"output_type": "stream", "name": "stdout", "text": ["1.0\n"]}]),
                code(["y = 2"] if as_list else "y = 2"),
            ],
            **dumps,
        )
        + "\n"
    )
    nb = Notebook.from_json(text)
    new = "import subprocess\nsubprocess.run(cmd)\n"
    written = nb.with_sources({0: new})
    data = json.loads(written)
    assert data["cells"][0]["source"] == (["import subprocess\n", "subprocess.run(cmd)\n"] if as_list else new)
    expected = json.loads(text)
    expected["cells"][0]["source"] = data["cells"][0]["source"]
    assert data == expected
    # the same layout: re-serialised with the original settings it is the same text
    assert written == json.dumps(data, **dumps) + "\n"


def test_an_empty_source_list_is_filled_at_the_file_indent():
    text = notebook([code([])], indent=1) + "\n"
    written = Notebook.from_json(text).with_sources({0: "a = 1\nb = 2"})
    assert written == notebook([code(["a = 1\n", "b = 2"])], indent=1) + "\n"


def test_bytes_outside_the_source_are_kept_exactly():
    # number spellings, escapes and key order json.dumps would not reproduce
    text = (
        '{"nbformat": 4, "cells": [{"source": "x = 1", "cell_type": "code", "outputs": '
        '[{"data": {"text/plain": "1.50"}, "execution_count": 1.0e0, "note": "caf\\u00e9 \\/"}]}], '
        '"metadata": {}, "nbformat_minor": 2}'
    )
    written = Notebook.from_json(text).with_sources({0: "x = 2"})
    assert written == text.replace('"x = 1"', '"x = 2"')


def test_duplicate_keys_write_the_one_json_reads():
    text = '{"cells": [{"cell_type": "code", "source": "old", "source": "x = 1"}]}'
    nb = Notebook.from_json(text)
    assert nb.cells[0].source == "x = 1"
    assert nb.with_sources({0: "x = 2"}) == text.replace('"x = 1"', '"x = 2"')
