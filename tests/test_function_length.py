"""No function in the product is longer than 68 lines: a longer one is split into named steps."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 68


def _long_functions(folder: str):
    for path in sorted((ROOT / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > LIMIT:
                    yield f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length} lines)"


@pytest.mark.parametrize("folder", ["server", "rules"])
def test_no_function_is_longer_than_the_limit(folder):
    assert list(_long_functions(folder)) == []
