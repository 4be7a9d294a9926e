"""`tabguard check` on folders with notebooks: code cells checked as one module and reported by cell
(text, JSON, SARIF pointing into the .ipynb), outputs only read for printed credentials, unreadable
notebooks a notice, suppression comments and the baseline as in files."""

import json

import pytest

from tabguard.cli import main

TOKEN = "ghp_Wq3rT8zLm2Xv9Kp4Nd7Ys1Bc6Hj0Fa5Ge8Ru"


def code(source, outputs=(), **extra):
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {},
        "outputs": list(outputs),
        "source": source,
        **extra,
    }


def markdown(source):
    return {"cell_type": "markdown", "metadata": {}, "source": source}


def notebook(*cells, **dumps):
    data = {
        "cells": list(cells),
        "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(data, **(dumps or {"indent": 1, "ensure_ascii": False})) + "\n"


def stream(text):
    return {"name": "stdout", "output_type": "stream", "text": text}


ANALYSIS = notebook(
    markdown(["# Load the data\n", "os.system(input())  # markdown is never checked\n"]),
    code(["import os\n", "import pickle\n", "name = input('file: ')\n"], id="load"),
    code("print(os.environ['GITHUB_TOKEN'])", [stream([f"{TOKEN}\n"])], id="peek"),
    markdown("Now run it:"),
    code(["!ls {name}\n", "data = pickle.loads(open(name, 'rb').read())\n", "os.system('rm ' + name)"], id="run"),
)


@pytest.fixture(autouse=True)
def inside(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the reports name files relative to the folder checked: "."


@pytest.fixture
def project(tmp_path):
    (tmp_path / "analysis.ipynb").write_text(ANALYSIS, encoding="utf-8")
    (tmp_path / "app.py").write_text("import os\nos.system(input())\n")
    return tmp_path


def check(capsys, *args):
    code = main(["check", "--no-cache", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_text_output_names_cell_line_and_column(project, capsys):
    status, out, _ = check(capsys, ".")
    assert status == 1
    lines = [line.split(" [")[0] for line in out.splitlines()[:-1]]
    assert lines == [
        "analysis.ipynb:cell 3:line 1:col 7: TG601",  # the print that saved it
        "analysis.ipynb:cell 3:output 1:line 1:col 1: TG314",  # the token it saved
        "analysis.ipynb:cell 5:line 1:col 1: TG101",  # `name` came from cell 2
        "analysis.ipynb:cell 5:line 2:col 21: TG114",
        "analysis.ipynb:cell 5:line 2:col 26: TG501",
        "analysis.ipynb:cell 5:line 3:col 11: TG101",
        "app.py:2:11: TG101",
    ]
    assert "saved in the output of cell 3" in out
    assert out.splitlines()[-1] == "Found 7 findings in 2 files."


def test_json_output_has_the_cell_index_and_id(project, capsys):
    _, out, _ = check(capsys, ".", "--format", "json")
    items = [i for i in json.loads(out) if i["path"] == "analysis.ipynb" and i["rule"] in ("TG101", "TG314")]
    assert [(i["rule"], i["cell"], i["start"], i.get("output")) for i in items] == [
        ("TG314", {"index": 2, "number": 3, "id": "peek"}, {"line": 1, "column": 1}, {"index": 0, "field": "text"}),
        ("TG101", {"index": 4, "number": 5, "id": "run"}, {"line": 1, "column": 1}, None),
        ("TG101", {"index": 4, "number": 5, "id": "run"}, {"line": 3, "column": 11}, None),
    ]
    # a related place (where the input enters the call) has its cell too
    assert [(r["cell"]["index"], r["line"], r["column"]) for r in items[2]["related"]] == [(4, 3, 19)]


def test_sarif_regions_point_at_the_strings_in_the_notebook_file(project, capsys):
    _, out, _ = check(capsys, "analysis.ipynb", "--format", "sarif")
    results = [r for r in json.loads(out)["runs"][0]["results"] if r["ruleId"] in ("TG101", "TG314")]
    file_lines = ANALYSIS.split("\n")
    shown = []
    for result in results:
        region = result["locations"][0]["physicalLocation"]["region"]
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "analysis.ipynb"
        line = file_lines[region["startLine"] - 1]
        assert region["endLine"] == region["startLine"]
        shown.append(line[region["startColumn"] - 1 : region["endColumn"] - 1])
    assert shown == [TOKEN, "!ls {name}", "'rm ' + name"]
    assert results[0]["properties"]["notebookCell"] == {
        "index": 2,
        "line": 1,
        "column": 1,
        "id": "peek",
        "output": 0,
        "field": "text",
    }


def test_sarif_region_columns_follow_json_escapes(tmp_path, capsys):
    # one string source: lines are `\n` escapes on one file line; é is written \u00e9, a tab \t
    text = notebook(code('x = "\u00e9\t"\ny = eval(input())'), indent=1)
    (tmp_path / "n.ipynb").write_text(text)
    _, out, _ = check(capsys, ".", "--format", "sarif")
    region = json.loads(out)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    line = text.split("\n")[region["startLine"] - 1]
    assert line[region["startColumn"] - 1 : region["endColumn"] - 1] == "input()"


def test_markdown_and_raw_cells_and_outputs_are_never_checked_as_code(tmp_path, capsys):
    (tmp_path / "n.ipynb").write_text(
        notebook(
            markdown("import os\nos.system(input())"),
            {"cell_type": "raw", "metadata": {}, "source": "eval(input())"},
            code(
                "x = 1",
                [
                    stream("os.system(input())\n"),
                    {
                        "output_type": "execute_result",
                        "execution_count": 1,
                        "metadata": {},
                        "data": {"text/plain": "eval(input())"},
                    },
                ],
            ),
        )
    )
    assert check(capsys, ".")[0] == 0


def test_notebooks_follow_the_exclude_rules_and_gitignore(project, capsys):
    (project / "skip").mkdir()
    (project / "skip" / "other.ipynb").write_text(ANALYSIS)
    (project / ".gitignore").write_text("skip/\n")
    (project / "tabguard.toml").write_text('exclude = ["analysis.ipynb"]\n')
    _, out, _ = check(capsys, ".")
    assert ".ipynb" not in out
    (project / ".ipynb_checkpoints").mkdir()  # Jupyter's autosaved copies: never walked into
    (project / ".ipynb_checkpoints" / "analysis-checkpoint.ipynb").write_text(ANALYSIS)
    assert ".ipynb" not in check(capsys, ".")[1]
    # a notebook named on the command line is checked whatever the exclusions
    assert "other.ipynb:cell 5" in check(capsys, "skip/other.ipynb")[1]


@pytest.mark.parametrize(
    "text, reason",
    [
        ("{ not json", "not valid JSON"),
        ('{"worksheets": [], "nbformat": 3, "metadata": {}}', "nbformat 3"),
        ('{"metadata": {}, "nbformat": 4}', "not a notebook (no `cells` list)"),
        ("", "not valid JSON"),
    ],
)
@pytest.mark.parametrize("format", ["text", "json", "sarif"])
def test_a_malformed_notebook_is_a_notice_and_the_run_goes_on(project, capsys, text, reason, format):
    (project / "broken.ipynb").write_text(text)
    status, out, err = check(capsys, ".", "--format", format)
    assert status == 1  # the findings of the other files; the notebook is named, not a crash
    assert f"notice: broken.ipynb: not checked: {reason}" in err
    assert "app.py" in out and "analysis.ipynb" in out
    if format == "json":
        assert {"path": "broken.ipynb", "rule": None, "kind": "not-checked"}.items() <= next(
            i for i in json.loads(out) if i["path"] == "broken.ipynb"
        ).items()
    if format == "sarif":
        notes = json.loads(out)["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        assert any(n["message"]["text"].startswith("broken.ipynb: not checked") for n in notes)


def test_a_cell_that_does_not_parse_is_a_notice_naming_the_cell(tmp_path, capsys):
    (tmp_path / "n.ipynb").write_text(
        notebook(code("import os"), code("x = 1\ndef f(:\n    pass"), code("os.system(input())"))
    )
    status, out, err = check(capsys, ".")
    assert status == 1 and "n.ipynb:cell 3:line 1:col 11: TG101" in out
    # Jupyter runs no line of a cell that does not parse: the cell is not checked, the others are
    assert (
        "notice: n.ipynb:cell 2:line 2:col 7: does not parse (invalid syntax); lines 1-3 of cell 2 not checked" in err
    )


def test_suppression_comments_work_in_their_own_cell_only(tmp_path, capsys):
    (tmp_path / "n.ipynb").write_text(
        notebook(
            code("import os\ncmd = input()"),
            code(
                "os.system(cmd)  # tabguard: ignore[TG101]\n!echo {cmd}  # noqa: S605"
            ),  # sh reads `#` as a comment too
            code("# tabguard: ignore[TG101]"),
            code("os.system(cmd)"),  # the comment ending the cell above does not reach into this one
        )
    )
    _, out, _ = check(capsys, ".")
    assert [line.split(" [")[0] for line in out.splitlines()[:-1]] == ["n.ipynb:cell 4:line 1:col 11: TG101"]


def test_the_baseline_holds_notebook_findings_across_moved_cells(project, capsys):
    baseline = project / "baseline.json"
    assert check(capsys, ".", "--baseline", baseline)[0] == 0
    assert check(capsys, ".", "--baseline", baseline)[0] == 0
    data = json.loads(ANALYSIS)
    data["cells"].insert(0, code("import math\n"))  # every cell moves down one
    data["cells"][3]["outputs"].append(stream("done\n"))
    (project / "analysis.ipynb").write_text(json.dumps(data, indent=1))
    assert check(capsys, ".", "--baseline", baseline)[0] == 0
    data["cells"].append(code("eval(name)"))
    (project / "analysis.ipynb").write_text(json.dumps(data, indent=1))
    status, out, _ = check(capsys, ".", "--baseline", baseline)
    assert status == 1 and out.splitlines()[0].startswith("analysis.ipynb:cell 7:line 1:col 6: TG103")


def test_select_and_ignore_apply_to_the_outputs_rule(project, capsys):
    assert "TG314" not in check(capsys, ".", "--ignore", "TG314")[1]
    out = check(capsys, ".", "--select", "TG314")[1]
    assert [line.split(" [")[0] for line in out.splitlines()[:-1]] == [
        "analysis.ipynb:cell 3:output 1:line 1:col 1: TG314"
    ]


def test_notebook_results_are_cached_like_files(project, capsys, monkeypatch):
    import tabguard.batch

    first = main(["check", "."]), capsys.readouterr()
    calls = []
    monkeypatch.setattr(tabguard.batch, "analyse_notebook", lambda *a, **k: calls.append(a) or 1 / 0)
    assert (main(["check", "."]), capsys.readouterr()) == first  # unchanged: answered from the cache
    assert calls == []
    (project / "analysis.ipynb").write_text(ANALYSIS.replace("rm ", "rm -f "))
    with pytest.raises(ZeroDivisionError):
        main(["check", "."])
    assert len(calls) == 1


def test_the_gate_sees_ai_code_accepted_into_a_cell(project, capsys):
    from tabguard.notebook import Notebook, VirtualModule
    from tabguard.provenance.tracker import Provenance

    (project / ".git").mkdir()  # the workspace root
    path = project / "analysis.ipynb"
    lines = VirtualModule.build([c.source for c in Notebook.from_json(ANALYSIS).code_cells()]).source_lines
    # the ledger counts the code cells' own lines: cell 5's three lines are lines 6-8 (cell 2 has 4)
    assert lines[5:8] == ["!ls {name}", "data = pickle.loads(open(name, 'rb').read())", "os.system('rm ' + name)"]
    Provenance(project).record_accept(path, lines, 5, 8, "copilot", False)
    status, out, err = check(capsys, ".", "--gate")
    assert status == 1
    assert "analysis.ipynb:cell 5:line 1:col 1: TG101 [critical, high confidence]" in out
    assert "[AI-inserted (copilot), not reviewed]" in out.splitlines()[2]
    assert "AI-inserted" not in out.splitlines()[1]  # the output finding (cell 3) is in no AI span
    assert "gate: analysis.ipynb:6-8 (cell 5, lines 1-3): AI-inserted (copilot), not reviewed, holds 4 findings" in err


def test_a_suppression_inside_unreviewed_ai_code_in_a_cell_is_not_honoured(project, capsys):
    from tabguard.notebook import Notebook, VirtualModule
    from tabguard.provenance.tracker import Provenance

    (project / ".git").mkdir()
    data = json.loads(ANALYSIS)
    data["cells"][4]["source"][2] = "os.system('rm ' + name)  # tabguard: ignore[TG101]"
    text = json.dumps(data, indent=1)
    (project / "analysis.ipynb").write_text(text)
    assert "cell 5:line 3" not in check(capsys, ".")[1]  # honoured: written by a person
    lines = VirtualModule.build([c.source for c in Notebook.from_json(text).code_cells()]).source_lines
    Provenance(project).record_accept(project / "analysis.ipynb", lines, 7, 8, "copilot", False)
    assert "analysis.ipynb:cell 5:line 3:col 11: TG101" in check(capsys, ".")[1]


def test_max_file_size_counts_a_notebooks_code_not_its_outputs(project, capsys):
    (project / "tabguard.toml").write_text("max-file-size = 2000\n")
    picture = {"output_type": "display_data", "metadata": {}, "data": {"image/png": "iVBORw0KGgo" * 2000}}
    data = json.loads(ANALYSIS)
    data["cells"][2]["outputs"].append(picture)  # a 22 kB file with 300 characters of code
    (project / "analysis.ipynb").write_text(json.dumps(data, indent=1))
    status, out, _ = check(capsys, ".")
    assert status == 1 and "analysis.ipynb:cell 5:line 3:col 11: TG101" in out
    data["cells"].append(code("x = 1\n" * 400))
    (project / "analysis.ipynb").write_text(json.dumps(data, indent=1))
    status, out, err = check(capsys, ".")
    assert status == 2 and "analysis.ipynb: 2586 characters of code is over max-file-size (2000), skipped" in err
