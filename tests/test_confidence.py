"""Per-finding confidence: data flow from outside input is high, a merely non-constant value is low,
and every output (text, JSON, SARIF, LSP data, hover, explain, rules) shows the finding's own grade."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from tabguard.analysis import analyze_text, confidence_of
from tabguard.cli import main
from tabguard.rules import all_rules, rule_by_id

CODE = (
    "from flask import request\n\n"
    "def by_table(cur, table):\n"
    '    cur.execute(f"SELECT * FROM {table}")\n\n'
    "def by_id(cur):\n"
    "    cur.execute(f\"SELECT * FROM t WHERE id = {request.args['id']}\")\n"
)


def _tg105(text: str = CODE):
    return [f for f in analyze_text(text).findings() if f.rule_id == "TG105"]


def test_taint_makes_high_a_non_constant_value_low():
    unconfirmed, confirmed = sorted(_tg105(), key=lambda f: f.span.start_line)
    assert unconfirmed.confidence == "low" and unconfirmed.severity == "high"
    assert confirmed.confidence == "high" and confirmed.severity == "critical"


def test_a_finding_without_its_own_grade_takes_the_rules_default():
    (finding,) = analyze_text("import requests\nrequests.get('https://x', verify=False, timeout=5)\n").findings()
    assert finding.confidence is None and confidence_of(finding) == rule_by_id(finding.rule_id).confidence


def test_moved_copies_keep_their_confidence():
    finding = _tg105()[0]
    assert finding.shifted(3).confidence == finding.confidence == "low"


def test_every_rule_that_raises_severity_declares_it():
    # `raised()` reads `raises_when_tainted`; a module calling it without the flag would never raise.
    for rule in all_rules():
        module = Path(__import__(type(rule).__module__, fromlist=["x"]).__file__).read_text(encoding="utf-8")
        calls = any(
            isinstance(n, ast.Call) and getattr(n.func, "id", "") == "raised" for n in ast.walk(ast.parse(module))
        )
        assert calls == rule.raises_when_tainted, rule.id


def test_every_rule_that_lowers_confidence_declares_it():
    # `unconfirmed()` reads `lowers_confidence_without_taint`; a rule calling it without the flag would
    # report at its default confidence while `rules` and `explain` said so too: both must agree.
    for rule in all_rules():
        module = Path(__import__(type(rule).__module__, fromlist=["x"]).__file__).read_text(encoding="utf-8")
        calls = any(
            isinstance(n, ast.Call) and getattr(n.func, "id", "") == "unconfirmed" for n in ast.walk(ast.parse(module))
        )
        assert calls == rule.lowers_confidence_without_taint, rule.id


def test_min_confidence_flag_and_config_key(tmp_path, capsys):
    path = tmp_path / "app.py"
    path.write_text(CODE)
    assert main(["check", str(path), "--no-cache"]) == 1
    assert capsys.readouterr().out.count("TG105") == 2
    assert main(["check", str(path), "--no-cache", "--min-confidence", "medium"]) == 1
    out = capsys.readouterr().out
    assert out.count("TG105") == 1 and ":7:" in out
    path.write_text(CODE.split("def by_id")[0])
    assert main(["check", str(path), "--no-cache", "--min-confidence", "high"]) == 0
    (tmp_path / "tabguard.toml").write_text('min-confidence = "medium"\n')
    assert main(["check", str(path), "--no-cache"]) == 0
    assert main(["check", str(path), "--no-cache", "--min-confidence", "low"]) == 1
    (tmp_path / "tabguard.toml").write_text('min-confidence = "sure"\n')
    assert main(["check", str(path), "--no-cache"]) == 2
    assert "min-confidence" in capsys.readouterr().err


def test_text_json_and_sarif_show_the_findings_own_grade(tmp_path, capsys):
    path = tmp_path / "app.py"
    path.write_text(CODE)
    capsys.readouterr()
    main(["check", str(path), "--no-cache"])
    lines = capsys.readouterr().out.splitlines()
    assert re.search(r":4:17: TG105 \[high, low confidence\] SQL", lines[0]), lines
    assert re.search(r":7:17: TG105 \[critical, high confidence\] SQL", lines[1]), lines
    main(["check", str(path), "--no-cache", "--format", "json"])
    items = json.loads(capsys.readouterr().out)
    assert [(i["severity"], i["confidence"]) for i in items] == [("high", "low"), ("critical", "high")]
    main(["check", str(path), "--no-cache", "--format", "sarif"])
    results = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    assert [(r["properties"]["confidence"], r["rank"]) for r in results] == [("low", 30.0), ("high", 90.0)]


def test_cached_findings_keep_their_confidence(tmp_path, capsys):
    path = tmp_path / "app.py"
    path.write_text(CODE)
    for _ in range(2):  # the second run reads the cache
        main(["check", str(path), "--format", "json"])
        items = json.loads(capsys.readouterr().out)
        assert [i["confidence"] for i in items] == ["low", "high"]


def test_rules_and_explain_show_the_raised_severity(capsys):
    main(["rules"])
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("TG105"))
    assert "high (critical with user input)" in row
    main(["rules", "--format", "json"])
    entry = next(r for r in json.loads(capsys.readouterr().out) if r["id"] == "TG105")
    assert entry["severity_with_user_input"] == "critical"
    assert (entry["confidence"], entry["confidence_without_user_input"]) == ("high", "low")
    main(["explain", "TG105"])
    out = " ".join(capsys.readouterr().out.split())  # wrapped to the terminal's width
    assert "critical with user input" in out and "high (low without user input)" in out
    main(["rules", "--format", "json"])
    entry = next(r for r in json.loads(capsys.readouterr().out) if r["id"] == "TG201")
    assert entry["confidence"] == entry["confidence_without_user_input"]
