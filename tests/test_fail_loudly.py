"""No silent passes: each case here once printed "No findings" (or passed a gate) while checking
nothing, or gave a contradictory message; now it fails loudly, the same way in CLI and editor."""

from __future__ import annotations

import pytest

from tabguard.cli import main
from tabguard.config import load_config

FLAW = "import subprocess\n\ndef run(cmd):\n    subprocess.run(f'ls {cmd}', shell=True)\n"


@pytest.fixture
def flawed(tmp_path):
    path = tmp_path / "app.py"
    path.write_text(FLAW)
    return path


@pytest.mark.parametrize("flag", ["--select", "--ignore"])
def test_unknown_rule_on_the_command_line_is_exit_2_with_a_suggestion(flawed, capsys, flag):
    assert main(["check", str(flawed), "--no-cache", flag, "TG9999"]) == 2
    err = capsys.readouterr().err
    assert f"{flag}: unknown rule 'TG9999'; did you mean 'TG900'?" in err
    assert main(["check", str(flawed), "--no-cache", flag, "subprocess-shell-injektion"]) == 2
    assert "did you mean 'subprocess-shell-injection'?" in capsys.readouterr().err


def test_rule_names_work_where_ids_do(flawed, capsys):
    assert main(["check", str(flawed), "--no-cache", "--select", "subprocess-shell-injection"]) == 1
    assert "TG100" in capsys.readouterr().out
    assert main(["check", str(flawed), "--no-cache", "--ignore", "subprocess-shell-injection,TG215"]) == 0


def test_unknown_rule_in_the_config_is_exit_2(flawed, tmp_path, capsys):
    (tmp_path / "tabguard.toml").write_text('select = ["TG9999"]\n')
    assert main(["check", str(flawed), "--no-cache"]) == 2
    err = capsys.readouterr().err
    assert "select: unknown rule 'TG9999'" in err and "nothing was checked" in err
    (tmp_path / "tabguard.toml").write_text(
        'select = ["sql-built-by-formatting", "TG1"]\n'
        'per-file-ignores = { "app.py" = ["subprocess-shell-injection"] }\n'
    )
    config = load_config(tmp_path)
    assert not config.problems and config["select"] == ["TG105", "TG1"]
    assert config["per-file-ignores"] == {"app.py": ["TG100"]}
    assert main(["check", str(flawed), "--no-cache"]) == 0


def test_a_bad_value_is_reported_once_without_claiming_it_was_ignored(flawed, tmp_path, capsys):
    (tmp_path / "tabguard.toml").write_text("max-file-size = -1\n")
    assert main(["check", str(flawed), "--no-cache"]) == 2
    err = capsys.readouterr().err
    assert "'max-file-size': got -1; expected positive integer" in err
    assert "keeping the default" not in err and "ignored" not in err and "nothing was checked" in err


def test_a_tool_tabguard_header_is_accepted_in_tabguard_toml(flawed, tmp_path):
    (tmp_path / "tabguard.toml").write_text('[tool.tabguard]\nignore = ["TG100"]\n')
    config = load_config(tmp_path)
    assert not config.problems and config["ignore"] == ["TG100"]
    assert main(["check", str(flawed), "--no-cache"]) == 0


def test_a_mistyped_key_gets_a_suggestion(tmp_path):
    (tmp_path / "tabguard.toml").write_text('ignroe = ["TG100"]\nper_file_ignore = {}\n')
    problems = [p.message for p in load_config(tmp_path).problems]
    assert problems == [
        "unknown key 'ignroe'; did you mean 'ignore'?",
        "unknown key 'per_file_ignore'; did you mean 'per-file-ignores'?",
    ]


def test_gate_without_a_ledger_says_so_and_fails_when_required(flawed, tmp_path, capsys):
    assert main(["check", "--gate", str(flawed), "--no-cache"]) == 0
    err = capsys.readouterr().err
    assert "no provenance ledger" in err and "nothing to gate on" in err
    assert main(["check", "--gate", "--require-ledger", str(flawed), "--no-cache"]) == 1
    assert "a ledger is required" in capsys.readouterr().err
    (tmp_path / "tabguard.toml").write_text("require-ledger = true\n")
    assert main(["check", "--gate", str(flawed), "--no-cache"]) == 1


def test_explain_accepts_names_and_renders_for_a_terminal(capsys):
    assert main(["explain", "tls-verify-disabled"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("TG201 tls-verify-disabled\n")
    assert "WHY IS THIS EXPLOITABLE" in out and "**" not in out and "```" not in out and "](" not in out
    assert "\n    requests.get(url, timeout=10)\n" in out
    assert main(["explain", "TG201", "--format", "markdown"]) == 0
    assert "### Why is this exploitable" in capsys.readouterr().out
    assert main(["explain", "tls-verify-disabld"]) == 2
    assert "did you mean 'tls-verify-disabled'?" in capsys.readouterr().err


# Half-typed code, and code in a newer Python's syntax (a t-string): the rest of the file is checked,
# and the part that is not is said, with its place, in every format and from the cache too.
BROKEN = "import subprocess\n\n\ndef f(:\n    pass\n\n\ndef run(cmd):\n    subprocess.run(f'ls {cmd}', shell=True)\n"


def test_code_that_does_not_parse_is_a_notice_with_its_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TABGUARD_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "broken.py").write_text(BROKEN)
    (tmp_path / "tstring.py").write_text('name = "x"\ngreeting = t"hello {name}"\n')
    for _ in range(2):  # the second run answers from the result cache
        assert main(["check", str(tmp_path)]) == 1  # the flaw after the broken function is found
        out, err = capsys.readouterr()
        assert "broken.py:9:" in out and "TG100" in out
        assert (
            "notice: " in err
            and "broken.py:4:7: does not parse (invalid syntax); lines 4-5 not checked, the rest was" in err
        )
        assert "tstring.py:2:" in err and "line 2 not checked" in err


def test_parse_gaps_in_json_and_sarif(tmp_path, capsys):
    import json

    (tmp_path / "broken.py").write_text(BROKEN)
    assert main(["check", str(tmp_path), "--no-cache", "--format", "json"]) == 1
    items = json.loads(capsys.readouterr().out)
    assert all("rule" in item for item in items)  # one shape: consumers can read `rule` of every item
    gap = next(item for item in items if item["rule"] is None)
    assert gap["kind"] == "syntax-error" and gap["start"] == {"line": 4, "column": 7} and gap["end"]["line"] == 5
    assert main(["check", str(tmp_path), "--no-cache", "--format", "sarif"]) == 1
    invocation = json.loads(capsys.readouterr().out)["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"]
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "warning" and note["locations"][0]["physicalLocation"]["region"]["startLine"] == 4


def test_a_clean_file_with_a_parse_gap_exits_0_but_says_so(tmp_path, capsys):
    (tmp_path / "half.py").write_text("x = 1\ny = (\n")
    assert main(["check", str(tmp_path / "half.py"), "--no-cache"]) == 0
    assert "half.py:2:5: does not parse" in capsys.readouterr().err
