"""Taint through an `if` with an `else`: a name every arm leaves clean is clean after it."""

from tabguard.analysis import analyze_text

SOURCE = """import html
from flask import Markup, request
def f(c, items):
    q = request.args.get("q")
    {body}
    return Markup(q)
"""


def rules(body: str) -> list[str]:
    found = analyze_text(SOURCE.format(body=body), "app.py").findings()
    return [f.rule_id for f in found if f.rule_id == "TG109"]


def test_every_arm_cleaning_the_name_clears_it():
    assert rules('if c:\n        q = html.escape(q)\n    else:\n        q = ""') == []
    assert rules("if c:\n        q = html.escape(q)\n    else:\n        return None") == []


def test_an_arm_keeping_the_input_or_a_loop_around_the_if_keeps_it_tainted():
    assert rules("if c:\n        q = html.escape(q)\n    else:\n        q = q.strip()") == ["TG109"]
    assert rules('if c:\n        q = html.escape(q)\n    elif items:\n        q = ""') == ["TG109"]
    looped = 'for i in items:\n        if c:\n            q = html.escape(q)\n        else:\n            q = ""'
    assert rules(looped) == ["TG109"]
