"""The command line: exit codes, formats, clear errors for bad input."""

from __future__ import annotations

import json
import sys

from tabguard import __version__
from tabguard.cli import main
from tabguard.rules import all_rules

FLAW = "import subprocess\n\ndef run(cmd):\n    subprocess.run(f'ls {cmd}', shell=True)\n"


def test_exit_codes_and_text_output(tmp_path, capsys):
    clean = tmp_path / "clean.py"
    clean.write_text("print('hi')\n")
    assert main(["check", str(clean)]) == 0
    flawed = tmp_path / "flawed.py"
    flawed.write_text(FLAW)
    assert main(["check", str(flawed)]) == 1
    line = capsys.readouterr().out.splitlines()[-2]
    assert line.startswith(f"{flawed.as_posix()}:4:") and " TG100 " in line
    assert main(["check", str(tmp_path / "missing.py")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_select_ignore_min_severity_and_suppressions(tmp_path, capsys):
    path = tmp_path / "a.py"
    path.write_text(FLAW)
    assert main(["check", str(path), "--ignore", "TG1"]) == 0
    assert main(["check", str(path), "--select", "TG2"]) == 0
    assert main(["check", str(path), "--min-severity", "critical"]) == 0
    path.write_text(FLAW.replace("shell=True)", "shell=True)  # tabguard: ignore[TG100]"))
    assert main(["check", str(path)]) == 0
    path.write_text(FLAW.replace("shell=True)", "shell=True)  # nosec B602"))
    assert main(["check", str(path)]) == 0
    path.write_text(FLAW.replace("shell=True)", "shell=True)  # tabguard: ignore[TG1OO]"))
    assert main(["check", str(path)]) == 1
    assert "TG900" in capsys.readouterr().out


def test_sarif_carries_rules_cwe_severity_and_fixes(tmp_path, capsys):
    path = tmp_path / "a.py"
    path.write_text(FLAW)
    capsys.readouterr()
    assert main(["check", str(path), "--format", "sarif"]) == 1
    sarif = json.loads(capsys.readouterr().out)
    run = sarif["runs"][0]
    assert sarif["version"] == "2.1.0" and len(run["tool"]["driver"]["rules"]) == len(all_rules())
    rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "TG100")
    assert "security" in rule["properties"]["tags"] and "external/cwe/cwe-78" in rule["properties"]["tags"]
    assert float(rule["properties"]["security-severity"]) >= 7 and rule["helpUri"].endswith("TG100.md")
    (result,) = run["results"]
    assert result["ruleId"] == "TG100" and result["locations"][0]["physicalLocation"]["region"]["startLine"] == 4
    assert result["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"].startswith(
        "subprocess.run(["
    )


def test_broken_config_and_unreadable_files_are_reported(tmp_path, capsys):
    (tmp_path / "tabguard.toml").write_text("select = [1, 2\n")
    (tmp_path / "a.py").write_text("x = 1\n")
    assert main(["check", str(tmp_path)]) == 2
    assert "config error" in capsys.readouterr().err
    (tmp_path / "tabguard.toml").write_text("bulk-insert-lines = -3\nselect = ['TG1']\n")
    assert main(["check", str(tmp_path)]) == 2
    assert "bulk-insert-lines" in capsys.readouterr().err
    (tmp_path / "tabguard.toml").unlink()
    (tmp_path / "latin.py").write_bytes("x = 'caf\xe9'\n".encode("latin-1"))
    assert main(["check", str(tmp_path), "--no-cache"]) == 2
    assert "latin.py: not valid utf-8" in capsys.readouterr().err


def test_rules_explain_and_version(capsys):
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    assert "TG100" in out and "CWE-78" in out
    assert main(["explain", "tg100"]) == 0
    text = capsys.readouterr().out
    assert "WHY IS THIS EXPLOITABLE" in text and "SECURE EXAMPLE" in text
    assert main(["explain", "TG000"]) == 2
    assert main(["--version"]) == 0
    assert __version__ in capsys.readouterr().out


SEVERAL = "import requests\n\ndef f(url):\n    requests.get(url, verify=False); eval(url)\n"


def test_findings_on_one_line_are_in_column_order(tmp_path, capsys):
    # TG201 is reported while the call's keywords are visited, before TG215 on the call itself.
    path = tmp_path / "app.py"
    path.write_text(SEVERAL)
    for fmt in ("text", "json"):
        main(["check", str(path), "--no-cache", "--format", fmt])
        out = capsys.readouterr().out
        places = (
            [(i["start"]["column"], i["rule"]) for i in json.loads(out)]
            if fmt == "json"
            else [(int(line.split(":")[2]), line.split()[1]) for line in out.splitlines()[:-1]]
        )
        assert places == [(5, "TG215"), (23, "TG201"), (43, "TG103")], places


def test_severity_is_coloured_only_for_a_terminal_without_no_color(tmp_path, capsys, monkeypatch):
    path = tmp_path / "app.py"
    path.write_text(FLAW)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")

    def first_line(*extra):
        monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
        main(["check", str(path), "--no-cache", *extra])
        return capsys.readouterr().out.splitlines()[0]

    assert "TG100 [\033[31mhigh\033[0m, low confidence]" in first_line()
    monkeypatch.setenv("NO_COLOR", "1")
    assert "TG100 [high, low confidence]" in first_line()
    monkeypatch.setenv("NO_COLOR", "")  # an empty NO_COLOR does not count (no-color.org)
    assert "\033[" in first_line()
    monkeypatch.setenv("TERM", "dumb")
    assert "\033[" not in first_line()
    monkeypatch.setenv("TERM", "xterm-256color")
    report = tmp_path / "report.txt"
    main(["check", str(path), "--no-cache", "-o", str(report)])  # stdout is still the terminal
    assert "\033[" not in report.read_text() and "[high, low confidence]" in report.read_text()
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    main(["check", str(path), "--no-cache"])
    assert "\033[" not in capsys.readouterr().out
