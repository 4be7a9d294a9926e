"""Fuzzing what a notebook file controls: any JSON shape for cells, sources, outputs and metadata.
`tabguard check` (text, JSON, SARIF, --diff) gives findings or a notice naming the file, never a
traceback, and every place it reports exists; derandomized by the `ci` profile."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tabguard.analysis import ruleset_for
from tabguard.cli import main
from tabguard.notebook import NotebookError
from tabguard.notebook.checking import check_notebook

_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=6))
_ANY = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=8,
)
_LINES = st.sampled_from(
    [
        "import os\n",
        "os.system(input())\n",
        "!ls {x}\n",
        "%%bash\n",
        "x = eval(y)",
        "def f(:\n",
        "print('ghp_Wq3rT8zLm2Xv9Kp4Nd7Ys1Bc6Hj0Fa5Ge8Ru')\n",
        "    pass\n",
        'é\t"\\\n',
        "\r\n",
        "",
    ]
)
_SOURCE = st.one_of(st.lists(_LINES, max_size=4), _LINES, _ANY)
_TEXT = st.one_of(
    st.lists(
        st.sampled_from(["api_key='9f8e7d6c5b4a39281f0e1d2c3b4a5968'\n", "AKIAQ3EGRTZ7WXNM4J2K", "ok\n"]), max_size=3
    ),
    st.text(max_size=10),
    _ANY,
)
_OUTPUT = st.one_of(
    st.fixed_dictionaries({"output_type": st.just("stream"), "name": st.just("stdout"), "text": _TEXT}),
    st.fixed_dictionaries(
        {
            "output_type": st.sampled_from(["execute_result", "display_data"]),
            "data": st.one_of(
                st.dictionaries(st.sampled_from(["text/plain", "text/html", "image/png"]), _TEXT, max_size=2), _ANY
            ),
        }
    ),
    st.fixed_dictionaries(
        {"output_type": st.just("error"), "evalue": _TEXT, "traceback": st.one_of(st.lists(_TEXT, max_size=2), _ANY)}
    ),
    _ANY,
)
_GOOD_CELL = st.fixed_dictionaries(
    {
        "cell_type": st.sampled_from(["code", "code", "markdown", "raw"]),
        "source": st.one_of(st.lists(_LINES, max_size=4), _LINES),
    },
    optional={
        "outputs": st.lists(_OUTPUT, max_size=3),
        "id": _ANY,
        "metadata": st.one_of(st.just({"vscode": {"languageId": "python"}}), _ANY),
    },
)
_CELL = st.one_of(
    st.fixed_dictionaries({"cell_type": _ANY, "source": _SOURCE}, optional={"outputs": _ANY}),
    _ANY,
)
_NOTEBOOK = st.one_of(
    st.fixed_dictionaries(
        {"cells": st.lists(_GOOD_CELL, max_size=5)}, optional={"metadata": _ANY, "nbformat": st.just(4)}
    ),
    st.fixed_dictionaries(
        {"cells": st.lists(_GOOD_CELL, max_size=5)}, optional={"metadata": _ANY, "nbformat": st.just(4)}
    ),
    st.fixed_dictionaries(
        {"cells": st.lists(st.one_of(_GOOD_CELL, _CELL), max_size=4)},
        optional={"nbformat": st.one_of(st.integers(2, 5), _ANY), "metadata": _ANY, "worksheets": _ANY},
    ),
    _ANY,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_NOTEBOOK, st.sampled_from([None, 1, 2]))
def test_any_notebook_shape_is_findings_or_a_reason(data, indent):
    text = json.dumps(data, indent=indent)
    try:
        checked = check_notebook(text, "n.ipynb", ruleset_for())
    except NotebookError as error:
        assert str(error)
        return
    view = checked.view
    file_lines = text.split("\n")
    for finding in checked.findings:
        place = view.place(finding)
        at = view.file_span(place)  # inside the file, on the JSON string that holds the place
        assert 0 <= at.start_line <= at.end_line < len(file_lines)
        assert 0 <= at.start_col <= len(file_lines[at.start_line]) and 0 <= at.end_col <= len(file_lines[at.end_line])
        assert view.line_text(finding) is not None and place.where()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(st.lists(_NOTEBOOK, min_size=1, max_size=2), st.sampled_from(["text", "json", "sarif", "diff"]))
def test_check_on_any_notebooks_exits_normally(tmp_path, capsys, notebooks, format):
    for k, data in enumerate(notebooks):
        (tmp_path / f"n{k}.ipynb").write_text(json.dumps(data, indent=1), encoding="utf-8")
    args = ["--diff", "--unsafe-fixes"] if format == "diff" else ["--format", format]
    assert main(["check", "--no-cache", str(tmp_path), *args]) in (0, 1)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    if format in ("json", "sarif"):
        json.loads(out)
