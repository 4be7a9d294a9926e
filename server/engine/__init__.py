"""The analysis engine: documents as top-level blocks, facts, rules, findings. Knows nothing of LSP."""

from tabguard.engine.types import Edit, Finding, Fix, Related, Span

__all__ = ["Edit", "Finding", "Fix", "Related", "Span"]
