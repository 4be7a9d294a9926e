"""Calls into other modules are followed only inside the project: a module beside the project (or
reached through a symlink) is never read."""

from __future__ import annotations

from tabguard.engine.summaries import WorkspaceIndex

HELPER = "def run(cmd):\n    import os\n    os.system(cmd)\n"


def test_a_module_above_the_project_root_is_not_read(tmp_path):
    project = tmp_path / "project"
    (project / "app").mkdir(parents=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    (tmp_path / "helpers.py").write_text(HELPER)  # outside the project
    (project / "db.py").write_text(HELPER)
    index = WorkspaceIndex()
    assert index.locate("helpers", project / "app") is None
    assert index.locate("db", project / "app") == project / "db.py"


def test_a_loose_folder_sees_only_itself(tmp_path):
    (tmp_path / "scripts").mkdir()
    (tmp_path / "helpers.py").write_text(HELPER)
    assert WorkspaceIndex().locate("helpers", tmp_path / "scripts") is None


def test_a_symlink_out_of_the_project_is_not_followed(tmp_path):
    project, outside = tmp_path / "project", tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    (project / ".git").mkdir()
    (outside / "secret.py").write_text(HELPER)
    (project / "db.py").symlink_to(outside / "secret.py")
    assert WorkspaceIndex().locate("db", project) is None


def test_relative_imports_climb_packages(tmp_path):
    package = tmp_path / "pkg"
    (package / "views").mkdir(parents=True)
    for folder in (package, package / "views"):
        (folder / "__init__.py").write_text("")
    (package / "db.py").write_text(HELPER)
    assert WorkspaceIndex().locate("..db", package / "views") == package / "db.py"
    assert WorkspaceIndex().locate(".db", package) == package / "db.py"
