"""The labelled corpus (`tests/corpus/*.py`): every `# expect: CWE-N` statement is flagged by a finding
with CWE-N, and no `# secure: CWE-N` statement is flagged at all. Scored the same way as
`benchmarks/detection.py`, but in-process: the one corpus checker."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from tabguard.analysis import analyze_text, visible
from tabguard.rules import all_rules

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("benchmark_detection", ROOT / "benchmarks" / "detection.py")
detection = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = detection  # dataclasses resolve their module through sys.modules
_spec.loader.exec_module(detection)

FILES = detection.corpus_files(ROOT / "tests" / "corpus")
CWES = {rule.id: tuple(rule.cwe) for rule in all_rules()}


def _hits(path: Path) -> list:
    text = path.read_text(encoding="utf-8")
    doc = analyze_text(text, path.name)
    return [
        detection.Hit(path.name, f.span.start_line + 1, CWES.get(f.rule_id, ()), f.rule_id)
        for f in visible(doc.findings(), doc.lines)
    ]


def test_corpus_has_annotations():
    notes = [n for path in FILES for n in detection.annotations(path)]
    assert any(n.kind == "expect" for n in notes)
    assert any(n.kind == "secure" for n in notes)


def test_insecure_default_scenarios_have_flaws_and_secure_counterparts():
    scenarios = [path for path in FILES if path.name.startswith("defaults_")]
    assert len(scenarios) >= 5
    for path in scenarios:
        assert {n.kind for n in detection.annotations(path)} == {"expect", "secure"}, path.name


def test_statement_range_covers_multiline_calls_and_headers():
    import ast

    tree = ast.parse("x = f(\n    a,\n    b,\n)\nwith open(\n    p\n) as fh:\n    y = 1\n")
    assert detection.statement_range(tree, 2) == (1, 4)
    assert detection.statement_range(tree, 6) == (5, 7)
    assert detection.statement_range(tree, 8) == (8, 8)


@pytest.mark.skipif(not FILES, reason="no corpus files yet")
def test_every_expect_is_flagged_and_no_secure_line_is():
    notes = [n for path in FILES for n in detection.annotations(path)]
    hits = [h for path in FILES for h in _hits(path)]
    total = detection.score(notes, hits)["total"]
    problems = "\n".join(
        f"{note.where()} [{note.kind}] {why}"
        for note, why in sorted(total.misses, key=lambda m: (m[0].file, m[0].line))
    )
    assert not total.misses, (
        f"{total.expected - total.cwe_right}/{total.expected} expected findings missing or with the wrong CWE, "
        f"{total.false_alarms}/{total.secure} false alarms:\n{problems}"
    )


# The seed's case studies (a bank API whose tokens never expire, a records service with IDOR, a shop
# whose admin Blueprint is protected only in the UI) each have a secure twin, `<case>_secure.py`.
TWINS = sorted(path for path in FILES if path.stem.endswith("_secure"))


def test_case_studies_have_secure_twins():
    cases = {path.stem for path in FILES}
    assert {"access_bank_api_tokens", "access_health_records_idor", "access_shop_admin_blueprint"} <= cases
    assert all(path.stem[: -len("_secure")] in cases for path in TWINS) and len(TWINS) >= 3


@pytest.mark.parametrize("twin", TWINS, ids=lambda p: p.stem)
def test_secure_twin_has_no_finding_at_all(twin: Path):
    # Supply-chain findings (TG7xx) depend on what the workspace declares and installs, not on the code.
    found = [h for h in _hits(twin) if not h.rule.startswith("TG7")]
    assert not found, "\n".join(f"{twin.name}:{h.line} {h.rule}" for h in found)
