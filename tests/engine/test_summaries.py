"""Inter-procedural data flow: function summaries applied at call sites, in one module, through
`self`, and across the workspace's modules (tests/apps/{flask_db,fastapi_repository,http_server})."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tabguard.analysis import analyze_text
from tabguard.cli import main

APPS = Path(__file__).resolve().parents[1] / "apps"
_FLASK = "from flask import Flask, request\nimport os, sqlite3, subprocess\napp = Flask(__name__)\n"


def _found(code: str, rule: str, path: str = "example.py"):
    return [f for f in analyze_text(code, path).findings() if f.rule_id == rule]


def test_a_parameter_that_reaches_a_sink_is_reported_where_user_input_is_passed():
    code = _FLASK + (
        "def run_tool(arg):\n    os.system('tool ' + arg)\n\n"
        "@app.route('/t')\ndef t():\n    run_tool(request.args['a'])\n"
    )
    at_call = [f for f in _found(code, "TG101") if f.details.get("source")]
    assert [f.span.start_line for f in at_call] == [8]
    assert [r.message for r in at_call[0].related] == [
        "user-controlled data enters here (request.args)",
        "passed to `run_tool()` as 'arg'",
        "reaches the sink in `run_tool` (this file:5)",
    ]
    assert at_call[0].related[-1].span.start_line == 4 and at_call[0].confidence == "high"


def test_a_constant_argument_is_not_reported_at_the_call():
    code = _FLASK + "def run_tool(arg):\n    os.system('tool ' + arg)\n\ndef main():\n    run_tool('--version')\n"
    assert all(f.span.start_line == 4 for f in _found(code, "TG101"))


def test_summaries_compose_through_two_helpers():
    code = _FLASK + (
        "def inner(q):\n    sqlite3.connect('x').execute(\"SELECT * FROM t WHERE a = '%s'\" % q)\n\n"
        "def outer(v):\n    inner(v.strip())\n\n"
        "@app.route('/q')\ndef q():\n    outer(request.args['q'])\n"
    )
    assert [f.span.start_line for f in _found(code, "TG105") if f.details.get("source")] == [11]


def test_a_sink_two_helpers_down_is_reported_once_with_its_own_place():
    code = _FLASK + (
        "def inner(q):\n    os.system('x ' + q)\n\n"
        "def middle(p):\n    inner(p)\n\n"
        "def outer(v):\n    middle(v)\n\n"
        "@app.route('/q')\ndef q():\n    outer(request.args['q'])\n"
    )
    [finding] = [f for f in _found(code, "TG101") if f.details.get("source")]
    assert finding.message.count("<-") == 1 and "this file:5" in finding.message
    # Each call on the way is on the path, where it is.
    assert [(r.span.start_line, r.message) for r in finding.related[1:]] == [
        (14, "passed to `outer()` as 'v'"),
        (10, "passed to `middle()` as 'p'"),
        (7, "passed to `inner()` as 'q'"),
        (4, "reaches the sink in `inner` (this file:5)"),
    ]


def test_a_programs_own_arguments_passed_to_a_helper_are_not_reported_at_the_call():
    code = "import sys\n\ndef show(name):\n    return open(name).read()\n\nprint(show(sys.argv[1]))\n"
    assert [f.span.start_line for f in _found(code, "TG501")] == []


def test_a_helper_returning_request_data_is_a_source():
    code = _FLASK + (
        "def wanted():\n    return request.args.get('file')\n\n"
        "@app.route('/r')\ndef r():\n    return open(wanted()).read()\n"
    )
    [finding] = _found(code, "TG501")
    assert finding.details["source"] == "request.args"
    assert "returned by `wanted()`" in [r.message for r in finding.related]


def test_self_attribute_set_in_one_method_flows_into_another():
    code = _FLASK + (
        "class Report:\n"
        "    def __init__(self):\n        self.name = request.args['name']\n\n"
        "    def render(self):\n        os.system('make ' + self.name)\n"
    )
    [finding] = [f for f in _found(code, "TG101") if f.details.get("source")]
    assert finding.span.start_line == 8
    assert "stored in 'self.name'" in [r.message for r in finding.related]


def test_method_called_on_self_with_user_input():
    code = _FLASK + (
        "class Tools:\n"
        "    def run(self, cmd):\n        subprocess.run(cmd, shell=True)\n\n"
        "    @app.route('/x')\n    def view(self):\n        self.run(request.args['c'])\n"
    )
    assert [f.span.start_line for f in _found(code, "TG100") if f.details.get("source")] == [9]


def test_a_helper_whose_own_parameter_is_outside_input_reports_its_sink_alone():
    # A WSGI application delegating to its `wsgi(environ, start_response)` method: the method's
    # `environ` is outside input there, so its finding already tells the flow; the delegating call
    # adds no second finding. A helper whose parameter is a plain one is still reported at the call.
    code = (
        "import subprocess\n\nclass App:\n"
        "    def wsgi(self, environ, start_response):\n"
        "        subprocess.run('log ' + environ['PATH_INFO'], shell=True)\n"
        "        return []\n\n"
        "    def __call__(self, environ, start_response):\n"
        "        return self.wsgi(environ, start_response)\n\n"
        "    def run(self, cmd):\n        subprocess.run(cmd, shell=True)\n\n"
        "    def handle(self, environ, start_response):\n"
        "        self.run(environ['QUERY_STRING'])\n        return []\n"
    )
    assert sorted(f.span.start_line for f in _found(code, "TG100") if f.details.get("source")) == [4, 14]


_SERVICES = _FLASK + (
    "class Files:\n    def __init__(self, base):\n        self.base = base\n\n"
    "    def read(self, name):\n        return open(os.path.join(self.base, name)).read()\n\n"
    "    @staticmethod\n    def size(name):\n        return os.path.getsize(name)\n\n"
    "FILES = Files('/srv/files')\n\n"
)


@pytest.mark.parametrize(
    "call",
    [
        "FILES.read(request.args['n'])",  # a module-level instance
        "Files('/srv').read(request.args['n'])",  # a fresh instance
        "svc.read(request.args['n'])",  # a local instance (bound below)
    ],
)
def test_method_of_a_module_class_called_with_user_input(call):
    code = _SERVICES + f"@app.route('/r')\ndef r():\n    svc = Files('/srv')\n    return {call}\n"
    found = [f for f in _found(code, "TG501") if f.details.get("source")]
    assert [f.span.start_line for f in found] == [19] and "through `read()`" in found[0].message


def test_a_method_the_class_does_not_define_is_not_guessed():
    code = _SERVICES + "@app.route('/r')\ndef r():\n    return FILES.missing(request.args['n'])\n"
    assert [f for f in _found(code, "TG501") if f.details.get("source")] == []


def test_editing_a_class_rechecks_the_callers_of_its_methods():
    code = _SERVICES + "@app.route('/r')\ndef r():\n    return FILES.read(request.args['n'])\n"
    doc = analyze_text(code, "example.py")
    assert [(f.rule_id, f.span.start_line) for f in doc.findings() if f.details.get("source")] == [("TG501", 18)]
    line = "        return open(os.path.join(self.base, name)).read()"
    doc.replace(8, 0, 8, len(line), "        return open(os.path.join(self.base, 'index.txt')).read()")
    assert [f for f in doc.findings() if f.details.get("source")] == []


@pytest.mark.parametrize(
    "app, file, rule, line, sink",
    [
        ("flask_db", "app.py", "TG105", 11, ("db.py", 15)),
        ("fastapi_repository", "main.py", "TG105", 13, ("repository.py", 7)),
        ("http_server", "server.py", "TG100", 16, (None, 9)),
    ],
)
def test_multi_file_apps_are_found_with_the_path_and_their_secure_twins_are_not(app, file, rule, line, sink, capsys):
    main(["check", str(APPS / app / "vulnerable"), "--format", "json", "--no-cache", "--select", "TG1,TG5"])
    found = [f for f in json.loads(capsys.readouterr().out) if f["path"].endswith(file) and f["related"]]
    assert [(f["rule"], f["start"]["line"]) for f in found] == [(rule, line)]
    last = found[0]["related"][-1]
    assert (Path(last["path"]).name if "path" in last else None, last["line"]) == sink
    main(["check", str(APPS / app / "secure"), "--format", "json", "--no-cache", "--select", "TG1,TG5"])
    assert json.loads(capsys.readouterr().out) == []


def test_methods_of_a_class_imported_from_the_workspace(tmp_path, capsys):
    (tmp_path / "services.py").write_text(
        "import os, requests\nclass Files:\n    def __init__(self, base):\n        self.base = base\n"
        "    def read(self, name):\n        return open(os.path.join(self.base, name)).read()\n"
        "class Fetcher:\n    @staticmethod\n    def fetch(url):\n        return requests.get(url, timeout=5).text\n"
    )
    (tmp_path / "app.py").write_text(
        "from flask import Flask, request\nfrom services import Files, Fetcher\napp = Flask(__name__)\n"
        "files = Files('/srv')\n@app.route('/a')\ndef a():\n    return files.read(request.args['n'])\n"
        "@app.route('/b')\ndef b():\n    svc = Files('/srv')\n    return svc.read(request.args['n'])\n"
        "@app.route('/c')\ndef c():\n    return Fetcher.fetch(request.args['u'])\n"
        "@app.route('/d')\ndef d():\n    return files.read('index.txt')\n"
    )
    main(["check", str(tmp_path / "app.py"), "--format", "json", "--no-cache", "--select", "TG501,TG507"])
    found = json.loads(capsys.readouterr().out)
    assert [(f["rule"], f["start"]["line"]) for f in found] == [("TG501", 7), ("TG501", 11), ("TG507", 14)]


def test_sarif_carries_the_path_as_related_locations_and_a_code_flow(capsys):
    main(["check", str(APPS / "flask_db" / "vulnerable"), "--format", "sarif", "--no-cache", "--select", "TG105"])
    results = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    [flow] = [r for r in results if "codeFlows" in r]
    steps = flow["codeFlows"][0]["threadFlows"][0]["locations"]
    uris = [s["location"]["physicalLocation"]["artifactLocation"]["uri"] for s in steps]
    assert uris[0].endswith("app.py") and uris[-2].endswith("db.py") and uris[-1].endswith("app.py")
    assert len(flow["relatedLocations"]) == len(steps) - 1


@pytest.mark.parametrize(
    "signature, use, label",
    [
        ("def application(environ, start_response):", "environ['QUERY_STRING']", "WSGI environ"),
        ("async def app(scope, receive, send):", "scope['path']", "ASGI scope"),
        ("def on_message(ch, method, properties, body):", "body.decode()", "message body"),
    ],
)
def test_entry_points_known_by_their_signature(signature, use, label):
    code = f"import os\n{signature}\n    os.system('echo ' + {use})\n"
    [finding] = _found(code, "TG101")
    assert finding.details["source"] == label


def test_editing_a_helper_rechecks_its_callers():
    code = _FLASK + (
        "def run_tool(arg):\n    os.system('tool --safe')\n\n"
        "@app.route('/t')\ndef t():\n    run_tool(request.args['a'])\n"
    )
    doc = analyze_text(code, "example.py")
    assert [f for f in doc.findings() if f.details.get("source")] == []
    doc.replace(4, 0, 4, len("    os.system('tool --safe')"), "    os.system('tool ' + arg)")
    assert [(f.rule_id, f.span.start_line) for f in doc.findings() if f.details.get("source")] == [("TG101", 8)]


def _deep_service(tmp_path: Path, helper: str, handler: str) -> Path:
    """A service laid out as `<project>/app/api/<area>/...`: five folders under its pyproject.toml, the
    packages without `__init__.py` (namespace packages), imported from `app/`."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'shop'\n")
    area = tmp_path / "app" / "api" / "media"
    (area / "services").mkdir(parents=True)
    (area / "tools.py").write_text(helper)
    (area / "services" / "upload.py").write_text(handler)
    return area / "services" / "upload.py"


