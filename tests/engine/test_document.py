"""Blocks, recovery from half-typed code, and name resolution."""

from tabguard.analysis import analyze_text

FLAW = "requests.get(u, verify=False, timeout=5)"


def starts(text):
    return [b.start for b in analyze_text(text).blocks]


def test_blocks_keep_decorators_clauses_and_strings_together():
    text = "@app.route('/')\n@login\ndef f():\n    pass\nif x:\n    pass\nelse:\n    pass\ns = '''\ndef g():\n'''\nt = (1,\n2)\n"
    assert starts(text) == [0, 4, 8, 11]


def test_unclosed_bracket_recovers_at_next_statement():
    text = f"import requests\ndef broken():\n    call(\n\ndef fine(u):\n    {FLAW}\n"
    doc = analyze_text(text)
    assert [(f.rule_id, f.span.start_line) for f in doc.findings()] == [("TG201", 5)]


def test_syntax_error_in_one_function_does_not_hide_another():
    text = f"import requests\ndef a(:\n    pass\n\ndef b(u):\n    {FLAW}\n"
    doc = analyze_text(text)
    assert [f.span.start_line for f in doc.findings()] == [5]
    assert doc.syntax_problems() and doc.syntax_problems()[0][0] == 1


def test_string_holding_code_is_not_split_or_flagged():
    text = f"import requests\nTEMPLATE = '''\ndef inner(u):\n    {FLAW}\n'''\n"
    assert analyze_text(text).findings() == []


def test_aliased_import_resolves_to_qualified_name():
    doc = analyze_text("import requests as rq\ndef f(u):\n    rq.get(u, verify=False, timeout=5)\n")
    assert doc.findings()[0].details["callee"] == "requests.get"


def test_adding_an_import_later_rechecks_blocks_that_use_it():
    doc = analyze_text("def f(u):\n    h.get(u, verify=False, timeout=5)\n")
    before = [f.details.get("callee") for f in doc.findings()]
    doc.replace(0, 0, 0, 0, "import httpx as h\n")
    assert before == ["h.get"] and [f.details["callee"] for f in doc.findings()] == ["httpx.get"]


def test_findings_of_untouched_blocks_shift_with_edits():
    doc = analyze_text(f"import requests\n\ndef f(u):\n    {FLAW}\n")
    doc.replace(1, 0, 1, 0, "\n\n\n")
    assert [f.span.start_line for f in doc.findings()] == [6]


def test_non_ascii_columns_are_code_points():
    doc = analyze_text(f"import requests\nx = 'é😀'; {FLAW}\n")
    assert doc.findings()[0].span.start_col == len("x = 'é😀'; requests.get(u, ")


def test_module_level_user_input_flows_across_blocks_and_follows_edits():
    doc = analyze_text("import os, sys\ncmd = sys.argv[1]\n\nos.system(cmd)\n")
    (finding,) = doc.findings()
    assert "sys.argv" in finding.message and finding.related
    doc.replace(1, 6, 1, 17, "'ls'")  # the variable no longer holds user input
    assert all("sys.argv" not in f.message for f in doc.findings())


def test_imports_inside_a_function_bind_only_there():
    text = (
        "def safe(u):\n    import httpx as client\n    client.get(u, verify=False, timeout=5)\n\n"
        "def other(u):\n    client.get(u, verify=False, timeout=5)\n"
    )
    callees = [f.details.get("callee") for f in analyze_text(text).findings() if f.rule_id == "TG201"]
    assert callees == ["httpx.get", "client.get"]


def test_docstrings_mentioning_statements_stay_whole():
    text = (
        'import requests\n"""Notes.\n\nclass instances are copied;\nimport this later.\nfrom time to time\n"""\n\ndef f(u):\n    '
        + FLAW
        + "\n"
    )
    doc = analyze_text(text)
    assert [b.start for b in doc.blocks] == [0, 1, 8]
    assert [f.span.start_line for f in doc.findings()] == [9]


def test_an_import_inside_a_function_resolves_names_used_after_it():
    text = "def view():\n    from flask import request, redirect\n    return redirect(request.args['next'])\n"
    assert "TG508" in [f.rule_id for f in analyze_text(text).findings()]


def test_a_failing_rule_is_isolated_and_reported_once_per_failure():
    import ast as _ast

    from tabguard.engine.checker import RuleSet
    from tabguard.engine.document import Document
    from tabguard.engine.rule import Rule
    from tabguard.rules import rule_by_id

    class Broken(Rule):
        id, name, severity, confidence, cwe = "TG999", "broken", "low", "low", (1,)
        message = what = why = how = example = "x"

        def visit_Call(self, node: _ast.Call, ctx) -> None:
            raise RuntimeError("bug in a rule")

    doc = Document(f"import requests\ndef f(u):\n    {FLAW}\n", RuleSet([Broken(), rule_by_id("TG201")]))
    assert [f.rule_id for f in doc.findings()] == ["TG201"]
    errors = doc.take_errors()
    assert errors and all(e.rule_id == "TG999" for e in errors) and doc.take_errors() == []
