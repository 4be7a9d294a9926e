"""A workspace on disk: a project folder with dependency files and a `.venv` whose installed
distributions are described by real metadata files (METADATA, top_level.txt, RECORD)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tabguard.config import Config

SITE = f".venv/lib/python{sys.version_info.major}.{sys.version_info.minor}/site-packages"


class Workspace:
    def __init__(self, root: Path):
        self.root = root
        self.site = root / SITE
        self.site.mkdir(parents=True)
        (root / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def install(self, name: str, version: str, modules: list[str], top_level: bool = True, requires=()) -> None:
        """A wheel-style install: the package folders plus its .dist-info (`requires`: Requires-Dist lines)."""
        info = self.site / f"{name.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        headers = "".join(f"Requires-Dist: {r}\n" for r in requires)
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n{headers}\nA description.\n"
        )
        record = [f"{info.name}/METADATA,,", f"{info.name}/RECORD,,"]
        for module in modules:
            (self.site / module).mkdir()
            (self.site / module / "__init__.py").write_text("")
            record.append(f"{module}/__init__.py,sha256=x,0")
        (info / "RECORD").write_text("\n".join(record) + "\n")
        if top_level:
            (info / "top_level.txt").write_text("\n".join(modules) + "\n")

    def config(self, **values) -> Config:
        config = Config()
        config.values.update({k.replace("_", "-"): v for k, v in values.items()})
        return config


@pytest.fixture
def workspace(tmp_path) -> Workspace:
    ws = Workspace(tmp_path / "project")
    ws.write("pyproject.toml", '[project]\nname = "shop"\ndependencies = ["requests>=2.31"]\n')
    return ws