def _reported(path: Path, capsys, select: str) -> list[tuple[str, int]]:
    main(["check", str(path), "--format", "json", "--no-cache", "--select", select])
    return [(f["rule"], f["start"]["line"]) for f in json.loads(capsys.readouterr().out) if f.get("rule")]


def test_a_helper_in_a_namespace_package_deep_in_the_project_is_followed(tmp_path, capsys):
    handler = _deep_service(
        tmp_path,
        "import subprocess\ndef thumbnail(name):\n    subprocess.run('convert ' + name + ' thumb.png', shell=True)\n",
        "from fastapi import APIRouter\nfrom api.media.tools import thumbnail\nrouter = APIRouter()\n"
        "@router.post('/thumbs')\ndef make(name: str):\n    thumbnail(name)\n",
    )
    assert _reported(handler, capsys, "TG100") == [("TG100", 6)]


def test_a_helper_of_the_helper_module_is_that_modules_own(tmp_path, capsys):
    # `tools.store` calls `_download`, a function of tools.py: its sink is reached through both.
    handler = _deep_service(
        tmp_path,
        "import requests\ndef _download(url):\n    return requests.get(url, timeout=5).content\n\n"
        "def store(item):\n    fields = item.dict()\n    return _download(fields.pop('image_url'))\n",
        "from fastapi import APIRouter\nfrom api.media import tools\nrouter = APIRouter()\n"
        "@router.put('/items')\ndef create(item: ItemIn):\n    return tools.store(item)\n",
    )
    assert _reported(handler, capsys, "TG507") == [("TG507", 6)]


