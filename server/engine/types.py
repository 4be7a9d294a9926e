"""The engine's small vocabulary. Lines are 0-based, columns count code points (Python str indices)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, Callable, NamedTuple, Optional


class Span(NamedTuple):
    """A tuple, not a dataclass: findings are created and shifted in bulk, and tuples are cheap."""

    start_line: int
    start_col: int
    end_line: int
    end_col: int

    def shifted(self, lines: int) -> "Span":
        if not lines:
            return self
        return Span(self.start_line + lines, self.start_col, self.end_line + lines, self.end_col)

    def contains_line(self, line: int) -> bool:
        return self.start_line <= line <= self.end_line

    def contains(self, other: "Span") -> bool:
        return (self.start_line, self.start_col) <= (other.start_line, other.start_col) and (
            (other.end_line, other.end_col) <= (self.end_line, self.end_col)
        )


@dataclass(frozen=True)
class Edit:
    span: Span
    new_text: str

    def shifted(self, lines: int) -> "Edit":
        return Edit(self.span.shifted(lines), self.new_text)


@dataclass(frozen=True)
class Fix:
    title: str
    edits: tuple[Edit, ...]
    # Safe fixes preserve behaviour; unsafe ones change it in the intended, secure direction.
    safe: bool = True
    # Modules the new code needs (`import secrets`), added at the top when missing.
    imports: tuple[str, ...] = ()

    def shifted(self, lines: int) -> "Fix":
        if not lines:
            return self
        return Fix(self.title, tuple(e.shifted(lines) for e in self.edits), self.safe, self.imports)


@dataclass(frozen=True)
class Related:
    """Another place that explains a finding, e.g. where tainted data entered."""

    span: Span
    message: str
    # The file of this place when it is not the finding's own (a sink inside a helper of another
    # module); such a place does not move with the finding's file.
    path: Optional[str] = None

    def shifted(self, lines: int) -> "Related":
        return Related(self.span.shifted(lines), self.message) if lines and self.path is None else self


@dataclass(frozen=True)
class Source:
    """Where outside input entered (see engine/taint.py)."""

    span: Span
    label: str  # what the user controls, e.g. "request.args"
    # The places the value went through on its way to the sink (assignments, calls), in order.
    steps: tuple[Related, ...] = ()
    # Set while a function is summarized: the index of the parameter this stands for, and those of
    # the other parameters that reach the same value (text built from several of them).
    param: Optional[int] = None
    others: frozenset[int] = frozenset()
    # Input that counts only for some sinks: the CWEs of the rules that see it (empty: every rule),
    # and the confidence of their findings (see engine/inputs.py, the environment).
    only: frozenset[int] = frozenset()
    confidence: Optional[str] = None

    def via(self, span: Span, message: str, path: Optional[str] = None) -> "Source":
        """The same source, one step further along its path."""
        return replace(self, steps=self.steps + (Related(span, message, path),))

    def counts_for(self, cwes: tuple[int, ...]) -> bool:
        return not self.only or not self.only.isdisjoint(cwes)


@dataclass(eq=False)
class Finding:
    rule_id: str
    span: Span
    message: str
    severity: str
    # Names from the flagged code, used to tailor the explanation (e.g. {"callee": "os.system"}).
    details: dict[str, Any] = field(default_factory=dict)
    related: tuple[Related, ...] = ()
    # Built lazily: most findings are never asked for their fix.
    fix_builder: Optional[Callable[[], Optional[Fix]]] = field(default=None, repr=False)
    _fix: Optional[Fix] = field(default=None, repr=False)
    _fix_built: bool = field(default=False, repr=False)
    # The finding this one is a moved copy of (`shifted`): what is derived from a finding's block
    # alone, such as its serialized form, can be reused with the lines moved.
    base: Optional["Finding"] = field(default=None, repr=False)
    # How sure the rule is for this finding: None means the rule's default. Data flow from outside
    # input makes a finding high; a sink that only sees "a non-constant value" makes it low.
    confidence: Optional[str] = None

    @property
    def has_fix(self) -> bool:
        return self.fix_builder is not None or self._fix is not None

    def fix(self) -> Optional[Fix]:
        if not self._fix_built:
            self._fix_built = True
            builder, self.fix_builder = self.fix_builder, None
            if builder is not None:
                try:
                    self._fix = builder()
                except Exception:  # a fix that cannot be built is simply not offered
                    self._fix = None
        return self._fix

    def shifted(self, lines: int) -> "Finding":
        """A copy moved down by `lines`; the fix stays lazy and is moved when built."""
        if not lines:
            return self
        builder: Optional[Callable[[], Optional[Fix]]] = None
        if self._fix_built:
            builder = partial(_shifted_fix, self._fix, lines)
        elif self.fix_builder is not None:
            builder = partial(_built_and_shifted, self.fix_builder, lines)
        related = tuple(r.shifted(lines) for r in self.related) if self.related else ()
        return Finding(
            self.rule_id,
            self.span.shifted(lines),
            self.message,
            self.severity,
            self.details,
            related,
            builder,
            base=self.base or self,
            confidence=self.confidence,
        )

    def key(self) -> tuple[Span, str, str]:
        return (self.span, self.rule_id, self.message)


def _shifted_fix(fix: Optional[Fix], lines: int) -> Optional[Fix]:
    return fix.shifted(lines) if fix else None


def _built_and_shifted(build: Callable[[], Optional[Fix]], lines: int) -> Optional[Fix]:
    return _shifted_fix(build(), lines)
