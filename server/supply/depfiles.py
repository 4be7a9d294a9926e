"""Findings in dependency files (requirements*.txt, pyproject.toml): hallucinated, typosquatted,
deprecated and unpinned entries offline; with `network = true`, also vulnerable pinned versions and
projects first published days ago, from the package index and OSV.

`check_dependency_file` is what `tabguard check` and the language server call. With the network on
it blocks for up to a few seconds (bounded timeouts): call it from a worker thread, or pass
`online=False` for the instant offline result first.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from tabguard.engine.types import Edit, Finding, Fix, Span
from tabguard.rules import rule_by_id
from tabguard.supply.data import known_packages
from tabguard.supply.declared import DependencyFile, Requirement, parse_dependency_file, tomllib
from tabguard.supply.names import normalize
from tabguard.supply.online import DiskCache, OnlineChecker, age_in_days, lowest_fix
from tabguard.supply.workspace import find_root, workspace_for
from tabguard.usercache import cache_home, project_cache

log = logging.getLogger("tabguard.supply")
_REQUIREMENTS = re.compile(r"^requirements.*\.(txt|in)$")
NEW_PACKAGE_DAYS = 30


def is_dependency_file(path: Path) -> bool:
    name = path.name
    return name == "pyproject.toml" or bool(_REQUIREMENTS.match(name)) or (
        path.parent.name == "requirements" and path.suffix in (".txt", ".in")
    )


@dataclass
class DependencyReport:
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # why online checks were skipped, if they were
    problems: list[str] = field(default_factory=list)  # parts of the file that could not be read


def check_dependency_file(path: Path, text: str, config, online: Optional[bool] = None) -> list[Finding]:
    report = dependency_report(path, text, config, online)
    for note in (*report.problems, *report.notes):
        log.warning("%s: %s", path, note)
    return report.findings


def dependency_report(path: Path, text: str, config, online: Optional[bool] = None) -> DependencyReport:
    parsed = parse_dependency_file(path, text)
    checker = _Checker(path, parsed, config)
    checker.offline()
    if config["network"] if online is None else online:
        checker.online()
    findings = sorted(checker.findings.values(), key=lambda f: (f.span, f.rule_id))
    return DependencyReport(findings, checker.notes, parsed.problems)


_PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")


def _library_tooling(path: Path) -> bool:
    """A requirements file of a published library (its project builds a distribution: setup.py, or a
    pyproject with a [build-system]), or one kept away from the project's root (`docs/requirements.txt`)."""
    folder = path.resolve().parent
    root = next((f for f in (folder, *folder.parents) if any((f / m).exists() for m in _PROJECT_MARKERS)), None)
    if root is None:
        return False
    if folder not in (root, root / "requirements"):
        return True
    if (root / "setup.py").is_file():
        return True
    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return "build-system" in data and "name" in data.get("project", {})


def _replace(span: Span, text: str, title: str, safe: bool):
    return lambda: Fix(title, (Edit(span, text),), safe)


