"""Ways user input reaches a helper's sink that a plain positional call does not show: a program's own
arguments or terminal handed to a helper that runs code, a shell command or SQL; keyword arguments,
`*args`/`**kwargs`, `functools.partial`, lambdas, awaited coroutines; and values a helper returns
inside a tuple, a dict or a dataclass (tests/apps/cli_tool holds a multi-file command-line program)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tabguard.analysis import analyze_text
from tabguard.cli import main

APPS = Path(__file__).resolve().parents[1] / "apps"
_FLASK = "from flask import Flask, request\nimport functools, os, sqlite3, subprocess\napp = Flask(__name__)\n"
_HELPERS = (
    "def _sh(command, *, check=True):\n    subprocess.run(command, shell=True, check=check)\n\n"
    "def _all(*commands):\n    for command in commands:\n        os.system(command)\n\n"
    "def _tool(**options):\n    os.system('tool ' + options['name'])\n\n"
    "def _sql(conn, name):\n    return conn.execute(\"SELECT * FROM t WHERE n = '%s'\" % name)\n\n"
    "def _calc(expr):\n    return eval(expr)\n\n"
    "def _read(name):\n    return open(name).read()\n\n"
)


def _at_call(code: str, path: str = "example.py") -> list[tuple[str, int]]:
    """(rule, line) of the findings reported at a call, through a helper."""
    doc = analyze_text(code, path)
    return [(f.rule_id, f.span.start_line) for f in doc.findings() if "reaches it through" in f.message]


def _last_line(code: str) -> int:
    return code.count("\n") - 1


@pytest.mark.parametrize(
    "value, rule",
    [
        ("_sh(sys.argv[1])", "TG100"),
        ("_calc(input('> '))", "TG103"),
        ("_sql(sqlite3.connect('x'), args.name)", "TG105"),
    ],
)
def test_a_programs_own_input_reaching_code_a_shell_or_sql_through_a_helper(value, rule):
    code = (
        "import argparse, os, sqlite3, subprocess, sys\n" + _HELPERS + "def main():\n"
        "    parser = argparse.ArgumentParser()\n    parser.add_argument('name')\n    args = parser.parse_args()\n"
        f"    {value}\n"
    )
    found = [f for f in analyze_text(code, "cli.py").findings() if "reaches it through" in f.message]
    assert [(f.rule_id, f.span.start_line) for f in found] == [(rule, _last_line(code))]
    assert found[0].confidence == "high"


def test_a_programs_own_input_opening_a_file_through_a_helper_is_not_reported():
    code = "import os, sqlite3, subprocess, sys\n" + _HELPERS + "def main():\n    print(_read(sys.argv[1]))\n"
    assert _at_call(code, "cli.py") == []


@pytest.mark.parametrize(
    "statements, rule, through",
    [
        ("_sh(command=request.args['c'])", "TG100", "_sh"),  # a keyword argument
        ("_all('uptime', request.args['c'])", "TG101", "_all"),  # into *args
        ("parts = [request.args['c']]\n    _all(*parts)", "TG101", "_all"),  # a *sequence
        ("_tool(name=request.args['c'])", "TG101", "_tool"),  # into **kwargs
        ("options = {'command': request.args['c']}\n    _sh(**options)", "TG100", "_sh"),  # a **mapping
        ("find = functools.partial(_sql, sqlite3.connect('x'))\n    find(request.args['c'])", "TG105", "_sql"),
        ("functools.partial(_calc)(request.args['c'])", "TG103", "_calc"),
        ("run = lambda text: _calc(text)\n    run(request.args['c'])", "TG103", "run"),
    ],
)
def test_arguments_bound_other_than_by_position(statements, rule, through):
    code = _FLASK + _HELPERS + f"@app.route('/r')\ndef r():\n    {statements}\n"
    found = [f for f in analyze_text(code, "example.py").findings() if "reaches it through" in f.message]
    assert [(f.rule_id, f.span.start_line) for f in found] == [(rule, _last_line(code))]
    assert f"through `{through}()`" in found[0].message


def test_a_constant_spread_into_a_helper_is_not_reported():
    code = _FLASK + _HELPERS + "@app.route('/r')\ndef r():\n    _all(*['uptime', 'df -h'])\n    _tool(name='x')\n"
    assert _at_call(code) == []


def test_an_awaited_coroutine():
    code = (
        "import os\nfrom fastapi import FastAPI\napp = FastAPI()\n"
        "async def _ping(host):\n    os.system('ping -c 1 ' + host)\n\n"
        "@app.get('/ping')\nasync def ping(host: str):\n    await _ping(host)\n"
    )
    assert _at_call(code) == [("TG101", 8)]


@pytest.mark.parametrize(
    "helper, use",
    [
        ("return request.args['q'], 10", "term, _ = _params()\n    _sh('grep ' + term)"),  # a tuple
        ("return {'term': request.args['q']}", "params = _params()\n    _sh('grep ' + params['term'])"),  # a dict
        ("return Search(request.args['q'], 10)", "search = _params()\n    _sh('grep ' + search.term)"),  # a dataclass
    ],
)
def test_values_a_helper_returns_inside_a_container(helper, use):
    code = (
        _FLASK
        + _HELPERS
        + "from dataclasses import dataclass\n@dataclass\nclass Search:\n    term: str\n    limit: int\n\n"
        + f"def _params():\n    {helper}\n\n@app.route('/r')\ndef r():\n    {use}\n"
    )
    assert _at_call(code) == [("TG100", _last_line(code))]


def test_a_class_that_is_no_record_does_not_pass_on_what_it_was_made_from():
    code = (
        _FLASK
        + _HELPERS
        + "class Search:\n    def __init__(self, term):\n        self.term = 'fixed'\n\n"
        + "@app.route('/r')\ndef r():\n    _sh('grep ' + Search(request.args['q']).term)\n"
    )
    assert _at_call(code) == []


def test_a_command_line_program_over_several_modules(capsys):
    app = APPS / "cli_tool"
    main(["check", str(app / "vulnerable"), "--format", "json", "--no-cache", "--select", "TG1,TG5"])
    found = [f for f in json.loads(capsys.readouterr().out) if f["related"]]
    assert [(Path(f["path"]).name, f["rule"], f["start"]["line"]) for f in found] == [
        ("main.py", "TG105", 15),  # argparse -> Store().search -> a base class query
        ("main.py", "TG100", 17),  # argparse -> run_hook(**options) -> shell
    ]
    assert [r["message"] for r in found[0]["related"]] == [
        "user-controlled data enters here (command-line arguments)",
        "assigned to 'args'",
        "passed to `search()` as 'term'",
        "reaches the sink in `search` (storage.py:16)",
    ]
    assert (Path(found[0]["related"][-1]["path"]).name, found[0]["related"][-1]["line"]) == ("storage.py", 16)
    main(["check", str(app / "secure"), "--format", "json", "--no-cache", "--select", "TG1,TG5"])
    assert [f for f in json.loads(capsys.readouterr().out) if f["related"]] == []


def test_decorated_helpers_and_handlers_are_followed():
    code = (
        _FLASK
        + "def audited(fn):\n    @functools.wraps(fn)\n    def wrapper(*args, **kwargs):\n"
        + "        return fn(*args, **kwargs)\n    return wrapper\n\n"
        + "@audited\ndef _archive(path):\n    os.system('tar czf /tmp/a.tgz ' + path)\n\n"
        + "@functools.lru_cache(maxsize=32)\ndef _count(pattern):\n    return os.popen('grep -c ' + pattern).read()\n\n"
        + "@app.route('/a')\n@audited\ndef a():\n    _archive(request.args['dir'])\n    return _count(request.args['p'])\n"
    )
    last = _last_line(code)
    assert _at_call(code) == [("TG101", last - 1), ("TG101", last)]
