"""`tabguard check --fix / --unsafe-fixes / --diff`: what is written, what is refused, exit codes."""

from __future__ import annotations

import json
import os

import pytest

from tabguard.cli import main
from tabguard.engine.types import Edit, Finding, Fix, Span
from tabguard.fixing import fix_text

# TG302's `usedforsecurity=False` on a file fingerprint is safe (same digest); TG201's (verify=True)
# and TG215's (timeout=) are not.
SAFE = "import hashlib\ndef fingerprint(path):\n    with open(path, 'rb') as f:\n        return hashlib.md5(f.read()).hexdigest()\n"
SAFE_FIXED = SAFE.replace("md5(f.read())", "md5(f.read(), usedforsecurity=False)")
UNSAFE = "import requests\nr = requests.get(url, verify=False)\n"
UNSAFE_FIXED = "import requests\nr = requests.get(url, verify=True, timeout=10)\n"


def test_fix_applies_safe_fixes_only_and_reports_like_ruff(tmp_path, capsys):
    (tmp_path / "a.py").write_text(SAFE)
    (tmp_path / "b.py").write_text(UNSAFE)
    assert main(["check", str(tmp_path), "--fix", "--no-cache"]) == 1  # b.py's findings remain
    assert (tmp_path / "a.py").read_text() == SAFE_FIXED
    assert (tmp_path / "b.py").read_text() == UNSAFE
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "Fixed 1 finding (2 remaining). 2 more fixable with --unsafe-fixes."
    assert all("b.py" in line for line in out[:-1]) and len(out) == 3


def test_unsafe_fixes_overlapping_edits_are_applied_in_turn(tmp_path, capsys):
    # TG201 and TG215 both rewrite the same call: the second fix is built against the first's result.
    path = tmp_path / "b.py"
    path.write_text(UNSAFE)
    assert main(["check", str(path), "--fix", "--unsafe-fixes", "--no-cache"]) == 0
    assert path.read_text() == UNSAFE_FIXED
    assert capsys.readouterr().out.splitlines()[-1] == "Fixed 2 findings (0 remaining)."
    assert main(["check", str(path), "--fix", "--unsafe-fixes", "--no-cache"]) == 0
    assert path.read_text() == UNSAFE_FIXED


