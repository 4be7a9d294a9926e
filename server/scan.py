"""Scanning files and folders for `tabguard check`."""

from __future__ import annotations

import errno
import fnmatch
import logging
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional, Sequence

from tabguard.analysis import analyze_text, dependency_report, ruleset_from_config, visible
from tabguard.config import Config
from tabguard.engine.document import ParseGap, split_lines
from tabguard.engine.types import Finding, Span
from tabguard.ignore import GitIgnore
from tabguard.notebook import Notebook, NotebookError
from tabguard.notebook.checking import analyse_notebook, is_notebook, read_limit, shown, too_large
from tabguard.notebook.places import NotebookView
from tabguard.sources import SourceError, file_kind, os_reason, read_source
from tabguard.supply.depfiles import is_dependency_file

log = logging.getLogger("tabguard.scan")

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        "node_modules",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "build",
        "dist",
        ".eggs",
        "site-packages",
        ".tabguard-cache",
        ".ipynb_checkpoints",  # Jupyter's autosaved copies of the notebooks beside it
        # Vendored copies of other projects: their findings belong upstream (name the folder to check it).
        "_vendor",
        "vendor",
        "third_party",
    }
)


@dataclass
class FileResult:
    path: Path
    display: str
    findings: list[Finding] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    error: Optional[str] = None  # the file could not be checked at all
    rule_errors: list[str] = field(default_factory=list)  # rules that failed on it: a partial check
    # Code that does not parse (mid-edit, a newer Python's syntax): not checked, said as a notice.
    parse_gaps: list[ParseGap] = field(default_factory=list)
    # A notebook that cannot be read as one (bad JSON, nbformat 3): not checked, said as a notice.
    notices: list[str] = field(default_factory=list)
    # A notebook's cells: findings in code are on its virtual module's lines (`lines`).
    notebook: Optional[NotebookView] = None

    def problems(self) -> list[str]:
        """Why the check of this file is incomplete: the tool's own notices (stderr, JSON, SARIF)."""
        return ([self.error] if self.error else []) + self.rule_errors

    def where(self, span: Span, details: Optional[dict] = None) -> str:
        """`line:col` of a span (1-based), `cell 3:line 2:col 5` in a notebook."""
        if self.notebook is not None:
            return self.notebook.place_of(span, details).where()
        return f"{span.start_line + 1}:{span.start_col + 1}"

    def gap_notice(self, gap: ParseGap) -> str:
        """The notice for code that does not parse, after `path:`."""
        if self.notebook is None:
            return gap.notice()
        where = self.where(Span(gap.line, gap.col, gap.line, gap.col))
        first, last = (self.notebook.place_of(Span(n, 0, n, 0)) for n in (gap.first_line, gap.last_line))
        lines = (
            f"line {first.span.start_line + 1}"
            if gap.first_line == gap.last_line
            else f"lines {first.span.start_line + 1}-{last.span.start_line + 1}"
        )
        return (
            f"{where}: does not parse ({gap.message}); {lines} of cell {first.cell.index + 1} not checked, the rest was"
        )


def is_python(path: Path) -> bool:
    return path.suffix in (".py", ".pyi", ".pyw")


def iter_files(
    paths: Sequence[Path],
    exclude: Sequence[str] = (),
    respect_gitignore: bool = True,
    warnings: Optional[list[str]] = None,
    errors: Optional[list[str]] = None,
) -> Iterator[Path]:
    """Python files, notebooks and dependency files under `paths`: skipping tool folders, `exclude` patterns and what
    `.gitignore` ignores, never following symlinks out of the tree. Files named explicitly are kept.
    Unusable `.gitignore` lines are added to `warnings`, folders that cannot be read to `errors`."""
    for root in paths:
        if root.is_dir():
            yield from _walk(root, exclude, GitIgnore(root) if respect_gitignore else None, warnings, errors)
        else:
            yield root  # a file, or what the scan will report as not one


