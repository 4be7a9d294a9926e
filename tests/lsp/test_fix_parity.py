"""The editor's quick fix and `tabguard check --fix --unsafe-fixes` make the same change: the same
edits, imports included, for the rewrites of the shapes assistants write; and a fix the CLI refuses
because its import would reach another object is not offered in the editor either."""

from __future__ import annotations

import pytest

from tabguard.cli import main
from test_code_actions import _apply

# (rule, file text): one fixable finding of the rule in each.
CASES = [
    (
        "TG105",
        "import sqlite3\nfrom flask import request\n\n\n@app.route('/u')\ndef user():\n"
        "    conn = sqlite3.connect('app.db')\n    username = request.args['username']\n"
        "    query = f\"SELECT id FROM users WHERE username = '{username}'\"\n"
        "    return conn.execute(query).fetchone()\n",
    ),
    (
        "TG100",
        "import subprocess as sp\n\n\ndef lookup(domain):\n    cmd = 'nslookup ' + domain\n"
        "    return sp.run(\n        cmd,\n        shell=True,\n        capture_output=True,\n    ).stdout\n",
    ),
    ("TG101", "import os\n\n\ndef count(path):\n    for line in os.popen(f'wc -l {path}'):\n        print(line)\n"),
    (
        "TG508",
        "from flask import redirect, request\n\n\n@app.route('/go')\ndef go():\n"
        "    return redirect(request.args.get('next'))\n",
    ),
    (
        "TG502",
        "import os\nfrom flask import request, send_file\n\n\n@app.route('/d')\ndef download():\n"
        "    path = os.path.join(UPLOAD_DIR, request.args['file'])\n    return send_file(path)\n",
    ),
    ("TG310", 'DATABASES = {\n    "default": {\n        "PASSWORD": "Sup3rS3cret!",\n    }\n}\n'),
]


def _code_action_text(server, path, text: str, rule: str) -> list[str]:
    """The text after each quick fix the editor offers for `rule`'s findings."""
    uri = path.as_uri()
    mark = server.mark()
    server.notify(
        "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}
    )
    server.wait_notification(
        lambda b: b.get("method") == "textDocument/publishDiagnostics" and b["params"]["uri"] == uri, mark
    )
    everything = {"start": {"line": 0, "character": 0}, "end": {"line": len(text.split("\n")), "character": 0}}
    actions = server.request(
        "textDocument/codeAction", {"textDocument": {"uri": uri}, "range": everything, "context": {"diagnostics": []}}
    )
    fixes = [
        a for a in actions if a.get("edit") and a["title"].startswith("Fix") and a["diagnostics"][0]["code"] == rule
    ]
    return [_apply(text, a["edit"]["changes"][uri]) for a in fixes]


@pytest.mark.parametrize("rule,text", CASES, ids=[rule for rule, _ in CASES])
def test_the_quick_fix_is_the_cli_fix(server, rule, text):
    path = server.root / "app.py"
    path.write_text(text)
    (editor,) = _code_action_text(server, path, text, rule)
    main(["check", str(path), "--fix", "--unsafe-fixes", "--no-cache", "--select", rule])
    assert path.read_text() == editor != text


def test_a_fix_whose_import_is_shadowed_is_offered_by_neither(server, capsys):
    text = (
        "import random\nsecrets = {}\n\n\ndef make_token():\n"
        '    return "".join(random.choice("abcdef0123456789") for _ in range(32))\n'
    )
    path = server.root / "tokens.py"
    path.write_text(text)
    assert _code_action_text(server, path, text, "TG309") == []
    main(["check", str(path), "--fix", "--unsafe-fixes", "--no-cache", "--select", "TG309"])
    assert path.read_text() == text
    assert "TG309 fix skipped: `secrets` names something else here" in capsys.readouterr().err
