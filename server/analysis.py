"""Glue between the engine, the rule catalog and configuration, shared by the CLI and the server."""

from __future__ import annotations

import logging
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Callable, Optional, Sequence

from tabguard.config import Config
from tabguard.engine.checker import RuleSet, iter_rules
from tabguard.engine.document import Document
from tabguard.engine.grades import Confidence, Severity
from tabguard.engine.suppress import is_suppressed
from tabguard.engine.types import Finding
from tabguard.rules import all_rules, rule_by_id
from tabguard.supply.depfiles import DependencyContext, DependencyReport

log = logging.getLogger("tabguard.supply")


@lru_cache(maxsize=32)
def ruleset_for(select: tuple[str, ...] = (), ignore: tuple[str, ...] = ()) -> RuleSet:
    catalog = all_rules()
    return RuleSet(iter_rules(catalog, select, ignore), known_ids=(r.id for r in catalog))


def ruleset_from_config(config: Config, relative_path: str = "", extra_select=(), extra_ignore=()) -> RuleSet:
    select = tuple(extra_select) or tuple(s.upper() for s in config["select"])
    ignore = tuple(s.upper() for s in (*config["ignore"], *config.ignored_for(relative_path), *extra_ignore))
    return ruleset_for(select, ignore)


def aliases(rule_id: str) -> tuple[str, ...]:
    rule = ruleset_for().by_id.get(rule_id)
    return rule.aliases if rule is not None else ()


def confidence_of(finding: Finding) -> str:
    """The finding's own confidence, else its rule's default (dependency-file findings have a rule too)."""
    if finding.confidence:
        return finding.confidence
    rule = rule_by_id(finding.rule_id)
    return rule.confidence if rule is not None else "medium"


def at_least_confident(findings: Sequence[Finding], min_confidence: str = "low") -> list[Finding]:
    floor = Confidence.named(min_confidence).rank
    return [f for f in findings if Confidence.named(confidence_of(f)).rank >= floor]


def visible(
    findings: Sequence[Finding],
    lines: Sequence[str],
    min_severity: str = "low",
    honoured: Optional[Callable[[int], bool]] = None,
) -> list[Finding]:
    """Findings that no suppression comment silences, at or above `min_severity`. A comment on a line
    where `honoured(line)` is False (unreviewed AI code) does not count: the finding is kept and
    marked with `details["suppression_unhonoured"]`."""
    floor = Severity.named(min_severity).rank
    kept = []
    for f in findings:
        if Severity.named(f.severity).rank < floor:
            continue
        line = is_suppressed(f, lines, aliases(f.rule_id))
        if line is None:
            kept.append(f)
        elif honoured is not None and not honoured(line):
            kept.append(replace(f, details={**f.details, "suppression_unhonoured": line}))
    return kept


def analyze_text(
    text: str, path: str = "<memory>", ruleset: Optional[RuleSet] = None, options: Optional[dict] = None
) -> Document:
    return Document(text, ruleset or ruleset_for(), path, options)


def dependency_report(path: Path, text: str, config: Config, online: Optional[bool] = None) -> DependencyReport:
    """A dependency file's findings from every rule's `check_dependencies` hook (callers keep the
    rules they selected). Online (`network = true`, unless `online` says) it blocks for up to a few
    seconds: call it from a worker thread, or with `online=False` for the instant offline result."""
    deps = DependencyContext(path, text, config, config["network"] if online is None else online)
    for rule in all_rules():
        hook = getattr(rule, "check_dependencies", None)
        if hook is not None:
            hook(deps)
    return deps.result()


def check_dependency_file(path: Path, text: str, config: Config, online: Optional[bool] = None) -> list[Finding]:
    """`dependency_report`'s findings; its notes and the unreadable parts of the file are logged."""
    report = dependency_report(path, text, config, online)
    for note in (*report.problems, *report.notes):
        log.warning("%s: %s", path, note)
    return report.findings