def test_diff_prints_a_unified_diff_and_writes_nothing(tmp_path, capsys):
    path = tmp_path / "b.py"
    path.write_text(UNSAFE)
    assert main(["check", str(path), "--diff", "--unsafe-fixes", "--no-cache"]) == 1
    captured = capsys.readouterr()
    assert path.read_text() == UNSAFE
    assert captured.out.splitlines()[2:] == [
        "@@ -1,2 +1,2 @@",
        " import requests",
        "-r = requests.get(url, verify=False)",
        "+r = requests.get(url, verify=True, timeout=10)",
    ]
    assert captured.out.splitlines()[0].endswith("b.py")
    assert captured.err.strip() == "Would fix 2 findings (0 remaining)."
    # Nothing fixable without --unsafe-fixes: no diff, exit 0, and the hidden fixes are counted.
    assert main(["check", str(path), "--diff", "--no-cache"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "2 more fixable with --unsafe-fixes" in captured.err


def test_written_file_keeps_mode_encoding_bom_and_line_endings(tmp_path):
    path = tmp_path / "a.py"
    text = "# -*- coding: latin-1 -*-\r\n" + SAFE.replace("admins only", "réservé").replace("\n", "\r\n")
    path.write_bytes(text.encode("latin-1"))
    os.chmod(path, 0o640)
    assert main(["check", str(path), "--fix", "--no-cache"]) == 0
    expected = "# -*- coding: latin-1 -*-\r\n" + SAFE_FIXED.replace("admins only", "réservé").replace("\n", "\r\n")
    assert path.read_bytes() == expected.encode("latin-1")
    assert os.stat(path).st_mode & 0o777 == 0o640
    bom = tmp_path / "bom.py"
    bom.write_bytes(b"\xef\xbb\xbf" + SAFE.encode())
    assert main(["check", str(bom), "--fix", "--no-cache"]) == 0
    assert bom.read_bytes() == b"\xef\xbb\xbf" + SAFE_FIXED.encode()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_symlink_out_of_the_project_is_not_written(tmp_path, capsys):
    outside = tmp_path / "outside"
    outside.mkdir()
    target = outside / "shared.py"
    target.write_text(SAFE)
    project = tmp_path / "project"
    project.mkdir()
    (project / "link.py").symlink_to(target)
    inner = project / "real.py"
    inner.write_text(SAFE)
    (project / "inner_link.py").symlink_to(inner)
    # The folder walk never follows the link out; naming it explicitly must not write through it either.
    assert main(["check", str(project / "link.py"), str(project / "inner_link.py"), "--fix", "--no-cache"]) == 2
    assert target.read_text() == SAFE
    assert "outside the scanned folder; not written" in capsys.readouterr().err
    assert inner.read_text() == SAFE_FIXED and (project / "inner_link.py").is_symlink()


def test_json_output_carries_the_edits(tmp_path, capsys):
    path = tmp_path / "t.py"
    path.write_text("import yaml\nimport os\nx = 1\ndata = yaml.load(os.environ['X'])\n")
    main(["check", str(path), "--format", "json", "--no-cache"])
    fixes = [item["fix"] for item in json.loads(capsys.readouterr().out) if item["rule"] == "TG115"]
    assert fixes[0]["applicability"] == "unsafe" and fixes[0]["safe"] is False
    assert fixes[0]["edits"] == [
        {
            "start": {"line": 4, "column": 8},
            "end": {"line": 4, "column": 34},
            "content": "yaml.safe_load(os.environ['X'])",
        }
    ]


def _finding(rule_id: str, fix: Fix) -> Finding:
    return Finding(rule_id, Span(0, 0, 0, 1), f"{rule_id} message", "high", _fix=fix, _fix_built=True)


@pytest.mark.parametrize(
    "new_text,after,reason",
    [
        ("x = (", [], "the rewrite does not parse"),
        ("y = 2", ["TG999"], "the rewrite would add TG999 (TG999 message)"),
        ("y = 2", ["TG001"], "the finding is still reported after the rewrite"),
    ],
)
def test_a_fix_that_fails_the_recheck_is_skipped(tmp_path, new_text, after, reason):
    fix = Fix("Fix: replace", (Edit(Span(0, 0, 0, 5), new_text),), safe=True)

    def analyse(text):
        if text == "x = 1":
            return ["x = 1"], [_finding("TG001", fix)]
        return [text], [_finding(rule, None) for rule in after]

    outcome = fix_text(tmp_path / "a.py", "x = 1", analyse, unsafe=False)
    assert outcome.text == "x = 1" and not outcome.applied
    assert [(f.rule_id, why) for f, why in outcome.skipped] == [("TG001", reason)]


def test_a_file_changed_while_it_is_fixed_is_not_overwritten(tmp_path, capsys, monkeypatch):
    """Saved in an editor between the read and the write, it lost the save before (the fixed text
    of the old content replaced it)."""
    from tabguard import fixing

    target = tmp_path / "app.py"
    target.write_text(SAFE)
    saved = "import hashlib\n\n# saved in the editor meanwhile\n"
    real_fix_text = fixing.fix_text

    def fix_while_saved(*args, **kwargs):
        outcome = real_fix_text(*args, **kwargs)
        target.write_text(saved)
        return outcome

    monkeypatch.setattr(fixing, "fix_text", fix_while_saved)
    assert main(["check", "--no-cache", "--fix", str(target)]) == 2
    assert target.read_text() == saved
    assert "changed on disk while it was being fixed; not written" in capsys.readouterr().err


def test_a_read_only_file_is_not_rewritten(tmp_path, capsys):
    target = tmp_path / "app.py"
    target.write_text(SAFE)
    target.chmod(0o444)
    assert main(["check", "--no-cache", "--fix", str(target)]) == 2
    assert target.read_text() == SAFE and os.stat(target).st_mode & 0o777 == 0o444
    assert "app.py: cannot write the fixes: it is read-only; not written" in capsys.readouterr().err
