"""Secure rewrites of the injection rules on shapes the rule examples do not cover."""

from __future__ import annotations

import ast
import textwrap

import pytest

from tabguard.analysis import analyze_text
from tabguard.engine.fixes import apply_edits, materialize


def rewrite(code: str, rule_id: str):
    """The whole file after the first `rule_id` finding's fix, or None when it offers none."""
    doc = analyze_text(textwrap.dedent(code), "app.py")
    [finding] = [f for f in doc.findings() if f.rule_id == rule_id]
    fix = finding.fix()
    if fix is None:
        return None
    fixed = "\n".join(apply_edits(doc.lines, materialize(fix, doc.lines)))
    ast.parse(fixed)
    return fixed


def test_triple_quoted_query_keeps_its_layout():
    fixed = rewrite(
        '''
        import sqlite3
        def a(cur, user_id, status):
            cur.execute(f"""
                SELECT id FROM orders
                WHERE user_id = {user_id} AND status = '{status}'
            """)
        ''',
        "TG105",
    )
    assert 'WHERE user_id = ? AND status = ?\n    """, (user_id, status))' in fixed


def test_in_list_values_become_placeholders_and_percent_signs_are_escaped_for_pyformat():
    fixed = rewrite(
        "import psycopg2\ndef c(cur, a, b):\n    cur.execute(\"SELECT * FROM t WHERE x LIKE 'a%' AND id IN (%s, %s)\" % (a, b))\n",
        "TG105",
    )
    assert "cur.execute(\"SELECT * FROM t WHERE x LIKE 'a%%' AND id IN (%s, %s)\", (a, b))" in fixed


def test_like_wildcards_move_into_the_parameter():
    fixed = rewrite(
        "import sqlite3\ndef b(cur, term):\n    cur.execute(f\"SELECT * FROM t WHERE name LIKE '%{term}%'\")\n", "TG105"
    )
    assert 'cur.execute("SELECT * FROM t WHERE name LIKE ?", (f"%{term}%",))' in fixed


@pytest.mark.parametrize(
    "query",
    [
        "f\"SELECT * FROM t WHERE name LIKE 'a{term}%'\"",  # the value is inside a longer pattern
        'f"SELECT {term} FROM t"',  # a column name cannot be a parameter
        'f"SELECT * FROM t ORDER BY {term}"',
    ],
)
def test_no_parameterized_rewrite_when_a_value_is_not_a_value(query):
    code = f"import sqlite3\nfrom flask import request\ndef b(cur):\n    term = request.args['t']\n    cur.execute({query})\n"
    assert rewrite(code, "TG105") is None


def test_no_argv_rewrite_for_commands_using_shell_syntax():
    assert (
        rewrite('import subprocess\ndef f(n):\n    subprocess.run(f"grep {n} log | wc -l", shell=True)\n', "TG100")
        is None
    )


def test_argv_rewrite_keeps_mixed_words_as_one_argument():
    fixed = rewrite(
        'import subprocess\ndef f(n):\n    subprocess.run(f"tar czf backup-{n}.tgz data", shell=True)\n', "TG100"
    )
    assert 'subprocess.run(["tar", "czf", f"backup-{n}.tgz", "data"])' in fixed


def test_os_system_used_for_its_status_keeps_zero_for_success():
    fixed = rewrite('import os\ndef f(n):\n    status = os.system("ping -c 1 " + n)\n', "TG101")
    assert 'status = subprocess.run(["ping", "-c", "1", n]).returncode' in fixed


def test_yaml_rewrite_drops_the_loader_but_keeps_the_stream():
    fixed = rewrite("import yaml\ndef f(fh):\n    return yaml.load(fh, Loader=yaml.UnsafeLoader)\n", "TG115")
    assert "return yaml.safe_load(fh)" in fixed


@pytest.mark.parametrize(
    "command",
    [
        '"sleep %d" % n',  # `%d` formats a number: the list would hold the number itself
        '"grep \\"$HOME\\" " + n',  # a variable expands inside double quotes
        "f\"echo '{n}' >> /tmp/log\"",  # a redirection
        'f"echo \'unclosed {n}"',
    ],
)
def test_no_argv_rewrite_for_what_the_shell_would_still_interpret(command):
    assert rewrite(f"import os\ndef f(n):\n    os.system({command})\n", "TG101") is None


def test_a_command_variable_used_twice_is_not_rebuilt_from_a_call_it_would_repeat():
    # `input()` would be asked twice if the list were written at the call.
    code = 'import os\ndef f():\n    cmd = "ls " + input("dir: ")\n    print(cmd)\n    os.system(cmd)\n'
    assert rewrite(code, "TG101") is None
    again = code.replace('input("dir: ")', "args.folder")
    assert 'subprocess.run(["ls", args.folder])' in rewrite(again, "TG101")
