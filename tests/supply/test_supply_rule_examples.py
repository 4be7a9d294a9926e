"""The dependency-file examples of the TG7 rules (the Python ones run in tests/rules/test_examples.py):
offline ones here, online ones (`online = True`) in test_supply_online.py against a fake server."""

from __future__ import annotations

from pathlib import Path

import pytest

from tabguard.analysis import check_dependency_file
from tabguard.config import Config
from tabguard.engine.document import split_lines
from tabguard.engine.fixes import apply_edits
from tabguard.supply.depfiles import is_dependency_file

from rule_examples import assert_pinned, examples, is_todo


def dependency_examples(kind: str, online: bool):
    return examples(kind, lambda rule, path: getattr(rule, "online", False) == online and is_dependency_file(path))


def run_example(rule, example, folder: Path, config: Config) -> list:
    path = folder / example.path
    path.write_text(example.code)
    return [f for f in check_dependency_file(path, example.code, config) if f.rule_id == rule.id]


def assert_invalid(rule, example, folder: Path, config: Config) -> None:
    fix = assert_pinned(rule, example, run_example(rule, example, folder, config))[0].fix()
    if is_todo(rule, example):
        return
    if example.fixed is None:
        assert fix is None
        return
    result = "\n".join(apply_edits(split_lines(example.code), fix.edits))
    assert result == example.fixed
    assert not run_example(rule, type(example)(result, None, example.path), folder, config)


@pytest.fixture
def folder(tmp_path) -> Path:
    (tmp_path / ".git").mkdir()  # a project of its own, with nothing installed in a .venv
    (tmp_path / ".venv" / "lib" / "python3.11" / "site-packages").mkdir(parents=True)
    return tmp_path


@pytest.mark.parametrize("rule,example", list(dependency_examples("VALID", online=False)))
def test_valid_dependency_example(rule, example, folder):
    assert run_example(rule, example, folder, Config()) == []


@pytest.mark.parametrize("rule,example", list(dependency_examples("INVALID", online=False)))
def test_invalid_dependency_example(rule, example, folder):
    assert_invalid(rule, example, folder, Config())