def test_a_name_the_caller_also_defines_is_not_taken_for_the_helper_modules_function(tmp_path, capsys):
    # The caller's own `_download` runs a shell; tools.py's is harmless: tools.store is not reported.
    handler = _deep_service(
        tmp_path,
        "def _download(url):\n    return url.upper()\n\ndef store(item):\n    return _download(item.url)\n",
        "import os\nfrom fastapi import APIRouter\nfrom api.media import tools\nrouter = APIRouter()\n"
        "def _download(url):\n    os.system('curl ' + url)\n\n"
        "@router.put('/items')\ndef create(item: ItemIn):\n    return tools.store(item)\n",
    )
    assert _reported(handler, capsys, "TG101") == [("TG101", 6)]


_REPOSITORY = _FLASK + (
    "class Base:\n"
    "    def __init__(self):\n        self.conn = sqlite3.connect('app.db')\n\n"
    "    def fetch(self, sql):\n        return self.conn.execute(sql).fetchall()\n\n"
    "    def find_by(self, column, value):\n"
    "        return self.fetch(f\"SELECT * FROM users WHERE {column} = '{value}'\")\n\n"
    "class Users(Base):\n"
    "    def search(self, term):\n        return self.fetch(\"SELECT * FROM users WHERE name LIKE '%s'\" % term)\n\n"
    "    def by_email(self, email):\n        return super().find_by('email', email)\n\n"
    "class Service:\n"
    "    def __init__(self):\n        self.users = Users()\n\n"
    "    def lookup(self, name):\n        return self.users.search(name)\n\n"
    "USERS = Users()\n\n"
)


