"""`tabguard check --baseline FILE`: adopt tabguard on an existing codebase by recording today's
findings once, then reporting only new ones.

A finding is fingerprinted by what survives edits that move code: the file (relative to the baseline
file), the rule, the flagged line's text with its whitespace collapsed, the enclosing def/class names,
and its index among findings with that same description (two identical calls in one function stay
two entries). Line numbers are not part of it, so code added above a finding does not make it new.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import stat
from collections import Counter
from pathlib import Path
from typing import Sequence

from tabguard.atomic import write_atomically
from tabguard.engine.types import Finding
from tabguard.scan import FileResult
from tabguard.sources import read_text

FORMAT = 1
# A baseline of some 300,000 findings. The file is named on the command line but committed to the
# repository: a symlink to /dev/zero in its place must not be read without end.
MAX_BYTES = 64 * 1024 * 1024


class BaselineError(Exception):
    """A baseline file that cannot be read or written (exit 2, never an empty baseline)."""


def fingerprints(result: FileResult, root: Path) -> list[str]:
    """One fingerprint per finding of `result`, in order."""
    path = _relative(result.path, root)
    scopes = _scopes("\n".join(result.lines))
    seen: Counter = Counter()
    out = []
    for finding in result.findings:
        # a notebook's output is in no def or class
        outside = result.notebook is not None and result.notebook.place(finding).output is not None
        key = (
            finding.rule_id,
            _line_text(result, finding),
            "" if outside else _scope_at(scopes, finding.span.start_line + 1),
        )
        out.append(_digest(path, *key, str(seen[key])))
        seen[key] += 1
    return out


def record(results: Sequence[FileResult], file: Path) -> int:
    """Write every finding of `results` to `file`; the number recorded."""
    root = file.resolve().parent
    entries = [
        {"path": _relative(r.path, root), "rule": f.rule_id, "line": _line_text(r, f), "fingerprint": fp}
        for r in results
        for f, fp in zip(r.findings, fingerprints(r, root))
    ]  # path, rule and line are for people reading the file; only the fingerprint is compared
    data = {"tool": "tabguard", "format": FORMAT, "findings": entries}
    try:
        mode = stat.S_IMODE(file.stat().st_mode) if file.exists() else 0o644  # a file to commit: readable
        write_atomically(file.parent, file.name, (json.dumps(data, indent=1) + "\n").encode("utf-8"), mode)
    except OSError as error:
        raise BaselineError(f"cannot write the baseline {file}: {error.strerror or error}") from None
    return len(entries)


def load(file: Path) -> Counter:
    """The fingerprints recorded in `file` (a multiset)."""
    try:
        data = json.loads(read_text(file, MAX_BYTES))
        if data.get("tool") != "tabguard" or data.get("format") != FORMAT:
            raise ValueError("not a tabguard baseline of this format")
        return Counter(entry["fingerprint"] for entry in data["findings"])
    except OSError as error:
        raise BaselineError(f"cannot read the baseline {file}: {error.strerror or error}") from None
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:  # Recursion: nested JSON
        raise BaselineError(
            f"{file} is not a usable baseline ({error}); record it again with --update-baseline"
        ) from None


def new_findings(results: Sequence[FileResult], file: Path) -> int:
    """Keep in each result only the findings the baseline does not hold; the number dropped."""
    known = load(file)
    root = file.resolve().parent
    dropped = 0
    for result in results:
        kept: list[Finding] = []
        for finding, fingerprint in zip(result.findings, fingerprints(result, root)):
            if known[fingerprint] > 0:
                known[fingerprint] -= 1
                dropped += 1
            else:
                kept.append(finding)
        result.findings = kept
    return dropped


def _relative(path: Path, root: Path) -> str:
    return Path(os.path.relpath(path.resolve(), root)).as_posix()


def _line_text(result: FileResult, finding: Finding) -> str:
    """The flagged line, whitespace collapsed (in a notebook: the cell's or output's own line)."""
    if result.notebook is not None:
        return " ".join(result.notebook.line_text(finding).split())
    number = finding.span.start_line
    return " ".join(result.lines[number].split()) if 0 <= number < len(result.lines) else ""


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def _scopes(text: str) -> list[tuple[int, int, str]]:
    """(first line, last line, dotted def/class name) of every definition; none when it does not parse."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    found: list[tuple[int, int, str]] = []

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                found.append((child.lineno, child.end_lineno or child.lineno, name))
                walk(child, name + ".")
            else:
                walk(child, prefix)

    walk(tree, "")
    return found


def _scope_at(scopes: list[tuple[int, int, str]], line: int) -> str:
    """The innermost definition holding `line` (1-based); "" at module level."""
    best = ""
    for first, last, name in scopes:
        if first <= line <= last and name.count(".") >= best.count("."):
            best = name
    return best
