"""The command line: exit codes, formats, clear errors for bad input."""

from __future__ import annotations

import json

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
    assert result["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"].startswith("subprocess.run([")


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
