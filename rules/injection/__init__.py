"""Injection rules."""

from __future__ import annotations

from collections.abc import Iterable


def last_names(qualnames: Iterable[str]) -> frozenset[str]:
    """The callees' last names (`subprocess.run` -> `run`), as `Rule.call_names` matches calls."""
    return frozenset(name.rpartition(".")[2] for name in qualnames)
