"""Test code (engine/testcode.py): test modules by name, test trees of a project (a `tests` folder, a
folder holding a conftest.py), and what the rules with `quiet_in_tests` (and TG310) leave unreported
there while the same code in the application is reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from tabguard.analysis import analyze_text
from tabguard.engine.testcode import is_test_path
from tabguard.rules import all_rules

_PICKLE = "import pickle\n\ndef restore(blob):\n    return pickle.loads(blob)\n"
_TMP = 'PIDFILE = "/tmp/worker.pid"\n'
_PEM = 'KEY = """-----BEGIN RSA PRIVATE KEY-----\nMIICXQIBAAKBgQC9Twh0V5q\n-----END RSA PRIVATE KEY-----"""\n'
_PASSWORD = 'DB_PASSWORD = "Adm1n!2024"\n'
_TASK = (
    "from celery import shared_task\n\n@shared_task\ndef append(file_name, line):\n"
    "    with open(file_name, 'a') as out:\n        out.write(line)\n"
)


def _tree(root: Path, *files: str) -> None:
    for name in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("", encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project whose tests live in `t/` (marked by conftest.py files) and in `tests/`."""
    root = tmp_path / "shop"
    _tree(root, "pyproject.toml", "conftest.py", "t/unit/conftest.py", "tests/__init__.py", "app/views.py")
    return root


@pytest.mark.parametrize(
    "name,expected",
    [
        ("test_app.py", True),
        ("views_test.py", True),
        ("conftest.py", True),
        ("tests.py", True),  # a Django app's tests
        ("views.py", False),
        ("latest.py", False),
        ("contest.py", False),
        ("testing_helpers.py", False),
    ],
)
def test_test_modules_by_name(name, expected):
    assert is_test_path(f"shop/{name}") is expected


@pytest.mark.parametrize(
    "relative,expected",
    [
        ("t/unit/security/__init__.py", True),  # below a conftest.py: pytest's tree, whatever it is called
        ("t/unit/bin/proj/daemon_config.py", True),
        ("tests/fixtures/keys.py", True),
        ("testing/sample_app/app.py", True),
        ("t/skip.py", False),  # no conftest.py at or above its folder inside the project
        ("app/views.py", False),  # the project root's own conftest.py does not make everything test code
        ("settings.py", False),
    ],
)
def test_test_trees_inside_the_project(project, relative, expected):
    assert is_test_path(str(project / relative)) is expected


def test_folders_above_the_project_do_not_count(tmp_path):
    root = tmp_path / "tests" / "checkouts" / "shop"
    _tree(root, "requirements.txt", "app.py")
    assert not is_test_path(str(root / "app.py"))


def test_outside_any_project_only_the_name_counts(tmp_path):
    _tree(tmp_path, "tests/app.py")
    assert not is_test_path(str(tmp_path / "tests" / "app.py"))
    assert is_test_path(str(tmp_path / "tests" / "test_app.py"))
    assert not is_test_path("<stdin>") and not is_test_path("")


def _rules(code: str, path: Path) -> list[str]:
    return sorted(f.rule_id for f in analyze_text(code, str(path)).findings())


@pytest.mark.parametrize(
    "code,rule",
    [(_PICKLE, "TG114"), (_TMP, "TG218"), (_PEM, "TG310"), (_PASSWORD, "TG310"), (_TASK, "TG501")],
)
def test_fixtures_in_test_code_are_not_reported_and_the_same_code_in_the_app_is(project, code, rule):
    assert rule in _rules(code, project / "app" / "worker.py")
    assert rule not in _rules(code, project / "t" / "unit" / "worker.py")
    assert rule not in _rules(code, project / "tests" / "helpers.py")


def test_a_test_function_in_an_app_module_holds_fixtures_but_is_not_test_code(project):
    code = (
        "import pickle\n\ndef test_restore(blob):\n    password = 'correct-horse-42'\n    return pickle.loads(blob)\n"
    )
    assert _rules(code, project / "app" / "worker.py") == ["TG114"]
    assert _rules(code.replace("test_restore", "restore"), project / "app" / "worker.py") == ["TG114", "TG310"]


def test_a_provider_key_in_test_code_is_still_reported(project):
    code = 'GITHUB_TOKEN = "ghp_4f9Kx2LmQ8rT1vZ7wY3nB6cD0eH5jAabcdef"\n'
    assert _rules(code, project / "tests" / "test_api.py") == ["TG310"]


def test_tls_verification_off_in_a_test_is_still_reported(project):
    code = "import requests\n\ndef test_health():\n    requests.get('https://staging.example.org/health', verify=False, timeout=5)\n"
    assert "TG201" in _rules(code, project / "tests" / "test_health.py")


@pytest.mark.parametrize("rule", [r for r in all_rules() if r.quiet_in_tests], ids=lambda r: r.id)
def test_quiet_rules_report_none_of_their_invalid_examples_from_a_test_tree(tmp_path, rule):
    _tree(tmp_path, "pyproject.toml")
    for example in rule.INVALID:
        name = Path(*Path(example.path).parts[-2:])  # `settings/production.py` stays a settings module
        assert rule.id in _rules(example.code, tmp_path / "app" / name), example.code
        assert rule.id not in _rules(example.code, tmp_path / "tests" / name), example.code
