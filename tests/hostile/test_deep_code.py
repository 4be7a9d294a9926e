"""Deeply nested code is checked in full, and a rule that fails is reported, never silent."""

from __future__ import annotations

import json
import sys

import pytest

from tabguard.cli import main
from tabguard.engine import context
from tabguard.engine.deep import call_deep


def _chain(terms: int, inline: bool) -> str:
    parts = ['"a"'] * (terms // 2) + ["input()"] + ['"b"'] * (terms // 2)
    if inline:
        return "import os\nos.system(" + " + ".join(parts) + ")\n"
    return "import os\nx = " + " + ".join(parts) + "\nos.system(x)\n"


@pytest.mark.parametrize("terms", [1000, 5000])
@pytest.mark.parametrize("inline", [True, False])
def test_a_long_concatenation_still_shows_the_injection(tmp_path, capsys, terms, inline):
    # At ~990 terms a rule hit RecursionError and the finding vanished, with exit 0.
    path = tmp_path / "deep.py"
    path.write_text(_chain(terms, inline))
    assert main(["check", "--no-cache", str(path)]) == 1
    captured = capsys.readouterr()
    assert "TG101" in captured.out and "input()" in captured.out and captured.err == ""


def test_call_deep_fits_deep_recursion_and_passes_errors_on():
    def down(n: int) -> int:
        return 0 if n == 0 else 1 + down(n - 1)

    depth = sys.getrecursionlimit() * 5
    assert call_deep(lambda: down(depth)) == depth
    with pytest.raises(ValueError, match="boom"):
        call_deep(lambda: (_ for _ in ()).throw(ValueError("boom")))


def test_a_failing_rule_is_reported_in_every_format(tmp_path, capsys, monkeypatch):
    def broken(self, node):
        raise RuntimeError("boom")

    monkeypatch.setattr(context.Context, "is_constant", broken)
    path = tmp_path / "a.py"
    path.write_text("import os\n\ndef run(cmd):\n    os.system(cmd)\n")
    for _ in range(2):  # the second run must not take a clean answer from the cache
        assert main(["check", str(path)]) == 2
        assert "a.py: rule TG101: RuntimeError: boom" in capsys.readouterr().err
    assert main(["check", "--no-cache", "--format", "json", str(path)]) == 2
    items = json.loads(capsys.readouterr().out)
    problem = "rule TG101: RuntimeError: boom"
    assert {"path": path.as_posix(), "rule": None, "kind": "error", "message": problem, "error": problem} in items
    assert main(["check", "--no-cache", "--format", "sarif", str(path)]) == 2
    invocation = json.loads(capsys.readouterr().out)["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"][0]["message"]["text"].endswith("rule TG101: RuntimeError: boom")
