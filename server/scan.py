"""Scanning files and folders for `tabguard check`."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional, Sequence

from tabguard.analysis import analyze_text, ruleset_from_config, visible
from tabguard.config import Config
from tabguard.engine.document import split_lines
from tabguard.engine.types import Finding
from tabguard.ignore import GitIgnore
from tabguard.sources import SourceError, read_source
from tabguard.supply.depfiles import check_dependency_file, is_dependency_file

SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", "__pycache__", "node_modules", ".venv", "venv", ".tox", ".nox", ".mypy_cache",
    ".pytest_cache", ".ruff_cache", "build", "dist", ".eggs", "site-packages", ".tabguard-cache",
})


@dataclass
class FileResult:
    path: Path
    display: str
    findings: list[Finding] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    error: Optional[str] = None


def is_python(path: Path) -> bool:
    return path.suffix in (".py", ".pyi", ".pyw")


def iter_files(paths: Sequence[Path], exclude: Sequence[str] = (), respect_gitignore: bool = True) -> Iterator[Path]:
    """Python and dependency files under `paths`: skipping tool folders, `exclude` patterns and what
    `.gitignore` ignores, never following symlinks out of the tree. Files named explicitly are kept."""
    for root in paths:
        if root.is_file():
            yield root
            continue
        real_root = root.resolve()
        ignore = GitIgnore(root) if respect_gitignore else None

        def skipped(path: Path, is_folder: bool) -> bool:
            if _excluded(path, root, exclude):
                return True
            if path.is_symlink() and not _inside(path, real_root):
                return True
            return ignore is not None and ignore.ignored(path.relative_to(root).as_posix(), is_folder)

        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(
                d for d in dirs
                if d not in SKIP_DIRS and not d.endswith(".egg-info") and not skipped(Path(folder, d), True)
            )
            for name in sorted(files):
                path = Path(folder, name)
                if (is_python(path) or is_dependency_file(path)) and not skipped(path, False):
                    yield path


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
        return True
    except (ValueError, OSError):
        return False


def _excluded(path: Path, root: Path, patterns: Sequence[str]) -> bool:
    if not patterns:
        return False
    relative = path.relative_to(root).as_posix() if path != root else path.name
    return any(fnmatch.fnmatch(relative, p) or fnmatch.fnmatch(path.name, p) for p in patterns)


def scan_file(path: Path, display: str, config: Config, select=(), ignore=(), min_severity="low", honoured=None) -> FileResult:
    result = FileResult(path, display)
    try:
        text = read_source(path, config["max-file-size"])
    except SourceError as error:
        result.error = str(error)
        return result
    ruleset = ruleset_from_config(config, display, select, ignore)
    if is_dependency_file(path):
        result.lines = split_lines(text)
        findings = [f for f in check_dependency_file(path, text, config) if f.rule_id in ruleset.by_id]
        result.findings = visible(findings, result.lines, min_severity, honoured)
        return result
    doc = analyze_text(text, str(path), ruleset, config.options())
    result.lines = doc.lines
    result.findings = visible(doc.findings(), doc.lines, min_severity, honoured)
    return result
