"""Every rule's examples as test parameters, for the runner of each kind of file: Python
(tests/rules/test_examples.py), dependency files (tests/supply), notebooks (tests/notebook).

TODO examples (known misses) join the INVALID ones as strict xfails, checked only for being
flagged as pinned (see `is_todo`): the run reports each as xfailed, and fails as soon as the rule
flags one (then move it to INVALID, with its rewrite)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from tabguard.engine.rule import Invalid, Rule, Valid
from tabguard.rules import all_rules


def examples(kind: str, accept: Callable[[Rule, Path], bool]):
    """`pytest.param(rule, example)` for each VALID or INVALID (and TODO) example whose rule and path
    `accept` takes."""
    for rule in all_rules():
        groups = [(kind, getattr(rule, kind), ())]
        if kind == "INVALID":
            miss = pytest.mark.xfail(strict=True, raises=AssertionError, reason=f"known miss of {rule.id} (TODO)")
            groups.append(("TODO", rule.TODO, (miss,)))
        for label, group, marks in groups:
            for index, example in enumerate(group):
                example = Valid(example) if isinstance(example, str) else example
                if accept(rule, Path(example.path)):
                    yield pytest.param(rule, example, id=f"{rule.id}-{label.lower()}-{index}", marks=marks)


def is_todo(rule: Rule, example: Invalid) -> bool:
    """A known miss: once it is flagged as pinned, its strict xfail fails, whatever the rewrite."""
    return example in rule.TODO


def assert_pinned(rule: Rule, example: Invalid, findings: list) -> list:
    """The rule's findings: it flagged the example, with the message and at the place it pins (if it does)."""
    mine = [f for f in findings if f.rule_id == rule.id]
    assert mine, f"{rule.id} did not flag:\n{example.code}"
    problem = example.unmet(mine)
    assert problem is None, f"{rule.id}: {problem}"
    return mine
