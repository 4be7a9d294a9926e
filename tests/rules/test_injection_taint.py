"""Taint-dependent behaviour of the injection rules: sources raise severity and are pointed at,
sanitizers and allow-lists clear, constants are never flagged."""

from __future__ import annotations

import textwrap

import pytest

from tabguard.analysis import analyze_text


def findings(code: str, rule_id: str):
    doc = analyze_text(textwrap.dedent(code), "app.py")
    return [f for f in doc.findings() if f.rule_id == rule_id]


FLASK = "from flask import Flask, request\nimport subprocess, os, sqlite3, logging\napp = Flask(__name__)\nlog = logging.getLogger(__name__)\n"


def test_tainted_command_is_raised_and_points_at_the_source():
    [finding] = findings(
        FLASK + '@app.route("/p")\ndef p():\n    host = request.args["host"]\n'
        '    subprocess.run(f"ping -c 1 {host}", shell=True)\n',
        "TG100",
    )
    assert finding.severity == "critical"
    assert finding.details["source"] == "request.args"
    related, step = finding.related  # the path: where the input entered, then where it went
    assert related.span.start_line == 6  # `request.args` on the `host = ...` line (0-based)
    assert "user-controlled" in related.message
    assert (step.span.start_line, step.span.start_col, step.message) == (6, 4, "assigned to 'host'")


def test_untainted_dynamic_command_keeps_default_severity_and_has_no_related_location():
    [finding] = findings("import subprocess\ndef f(cmd):\n    subprocess.run(cmd, shell=True)\n", "TG100")
    assert finding.severity == "high"
    assert finding.related == ()


@pytest.mark.parametrize(
    "expression",
    ['f"ping -c 1 {shlex.quote(host)}"', '"ping -c " + str(int(count)) + " localhost"'],
)
def test_shell_quoting_and_numbers_are_not_command_injection(expression):
    code = (
        FLASK
        + 'import shlex\n@app.route("/p")\ndef p():\n    host = request.args["host"]\n    count = request.args["n"]\n'
    )
    assert findings(code + f"    subprocess.run({expression}, shell=True)\n", "TG100") == []


def test_allow_listed_value_is_not_flagged_after_rejecting_others():
    code = FLASK + (
        'HOSTS = {"db1", "db2"}\n@app.route("/p")\ndef p():\n    host = request.args["host"]\n'
        '    if host not in HOSTS:\n        return "no", 400\n    os.system(f"ping -c 1 {host}")\n'
    )
    assert findings(code, "TG101") == []


def test_value_checked_only_in_another_branch_stays_flagged():
    code = FLASK + (
        'HOSTS = {"db1"}\n@app.route("/p")\ndef p():\n    host = request.args["host"]\n'
        '    if host in HOSTS:\n        print("known")\n    os.system(f"ping -c 1 {host}")\n'
    )
    assert len(findings(code, "TG101")) == 1


@pytest.mark.parametrize("test", ["host in HOSTS", 'host == "db1"', "host == None"])
def test_allow_list_in_the_if_does_not_vouch_for_the_else_branch(test):
    code = FLASK + (
        f'HOSTS = {{"db1"}}\n@app.route("/p")\ndef p():\n    host = request.args["host"]\n'
        f'    if {test}:\n        print("known")\n    else:\n        os.system(f"ping -c 1 {{host}}")\n'
    )
    [finding] = findings(code, "TG101")
    assert finding.details.get("source") == "request.args"


def test_allow_list_still_vouches_inside_the_if_before_an_else():
    code = FLASK + (
        'HOSTS = {"db1"}\n@app.route("/p")\ndef p():\n    host = request.args["host"]\n'
        '    if host in HOSTS:\n        os.system(f"ping -c 1 {host}")\n    else:\n        print("unknown")\n'
    )
    assert findings(code, "TG101") == []


def _ping_sources(body: str) -> list:
    """The sources TG101 names for `os.system(f"ping {host}")` calls in a route whose body is `body`."""
    code = FLASK + '@app.route("/p")\ndef p():\n' + textwrap.indent(textwrap.dedent(body), "    ")
    return [f.details.get("source") for f in findings(code, "TG101")]


