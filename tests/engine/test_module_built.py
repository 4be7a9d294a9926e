"""Strings built by one top-level statement and used by another (a script's module code)."""

from __future__ import annotations

import ast

from tabguard.analysis import analyze_text
from tabguard.engine.facts import collect_facts


def _built(src: str) -> dict[str, str]:
    return collect_facts(ast.parse(src), src).built


def test_a_module_level_string_built_from_a_variable_is_recorded():
    assert _built("q = \"SELECT * FROM t WHERE a = '%s'\" % a\n") == {"q": "\"SELECT * FROM t WHERE a = '%s'\" % a"}
    assert _built("q: str = f'SELECT {cols} FROM t'\n") == {"q": "f'SELECT {cols} FROM t'"}
    assert _built("q = 'SELECT 1'\nr = a + b\ns = '{}'.format(1)\n") == {}


def test_a_deep_chain_is_read_without_recursion():
    src = "x = " + " + ".join(["input()"] * 1000) + "\n"
    assert _built(src) == {}
    assert _built("x = 'a' + " + " + ".join(["y"] * 1000) + "\n") == {}  # past the piece limit: not recorded


def test_the_sink_in_the_next_statement_is_reported_without_a_rewrite():
    doc = analyze_text(
        "import sqlite3\nconn = sqlite3.connect('x.db')\nq = \"DELETE FROM t WHERE id = '%s'\" % key\n"
        "conn.execute(q)\n",
        "script.py",
    )
    found = [f for f in doc.findings() if f.rule_id == "TG105"]
    assert [f.span.start_line for f in found] == [3]  # 0-based: the execute line
    assert "module level" in found[0].message and found[0].fix() is None


def test_a_local_of_the_same_name_is_not_the_module_string():
    doc = analyze_text("q = \"DELETE FROM t WHERE id = '%s'\" % key\ndef run(conn, q):\n    conn.execute(q)\n", "m.py")
    assert not [f for f in doc.findings() if f.rule_id == "TG105"]
