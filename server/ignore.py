"""`.gitignore` semantics for folder scans (no git needed): patterns from every `.gitignore` on the
way down and `.git/info/exclude`; the last matching pattern wins; `!` re-includes; a trailing `/`
matches folders only; a pattern with a `/` is anchored to its file's folder."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern
    negated: bool
    folders_only: bool
    base: str  # posix path of the folder holding the .gitignore, relative to the scan root ("" = root)


def _translate(glob: str) -> str:
    out, i = [], 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("/**", i) and i + 3 == len(glob):
            out.append("/.*")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        elif glob[i] == "[":
            end = glob.find("]", i + 1)
            if end == -1:
                out.append(re.escape("["))
                i += 1
            else:
                body = glob[i + 1 : end].replace("\\", "\\\\")
                out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
                i = end + 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return "".join(out)


def parse(text: str, base: str) -> list[_Pattern]:
    patterns = []
    for raw in text.splitlines():
        line = raw.rstrip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        if negated:
            line = line[1:]
        line = line.replace("\\#", "#").replace("\\!", "!")
        folders_only = line.endswith("/")
        line = line.strip("/") if folders_only else line
        anchored = "/" in line
        line = line.lstrip("/")
        if not line:
            continue
        regex = _translate(line)
        if not anchored:
            regex = "(?:.*/)?" + regex
        patterns.append(_Pattern(re.compile(regex + r"\Z"), negated, folders_only, base))
    return patterns


class GitIgnore:
    """Ignore rules for one scan root, loaded lazily folder by folder."""

    def __init__(self, root: Path):
        self.root = root
        self._patterns: dict[str, list[_Pattern]] = {}
        exclude = root / ".git" / "info" / "exclude"
        self._global = parse(_read(exclude) or "", "")

    def _folder_patterns(self, folder: str) -> list[_Pattern]:
        if folder not in self._patterns:
            text = _read(self.root / folder / ".gitignore") if folder else _read(self.root / ".gitignore")
            self._patterns[folder] = parse(text, folder) if text else []
        return self._patterns[folder]

    def ignored(self, relative: str, is_folder: bool) -> bool:
        """`relative`: posix path from the scan root. Ancestors' rules apply, nearest last."""
        parts = relative.split("/")
        rules = list(self._global)
        for depth in range(len(parts)):
            rules.extend(self._folder_patterns("/".join(parts[:depth])))
        verdict = False
        for pattern in rules:
            if pattern.folders_only and not is_folder:
                continue
            local = relative[len(pattern.base) + 1 :] if pattern.base else relative
            if pattern.regex.match(local):
                verdict = not pattern.negated
        return verdict


def _read(path: Path) -> Optional[str]:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
