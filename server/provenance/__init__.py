"""Provenance: which code came from AI, where it is now, and who reviewed it."""

from tabguard.provenance.tracker import AISpan, Provenance

__all__ = ["AISpan", "Provenance"]
