"""Calls are dispatched to rules by callee name and keywords (`Rule.call_names`, `call_keywords`).
The narrowing is only for speed: on every rule example, every rewrite and every corpus file, the
findings must be those of sending every call to every rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from tabguard.analysis import ruleset_for
from tabguard.engine.checker import RuleSet
from tabguard.engine.document import Document
from tabguard.rules import all_rules

ROOT = Path(__file__).resolve().parents[1]
NARROW = ruleset_for()
EVERY = RuleSet(NARROW.rules, NARROW.known_ids, narrow_calls=False)


def _sources():
    for rule in all_rules():
        for kind in ("VALID", "INVALID"):
            for index, example in enumerate(getattr(rule, kind)):
                code = example if isinstance(example, str) else example.code
                path = getattr(example, "path", "example.py")
                yield pytest.param(code, path, id=f"{rule.id}-{kind.lower()}-{index}")
                if getattr(example, "fixed", None):
                    yield pytest.param(example.fixed, path, id=f"{rule.id}-fixed-{index}")
    for path in sorted([*ROOT.glob("corpus/**/*.py"), *ROOT.glob("apps/**/*.py")]):
        yield pytest.param(path.read_text(encoding="utf-8"), path.name, id=str(path.relative_to(ROOT)))


def _seen(doc: Document) -> list[tuple]:
    return sorted((f.rule_id, f.span, f.message) for f in doc.findings())


@pytest.mark.parametrize("code,path", list(_sources()))
def test_narrowed_dispatch_finds_what_full_dispatch_finds(code, path):
    assert _seen(Document(code, NARROW, path)) == _seen(Document(code, EVERY, path))


def test_narrowing_skips_calls_a_rule_cannot_flag():
    class Probe:
        id, call_names, call_keywords = "TG999", frozenset({"execute"}), frozenset({"verify"})

        def __init__(self):
            self.seen = []

        def visit_Call(self, node, ctx):
            self.seen.append(ctx.segment(ctx.span(node)))

    probe = Probe()
    code = "cur.execute(q)\nprint(q)\nrequests.get(u, verify=False)\nfrom db import execute as run_sql\nrun_sql(q)\n"
    Document(code, RuleSet([probe]), "x.py")
    assert probe.seen == ["cur.execute(q)", "requests.get(u, verify=False)", "run_sql(q)"]
