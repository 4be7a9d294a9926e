"""`.gitignore` semantics for folder scans (no git needed): patterns from every `.gitignore` on the
way down and `.git/info/exclude`, each line parsed by `pathspec` (git's own rules for escapes,
trailing spaces, `**` and folders); the last matching pattern wins and a deeper file's patterns
come later. Two guards of our own: a reversed range (`[z-a]`) is read as git reads it, an empty
range, and runs of `*` are matched without backtracking (see `_bounded`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

from tabguard.sources import SourceError, read_regular

_MAX_SIZE = 1_000_000  # bytes of one ignore file
_STAR = "[^/]*"
# A run between two `*` that always matches a fixed number of characters, none of them `/`:
# escaped or plain characters, `?`, and bracket expressions that are not negated.
_FIXED = re.compile(r"(?:\\.|\[\^/\]|\[(?!\^)(?:\\.|[^\]\\/])++\]|[^\\\[\]()|*+?{}^$./])*")


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern
    negated: bool
    base: str  # posix path of the folder holding the .gitignore, relative to the scan root ("" = root)


def _bounded(regex: str) -> str:
    """`regex` with `*a*a*...*b` made linear: each `*` before a fixed run takes the run's first
    occurrence, atomically. That is exact, because the next `*` can absorb whatever a later
    occurrence would have skipped; without it, Python's backtracking takes 10 s on a 35-letter name."""
    pieces = regex.split(_STAR)
    out = [pieces[0]]
    for index, piece in enumerate(pieces[1:], start=1):
        last = index == len(pieces) - 1
        if not last and _FIXED.fullmatch(piece):
            out.append(f"(?>{_STAR}?{piece})")
        else:
            out.append(_STAR + piece)
    return "".join(out)


def _slash_free(regex: str) -> str:
    """`regex` with every negated bracket expression also excluding `/`: in git, `[!a]` never
    matches the separator, while pathspec's `[^a]` does."""
    out, i = [], 0
    while i < len(regex):
        if regex[i] == "\\":
            out.append(regex[i : i + 2])
            i += 2
        elif regex.startswith("[^", i):
            end = regex.index("]", i + 3)  # a `]` right after `[^` is a member, not the end
            body = regex[i + 2 : end]
            out.append(f"[^{body}]" if "/" in body else f"[^{body}/]")
            i = end + 1
        elif regex[i] == "[":
            end = regex.index("]", i + 2)
            out.append(regex[i : end + 1])
            i = end + 1
        else:
            out.append(regex[i])
            i += 1
    return "".join(out)


def _compile(line: str) -> Optional[tuple[re.Pattern, bool]]:
    """(regex, negated) for one line, None for a blank or comment line."""
    regex, include = GitIgnoreSpecPattern.pattern_to_regex(line)
    if regex is None or include is None:
        return None
    # pathspec's regexes also match whatever lies under a matching folder, and are meant for
    # `search`; we match each path whole, and a folder's contents through the walk's pruning.
    regex = _bounded(_slash_free(regex if regex.startswith("^") else "^.*" + regex))
    for _ in range(regex.count("-")):
        try:
            return re.compile(regex), not include
        except re.error as error:
            # git reads a reversed range (`[z-a]`) as an empty one; NUL never occurs in a path,
            # so a range of just NUL is empty too, inside `[...]` and `[!...]` alike.
            bad = error.msg.rpartition(" ")[2]
            if not error.msg.startswith("bad character range") or regex[error.pos : error.pos + len(bad)] != bad:
                raise
            regex = regex[: error.pos] + "\\x00" + regex[error.pos + len(bad) :]
    return re.compile(regex), not include


def parse(text: str, base: str, source: str = ".gitignore", warnings: Optional[list[str]] = None) -> list[_Pattern]:
    patterns = []
    for number, line in enumerate(text.splitlines(), start=1):
        try:
            compiled = _compile(line)
        except (re.error, ValueError) as error:
            if warnings is not None:
                warnings.append(f"{source}:{number}: pattern {line.strip()!r} is not valid ({error}), ignored")
            continue
        if compiled is not None:
            patterns.append(_Pattern(compiled[0], compiled[1], base))
    return patterns


class GitIgnore:
    """Ignore rules for one scan root, loaded lazily folder by folder; `warnings` collects the
    lines that could not be used."""

    def __init__(self, root: Path):
        self.root = root
        self.warnings: list[str] = []
        self._patterns: dict[str, list[_Pattern]] = {}
        exclude = root / ".git" / "info" / "exclude"
        self._global = parse(_read(exclude) or "", "", str(exclude), self.warnings)

    def _folder_patterns(self, folder: str) -> list[_Pattern]:
        if folder not in self._patterns:
            path = self.root / folder / ".gitignore" if folder else self.root / ".gitignore"
            text = _read(path)
            self._patterns[folder] = parse(text, folder, str(path), self.warnings) if text else []
        return self._patterns[folder]

    def ignored(self, relative: str, is_folder: bool) -> bool:
        """`relative`: posix path from the scan root. Ancestors' rules apply, nearest last."""
        parts = relative.split("/")
        rules = list(self._global)
        for depth in range(len(parts)):
            rules.extend(self._folder_patterns("/".join(parts[:depth])))
        verdict = False
        for pattern in rules:
            local = relative[len(pattern.base) + 1 :] if pattern.base else relative
            if pattern.regex.fullmatch(local + "/" if is_folder else local):
                verdict = not pattern.negated
        return verdict


def _read(path: Path) -> Optional[str]:
    try:
        return read_regular(path, _MAX_SIZE)[0].decode("utf-8", errors="replace")
    except SourceError:  # absent, not a regular file (a FIFO would block), or huge
        return None
