"""The imports a fix needs: added once, only when the name the fix writes is not bound yet, and the
fix refused where that name already means something else (the rewritten call would reach it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tabguard.analysis import analyze_text
from tabguard.engine.fixes import FixConflict, apply_edits, materialize
from tabguard.fixing import fix_text

TOKEN = '    return "".join(random.choice("abcdef0123456789") for _ in range(32))\n'


def _fixed(text: str, rule: str) -> str:
    doc = analyze_text(text, "app.py")
    (finding,) = [f for f in doc.findings() if f.rule_id == rule]
    return "\n".join(apply_edits(doc.lines, materialize(finding.fix(), doc.lines)))


def _refusal(text: str, rule: str) -> str:
    doc = analyze_text(text, "app.py")
    (finding,) = [f for f in doc.findings() if f.rule_id == rule]
    with pytest.raises(FixConflict) as refused:
        materialize(finding.fix(), doc.lines)
    return str(refused.value)


@pytest.mark.parametrize(
    "header",
    [
        "import subprocess as sp\n",  # the module under another name
        "def run():\n    import subprocess\n",  # imported in another function only
        "from subprocess import run\n",
    ],
)
def test_an_import_that_does_not_bind_the_module_name_gets_the_module_imported(header):
    text = "import os\n" + header + "\n\ndef restart(service):\n    os.system('systemctl restart ' + service)\n"
    fixed = _fixed(text, "TG101")
    assert fixed.startswith("import subprocess\nimport os\n") and "    subprocess.run([" in fixed


def test_a_module_imported_at_the_top_is_not_imported_again():
    text = "import os, subprocess  # tools\n\ndef restart(service):\n    os.system('systemctl restart ' + service)\n"
    assert _fixed(text, "TG101").count("import subprocess") == 0


@pytest.mark.parametrize(
    "binding",
    [
        "secrets = {'api': 'x'}\n",  # a module-level variable
        "from app.config import secrets\n",  # another module's object
        "import app.vault as secrets\n",
    ],
)
def test_a_module_level_binding_of_the_name_refuses_the_fix(binding):
    text = "import random\n" + binding + "\n\ndef make_token():\n" + TOKEN
    assert "`secrets` names something else" in _refusal(text, "TG309")


def test_a_parameter_of_the_enclosing_function_refuses_the_fix_elsewhere_it_does_not():
    shadowed = "import random\n\n\ndef make_token(secrets):\n" + TOKEN
    assert "`secrets`" in _refusal(shadowed, "TG309")
    elsewhere = "import random\n\n\ndef load(secrets):\n    return secrets\n\n\ndef make_token():\n" + TOKEN
    assert "secrets.choice(" in _fixed(elsewhere, "TG309")


def test_fix_skips_a_conflicting_fix_and_says_why():
    text = "import random\nsecrets = {}\n\n\ndef make_token():\n" + TOKEN

    def analyse(source):
        doc = analyze_text(source, "app.py")
        return doc.lines, doc.findings()

    outcome = fix_text(Path("app.py"), text, analyse, unsafe=True)
    assert outcome.text == text and not outcome.applied
    assert [(f.rule_id, why) for f, why in outcome.skipped] == [
        ("TG309", "`secrets` names something else here, the rewrite needs the module")
    ]
