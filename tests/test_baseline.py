"""`check --baseline FILE`: record today's findings, then report only new ones, whatever moved."""

from __future__ import annotations

import json

from tabguard.cli import main

APP = """import subprocess


def ping(host):
    subprocess.run(f"ping -c 1 {host}", shell=True)


class Store:
    def find(self, cur, name):
        cur.execute(f"SELECT * FROM items WHERE name = '{name}'")
"""


def _rules(capsys) -> list[str]:
    return sorted(item["rule"] for item in json.loads(capsys.readouterr().out))


def test_round_trip_record_edit_rerun_shows_only_the_new_finding(tmp_path, capsys, monkeypatch):
    app = tmp_path / "src" / "app.py"
    app.parent.mkdir()
    app.write_text(APP)
    baseline = tmp_path / "tabguard-baseline.json"
    assert main(["check", str(app), "--no-cache", "--baseline", str(baseline)]) == 0
    assert "recorded 2 findings" in capsys.readouterr().err
    assert {e["rule"] for e in json.loads(baseline.read_text())["findings"]} == {"TG100", "TG105"}

    # Move everything down, re-indent nothing, add code between, and add one new flaw.
    edited = APP.replace("import subprocess\n", "import subprocess\nimport yaml\n\n\nTIMEOUT = 5\n")
    edited = edited.replace(
        "class Store:", "def load(text):\n    return yaml.load(text)\n\n\nclass Store:\n    '''Items.'''\n"
    )
    app.write_text(edited)
    assert main(["check", str(app), "--no-cache", "--format", "json", "--baseline", str(baseline)]) == 1
    assert _rules(capsys) == ["TG115"]

    # Run from another folder: paths in the baseline are relative to the baseline file.
    monkeypatch.chdir(app.parent)
    assert main(["check", "app.py", "--no-cache", "--format", "json", "--baseline", str(baseline)]) == 1
    assert _rules(capsys) == ["TG115"]


def test_a_copy_of_a_recorded_flaw_is_new_and_another_function_is_new(tmp_path, capsys):
    app = tmp_path / "app.py"
    app.write_text(APP)
    baseline = tmp_path / "b.json"
    main(["check", str(app), "--no-cache", "--baseline", str(baseline)])
    capsys.readouterr()
    # The same line twice in `ping`: one is recorded, the second occurrence is new.
    app.write_text(
        APP.replace(
            '    subprocess.run(f"ping -c 1 {host}", shell=True)\n',
            '    subprocess.run(f"ping -c 1 {host}", shell=True)\n' * 2,
        )
    )
    assert main(["check", str(app), "--no-cache", "--format", "json", "--baseline", str(baseline)]) == 1
    assert _rules(capsys) == ["TG100"]
    # The flagged line moved into another function: a different finding.
    app.write_text(APP.replace("def ping(host):", "def ping_host(host):"))
    assert main(["check", str(app), "--no-cache", "--format", "json", "--baseline", str(baseline)]) == 1
    assert _rules(capsys) == ["TG100"]


def test_update_rewrites_and_a_broken_baseline_is_an_error(tmp_path, capsys):
    app = tmp_path / "app.py"
    app.write_text(APP)
    baseline = tmp_path / "b.json"
    main(["check", str(app), "--no-cache", "--baseline", str(baseline)])
    app.write_text(APP + "\n\ndef more(text):\n    return eval(text)\n")
    assert main(["check", str(app), "--no-cache", "--baseline", str(baseline), "--update-baseline"]) == 0
    assert main(["check", str(app), "--no-cache", "--baseline", str(baseline)]) == 0
    baseline.write_text("{not json")
    assert main(["check", str(app), "--no-cache", "--baseline", str(baseline)]) == 2
    assert "not a usable baseline" in capsys.readouterr().err
    assert main(["check", str(app), "--no-cache", "--update-baseline"]) == 2


def test_the_same_relative_path_from_two_folders_is_two_workspaces(tmp_path, capsys, monkeypatch):
    # Regression: the supply-chain workspace was cached by the path as given, so `check app.py` in a
    # second project reused the first project's declared dependencies.
    for name, declared in (("one", "pyyaml"), ("two", "requests")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "requirements.txt").write_text(f"{declared}==1.0\n")
        (tmp_path / name / "app.py").write_text("import yaml\n")
    monkeypatch.chdir(tmp_path / "one")
    assert main(["check", "app.py", "--no-cache", "--select", "TG703"]) == 0
    monkeypatch.chdir(tmp_path / "two")
    assert main(["check", "app.py", "--no-cache", "--select", "TG703"]) == 1
    assert "TG703" in capsys.readouterr().out
