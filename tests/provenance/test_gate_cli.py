"""`tabguard check --gate / --require-review`, `tabguard review`, `tabguard init`, AI notes in reports."""

import json
from pathlib import Path

import pytest
from provenance_helpers import write
from tabguard.cli import main
from tabguard.config import load_config
from tabguard.output import sarif
from tabguard.provenance import Provenance
from tabguard.scan import scan_file

AI_CODE = [
    "import subprocess",
    "",
    "",
    "def run(cmd):",
    "    subprocess.call(cmd, shell=True)",
    "    return 1",
    "",
    "",
    "def tidy():",
    "    return 2",
]


def _workspace(tmp_path, code=AI_CODE, span=(3, 6)):
    path = tmp_path / "app.py"
    lines = write(path, "\n".join(code) + "\n")
    Provenance(tmp_path).record_accept(path, lines, *span, "copilot", False, "openai/gpt-4o")
    return path


def test_gate_fails_on_a_finding_in_unreviewed_ai_code_until_reviewed(tmp_path, capsys):
    path = _workspace(tmp_path)
    assert main(["check", "--gate", str(path)]) == 1
    err = capsys.readouterr().err
    assert "app.py:4-6: AI-inserted (copilot), not reviewed, holds 1 finding (TG100)" in err
    assert main(["review", f"{path}:5", "--by", "Ada"]) == 0
    assert "reviewed by Ada" in capsys.readouterr().out
    assert main(["check", "--gate", str(path)]) == 0
    assert main(["check", str(path)]) == 1  # the finding itself is still reported
    # An edit to the reviewed code, made while no tabguard was running, fails the gate again.
    path.write_text(path.read_text().replace("return 1", "return 0"))
    assert main(["check", "--gate", str(path)]) == 1


def test_gate_ignores_findings_outside_ai_code_and_require_review_fails_on_any_unreviewed_span(tmp_path):
    path = _workspace(tmp_path, span=(8, 10))
    assert main(["check", str(path)]) == 1
    assert main(["check", "--gate", str(path)]) == 0
    assert main(["check", "--require-review", str(path)]) == 1
    assert main(["review", str(path), "--by", "Ada"]) == 0
    assert main(["check", "--require-review", str(path)]) == 0


def test_gate_passes_without_any_ledger_and_says_why(tmp_path, capsys):
    path = tmp_path / "app.py"
    write(path, "\n".join(AI_CODE) + "\n")
    assert main(["check", "--gate", "--require-review", str(path)]) == 0
    assert "no provenance ledger" in capsys.readouterr().err
    assert not (tmp_path / ".agent-trace").exists()


def test_a_suppression_inside_unreviewed_ai_code_is_not_honoured(tmp_path, capsys):
    code = list(AI_CODE)
    code[4] = "    subprocess.call(cmd, shell=True)  # tabguard: ignore[TG100]"
    path = _workspace(tmp_path, code=code)
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "TG100" in out and "suppression comment is not honoured" in out
    main(["check", "--format", "json", str(path)])
    (item,) = json.loads(capsys.readouterr().out)
    assert item["ai"]["note"].endswith("its suppression comment is not honoured until reviewed")
    main(["review", str(path), "--by", "Ada"])
    capsys.readouterr()
    assert main(["check", str(path)]) == 0


def test_json_and_sarif_carry_the_ai_annotation(tmp_path, capsys):
    path = _workspace(tmp_path)
    main(["check", "--format", "json", str(path)])
    (item,) = json.loads(capsys.readouterr().out)
    assert item["ai"]["origin"] == "copilot" and item["ai"]["reviewed"] is False
    assert item["ai"]["model_id"] == "openai/gpt-4o"
    # SARIF result properties, built from the same annotated finding.
    prov = Provenance(tmp_path)
    result = scan_file(path, "app.py", load_config(path))
    prov.open_file(path, result.lines)
    prov.annotate(path, result.findings)
    (finding,) = result.findings
    properties = sarif.result_object(result, finding, {})["properties"]
    assert properties["aiInserted"] is True and properties["origin"] == "copilot" and properties["reviewed"] is False


def test_review_of_a_range_without_ai_code_changes_nothing(tmp_path, capsys):
    path = _workspace(tmp_path)
    assert main(["review", f"{path}:8-10", "--by", "Ada"]) == 0
    assert "no unreviewed AI-inserted spans" in capsys.readouterr().out
    assert not (tmp_path / ".tabguard" / "reviews.jsonl").exists()
    assert main(["review", f"{tmp_path}/missing.py:1"]) == 2


def test_review_of_a_folder_marks_every_tracked_file(tmp_path):
    first = _workspace(tmp_path)
    second = tmp_path / "pkg" / "mod.py"
    lines = write(second, "a = 1\nb = 2\n")
    Provenance(tmp_path).record_accept(second, lines, 0, 2, "codeium", True)
    assert main(["review", str(tmp_path), "--by", "Ada"]) == 0
    prov = Provenance(tmp_path)
    for path in (first, second):
        prov.open_file(path, path.read_text().split("\n"))
        assert all(s.reviewed for s in prov.spans(path)) and prov.spans(path)


def test_init_writes_config_and_gitattributes_once(tmp_path, capsys):
    write(tmp_path / "pyproject.toml", '[project]\nname = "demo"\n')
    assert main(["init", str(tmp_path)]) == 0
    assert main(["init", str(tmp_path)]) == 0
    text = (tmp_path / "pyproject.toml").read_text()
    assert text.count("[tool.tabguard]") == 1
    config = load_config(tmp_path / "pyproject.toml")
    assert config.problems == [] and config.warnings == [] and config["bulk-insert-lines"] == 2
    assert (tmp_path / ".gitattributes").read_text().splitlines() == [
        ".agent-trace/traces.jsonl merge=union",
        ".tabguard/reviews.jsonl merge=union",
    ]


def test_init_without_pyproject_writes_tabguard_toml(tmp_path):
    assert main(["init", str(tmp_path)]) == 0
    config = load_config(tmp_path / "tabguard.toml")
    assert config.problems == [] and config.warnings == []  # nothing a repository may not set


def test_pre_commit_hooks_run_real_check_options():
    yaml = pytest.importorskip("yaml")
    from tabguard.cli import build_parser

    hooks = yaml.safe_load((Path(__file__).resolve().parents[2] / ".pre-commit-hooks.yaml").read_text())
    assert {h["id"] for h in hooks} == {"tabguard", "tabguard-gate", "tabguard-require-review"}
    for hook in hooks:
        program, *args = hook["entry"].split()
        assert program == "tabguard" and hook["language"] == "python"
        parsed = build_parser().parse_args([*args, "changed.py"])  # pre-commit appends the staged files
        assert parsed.command == "check" and parsed.paths == ["changed.py"]
