"""Glue between the engine, the rule catalog and configuration, shared by the CLI and the server."""

from __future__ import annotations

from functools import lru_cache
from typing import Optional, Sequence

from tabguard.config import Config
from tabguard.engine.checker import RuleSet, iter_rules
from tabguard.engine.document import Document
from tabguard.engine.suppress import is_suppressed
from tabguard.engine.types import Finding
from tabguard.rules import all_rules

SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}


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


def visible(findings: Sequence[Finding], lines: Sequence[str], min_severity: str = "low") -> list[Finding]:
    """Findings that no suppression comment silences, at or above `min_severity`."""
    floor = SEVERITY_RANK[min_severity]
    return [
        f
        for f in findings
        if SEVERITY_RANK.get(f.severity, 0) >= floor and is_suppressed(f, lines, aliases(f.rule_id)) is None
    ]


def analyze_text(
    text: str, path: str = "<memory>", ruleset: Optional[RuleSet] = None, options: Optional[dict] = None
) -> Document:
    return Document(text, ruleset or ruleset_for(), path, options)
