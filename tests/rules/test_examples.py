"""Every example of every rule is a test: invalid code is flagged, valid code is not, and each
secure rewrite produces the expected text, parses, and is no longer flagged by any rule."""

from __future__ import annotations

import ast

import pytest

from tabguard.analysis import analyze_text, check_dependency_file, visible
from tabguard.config import Config
from tabguard.engine.fixes import apply_edits, materialize
from tabguard.engine.rule import Invalid, Valid
from tabguard.notebook.checking import is_notebook
from tabguard.rules import all_rules
from tabguard.supply.depfiles import is_dependency_file

from rule_examples import assert_pinned, examples, is_todo

RULES = all_rules()


def _cases(kind: str):
    # requirements/pyproject examples run in tests/supply; notebooks in tests/notebook
    return examples(kind, lambda rule, path: not (is_dependency_file(path) or is_notebook(path)))


def _ids(doc) -> list[str]:
    return [f.rule_id for f in doc.findings()]


@pytest.mark.parametrize("rule,example", list(_cases("VALID")))
def test_valid_example_is_not_flagged(rule, example: Valid):
    doc = analyze_text(example.code, example.path)
    assert rule.id not in _ids(doc), [f for f in doc.findings() if f.rule_id == rule.id]


@pytest.mark.parametrize("rule,example", list(_cases("INVALID")))
def test_invalid_example_is_flagged_and_fixed(rule, example: Invalid):
    doc = analyze_text(example.code, example.path)
    fix = assert_pinned(rule, example, doc.findings())[0].fix()
    if is_todo(rule, example):
        return
    if example.fixed is None:
        assert fix is None, f"{rule.id} offers a fix its examples do not document: {fix}"
        return
    assert fix is not None, f"{rule.id} offered no fix"
    fixed = "\n".join(apply_edits(doc.lines, materialize(fix, doc.lines)))
    assert fixed == example.fixed
    ast.parse(fixed)
    before = set(_ids(doc))
    after = analyze_text(fixed, example.path)
    assert rule.id not in _ids(after), f"{rule.id} still flags its own rewrite:\n{fixed}"
    assert set(_ids(after)) <= before, f"the rewrite introduced findings {set(_ids(after)) - before}"


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_documented_secure_example_is_not_flagged(rule, tmp_path):
    """The `example` section shows secure code: no rule flags it (read offline, in a folder of its own)."""
    path = tmp_path / rule.example_path
    text = rule.example.strip() + "\n"
    if is_dependency_file(path):
        path.write_text(text)
        found = check_dependency_file(path, text, Config(), online=False)
    else:
        found = analyze_text(text, str(path)).findings()
    assert [(f.rule_id, f.message) for f in visible(found, text.splitlines())] == []


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_metadata_is_complete(rule):
    for attr in ("name", "message", "what", "why", "how", "example", "fix_safety"):
        assert getattr(rule, attr).strip(), f"{rule.id}.{attr} is empty"
    assert rule.references, f"{rule.id} has no references"
    assert rule.INVALID, f"{rule.id} has no invalid example"
    if rule.id != "TG900":
        assert rule.VALID, f"{rule.id} has no valid example"
        assert rule.owasp, f"{rule.id} has no OWASP category"
