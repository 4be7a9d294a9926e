"""Provenance: which code came from AI, where it is now, and who reviewed it."""
