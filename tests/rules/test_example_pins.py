"""What an `Invalid` example can pin (message, place) and how a TODO example (a known miss) runs."""

import re

import pytest

from tabguard.analysis import analyze_text
from tabguard.engine.rule import Invalid
from tabguard.rules import rule_by_id

from rule_examples import examples, is_todo

CODE = "import requests\nr = requests.get(url, verify=False, timeout=5)\n"


def _unmet(**pins):
    findings = [f for f in analyze_text(CODE).findings() if f.rule_id == "TG201"]
    return Invalid(CODE, **pins).unmet(findings)


@pytest.mark.parametrize(
    "pins",
    [
        {},
        {"message": "verification disabled (`verify=False`)"},
        {"message": re.compile(r"in `requests\.get`$")},
        {"at": (2, 23)},
        {"at": (2, 23, 2, 35), "message": "TLS certificate"},
    ],
)
def test_met_pins(pins):
    assert _unmet(**pins) is None


@pytest.mark.parametrize(
    "pins, said",
    [
        ({"message": "verify=True"}, "expected message 'verify=True' at any place; found (2, 23, 2, 35) 'TLS"),
        ({"message": re.compile(r"^in `requests")}, "expected message re.compile"),
        ({"at": (2, 22)}, "at (2, 22); found (2, 23, 2, 35)"),
        ({"at": (2, 23, 2, 34)}, "at (2, 23, 2, 34)"),
        # both must hold of one finding
        ({"at": (2, 23), "message": "ssl=False"}, "expected message 'ssl=False' at (2, 23)"),
    ],
)
def test_unmet_pins_say_what_was_found(pins, said):
    assert said in _unmet(**pins)


def test_no_finding_is_unmet():
    assert Invalid(CODE).unmet([]) == "expected message None at any place; found no finding"


def test_todo_examples_run_as_strict_xfails_of_the_invalid_test():
    params = list(examples("INVALID", lambda rule, path: rule.id == "TG100"))
    todo = [p for p in params if is_todo(*p.values)]
    assert len(todo) == len(rule_by_id("TG100").TODO) > 0
    for param in todo:
        [mark] = param.marks
        assert mark.name == "xfail" and mark.kwargs["strict"] is True and mark.kwargs["raises"] is AssertionError
    assert all(not p.marks for p in params if p not in todo)