class _Checker:
    def __init__(self, path: Path, parsed: DependencyFile, config):
        self.path, self.parsed, self.config = path, parsed, config
        self.workspace, _ = workspace_for(str(path), config["python"])
        self.trusted = {normalize(t) for t in config["trusted-packages"]}
        self.findings: dict[tuple, Finding] = {}
        self.notes: list[str] = []
        # Requirements files pin an application's deployment; a library's ranges (pyproject, and its
        # docs/dev/test requirement lists) are meant to stay open.
        self.is_application = path.suffix == ".txt" and not _library_tooling(path)

    def checked(self) -> list[Requirement]:
        skip = self.trusted | {self.parsed.project_name}
        return [r for r in self.parsed.requirements if r.key not in skip]

    def report(self, rule_id: str, span: Span, details: dict, fix=None) -> None:
        rule = rule_by_id(rule_id)
        severity = self.config["severity"].get(rule_id, rule.severity)
        self.findings[(rule_id, span)] = Finding(rule_id, span, rule.format_message(details), severity, details, (), fix)

    # -- offline -------------------------------------------------------------------------------
    def offline(self) -> None:
        known = known_packages()
        _, versions = self.workspace.installed()
        for requirement in self.checked():
            key, span = requirement.key, requirement.span
            deprecation = known.deprecated.get(key)
            misnamed = known.imports.get(requirement.name) or known.imports.get(key.replace("-", "_"))
            lookalike = known.lookalike(key)
            if deprecation is not None:
                fix = None
                if deprecation.drop_in:
                    new = deprecation.replacements[0]
                    fix = _replace(span, new, f"Fix: use `{new}`", safe=True)
                self.report("TG704", span, deprecation.details(), fix)
            elif misnamed and not known.is_popular(key) and misnamed[0] != key and not requirement.direct:
                self._typosquat(requirement, misnamed[0], "an import name, not the distribution's name")
            elif lookalike is not None and not requirement.direct:
                self._typosquat(requirement, lookalike.distribution, lookalike.how)
            elif not (requirement.direct or self.parsed.private_index or known.on_index(key) or key in versions):
                self.report("TG701", span, {"module": requirement.name, "checked": (
                    f"not on the package index snapshot of {known.snapshot} nor installed in the environment")})
            if self.is_application and not requirement.direct and requirement.pinned_version is None:
                self._unpinned(requirement, versions.get(key))

    def _typosquat(self, requirement: Requirement, target: str, how: str) -> None:
        details = {"name": requirement.name, "target": target, "module": known_packages().import_name(target), "how": how}
        self.report("TG702", requirement.span, details, _replace(requirement.span, target, f"Fix: use `{target}`", safe=False))

    def _unpinned(self, requirement: Requirement, installed: Optional[str]) -> None:
        spec = requirement.spec or "any version"
        fix = None
        if installed and requirement.spec_span is not None:
            fix = _replace(requirement.spec_span, f"=={installed}", f"Fix: pin the installed version {installed}", safe=False)
        self.report("TG705", requirement.span, {"name": requirement.name, "spec": spec}, fix)

    # -- online --------------------------------------------------------------------------------
    def online(self) -> None:
        root = self.config.root or find_root(self.path.resolve().parent)
        folder = project_cache(root, "supply") if root else cache_home() / "supply"
        checker = OnlineChecker(self.config["index-url"], self.config["osv-url"],
                                DiskCache(folder, self.config["cache-ttl-hours"]))
        requirements = [r for r in self.checked() if not r.direct and not self.parsed.private_index]
        self._check_index(checker, requirements)
        self._check_vulnerabilities(checker, requirements)
        self.notes.extend(checker.notes)

    def _check_index(self, checker: OnlineChecker, requirements: list[Requirement]) -> None:
        projects = checker.projects([r.key for r in requirements])
        for requirement in requirements:
            info = projects.get(requirement.key)
            if info is None:
                continue
            if not info.exists:
                self.report("TG701", requirement.span, {"module": requirement.name,
                                                        "checked": "the package index has no such project"})
                continue
            self.findings.pop(("TG701", requirement.span), None)  # registered since the snapshot
            if info.first_release is None or age_in_days(info.first_release) < NEW_PACKAGE_DAYS:
                age = "with no release files" if info.first_release is None else f"{age_in_days(info.first_release)} days ago"
                self.report("TG707", requirement.span, {"name": requirement.name, "age": age})

    def _check_vulnerabilities(self, checker: OnlineChecker, requirements: list[Requirement]) -> None:
        pinned = [r for r in requirements if r.pinned_version]
        found = checker.vulnerabilities([(r.key, r.pinned_version) for r in pinned])
        for requirement in pinned:
            vulnerabilities = found.get((requirement.key, requirement.pinned_version))
            if not vulnerabilities:
                continue
            fixed = lowest_fix(requirement.pinned_version, vulnerabilities)
            details = {
                "name": requirement.name, "version": requirement.pinned_version,
                "ids": ", ".join(v.id for v in vulnerabilities),
                "fixed_note": f" (fixed in {fixed})" if fixed else " (no fixed release yet)",
            }
            fix = None
            if fixed and requirement.spec_span is not None:
                fix = _replace(requirement.spec_span, f"=={fixed}", f"Fix: upgrade to {fixed}", safe=False)
            self.report("TG706", requirement.span, details, fix)