@pytest.mark.parametrize(
    "call, through",
    [
        ("USERS.find_by('name', request.args['n'])", "find_by"),  # defined on the base class
        ("Users().by_email(request.args['n'])", "by_email"),  # calls the base's method through super()
        ("Service().lookup(request.args['n'])", "lookup"),  # an attribute holding an instance
        ("users.search(request.args['n'])", "search"),  # an annotated parameter
    ],
)
def test_methods_found_through_bases_super_and_attributes_holding_instances(call, through):
    code = _REPOSITORY + f"@app.route('/r')\ndef r(users: Users):\n    return str({call})\n"
    found = [f for f in _found(code, "TG105") if f.details.get("source")]
    assert [f.span.start_line for f in found] == [code.count("\n") - 1]
    assert f"through `{through}()`" in found[0].message
    # The nearest sink: the query run by `fetch` (this file:9), or `fetch` itself called with SQL built
    # from the value (this file:12, in `find_by`).
    assert found[0].related[-1].message in (
        "reaches the sink in `fetch` (this file:9)",
        "reaches the sink in `find_by` (this file:12)",
        "reaches the sink in `search` (this file:16)",
    )


def test_an_attribute_holding_an_instance_is_followed_from_the_class_around_the_call():
    code = _REPOSITORY + (
        "class View:\n    def __init__(self):\n        self.users = Users()\n\n"
        "    @app.route('/v')\n    def view(self):\n        return str(self.users.search(request.args['q']))\n"
    )
    assert [f.span.start_line for f in _found(code, "TG105") if f.details.get("source")] == [35]


