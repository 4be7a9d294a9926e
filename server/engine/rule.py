"""The rule contract: metadata, the explanation in sections, self-testing examples, and visitors.

A rule is one class in one module under `rules/<family>/`. Its `visit_<AstNodeType>(node, ctx)`
methods are called during the single shared traversal of a block; they report with `ctx.report`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar, Optional, Sequence, Union

from tabguard.engine.grades import CONFIDENCE_NAMES, SEVERITY_NAMES, Severity
from tabguard.engine.types import Finding

DOCS_BASE = "https://github.com/tabguard/tabguard/blob/main/docs/rules/"
OWASP_TITLES = {
    "A01:2025": "Broken Access Control",
    "A02:2025": "Security Misconfiguration",
    "A03:2025": "Software Supply Chain Failures",
    "A04:2025": "Cryptographic Failures",
    "A05:2025": "Injection",
    "A06:2025": "Insecure Design",
    "A07:2025": "Authentication Failures",
    "A08:2025": "Software or Data Integrity Failures",
    "A09:2025": "Security Logging and Alerting Failures",
    "A10:2025": "Mishandling of Exceptional Conditions",
}


@dataclass(frozen=True)
class Invalid:
    """Code the rule must flag, and the text its secure rewrite must produce (None: no rewrite).
    Optionally pinned: `message`, a substring of the finding's message or a compiled regex it
    matches (`re.search`); `at`, where the finding is, 1-based as editors number lines and columns:
    `(line, column)` of its start or `(line, column, end_line, end_column)`. One of the rule's
    findings must meet both."""

    code: str
    fixed: Optional[str] = None
    path: str = "example.py"
    message: Union[str, re.Pattern[str], None] = None
    at: Optional[tuple[int, ...]] = None

    def unmet(self, findings: Sequence[Finding]) -> Optional[str]:
        """What the example pins that none of `findings` (the rule's) shows; None when one does."""
        if any(self._meets(f) for f in findings):
            return None
        found = "; ".join(f"{_place(f)} {f.message!r}" for f in findings) or "no finding"
        return f"expected message {self.message!r} at {self.at or 'any place'}; found {found}"

    def _meets(self, finding: Finding) -> bool:
        if isinstance(self.message, str) and self.message not in finding.message:
            return False
        if isinstance(self.message, re.Pattern) and self.message.search(finding.message) is None:
            return False
        return self.at is None or _place(finding)[: len(self.at)] == self.at


def _place(finding: Finding) -> tuple[int, int, int, int]:
    """The finding's span, 1-based as editors number lines and columns."""
    span = finding.span
    return span.start_line + 1, span.start_col + 1, span.end_line + 1, span.end_col + 1


@dataclass(frozen=True)
class Valid:
    code: str
    path: str = "example.py"


class _Defaults(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Rule:
    id: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[str]
    confidence: ClassVar[str]
    cwe: ClassVar[tuple[int, ...]]
    owasp: ClassVar[Optional[str]] = None
    message: ClassVar[str]
    # The explanation, in Ruff's sections. Text may name `{placeholders}` filled from a finding.
    what: ClassVar[str]
    why: ClassVar[str]
    how: ClassVar[str]
    example: ClassVar[str]
    # The file the secure `example` is: its name decides how it is read (a requirements file for
    # the dependency-file rules). The suite checks that no rule flags the example.
    example_path: ClassVar[str] = "example.py"
    fix_safety: ClassVar[str] = "No automatic rewrite: the secure version depends on intent."
    references: ClassVar[tuple[str, ...]] = ()
    # Default values for placeholders when the explanation is read without a finding.
    placeholders: ClassVar[dict[str, str]] = {}
    # Bandit / Ruff codes whose suppression comments (`nosec B602`, `noqa: S602` comments) silence this rule.
    aliases: ClassVar[tuple[str, ...]] = ()
    VALID: ClassVar[tuple[Valid | str, ...]] = ()
    INVALID: ClassVar[tuple[Invalid, ...]] = ()
    # Known misses: code the rule should flag and does not yet. The suite runs each as a strict
    # xfail, so fixing the miss fails it until the example moves to INVALID; the docs list them.
    TODO: ClassVar[tuple[Invalid, ...]] = ()
    # Narrow `visit_Call` to the calls the rule can flag (None: every call). A call is visited when
    # its callee's last name (`execute` for `cur.execute`, `run` for `r` imported as
    # `from subprocess import run as r`) is in `call_names`, or when it passes a keyword argument
    # in `call_keywords` (None in it: a `**mapping` argument). Most calls then cost a rule nothing.
    call_names: ClassVar[Optional[frozenset[str]]] = None
    call_keywords: ClassVar[Optional[frozenset[Optional[str]]]] = None
    # A finding whose flagged value comes from user input is one severity step above the default.
    raises_when_tainted: ClassVar[bool] = False
    # A finding that sees only a non-constant value, with no path from outside input, is low confidence
    # (with a path it is high): the grade `rules`, `explain` and hover show says so.
    lowers_confidence_without_taint: ClassVar[bool] = False
    # A `details` key: a file reports only its first finding for each value of it (TG703: one per
    # undeclared distribution, the later imports say nothing new). Blocks keep all of theirs, so an
    # edit that removes the first brings the next one up.
    once_per_file_by: ClassVar[Optional[str]] = None
    # Nothing is reported in test code (engine/testcode.py): the risk exists only in a deployed
    # program, and what tests hold there is fixtures (keys, settings, temporary paths, pickles).
    # Rules whose flaw is the same in a test (TLS verification off, injection) keep this False.
    quiet_in_tests: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if getattr(cls, "id", None) is None:
            return
        problems = []
        if not re.fullmatch(r"TG\d{3}", cls.id):
            problems.append("id must be TG + 3 digits")
        if cls.severity not in SEVERITY_NAMES:
            problems.append(f"severity must be one of {SEVERITY_NAMES}")
        if cls.confidence not in CONFIDENCE_NAMES:
            problems.append(f"confidence must be one of {CONFIDENCE_NAMES}")
        if cls.owasp is not None and cls.owasp not in OWASP_TITLES:
            problems.append(f"unknown OWASP category {cls.owasp}")
        if not cls.cwe:
            problems.append("at least one CWE")
        for attr in ("call_names", "call_keywords"):
            if not isinstance(getattr(cls, attr), (frozenset, type(None))):
                problems.append(f"{attr} must be a frozenset or None")
        if problems:
            raise TypeError(f"rule {cls.__name__}: " + "; ".join(problems))

    @classmethod
    def has_fix(cls) -> bool:
        return any(example.fixed is not None for example in cls.INVALID)

    @classmethod
    def tainted_severity(cls) -> str:
        if not cls.raises_when_tainted:
            return cls.severity
        return Severity.named(cls.severity).raised().name

    @classmethod
    def severity_label(cls) -> str:
        """The severities a finding can carry, as `rules`, `explain` and hover show them."""
        return _label(cls.severity, cls.tainted_severity(), "with user input")

    @classmethod
    def untainted_confidence(cls) -> str:
        """The confidence of a finding with no path from outside input."""
        return "low" if cls.lowers_confidence_without_taint else cls.confidence

    @classmethod
    def confidence_label(cls) -> str:
        """The confidences a finding can carry, as `rules`, `explain` and hover show them."""
        return _label(cls.confidence, cls.untainted_confidence(), "without user input")

    @classmethod
    def doc_url(cls) -> str:
        return f"{DOCS_BASE}{cls.id}.md"

    @classmethod
    def fill(cls, text: str, details: Optional[dict[str, Any]] = None) -> str:
        values = _Defaults(cls.placeholders)
        if details:
            values.update({k: v for k, v in details.items() if isinstance(v, str)})
        return text.format_map(values)

    @classmethod
    def format_message(cls, details: Optional[dict[str, Any]] = None) -> str:
        return cls.fill(cls.message, details)


def _label(default: str, other: str, when: str) -> str:
    """`high`, or `high (critical with user input)` when a finding can carry another grade."""
    return default if other == default else f"{default} ({other} {when})"
