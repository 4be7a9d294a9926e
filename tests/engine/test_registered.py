"""Functions handed to a call with the names they are registered under (`create_function("MD5", 1, f)`),
a module fact read by TG302 in another block."""

from __future__ import annotations

import ast

from tabguard.analysis import analyze_text
from tabguard.engine.facts import collect_facts

CODE = (
    "import hashlib\n"
    "def _md5(text):\n    return hashlib.md5(text.encode()).hexdigest()\n"
    "def register(conn):\n    if conn:\n        conn.create_function('MD5', 1, _md5)\n"
)


def test_registrations_are_read_from_statements_at_any_depth():
    src = "def setup(c):\n    try:\n        c.add('md5', f)\n    except E:\n        pass\nx = reg('a', 'b', g, 3)\n"
    assert collect_facts(ast.parse(src), src).registered == {"f": ("md5",), "g": ("a", "b")}
    src = "call(f)\nprint('x')\n"  # no literal and a name in one call
    assert collect_facts(ast.parse(src), src).registered == {}


def test_editing_the_registration_rechecks_the_function():
    doc = analyze_text(CODE)
    assert not [f for f in doc.findings() if f.rule_id == "TG302"]
    line = doc.lines.index("        conn.create_function('MD5', 1, _md5)")
    column = doc.lines[line].index("MD5")
    doc.replace(line, column, line, column + 3, "SIGN")
    doc.flush()
    assert [f.span.start_line for f in doc.findings() if f.rule_id == "TG302"] == [2]
    fresh = analyze_text(doc.text)
    assert sorted(f.span for f in doc.findings()) == sorted(f.span for f in fresh.findings())