def test_a_method_no_class_in_the_hierarchy_defines_is_not_guessed():
    code = _REPOSITORY + "@app.route('/r')\ndef r():\n    return str(Service().missing(request.args['n']))\n"
    assert [f for f in _found(code, "TG105") if f.details.get("source")] == []


def test_every_parameter_put_into_a_query_reaches_its_sink():
    code = _REPOSITORY + "@app.route('/r')\ndef r():\n    return str(USERS.find_by(request.args['c'], 'x'))\n"
    [finding] = [f for f in _found(code, "TG105") if f.details.get("source")]
    assert "passed to `find_by()` as 'column'" in [r.message for r in finding.related]


def test_a_service_layer_over_a_repository_package_in_other_modules(capsys):
    app = APPS / "layered_service"
    main(["check", str(app / "vulnerable"), "--format", "json", "--no-cache", "--select", "TG1,TG5"])
    found = json.loads(capsys.readouterr().out)
    assert [(Path(f["path"]).name, f["rule"], f["start"]["line"]) for f in found] == [
        ("app.py", "TG105", 12),  # service.search -> UserRepository.search -> BaseRepository._fetch
        ("app.py", "TG105", 17),  # UserService().by_email -> super().find_by -> _fetch
        ("app.py", "TG105", 22),  # an annotated parameter: UserRepository.find_by, inherited
    ]
    # The path crosses each module on the way: the service, the repository, its base class.
    paths = [[(Path(r.get("path", "app.py")).name, r["line"], r["message"]) for r in f["related"][1:]] for f in found]
    sink = ("base.py", 13, "reaches the sink in `_fetch` (base.py:13)")
    assert paths == [
        [
            ("app.py", 12, "passed to `search()` as 'term'"),
            ("services.py", 9, "passed to `search()` as 'term'"),
            ("users.py", 9, "passed to `_fetch()` as 'sql'"),
            sink,
        ],
        [
            ("app.py", 17, "passed to `by_email()` as 'email'"),
            ("services.py", 12, "passed to `by_email()` as 'email'"),
            ("users.py", 12, "passed to `find_by()` as 'value'"),
            ("base.py", 16, "passed to `_fetch()` as 'sql'"),
            sink,
        ],
        [("app.py", 22, "passed to `find_by()` as 'value'"), ("base.py", 16, "passed to `_fetch()` as 'sql'"), sink],
    ]
    main(["check", str(app / "secure"), "--format", "json", "--no-cache", "--select", "TG1,TG5"])
    assert json.loads(capsys.readouterr().out) == []


def test_editing_a_base_class_rechecks_the_callers_of_its_heirs():
    code = _REPOSITORY + "@app.route('/r')\ndef r():\n    return str(USERS.find_by('name', request.args['n']))\n"
    doc = analyze_text(code, "example.py")
    assert [f.span.start_line for f in doc.findings() if f.details.get("source")] == [31]
    line = "        return self.fetch(f\"SELECT * FROM users WHERE {column} = '{value}'\")"
    at = code.splitlines().index(line)
    doc.replace(at, 0, at, len(line), "        return self.fetch('SELECT * FROM users')")
    assert [f for f in doc.findings() if f.details.get("source")] == []


def test_a_method_added_to_a_class_is_followed_from_then_on():
    code = _FLASK + (
        "class Files:\n    def size(self, name):\n        return 0\n\n"
        "FILES = Files()\n\n"
        "@app.route('/r')\ndef r():\n    return FILES.read(request.args['n'])\n"
    )
    doc = analyze_text(code, "example.py")
    assert [f for f in doc.findings() if f.details.get("source")] == []
    doc.replace(6, 0, 6, 0, "    def read(self, name):\n        return open(name).read()\n")
    assert [(f.rule_id, f.span.start_line) for f in doc.findings() if f.details.get("source")] == [("TG501", 13)]
