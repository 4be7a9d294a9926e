"""Test code: what pytest and unittest would run as tests, and the fixtures and sample apps beside them.

A module is test code when its file name is a test module's (`test_*.py`, `*_test.py`, Django's
`tests.py`, `conftest.py`), or when it lies in a test tree of its project: below a folder named
`tests`, `test` or `testing`, or below a folder holding a `conftest.py`, whatever the folder is called
(pytest's marker). Only folders inside the file's project count (see `project.workspace_root`): the
folders a checkout happens to sit in (`/home/me/tests/shop/`) say nothing, and the project root's own
conftest.py may configure the whole project (doctests), so it does not make everything test code.
A file outside any project is test code by its name only.

A test function in another module (`def test_login` in app.py) does not make its body test code: no
runner collects it there by default, and a function so named in an application is as often a self-check
that runs for real (`def test_connection()`) or a demonstration. Rules that judge a value written in a
test (a fixture's password) or a test's expectation (`assert`) also ask `is_test_function`.

The answer is cached per folder, so it costs a file system walk once per folder, not per check.
"""

from __future__ import annotations

import ast
import os
import re
from functools import lru_cache
from pathlib import Path

from tabguard.project import workspace_root

_TEST_FILE = re.compile(r"test_\w*\.py|\w+_test\.py|tests\.py|conftest\.py")
_TEST_FOLDERS = frozenset({"test", "tests", "testing"})
_TEST_FUNCTION = re.compile(r"test(_\w*|[A-Z]\w*)?")


def is_test_path(path: str) -> bool:
    """The module at `path` is test code (an unsaved buffer, `<stdin>`, is not)."""
    if not path or path.startswith("<"):
        return False
    name = os.path.basename(path.replace("\\", "/"))
    return bool(_TEST_FILE.fullmatch(name)) or _in_test_tree(Path(os.path.abspath(path)).parent)


@lru_cache(maxsize=4096)
def _in_test_tree(folder: Path) -> bool:
    root = workspace_root(folder)
    if root is None:
        return False
    while folder != root and root in folder.parents:
        if folder.name in _TEST_FOLDERS or (folder / "conftest.py").is_file():
            return True
        folder = folder.parent
    return False


def is_test_function(func: ast.AST) -> bool:
    """A function a test runner would collect by its name: `test`, `test_*`, `testCamelCase`."""
    return bool(_TEST_FUNCTION.fullmatch(getattr(func, "name", "")))
