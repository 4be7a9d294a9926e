"""`tabguard rules` says which fixes are safe and which unsafe, and a rule listed with a fix (without
"some shapes") rewrites every flagged example its docs show."""

from __future__ import annotations

from pathlib import Path

import pytest

from tabguard.analysis import analyze_text
from tabguard.cli import main
from tabguard.fix_kinds import fix_label
from tabguard.rules import all_rules
from tabguard.supply.depfiles import is_dependency_file

RULES = all_rules()


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_a_rule_listed_with_a_fix_fixes_every_documented_example(rule):
    label = fix_label(rule)
    if not label:
        assert not rule.has_fix()
        return
    python = [e for e in rule.INVALID if not is_dependency_file(Path(e.path))]
    offered = []
    for example in python:
        mine = [f for f in analyze_text(example.code, example.path).findings() if f.rule_id == rule.id]
        offered.append(mine[0].fix() if mine else None)
    if "some shapes" in label:
        assert any(e.fixed is None for e in rule.INVALID)
        return
    assert all(fix is not None for fix in offered), f"{rule.id} is listed as {label!r} but leaves an example unfixed"
    kinds = {("safe" if fix.safe else "unsafe") for fix in offered}
    assert not python or set(label.split(", ")) == kinds


def test_rules_command_shows_fix_safety(capsys):
    assert main(["rules"]) == 0
    rows = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    assert rows["TG201"].endswith("unsafe, some shapes")  # `verify=VERIFY_TLS` is fixed where the name is set
    assert rows["TG900"].endswith("safe") and not rows["TG900"].endswith("unsafe")
    assert rows["TG302"].endswith("safe, unsafe, some shapes")  # usedforsecurity=False is the safe shape
    assert rows["TG411"].endswith("unsafe")  # the check now runs under -O, and raises PermissionError
    assert rows["TG105"].endswith("unsafe, some shapes")


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_the_written_fix_safety_agrees_with_the_label(rule):
    # Each rule says why its fix is safe or unsafe; the reason must name the kinds `tabguard rules` shows.
    kinds = set(fix_label(rule).replace(", some shapes", "").split(", ")) - {""}
    text = rule.fix_safety
    if not kinds:
        assert text.startswith("No automatic rewrite"), text
        return
    assert ("Unsafe" in text) == ("unsafe" in kinds), text
    assert ("Safe" in text) == ("safe" in kinds), text
