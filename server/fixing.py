"""`tabguard check --fix` / `--diff`: apply secure rewrites to files, one at a time, each re-checked.

Fix safety follows Ruff: safe fixes keep behaviour and are applied by default; unsafe ones change it
(in the secure direction) and need `--unsafe-fixes`. A fix is kept only when the result still parses,
its finding is gone and no rule reports anything the file did not have before; otherwise it is
skipped and reported. Applying one fix re-analyses the file, so the next fix is built against the
current text and edits can never overlap.
"""

from __future__ import annotations

import ast
import difflib
import stat
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable, Optional, Sequence

from tabguard.analysis import analyze_text, check_dependency_file, ruleset_from_config, visible
from tabguard.atomic import write_atomically
from tabguard.boundary import inside
from tabguard.engine.document import line_ending, split_lines
from tabguard.engine.fixes import apply_edits, materialize
from tabguard.engine.types import Finding, Fix
from tabguard.notebook.checking import read_limit
from tabguard.notebook.fixes import NotebookFixer
from tabguard.scan import FileResult, is_python, scan_notebook
from tabguard.sources import SourceError, decode_source, read_regular, source_encoding
from tabguard.supply.depfiles import is_dependency_file
from tabguard.counting import counted

# A file whose fixes keep producing new fixable findings stops here (Ruff stops at 100 too).
MAX_ROUNDS = 100

Analyse = Callable[[str], tuple[list[str], list[Finding]]]
# The text after one fix (text, its lines, the fix); ValueError with the reason when it cannot be made.
Rewrite = Callable[[str, list[str], Fix], str]


@dataclass
class FileFixes:
    """What fixing one file did: the new text, the fixes kept and the ones refused."""

    text: str
    lines: list[str]
    remaining: list[Finding]
    applied: list[tuple[Finding, Fix]] = field(default_factory=list)
    skipped: list[tuple[Finding, str]] = field(default_factory=list)
    hidden_unsafe: int = 0


def eligible(finding: Finding, unsafe: bool) -> Optional[Fix]:
    fix = finding.fix()
    return fix if fix is not None and (fix.safe or unsafe) else None


def _key(finding: Finding) -> tuple[str, str]:
    # Position-free: a fix that inserts an import moves every later finding.
    return finding.rule_id, finding.message


def _refused_key(finding: Finding, lines: Sequence[str], fix: Fix) -> tuple:
    flagged = "\n".join(lines[finding.span.start_line : finding.span.end_line + 1])
    return (*_key(finding), flagged, fix.title)


def _problem(target: Finding, before: list[Finding], after: list[Finding]) -> Optional[str]:
    """Why the file after the fix is worse than intended, or None."""
    expected = Counter(_key(f) for f in before)
    expected[_key(target)] -= 1
    new = Counter(_key(f) for f in after) - expected
    if _key(target) in new:
        return "the finding is still reported after the rewrite"
    if new:
        rule_id, message = next(iter(new))
        return f"the rewrite would add {rule_id} ({message})"
    return None


def _parses(text: str, path: Path) -> bool:
    if not is_python(path):
        return True
    try:
        ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return True


def _text_rewrite(newline: str, text: str, lines: list[str], fix: Fix) -> str:
    return newline.join(apply_edits(lines, materialize(fix, lines)))


def fix_text(path: Path, text: str, analyse: Analyse, unsafe: bool, rewrite: Optional[Rewrite] = None) -> FileFixes:
    """Apply every eligible fix that passes the re-check, one after another (by default as text
    edits; a notebook makes them in its cells)."""
    rewrite = rewrite or partial(_text_rewrite, line_ending(text))
    lines, findings = analyse(text)
    result = FileFixes(text, lines, findings)
    refused: set[tuple] = set()
    for _ in range(MAX_ROUNDS):
        chosen = None
        for finding in findings:
            fix = eligible(finding, unsafe)
            if fix is not None and _refused_key(finding, lines, fix) not in refused:
                chosen = finding, fix
                break
        if chosen is None:
            break
        finding, fix = chosen
        try:
            new_text = rewrite(text, lines, fix)
        except ValueError as reason:
            problem: Optional[str] = str(reason)
        else:
            problem = None if _parses(new_text, path) else "the rewrite does not parse"
        if problem is None:
            new_lines, new_findings = analyse(new_text)
            problem = _problem(finding, findings, new_findings)
        if problem is not None:
            refused.add(_refused_key(finding, lines, fix))
            result.skipped.append((finding, problem))
            continue
        result.applied.append(chosen)
        text, lines, findings = new_text, new_lines, new_findings
    result.text, result.lines, result.remaining = text, lines, findings
    result.hidden_unsafe = sum(1 for f in findings if f.fix() is not None and not f.fix().safe and not unsafe)
    return result


def analyser(path: Path, display: str, config, select, ignore, min_severity: str, honoured=None) -> Analyse:
    """The findings `tabguard check` would show for a text of this file (same rules, same filters)."""
    ruleset = ruleset_from_config(config, display, select, ignore)

    def analyse(text: str) -> tuple[list[str], list[Finding]]:
        if is_dependency_file(path):
            lines = split_lines(text)
            found = [f for f in check_dependency_file(path, text, config) if f.rule_id in ruleset.by_id]
        else:
            doc = analyze_text(text, str(path), ruleset, config.options())
            lines, found = doc.lines, doc.findings()
        return lines, visible(found, lines, min_severity, honoured)

    return analyse


