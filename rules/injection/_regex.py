"""Regular expression calls, and which patterns backtrack exponentially: a group repeated without
bound whose body can match a whole iteration through another unbounded repeat (`(a+)+`,
`(\\w+\\s?)*`, `(.*)*`), so a failing input of n characters can be split between the two repeats
in 2^n ways."""

from __future__ import annotations

import importlib
from functools import lru_cache
from typing import Any

# The parser `re` itself uses (`re._parser` since 3.11, `sre_parse` before).
try:
    _parser: Any = importlib.import_module("re._parser")
except ImportError:  # Python 3.10
    _parser = importlib.import_module("sre_parse")

# `re.<function>(pattern, ...)` and the same in the `regex` package.
REGEX_MODULES = ("re", "regex")
REGEX_FUNCTIONS = frozenset({"compile", "search", "match", "fullmatch", "findall", "finditer", "sub", "subn", "split"})

_REPEATS = (_parser.MAX_REPEAT, _parser.MIN_REPEAT)
_ZERO_WIDTH = (_parser.AT, _parser.ASSERT, _parser.ASSERT_NOT)
_MAX_LENGTH = 2000  # longer literals are data, not patterns worth parsing on every check


@lru_cache(maxsize=512)  # the same patterns are met again on every check of a file
def backtracks(pattern: str) -> bool:
    """True when an unboundedly repeated group's body repeats without bound with nothing required
    around it; False otherwise (also for a pattern that does not compile)."""
    if len(pattern) > _MAX_LENGTH:
        return False
    try:
        parsed = _parser.parse(pattern)
    except Exception:  # re.error, RecursionError, ...: not a pattern we judge
        return False
    return _nested(list(parsed))


def _nested(items: list) -> bool:
    for op, av in items:
        if op in _REPEATS:
            if av[1] == _parser.MAXREPEAT and _iteration_repeats(list(av[2])):
                return True
            if _nested(list(av[2])):
                return True
        elif op is _parser.SUBPATTERN and _nested(list(av[-1])):
            return True
        elif op is _parser.BRANCH and any(_nested(list(branch)) for branch in av[1]):
            return True
    return False


def _iteration_repeats(items: list) -> bool:
    """One iteration of the body can be matched by an unbounded repeat alone: the body holds such a
    repeat and everything else in it may match nothing."""
    repeating = [i for i, item in enumerate(items) if _unbounded(item)]
    return any(all(_nullable(other) for j, other in enumerate(items) if j != i) for i in repeating)


def _unbounded(item: tuple) -> bool:
    op, av = item
    if op in _REPEATS:
        return bool(av[1] == _parser.MAXREPEAT)
    if op is _parser.SUBPATTERN:
        return _iteration_repeats(list(av[-1]))
    return False


def _nullable(item: tuple) -> bool:
    op, av = item
    if op in _REPEATS:
        return bool(av[0] == 0)
    if op in _ZERO_WIDTH:
        return True
    if op is _parser.SUBPATTERN:
        return all(_nullable(i) for i in av[-1])
    if op is _parser.BRANCH:
        return any(all(_nullable(i) for i in branch) for branch in av[1])
    return False
