"""The wheel must contain every package folder: pyproject lists them explicitly (folders are remapped).
And since tabguard is not on a package index, no instruction may tell people to install it from one."""

import re
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_folder_is_listed_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = set()
    for top, name in (("server", "tabguard"), ("rules", "tabguard.rules")):
        for init in (ROOT / top).rglob("__init__.py"):
            parts = init.parent.relative_to(ROOT / top).parts
            found.add(".".join((name, *parts)))
    assert found == listed, f"missing from pyproject: {found - listed}; listed but absent: {listed - found}"


def test_no_instruction_installs_tabguard_from_the_package_index():
    # `pip install tabguard` / `pipx install tabguard` failed for every reader: the package is not on PyPI.
    from_index = re.compile(r"pipx? install\s+[\"']?tabguard\b(?![-/])")
    places = [ROOT / "README.md", *(ROOT / "docs").rglob("*.md"), *(ROOT / "editors").rglob("*")]
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in places
        if path.is_file()
        and path.suffix in {".md", ".txt", ".js", ".lua", ".json"}
        and "node_modules" not in path.parts
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        if from_index.search(line)
    ]
    assert not offenders, offenders