def test_clean_value_assigned_right_in_a_loop_body_holds_for_the_rest_of_the_pass():
    body = """
        for host in request.args.getlist("host"):
            host = fallback_host()
            os.system(f"ping -c 1 {host}")
    """
    assert _ping_sources(body) == [None]


@pytest.mark.parametrize(
    "body",
    [
        # Reassigned only on some passes.
        """
        for host in request.args.getlist("host"):
            if not host:
                host = fallback_host()
            os.system(f"ping -c 1 {host}")
        """,
        # After the loop, which may not have run, the value before it is still possible.
        """
        host = request.args["host"]
        for n in range(3):
            host = fallback_host()
        os.system(f"ping -c 1 {host}")
        """,
        """
        host = request.args["host"]
        for n in range(3):
            host = fallback_host()
        else:
            os.system(f"ping -c 1 {host}")
        """,
        # Tainted again later in the pass.
        """
        host = fallback_host()
        for name in request.args:
            host = fallback_host()
            host = request.args[name]
        os.system(f"ping -c 1 {host}")
        """,
    ],
)
def test_clean_value_in_a_loop_does_not_vouch_beyond_the_pass(body):
    assert _ping_sources(body) == ["request.args"]


@pytest.mark.parametrize(
    ("sink", "rule"),
    [
        ('os.system(f"ping -c 1 {host}")', "TG101"),
        ('sqlite3.connect("a.db").execute(f"SELECT * FROM t WHERE h = \'{host}\'")', "TG105"),
    ],
)
def test_a_constant_fallback_does_not_make_user_input_constant(sink, rule):
    code = FLASK + (
        f'@app.route("/p")\ndef p():\n    host = request.args.get("host")\n    if not host:\n        host = "localhost"\n    {sink}\n'
    )
    [finding] = findings(code, rule)
    assert finding.details.get("source") == "request.args"


@pytest.mark.parametrize(
    "call",
    [
        'os.system("uptime")',
        'subprocess.run("ls -l /tmp", shell=True)',
        'eval("1 + 2")',
        'conn.execute(f"SELECT * FROM {TABLE}")',
        'yaml.load("a: 1", Loader=yaml.Loader)',
    ],
)
def test_constant_only_use_is_never_flagged(call):
    code = f'import os, subprocess, yaml\nTABLE = "users"\ndef f(conn):\n    {call}\n'
    doc = analyze_text(code, "app.py")
    assert [f.rule_id for f in doc.findings() if f.rule_id.startswith("TG1")] == []


def test_int_conversion_clears_sql_taint_but_formatting_is_still_reported():
    code = (
        FLASK + '@app.route("/u")\ndef u():\n    uid = int(request.args["id"])\n    conn = sqlite3.connect("a.db")\n'
        '    conn.execute(f"SELECT * FROM users WHERE id = {uid}")\n'
    )
    [finding] = findings(code, "TG105")
    assert finding.severity == "high" and "source" not in finding.details


def test_tainted_sql_is_critical_with_source():
    code = (
        FLASK + '@app.route("/u")\ndef u():\n    name = request.form.get("name")\n    conn = sqlite3.connect("a.db")\n'
        "    conn.execute(\"SELECT * FROM users WHERE name = '%s'\" % name)\n"
    )
    [finding] = findings(code, "TG105")
    assert finding.severity == "critical"
    assert finding.details["source"] == "request.form"


def test_sql_taint_through_a_helper_and_string_concatenation():
    code = FLASK + (
        'def clause(v):\n    return " WHERE name = \'" + v + "\'"\n'
        '@app.route("/u")\ndef u():\n    q = "SELECT * FROM t"\n    q += clause(request.args["n"])\n'
        "    sqlite3.connect('a.db').execute(q)\n"
    )
    [finding] = findings(code, "TG105")
    assert finding.details["source"] == "request.args"


def test_escaped_html_in_a_route_is_not_xss_but_raw_is():
    route = FLASK + 'from markupsafe import escape\n@app.route("/h")\ndef h():\n    name = request.args["name"]\n'
    assert findings(route + '    return f"<b>{escape(name)}</b>"\n', "TG110") == []
    [finding] = findings(route + '    return f"<b>{name}</b>"\n', "TG110")
    assert finding.details["source"] == "request.args"


