"""Dependency files (requirements*.txt, pyproject.toml) as rules see them: a rule's
`check_dependencies(deps)` hook gets a `DependencyContext` with the parsed requirements, what is
known about each offline (the package snapshot, the workspace's environment) and, when checked
online, the package index's and OSV's answers, and reports through it.

`tabguard.analysis.dependency_report` runs the hooks. Built online, a context blocks for up to a
few seconds (bounded timeouts): build it on a worker thread, or offline first for an instant result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from tabguard.engine.fixes import edits_fix
from tabguard.engine.rule import Rule
from tabguard.engine.types import Edit, Finding, Fix, Span
from tabguard.project import project_root, workspace_root
from tabguard.supply.data import known_packages
from tabguard.supply.declared import Requirement, parse_dependency_file
from tabguard.supply.names import normalize
from tabguard.supply.online import DiskCache, OnlineChecker, ProjectInfo, Vulnerability
from tabguard.supply.workspace import workspace_for
from tabguard.tables import load_toml
from tabguard.usercache import cache_home, project_cache

_REQUIREMENTS = re.compile(r"^requirements.*\.(txt|in)$")


def is_dependency_file(path: Path) -> bool:
    name = path.name
    return (
        name == "pyproject.toml"
        or bool(_REQUIREMENTS.match(name))
        or (path.parent.name == "requirements" and path.suffix in (".txt", ".in"))
    )


@dataclass
class DependencyReport:
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # why online checks were skipped, if they were
    problems: list[str] = field(default_factory=list)  # parts of the file that could not be read


def _library_tooling(path: Path) -> bool:
    """A requirements file of a published library (its project builds a distribution: setup.py, or a
    pyproject with a [build-system]), or one kept away from the project's root (`docs/requirements.txt`)."""
    folder = path.resolve().parent
    root = project_root(folder)
    if root is None:
        return False
    if folder not in (root, root / "requirements"):
        return True
    if (root / "setup.py").is_file():
        return True
    try:
        data = load_toml(root / "pyproject.toml")
    except (OSError, ValueError):
        return False
    return "build-system" in data and "name" in data.get("project", {})


def replacing(span: Span, text: str, title: str, safe: bool) -> Callable[[], Fix]:
    """A fix that writes `text` over `span` of the dependency file."""
    return edits_fix((Edit(span, text),), title, safe=safe)


class DependencyContext:
    """One dependency file, for the rules' `check_dependencies` hooks; `online`: the package index
    and OSV have been asked about its requirements (`projects`, `vulnerabilities`)."""

    def __init__(self, path: Path, text: str, config, online: bool):
        self.path, self.config = path, config
        self.parsed = parse_dependency_file(path, text)
        self.workspace, _ = workspace_for(str(path), config["python"])
        self.known = known_packages()
        _, self.installed = self.workspace.installed()  # normalized name -> version
        self.trusted = {normalize(t) for t in config["trusted-packages"]}
        # Requirements files pin an application's deployment; a library's ranges (pyproject, and its
        # docs/dev/test requirement lists) are meant to stay open.
        self.is_application = path.suffix == ".txt" and not _library_tooling(path)
        self.findings: dict[tuple[str, Span], Finding] = {}
        self.notes: list[str] = []
        self.projects: dict[str, ProjectInfo] = {}  # by normalized name; only what the index answered
        self.vulnerabilities: dict[tuple[str, str], list[Vulnerability]] = {}  # by (name, pinned version)
        if online:
            self._ask_online()

    def checked(self) -> list[Requirement]:
        """The requirements to check: not trusted, not the project itself."""
        skip = self.trusted | {self.parsed.project_name}
        return [r for r in self.parsed.requirements if r.key not in skip]

    def indexed(self) -> list[Requirement]:
        """The checked requirements the package index answers for: not installed from a URL or a
        path, and not in a file that names a private index."""
        return [] if self.parsed.private_index else [r for r in self.checked() if not r.direct]

    def typosquat_of(self, requirement: Requirement) -> Optional[tuple[str, str]]:
        """(the popular distribution meant, how the name differs) when `requirement` names an
        import name or a look-alike of one instead."""
        key = requirement.key
        if requirement.direct:
            return None
        misnamed = self.known.imports.get(requirement.name) or self.known.imports.get(key.replace("-", "_"))
        if misnamed and not self.known.is_popular(key) and misnamed[0] != key:
            return misnamed[0], "an import name, not the distribution's name"
        lookalike = self.known.lookalike(key)
        return None if lookalike is None else (lookalike.distribution, lookalike.how)

    def report(self, rule: Rule, span: Span, details: dict, fix: Optional[Callable[[], Fix]] = None) -> None:
        """A finding of `rule` at `span`; a second one of the same rule there replaces the first."""
        severity = self.config["severity"].get(rule.id, rule.severity)
        self.findings[(rule.id, span)] = Finding(
            rule.id, span, rule.format_message(details), severity, details, (), fix
        )

    def result(self) -> DependencyReport:
        findings = sorted(self.findings.values(), key=lambda f: (f.span, f.rule_id))
        return DependencyReport(findings, self.notes, self.parsed.problems)

    def _ask_online(self) -> None:
        root = self.config.root or workspace_root(self.path.resolve().parent)
        folder = project_cache(root, "supply") if root else cache_home() / "supply"
        checker = OnlineChecker(
            self.config["index-url"], self.config["osv-url"], DiskCache(folder, self.config["cache-ttl-hours"])
        )
        requirements = self.indexed()
        self.projects = checker.projects([r.key for r in requirements])
        pins = [(r.key, r.pinned_version) for r in requirements if r.pinned_version]
        self.vulnerabilities = checker.vulnerabilities(pins)
        self.notes.extend(checker.notes)