def unified_diff(display: str, before: str, after: str) -> str:
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            f"a/{display}",
            f"b/{display}",
        )
    )


class UnsafeWrite(Exception):
    """A write tabguard refuses to make, with the reason for the user."""


def write_source(path: Path, text: str, original: bytes, roots: Sequence[Path]) -> None:
    """Write `text` in the file's own encoding (BOM kept) atomically: a temporary file beside the
    real file, the original's permission bits, then a rename. A symlink is followed only to a target
    inside one of `roots` (the scanned folders), so a fix never writes outside the project. A file
    made read-only, or changed since `original` was read (saved in an editor meanwhile), is left as it is."""
    target = path.resolve()
    if not any(inside(root, target) for root in roots):
        raise UnsafeWrite(f"it resolves to {target}, outside the scanned folder; not written")
    mode = stat.S_IMODE(target.stat().st_mode)
    if not mode & stat.S_IWUSR:  # the rename would replace it all the same
        raise UnsafeWrite("it is read-only; not written")
    try:
        unchanged = read_regular(target, len(original))[0] == original
    except SourceError:  # grown, or no longer a regular file
        unchanged = False
    if not unchanged:
        raise UnsafeWrite("it changed on disk while it was being fixed; not written (run the fix again)")
    encoding, bom = source_encoding(original)
    data = bom + text.encode(encoding)
    write_atomically(target.parent, target.name, data, mode)


def project_roots(config, paths: Sequence[Path]) -> list[Path]:
    """The folders fixes may write into: the config's folder and each scanned folder (a named
    file's own folder, not where a symlink named on the command line points)."""
    folders = [path if path.is_dir() else path.absolute().parent for path in paths]
    if config.root is not None:
        folders.append(config.root)
    return [folder.resolve() for folder in folders]


@dataclass
class FixSummary:
    fixed: int = 0
    hidden_unsafe: int = 0
    diffs: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)  # skipped fixes and refused writes, for stderr
    failed: bool = False  # a file could not be written


def fix_results(
    results: Sequence[FileResult],
    config,
    select,
    ignore,
    min_severity: str,
    *,
    unsafe: bool,
    write: bool,
    roots: Sequence[Path],
    honoured_for=None,
) -> FixSummary:
    """Fix the files whose findings offer an eligible fix; each result's findings and lines become
    those of the fixed text (or of the text that would be written, with `write=False`)."""
    summary = FixSummary()
    for result in results:
        if result.error or not result.findings:
            continue
        if not any(eligible(f, unsafe) for f in result.findings):
            summary.hidden_unsafe += sum(1 for f in result.findings if f.fix() is not None)
            continue
        try:
            original = read_regular(result.path, read_limit(result.path, config["max-file-size"]))[0]
            text = decode_source(original)
        except (OSError, SourceError) as error:
            summary.messages.append(f"{result.display}: cannot fix: {getattr(error, 'strerror', None) or error}")
            continue
        honoured = honoured_for(result.path) if honoured_for else None
        if result.notebook is not None:
            ruleset = ruleset_from_config(config, result.display, select, ignore)
            fixer = NotebookFixer(text, str(result.path), ruleset, config.options(), min_severity, honoured)
            outcome = fix_text(result.path, fixer.text, fixer.analyse, unsafe, fixer.rewrite)
            new_text, where = fixer.notebook_text(outcome.text), fixer.where
        else:
            analyse = analyser(result.path, result.display, config, select, ignore, min_severity, honoured)
            outcome = fix_text(result.path, text, analyse, unsafe)
            new_text, where = outcome.text, _line_col
        for finding, reason in outcome.skipped:
            summary.messages.append(f"{result.display}:{where(finding)}: {finding.rule_id} fix skipped: {reason}")
        summary.hidden_unsafe += outcome.hidden_unsafe
        if not outcome.applied:
            continue
        if write:
            try:
                write_source(result.path, new_text, original, roots)
            except (UnsafeWrite, OSError) as error:
                summary.messages.append(f"{result.display}: cannot write the fixes: {error}")
                summary.failed = True
                continue
        else:
            summary.diffs.append(unified_diff(result.display, text, new_text))
        summary.fixed += len(outcome.applied)
        if result.notebook is not None:  # checked again whole: its outputs' places moved with the sources
            scan_notebook(result, new_text, ruleset, config, min_severity, honoured)
        else:
            result.findings, result.lines = outcome.remaining, outcome.lines
    return summary


def _line_col(finding: Finding) -> str:
    return f"{finding.span.start_line + 1}:{finding.span.start_col + 1}"


# -- the `tabguard check` options ----------------------------------------------------------------
def add_arguments(parser) -> None:
    parser.add_argument("--fix", action="store_true", help="apply the safe fixes to the files")
    parser.add_argument(
        "--unsafe-fixes", action="store_true", help="with --fix or --diff, also apply fixes that change behaviour"
    )
    parser.add_argument("--diff", action="store_true", help="print the fixes as a unified diff; write nothing")


def summary_line(summary: FixSummary, remaining: int, diff: bool) -> str:
    """Ruff's wording: `Fixed 3 findings (1 remaining).`, `Would fix 3 findings (1 remaining).`"""
    verb = "Would fix" if diff else "Fixed"
    line = f"{verb} {counted(summary.fixed, 'finding')} ({remaining} remaining)."
    if summary.hidden_unsafe:
        line += f" {summary.hidden_unsafe} more fixable with --unsafe-fixes."
    return line
