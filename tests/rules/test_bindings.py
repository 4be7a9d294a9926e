"""Rules read local values from the engine's semantic model: the questions on which the helpers each
rule family had written gave different answers (issue 12) now have one answer everywhere."""

from __future__ import annotations

from tabguard.analysis import analyze_text

_HEAD = "import requests\nfrom flask import request\nfrom Crypto.Cipher import AES\n"


def _lines(code: str, rule_id: str) -> list[int]:
    found = analyze_text(_HEAD + code, "example.py").findings()
    return sorted(f.span.start_line - _HEAD.count("\n") + 1 for f in found if f.rule_id == rule_id)


def test_binding_and_use_on_one_line():
    code = 'def f(cursor, name):\n    q = "SELECT * FROM t WHERE name = \'" + name + "\'"; cursor.execute(q)\n'
    assert _lines(code, "TG105") == [2]


def test_augmented_assignment_builds_the_query():
    code = 'def f(cursor, name):\n    q = "SELECT * FROM t WHERE name = \'"\n    q += name\n    cursor.execute(q)\n'
    assert _lines(code, "TG105") == [4]


def test_annotated_assignment_is_a_binding():
    code = "def f(cursor, name):\n    q: str = \"SELECT * FROM t WHERE name = '%s'\" % name\n    cursor.execute(q)\n"
    assert _lines(code, "TG105") == [3]


def test_a_nested_function_reads_the_constant_bound_around_it():
    code = (
        "def make():\n    key = b'0123456789abcdef'\n"
        "    def enc(data):\n        return AES.new(key, AES.MODE_GCM).encrypt(data)\n    return enc\n"
    )
    assert _lines(code, "TG305") == [4]


def test_a_binding_inside_a_nested_function_does_not_count_outside_it():
    code = (
        "def make(data):\n    def other():\n        key = b'0123456789abcdef'\n"
        "    key = load_key()\n    return AES.new(key, AES.MODE_GCM).encrypt(data)\n"
    )
    assert _lines(code, "TG305") == []


def test_a_later_unpacking_replaces_a_constant():
    code = "def f(rows):\n    code = None\n    for row in rows:\n        name, code = row\n        eval(code)\n"
    assert _lines(code, "TG103") == [5]


def test_the_last_binding_on_a_line_reaches_the_call_after_it():
    code = (
        "@app.route('/f')\ndef f():\n    url = 'https://api.example.com/x'\n"
        "    url = request.args['next']; requests.get(url, timeout=5)\n"
    )
    assert _lines(code, "TG507") == [4]


def test_a_value_bound_in_one_branch_reaches_past_the_other():
    # Each arm of the `if` reaches the call: the parameter's branch makes the command non-constant.
    code = (
        "import os\ndef f(c, param):\n    if c:\n        cmd = param\n    else:\n        cmd = 'ls'\n"
        "    os.system(cmd)\n"
    )
    found = [f for f in analyze_text(code, "example.py").findings() if f.rule_id == "TG101"]
    assert [(f.span.start_line + 1, f.confidence) for f in found] == [(7, "low")]


def test_constants_in_every_branch_are_constant():
    code = "import os\ndef f(c):\n    if c:\n        cmd = 'pwd'\n    else:\n        cmd = 'ls'\n    os.system(cmd)\n"
    assert [f for f in analyze_text(code, "example.py").findings() if f.rule_id == "TG101"] == []


def test_a_list_replaced_in_a_branch_holds_either_value():
    code = (
        "from django.utils.safestring import mark_safe\n"
        "def cell(a, obj):\n    row_classes = [obj.css_class()]\n    if a:\n        row_classes = ['lit']\n"
        "    return mark_safe('<tr class=\"%s\">' % ' '.join(row_classes))\n"
    )
    assert _lines(code, "TG109") == [6]


def test_the_program_of_each_list_a_branch_builds():
    head = "import shutil, subprocess\n@app.route('/run')\ndef run():\n"
    chosen = "    cmd = ['ls']\n    if request.args.get('x'):\n        cmd = [request.args['prog']]\n"
    assert _lines(head + chosen + "    subprocess.run(cmd)\n", "TG102") == [7]
    # The user fills in an argument after either program: no program is chosen by the user.
    appended = "    cmd = ['./tool']\n    if py:\n        cmd = [shutil.which('python3'), '-u'] + cmd\n"
    assert _lines(head + appended + "    cmd.append(request.args['q'])\n    subprocess.run(cmd)\n", "TG102") == []


def test_a_fix_rewrites_every_branch_that_builds_the_text():
    code = (
        "from flask import Flask, request\napp = Flask(__name__)\n@app.route('/h')\ndef h():\n"
        "    name = request.args['name']\n    if request.args.get('bold'):\n        page = f'<b>{name}</b>'\n"
        "    else:\n        page = '<i>' + name + '</i>'\n    return page\n"
    )
    (finding,) = [f for f in analyze_text(code, "example.py").findings() if f.rule_id == "TG110"]
    wrapped = sorted(e.span.start_line + 1 for e in finding.fix().edits if "escape" in e.new_text)
    assert wrapped == [7, 9]  # not only one branch's assignment


def test_an_object_made_in_either_branch_is_still_known():
    code = (
        "import tarfile\ndef unpack(path, dest, gz):\n    if gz:\n        tar = tarfile.open(path, 'r:gz')\n"
        "    else:\n        tar = tarfile.open(path)\n    tar.extractall(dest)\n"
    )
    assert _lines(code, "TG503") == [7]


def test_a_prefix_in_every_branch_keeps_getattr_to_its_methods():
    head = "@app.route('/a')\ndef act():\n    cmd = request.args['cmd']\n"
    both = "    if request.args.get('admin'):\n        name = 'admin_' + cmd\n    else:\n        name = 'do_' + cmd\n"
    assert _lines(head + both + "    return getattr(handlers, name)()\n", "TG104") == []
    one = "    name = 'do_' + cmd\n    if request.args.get('raw'):\n        name = cmd\n"
    assert _lines(head + one + "    return getattr(handlers, name)()\n", "TG104") == [7]


def test_a_queryset_narrowed_in_a_branch_is_still_a_queryset():
    code = (
        "def edit(request):\n    qs = Item.objects.all()\n    if request.GET.get('q'):\n"
        "        qs = qs.filter(name=request.GET['q'])\n    qs.update(**request.POST.dict())\n"
    )
    assert _lines(code, "TG120") == [5]


def test_an_augmented_query_after_branches_builds_it_in_each():
    code = (
        'def find(cursor, name, exact):\n    if exact:\n        q = "SELECT * FROM t WHERE name = \'"\n'
        '    else:\n        q = "SELECT * FROM t WHERE name LIKE \'"\n    q += name\n    cursor.execute(q)\n'
    )
    assert _lines(code, "TG105") == [7]