def test_route_parameter_is_a_source_for_template_injection():
    code = (
        FLASK + 'from flask import render_template_string\n@app.route("/hi/<name>")\ndef hi(name):\n'
        '    return render_template_string("<h1>" + name + "</h1>")\n'
    )
    [finding] = findings(code, "TG108")
    assert finding.details["source"] == "route parameter 'name'"


def test_ldap_escape_is_a_sanitizer():
    base = "import ldap\nfrom ldap.filter import escape_filter_chars\nfrom flask import request\ndef f(conn):\n"
    raw = base + '    conn.search_s("dc=x", ldap.SCOPE_SUBTREE, "(uid=%s)" % request.form["u"])\n'
    escaped = (
        base + '    conn.search_s("dc=x", ldap.SCOPE_SUBTREE, "(uid=%s)" % escape_filter_chars(request.form["u"]))\n'
    )
    assert len(findings(raw, "TG117")) == 1
    assert findings(escaped, "TG117") == []


def test_string_query_parameter_cannot_carry_mongo_operators_but_json_can():
    base = "from flask import request\ndef f(db):\n"
    assert findings(base + '    db.users.find_one({"name": request.args["name"]})\n', "TG107") == []
    assert len(findings(base + '    db.users.find_one({"name": request.json["name"]})\n', "TG107")) == 1


def test_pickle_severity_depends_on_taint():
    local = findings("import pickle\ndef f(blob):\n    return pickle.loads(blob)\n", "TG114")
    remote = findings(
        "import pickle\nfrom flask import request\ndef f():\n    return pickle.loads(request.data)\n", "TG114"
    )
    assert [f.severity for f in local] == ["medium"]
    assert [f.severity for f in remote] == ["high"]


def test_lambda_event_is_user_input():
    code = "import os\ndef handler(event, context):\n    os.spawnlp(os.P_WAIT, event['cmd'])\n"
    [finding] = findings(code, "TG102")
    assert finding.details["source"] == "Lambda event"


def test_list_argv_with_user_argument_is_the_secure_form():
    code = FLASK + '@app.route("/g")\ndef g():\n    subprocess.run(["git", "log", request.args["ref"]])\n'
    doc = analyze_text(code, "app.py")
    assert [f.rule_id for f in doc.findings() if f.rule_id.startswith("TG1")] == []


def test_log_rewrite_quotes_user_values_only():
    code = (
        FLASK
        + '@app.route("/l")\ndef l():\n    user = request.args["u"]\n    n = 3\n    log.info(f"user {user} tried {n} times")\n'
    )
    [finding] = findings(code, "TG119")
    [edit] = finding.fix().edits
    assert edit.new_text == 'log.info("user %r tried %s times", user, n)'


def test_quoted_command_held_in_a_variable_is_not_flagged():
    code = (
        FLASK + 'import shlex\n@app.route("/p")\ndef p():\n    cmd = "dig +short " + shlex.quote(request.args["n"])\n'
        "    return subprocess.check_output(cmd, shell=True)\n"
    )
    assert findings(code, "TG100") == []


def test_text_substituted_into_a_template_keeps_its_taint():
    code = FLASK + (
        "from flask import make_response\n@app.route('/v')\ndef v():\n    page = open('t.html').read()\n"
        "    return make_response(page.replace('{{ name }}', request.args.get('name', '')))\n"
    )
    assert [f.details["source"] for f in findings(code, "TG110")] == ["request.args"]


def test_a_headers_object_bound_to_a_local_is_a_header_sink():
    code = FLASK + (
        "from flask import Response\nfrom werkzeug.datastructures import Headers\n@app.route('/h')\ndef h():\n"
        "    headers = Headers()\n    headers.add('Content-Type', request.args['type'])\n"
        "    return Response('ok', headers=headers)\n"
    )
    assert [f.span.start_line for f in findings(code, "TG118")] == [9]


def test_sax_external_entities_named_without_an_import():
    code = "import xml.sax\nparser = xml.sax.make_parser()\nparser.setFeature(feature_external_ges, True)\n"
    assert len(findings(code, "TG113")) == 1