def _walk(
    root: Path,
    exclude: Sequence[str],
    ignore: Optional[GitIgnore],
    warnings: Optional[list[str]],
    errors: Optional[list[str]],
) -> Iterator[Path]:
    real_root = root.resolve()

    def skipped(path: Path, is_folder: bool) -> bool:
        if _excluded(path, root, exclude):
            return True
        try:
            if path.is_symlink() and not _inside(path, real_root):
                return True
        except OSError:  # a path the system will not take (longer than PATH_MAX): reading it says so
            return False
        return ignore is not None and ignore.ignored(path.relative_to(root).as_posix(), is_folder)

    def unreadable(error: OSError) -> None:  # a folder os.walk cannot list: said, not passed over in silence
        if errors is not None:
            errors.append(f"{error.filename}: {os_reason(error)}; the files in it are not checked")

    for folder, dirs, files in os.walk(root, onerror=unreadable):
        dirs[:] = sorted(
            d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info") and not skipped(Path(folder, d), True)
        )
        for name in sorted(files):
            path = Path(folder, name)
            if (is_python(path) or is_notebook(path) or is_dependency_file(path)) and not skipped(path, False):
                yield path
    if ignore is not None and warnings is not None:
        warnings.extend(ignore.warnings)


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
        return True
    except RuntimeError:  # a symlink loop leads nowhere, so not outside: reading it says "loop"
        return True
    except (ValueError, OSError):
        return False


# Pseudo-filesystems: their folders hold no source, and walking them reads the live system.
_SYSTEM_FOLDERS = ("/proc", "/sys", "/dev")


def unscannable(path: Path) -> Optional[str]:
    """Why a path named on the command line cannot be scanned, or None when it can."""
    try:
        mode = path.stat().st_mode
    except OSError as error:
        if error.errno == errno.ENOENT:
            return "no such file or directory"
        return os_reason(error)
    if stat.S_ISREG(mode):
        return None
    if not stat.S_ISDIR(mode):
        return f"{file_kind(mode)}, not a regular file, skipped"
    real = os.path.realpath(path)
    system = next((f for f in _SYSTEM_FOLDERS if real == f or real.startswith(f + "/")), None)
    return f"a system folder ({system}), not source code, skipped" if system else None


def _excluded(path: Path, root: Path, patterns: Sequence[str]) -> bool:
    if not patterns:
        return False
    relative = path.relative_to(root).as_posix() if path != root else path.name
    return any(fnmatch.fnmatch(relative, p) or fnmatch.fnmatch(path.name, p) for p in patterns)


def scan_file(
    path: Path, display: str, config: Config, select=(), ignore=(), min_severity="low", honoured=None
) -> FileResult:
    result = FileResult(path, display)
    try:
        text = read_source(path, read_limit(path, config["max-file-size"]))
    except SourceError as error:
        result.error = str(error)
        return result
    ruleset = ruleset_from_config(config, display, select, ignore)
    if is_dependency_file(path):
        result.lines = split_lines(text)
        report = dependency_report(path, text, config)
        for note in report.notes:
            log.warning("%s: %s", display, note)
        result.error = "; ".join(report.problems) or None  # the readable part is still checked
        findings = [f for f in report.findings if f.rule_id in ruleset.by_id]
        result.findings = visible(findings, result.lines, min_severity, honoured)
        return result
    if is_notebook(path):
        return scan_notebook(result, text, ruleset, config, min_severity, honoured)
    doc = analyze_text(text, str(path), ruleset, config.options())
    result.lines = doc.lines
    result.findings = visible(doc.findings(), doc.lines, min_severity, honoured)
    result.parse_gaps = doc.syntax_problems()
    return result


def read_notebook(result: FileResult, text: str, max_size: int) -> bool:
    """Read a notebook's cells into `result.notebook`; False after saying why it is not checked (a
    notice when it is not a notebook tabguard reads, an error when its code is over `max_size`)."""
    try:
        view = NotebookView.of(Notebook.from_json(text))
    except NotebookError as error:
        result.notices.append(f"not checked: {error}")
        return False
    result.error = too_large(view, max_size)
    result.notebook = None if result.error else view
    return result.error is None


def scan_notebook(
    result: FileResult, text: str, ruleset, config: Config, min_severity: str, honoured=None
) -> FileResult:
    """A notebook's cells and outputs (see `tabguard.notebook.checking`)."""
    result.lines, result.findings = [], []
    if not read_notebook(result, text, config["max-file-size"]):
        return result
    assert result.notebook is not None
    checked = analyse_notebook(result.notebook, str(result.path), ruleset, config.options())
    result.lines, result.parse_gaps, result.rule_errors = checked.lines, checked.gaps, checked.errors
    result.findings = shown(result.notebook, checked.findings, min_severity, honoured)
    return result
