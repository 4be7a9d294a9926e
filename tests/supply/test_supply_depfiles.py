"""Findings and fixes in requirements files and pyproject.toml, and through `tabguard check`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tabguard.engine.fixes import apply_edits
from tabguard.engine.document import split_lines
from tabguard.rules import all_rules
from tabguard.analysis import check_dependency_file
from tabguard.supply.depfiles import is_dependency_file


def check(workspace, relative: str, text: str, **config):
    path = workspace.write(relative, text)
    return check_dependency_file(path, text, workspace.config(**config))


def by_rule(found) -> list[tuple[str, str, int]]:
    return [
        (
            f.rule_id,
            f.details.get("name") or f.details.get("module") or f.details.get("distribution"),
            f.span.start_line,
        )
        for f in found
    ]


def fixed(text: str, finding) -> str:
    return "\n".join(apply_edits(split_lines(text), finding.fix().edits))


def test_is_dependency_file():
    assert is_dependency_file(Path("requirements.txt"))
    assert is_dependency_file(Path("requirements-dev.txt"))
    assert is_dependency_file(Path("requirements/prod.txt"))
    assert is_dependency_file(Path("x/pyproject.toml"))
    assert not is_dependency_file(Path("notes.txt"))
    assert not is_dependency_file(Path("app.py"))


def test_requirements_findings_and_fixes(workspace):
    workspace.install("Flask", "3.0.3", ["flask"])
    text = (
        "# web\n"
        "flask[async]>=2.0  # framework\n"
        "reqeusts==2.32.3\n"
        "fastapi-auth-helpers==0.2.1\n"
        "sklearn\n"
        "django==4.2.16 --hash=sha256:0123\n"
        "git+https://example.invalid/acme/lib.git#egg=lib\n"
        "-r other.txt\n"
    )
    found = check(workspace, "requirements.txt", text)
    assert by_rule(found) == [
        ("TG705", "flask", 1),
        ("TG702", "reqeusts", 2),
        ("TG701", "fastapi-auth-helpers", 3),
        ("TG704", "sklearn", 4),
        ("TG705", "sklearn", 4),
    ]
    unpinned_flask, typo, hallucinated, deprecated, _ = found
    assert fixed(text, unpinned_flask).splitlines()[1] == "flask[async]==3.0.3  # framework"
    # No example can show this fix (it depends on what is installed): the rule declares its safety.
    assert unpinned_flask.fix().safe is next(r for r in all_rules() if r.id == "TG705").unshown_fix_safe
    assert fixed(text, typo).splitlines()[2] == "requests==2.32.3"
    assert hallucinated.fix() is None
    assert fixed(text, deprecated).splitlines()[4] == "scikit-learn"
    assert typo.span.end_col == len("reqeusts")


def test_import_name_used_as_distribution_name(workspace):
    found = check(workspace, "requirements.txt", "yaml==6.0\n")
    assert by_rule(found) == [("TG702", "yaml", 0)]
    assert found[0].details["target"] == "pyyaml"


def test_private_index_skips_existence_checks(workspace):
    found = check(
        workspace, "requirements.txt", "--index-url https://pkgs.corp.example/simple\ncorp-billing-core==1.0\n"
    )
    assert found == []


def test_pyproject_findings_point_into_the_file(workspace):
    text = (
        "[project]\n"
        'name = "shop"\n'
        "dependencies = [\n"
        '    "requests>=2.31",\n'
        '    "python-requests>=2",\n'
        "]\n"
        "[project.optional-dependencies]\n"
        'test = ["pytest>=8", "shop[extra]"]\n'
        "[tool.poetry.dependencies]\n"
        'python = "^3.11"\n'
        'djnago = "^4.2"\n'
        "[tool.uv]\n"
        'dev-dependencies = ["pytest>=8"]\n'
        "[tool.pdm.dev-dependencies]\n"
        'lint = ["blakc"]\n'
        "[tool.hatch.envs.docs]\n"
        'dependencies = ["mkdocs"]\n'
        'extra-dependencies = ["reqeusts"]\n'
    )
    found = check(workspace, "pyproject.toml", text)
    assert by_rule(found) == [
        ("TG702", "python-requests", 4),
        ("TG702", "djnago", 10),
        ("TG702", "blakc", 14),
        ("TG702", "reqeusts", 17),
    ]
    found = found[:2]
    first, second = found
    assert (first.span.start_col, first.span.end_col) == (5, 5 + len("python-requests"))
    assert fixed(text, first).splitlines()[4] == '    "requests>=2",'
    assert fixed(text, second).splitlines()[10] == 'django = "^4.2"'
    # pyproject ranges are a library's business: no unpinned hint there
    assert not [f for f in found if f.rule_id == "TG705"]


def test_tabguard_check_reports_dependency_files(workspace):
    workspace.write("requirements.txt", "reqeusts==2.32.3\n")
    workspace.write("app.py", "import os\n")
    completed = subprocess.run(
        [sys.executable, "-m", "tabguard", "check", str(workspace.root), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 1, completed.stderr
    report = json.loads(completed.stdout)
    text = json.dumps(report)
    assert "requirements.txt" in text and "TG702" in text


def test_a_librarys_requirement_lists_are_not_judged_as_an_applications_pins(workspace):
    unpinned = "sphinx>=7\nfurl\n"
    # The conftest workspace is an application (a [project] without a build backend): its root pins.
    assert [r for r, _, _ in by_rule(check(workspace, "requirements.txt", unpinned))] == ["TG705", "TG705"]
    # Lists kept away from the root are tooling (docs, CI), not the deployment.
    assert by_rule(check(workspace, "docs/requirements.txt", unpinned)) == []
    # A published library (it builds a distribution): its requirement files are its tooling too.
    workspace.write("pyproject.toml", '[build-system]\nrequires = ["setuptools"]\n[project]\nname = "shop"\n')
    assert by_rule(check(workspace, "requirements-dev.txt", unpinned)) == []
