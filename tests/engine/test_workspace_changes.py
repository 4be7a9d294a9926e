"""A change of another module's summary re-checks only the blocks whose checks used it
(`Document.workspace_changed`), the way the language server's index reports one."""

from __future__ import annotations

from tabguard.analysis import ruleset_for
from tabguard.engine.document import Document
from tabguard.engine.summaries import WorkspaceIndex

DANGEROUS = "import os\n\n\ndef run(arg):\n    os.system('tool ' + arg)\n"
SAFE = "import os\n\n\ndef run(arg):\n    os.system('tool --safe')\n"
APP = (
    "from flask import Flask, request\nfrom tools import run\napp = Flask(__name__)\n\n"
    "@app.route('/t')\ndef t():\n    run(request.args['a'])\n\n"
    "@app.route('/h')\ndef h():\n    return 'ok'\n"
)


def _doc(tmp_path, helper: str):
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "tools.py").write_text(helper)
    return Document(APP, ruleset_for(), str(tmp_path / "app.py"), workspace=WorkspaceIndex())


def _cross_file(doc) -> list[int]:
    return [f.span.start_line for f in doc.findings() if f.rule_id == "TG101"]


def test_only_the_blocks_that_used_a_changed_summary_are_checked_again(tmp_path):
    doc = _doc(tmp_path, SAFE)
    assert _cross_file(doc) == []
    [user] = [b for b in doc.blocks if b.consults]
    target = (str((tmp_path / "tools.py").resolve()), "run")
    assert user.consults == {target}
    (tmp_path / "tools.py").write_text(DANGEROUS)
    checked = []
    check = doc._check
    doc._check = lambda block, tree: checked.append(block.start) or check(block, tree)
    assert doc.workspace_changed({target}) and doc.dirty
    assert _cross_file(doc) == [6]
    assert checked == [user.start]


def test_a_change_no_block_used_checks_nothing(tmp_path):
    doc = _doc(tmp_path, DANGEROUS)
    assert _cross_file(doc) == [6]
    assert not doc.workspace_changed({(str(tmp_path / "other.py"), "run")})
    assert not doc.dirty
