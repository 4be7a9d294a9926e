"""Package-name arithmetic: normalisation (PEP 503), edit distance, and the confusions typosquats use."""

from __future__ import annotations

import re
from typing import Iterable, Iterator, Optional

_SEPARATORS = re.compile(r"[-_.]+")
# Affixes that squatters add to or drop from a real name ("python-requests", "requests-py").
_PREFIXES = ("python-", "python3-", "py-", "py")
_SUFFIXES = ("-python", "-py", "-py3", "3")
AFFIX_MAX = max(map(len, (*_PREFIXES, *_SUFFIXES)))


def normalize(name: str) -> str:
    """The PEP 503 form: lower case, runs of `-_.` become one `-`."""
    return _SEPARATORS.sub("-", name).lower()


def extra_key(name: str, extra: str) -> str:
    """The key under which a dependency map lists what the extra `name[extra]` adds."""
    return f"{normalize(name)}[{normalize(extra)}]"


def requirement_keys(name: str, extras: Iterable[str] = ()) -> list[str]:
    """What a requirement of `name` with `extras` installs, as keys of a dependency map."""
    return [normalize(name), *(extra_key(name, extra.strip()) for extra in extras if extra.strip())]


def import_to_distribution(module: str) -> str:
    """The distribution name a top-level import name most often belongs to (`typing_extensions`)."""
    return normalize(module)


def squashed(name: str) -> str:
    """The name without separators: `python-dateutil` and `pythondateutil` look alike to a human."""
    return _SEPARATORS.sub("", name.lower())


def distance_at_most_one(a: str, b: str) -> bool:
    """Damerau-Levenshtein distance <= 1 (one insertion, deletion, substitution or adjacent swap)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la > lb:
        a, b, la, lb = b, a, lb, la
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    if la == lb:
        return a[i + 1 :] == b[i + 1 :] or (
            i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
        )
    return a[i:] == b[i + 1 :]


def affix_variants(name: str) -> Iterator[str]:
    """`name` with one squatting affix added, or removed when it has one."""
    for prefix in _PREFIXES:
        yield prefix + name
        if name.startswith(prefix) and len(name) > len(prefix) + 2:
            yield name[len(prefix) :]
    for suffix in _SUFFIXES:
        yield name + suffix
        if name.endswith(suffix) and len(name) > len(suffix) + 2:
            yield name[: -len(suffix)]


def confusion(candidate: str, target: str, strict: bool = False) -> Optional[str]:
    """How `candidate` imitates `target` (both normalised), or None when they are not confusable.

    `strict` is for import names, where a workspace's own modules (`schemas`, `server`, `test`)
    often sit one letter or one affix away from a popular project, and real import names drop
    separators or add version digits: only added affixes, swapped letters, and one-letter
    differences in longer names count there.
    """
    if candidate == target:
        return None
    if squashed(candidate) == squashed(target):
        # Import names often drop a distribution's dashes (`opensearchpy` for `opensearch-py`).
        return None if strict else "separators"
    if candidate + "s" == target or target + "s" == candidate:
        # In imports a plural is usually the workspace's own module (`schemas`, `database`).
        return None if strict else "plural"
    if any(candidate == prefix + target for prefix in _PREFIXES) or any(candidate == target + s for s in _SUFFIXES):
        return "added prefix or suffix"
    if not strict and candidate in set(affix_variants(target)):
        return "dropped prefix or suffix"
    if strict and candidate.rstrip("0123456789") == target.rstrip("0123456789"):
        return None  # a major-version suffix (`httpcore2`, `jinja2`) is a naming habit, not a slip
    # Short names are too dense for edit distance: `six`/`sip`, `attr`/`attrs` are all real.
    if min(len(candidate), len(target)) >= 5 and distance_at_most_one(candidate, target):
        if len(candidate) == len(target) and sorted(candidate) == sorted(target):
            return "swapped letters"
        if not strict or min(len(candidate), len(target)) >= 7:
            return "one-letter difference"
    return None


_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789-"


def one_edit_away(name: str) -> Iterator[str]:
    """Every string one deletion, insertion, substitution or adjacent swap away from `name`."""
    for i in range(len(name) + 1):
        head, tail = name[:i], name[i:]
        if tail:
            yield head + tail[1:]
            if len(tail) > 1:
                yield head + tail[1] + tail[0] + tail[2:]
        for char in _ALPHABET:
            yield head + char + tail
            if tail:
                yield head + char + tail[1:]
