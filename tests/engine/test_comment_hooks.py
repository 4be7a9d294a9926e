"""Rules that read comments (`check_comments`): block-relative spans, the configured severity, and a
failing hook recorded like a failing visitor instead of stopping the check."""

from tabguard.analysis import analyze_text
from tabguard.engine.checker import RuleSet
from tabguard.engine.rule import Rule
from tabguard.rules import all_rules, rule_by_id

TEXT = "import os\n\n\ndef f():\n    return 1  # tabguard: ignore[TG1O1]\n"


def test_unknown_id_is_reported_at_its_place_in_the_file():
    found = [(f.rule_id, f.span.start_line, f.span.start_col) for f in analyze_text(TEXT).findings()]
    assert found == [("TG900", 4, 33)]


def test_configured_severity_applies():
    [finding] = analyze_text(TEXT, options={"severity": {"TG900": "high"}}).findings()
    assert finding.severity == "high"


class _Broken(Rule):
    id = "TG999"
    name = "broken"
    severity = "low"
    confidence = "low"
    cwe = (1,)
    message = "never"

    def check_comments(self, lines, ctx) -> None:
        raise ValueError("boom")


def test_failing_hook_is_recorded_and_the_others_still_run():
    rules = [_Broken(), rule_by_id("TG900")]
    doc = analyze_text(TEXT, ruleset=RuleSet(rules, known_ids=(r.id for r in all_rules())))
    assert [f.rule_id for f in doc.findings()] == ["TG900"]
    assert {(e.rule_id, type(e.error)) for e in doc.take_errors()} == {("TG999", ValueError)}
