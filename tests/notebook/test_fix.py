"""`tabguard check --fix` in notebooks: only cell sources change, the file keeps its JSON layout
(indentation, key order, escapes, trailing newline), outputs and metadata stay, and the notebook is
checked again after the fix like a file."""

import json
from pathlib import Path

import pytest

from tabguard.analysis import ruleset_for
from tabguard.cli import main
from tabguard.engine.types import Edit, Fix, Span
from tabguard.fixing import fix_text
from tabguard.notebook.fixes import NotebookFixer

OUTPUT = {"output_type": "stream", "name": "stdout", "text": ["café 1.50\n"]}
CELLS = [
    {"cell_type": "markdown", "metadata": {}, "source": ["# Fetch\n", "eval(input())"]},
    {
        "cell_type": "code",
        "execution_count": 3,
        "id": "a1",
        "metadata": {"tags": ["load"]},
        "outputs": [OUTPUT],
        "source": ["import requests\n", "r = requests.get(url, verify=False)\n"],
    },
    {
        "cell_type": "code",
        "execution_count": None,
        "id": "a2",
        "metadata": {},
        "outputs": [],
        "source": "!ls {r}\nx = eval(input())\nprint('é')",
    },
]


def notebook(cells, **dumps):
    return json.dumps(
        {"cells": cells, "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}, **dumps
    )


@pytest.fixture(autouse=True)
def inside(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize(
    "dumps, end",
    [
        ({"indent": 1, "ensure_ascii": False}, "\n"),  # Jupyter's own layout
        ({"indent": 2, "sort_keys": True}, "\n"),  # \u escapes, sorted keys
        ({"indent": "\t"}, ""),  # no trailing newline
        ({"separators": (",", ":")}, ""),  # compact, one line
    ],
)
def test_fix_rewrites_cell_sources_and_keeps_the_json_layout(tmp_path, capsys, dumps, end):
    path = tmp_path / "n.ipynb"
    path.write_text(notebook(CELLS, **dumps) + end, encoding="utf-8")
    assert main(["check", "--no-cache", "--fix", "--unsafe-fixes", "n.ipynb"]) == 1
    out = capsys.readouterr().out
    written = path.read_text(encoding="utf-8")
    data = json.loads(written)
    assert data["cells"][1]["source"] == [
        "import ast\n",
        "import requests\n",
        "r = requests.get(url, verify=True, timeout=10)\n",
    ]
    assert data["cells"][2]["source"] == "!ls {r}\nx = ast.literal_eval(input())\nprint('é')"
    expected = json.loads(notebook(CELLS))
    expected["cells"][1]["source"], expected["cells"][2]["source"] = (
        data["cells"][1]["source"],
        data["cells"][2]["source"],
    )
    assert data == expected  # outputs, metadata, ids and the markdown cell unchanged
    assert written == notebook(data["cells"], **dumps) + end  # the same layout, byte for byte
    # checked again after the fix: what remains is reported where it now is
    assert out.splitlines()[0].startswith("n.ipynb:cell 3:line 1:col 1: TG101")
    assert out.splitlines()[-1] == "Fixed 3 findings (1 remaining)."


def test_diff_shows_the_notebook_change_and_writes_nothing(tmp_path, capsys):
    text = notebook(CELLS, indent=1) + "\n"
    (tmp_path / "n.ipynb").write_text(text)
    assert main(["check", "--no-cache", "--diff", "--unsafe-fixes", "n.ipynb"]) == 1
    diff = capsys.readouterr().out
    assert (tmp_path / "n.ipynb").read_text() == text
    assert '-    "r = requests.get(url, verify=False)\\n"' in diff
    assert '+    "r = requests.get(url, verify=True, timeout=10)\\n"' in diff
    assert diff.startswith("--- a/n.ipynb\n+++ b/n.ipynb\n")


def test_safe_fixes_only_by_default(tmp_path, capsys):
    (tmp_path / "n.ipynb").write_text(notebook(CELLS, indent=1))
    main(["check", "--no-cache", "--fix", "n.ipynb"])
    assert "more fixable with --unsafe-fixes" in capsys.readouterr().out
    assert json.loads((tmp_path / "n.ipynb").read_text()) == json.loads(notebook(CELLS))


def fixer(*sources):
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "source": s} for s in sources]
    return NotebookFixer(notebook(cells, indent=1), "n.ipynb", ruleset_for(), None, "low")


def test_a_rewrite_of_ipython_syntax_or_across_cells_is_refused():
    nb = fixer("!ls {x}", "a = 1", "b = 2")
    lines = nb.analyse(nb.text)[0]
    for edit in (Edit(Span(0, 0, 0, 3), "os"), Edit(Span(1, 0, 2, 1), "c")):
        with pytest.raises(ValueError, match="IPython syntax .* or span two cells"):
            nb.rewrite(nb.text, lines, Fix("t", (edit,)))
    with pytest.raises(ValueError, match="cell 2 does not parse"):
        nb.rewrite(nb.text, lines, Fix("t", (Edit(Span(1, 0, 1, 1), "("),)))
    changed = nb.rewrite(nb.text, lines, Fix("t", (Edit(Span(2, 4, 2, 5), "3"),)))
    assert json.loads(nb.notebook_text(changed))["cells"][2]["source"] == "b = 3"
    assert nb.notebook_text(nb.text) == nb.view.notebook.text


def test_a_refused_fix_is_skipped_and_named_by_cell():
    nb = fixer("import os", "x = 1\nos.system(input())")
    lines, findings = nb.analyse(nb.text)
    finding = findings[0]
    finding._fix, finding._fix_built = Fix("t", (Edit(Span(0, 0, 2, 0), ""),)), True  # across cells
    outcome = fix_text(Path("n.ipynb"), nb.text, lambda text: (lines, [finding]), False, nb.rewrite)
    assert outcome.applied == [] and outcome.skipped[0][1].startswith("the rewrite would change IPython syntax")
    assert nb.where(finding) == "cell 2:line 2:col 11"


def test_json_fix_edits_name_their_cell(tmp_path, capsys):
    (tmp_path / "n.ipynb").write_text(notebook(CELLS, indent=1))
    main(["check", "--no-cache", "--format", "json", "n.ipynb"])
    items = {i["rule"]: i for i in json.loads(capsys.readouterr().out)}
    assert items["TG103"]["fix"]["edits"] == [
        {
            "cell": {"index": 1, "number": 2, "id": "a1"},
            "start": {"line": 1, "column": 1},
            "end": {"line": 1, "column": 1},
            "content": "import ast\n",
        },
        {
            "cell": {"index": 2, "number": 3, "id": "a2"},
            "start": {"line": 2, "column": 5},
            "end": {"line": 2, "column": 18},
            "content": "ast.literal_eval(input())",
        },
    ]


def test_an_import_a_fix_needs_goes_below_a_cell_magic(tmp_path, capsys):
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "source": "%%time\nx = eval(input())"}]
    (tmp_path / "n.ipynb").write_text(notebook(cells, indent=1))
    assert main(["check", "--no-cache", "--fix", "--unsafe-fixes", "n.ipynb"]) == 0
    written = json.loads((tmp_path / "n.ipynb").read_text())["cells"][0]["source"]
    assert written == "%%time\nimport ast\nx = ast.literal_eval(input())"
