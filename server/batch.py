"""Scanning many files fast: a content-hash cache (an unchanged re-run reads only hashes) and all
cores for what is not cached. Code is only parsed, never imported or run."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Callable, NamedTuple, Optional, Sequence

import tabguard.rules as rules_package
from tabguard import __version__
from tabguard.analysis import analyze_text, ruleset_from_config, visible
from tabguard.atomic import write_atomically
from tabguard.config import Config
from tabguard.engine.deep import call_deep
from tabguard.engine.document import ParseGap, split_lines
from tabguard.engine.summaries import WORKSPACE
from tabguard.engine.types import Edit, Finding, Fix, Related, Span
from tabguard.notebook import Notebook
from tabguard.notebook.checking import analyse_notebook, checkable, is_notebook, read_limit, shown
from tabguard.notebook.places import NotebookView
from tabguard.scan import FileResult, read_notebook, scan_file
from tabguard.sources import SourceError, decode_source, os_reason, read_regular
from tabguard.supply.depfiles import is_dependency_file
from tabguard.usercache import project_cache

# Below this many uncached files, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 24
# Raised when the stored form changes (2: per-finding confidence; 3: other modules consulted), so old entries are not read.
CACHE_FORMAT = 4


def _span(values: Sequence[int]) -> Span:
    return Span(*values)


def finding_to_json(finding: Finding) -> dict:
    fix = finding.fix()
    details = {k: v for k, v in finding.details.items() if isinstance(v, (str, int, float, bool)) or v is None}
    return {
        "rule": finding.rule_id,
        "span": list(_astuple(finding.span)),
        "message": finding.message,
        "severity": finding.severity,
        "confidence": finding.confidence,
        "details": details,
        "related": [[list(_astuple(r.span)), r.message, r.path] for r in finding.related],
        "fix": None
        if fix is None
        else {
            "title": fix.title,
            "safe": fix.safe,
            "imports": list(fix.imports),
            "edits": [[list(_astuple(e.span)), e.new_text] for e in fix.edits],
        },
    }


def finding_from_json(data: dict) -> Finding:
    fix = data["fix"]
    built = (
        None
        if fix is None
        else Fix(
            fix["title"], tuple(Edit(_span(s), text) for s, text in fix["edits"]), fix["safe"], tuple(fix["imports"])
        )
    )
    return Finding(
        rule_id=data["rule"],
        span=_span(data["span"]),
        message=data["message"],
        severity=data["severity"],
        details=dict(data["details"]),
        related=tuple(Related(_span(r[0]), r[1], r[2] if len(r) > 2 else None) for r in data["related"]),
        _fix=built,
        _fix_built=True,
        confidence=data.get("confidence"),
    )


class Analysis(NamedTuple):
    """What analysing one file's text gave, as JSON: its findings and the code that did not parse."""

    findings: list[dict]
    gaps: list[list]

    def __bool__(self) -> bool:  # nothing to report: an unchanged file need not even be read
        return bool(self.findings or self.gaps)


def _gap(data) -> Optional[ParseGap]:
    """A cached parse gap ([line, col, message, first line, last line]); None when malformed."""
    if not (isinstance(data, list) and len(data) == 5 and isinstance(data[2], str)):
        return None
    numbers = [data[k] for k in (0, 1, 3, 4)]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in numbers):
        return None
    return ParseGap(*data)


def _astuple(span: Span) -> tuple[int, int, int, int]:
    return span.start_line, span.start_col, span.end_line, span.end_col


class ResultCache:
    """Findings per file for one version of tabguard, one rule selection and one config, in one
    index file. A file whose size and modification time are unchanged is not even read again; one
    whose content hash is unchanged is not analysed again."""

    def __init__(self, folder: Path, salt: str):
        self.file = folder / (hashlib.sha256(salt.encode()).hexdigest()[:20] + ".json")
        self.entries: dict[str, list] = {}
        self.changed = False
        try:
            loaded = json.loads(self.file.read_text(encoding="utf-8"))
            if isinstance(loaded, dict):
                # An entry of the wrong shape (edited, truncated, another version's) is a miss.
                self.entries = {k: v for k, v in loaded.items() if _well_formed(v)}
        except (OSError, ValueError, RecursionError):
            pass
        self._by_hash = {entry[2]: entry for entry in self.entries.values() if _still_fresh(entry[4])}

    def by_stat(self, name: str, stat: os.stat_result) -> Optional[Analysis]:
        entry = self.entries.get(name)
        if entry and entry[0] == stat.st_mtime_ns and entry[1] == stat.st_size and _still_fresh(entry[4]):
            return Analysis(entry[3], entry[5])
        return None

    def by_content(self, digest: str) -> Optional[tuple[Analysis, list]]:
        entry = self._by_hash.get(digest)
        return (Analysis(entry[3], entry[5]), entry[4]) if entry else None

    def put(self, name: str, stat: os.stat_result, digest: str, analysis: Analysis, consulted: list) -> None:
        entry = [stat.st_mtime_ns, stat.st_size, digest, analysis.findings, consulted, analysis.gaps]
        self.entries[name] = entry
        self._by_hash[digest] = entry
        self.changed = True

    def save(self) -> None:
        if not self.changed:
            return
        try:
            self.file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            write_atomically(
                self.file.parent, self.file.name, json.dumps(self.entries, separators=(",", ":")).encode("utf-8")
            )
        except OSError:
            pass  # a cache that cannot be written only costs time


def _still_fresh(consulted: list) -> bool:
    """Whether the other modules a cached analysis used are unchanged ([path, size, mtime_ns] each)."""
    for path, size, mtime in consulted:
        try:
            stat = os.stat(path)
        except OSError:
            return False
        if (stat.st_size, stat.st_mtime_ns) != (size, mtime):
            return False
    return True


def _well_formed(entry) -> bool:
    """[mtime_ns, size, sha256, findings, consulted, parse gaps] whose findings and gaps all load."""
    if not (isinstance(entry, list) and len(entry) == 6 and isinstance(entry[2], str) and isinstance(entry[3], list)):
        return False
    if not (isinstance(entry[5], list) and all(_gap(g) is not None for g in entry[5])):
        return False
    consulted = entry[4]
    if not (
        isinstance(consulted, list)
        and all(
            isinstance(d, list)
            and len(d) == 3
            and isinstance(d[0], str)
            and all(isinstance(v, int) and not isinstance(v, bool) for v in d[1:])
            for d in consulted
        )
    ):
        return False
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in entry[:2]):
        return False
    try:
        return all(_sound(finding_from_json(item)) for item in entry[3])
    except (KeyError, TypeError, ValueError, AttributeError):
        return False


def _sound(finding: Finding) -> bool:
    spans = [finding.span, *(r.span for r in finding.related)]
    texts = [finding.rule_id, finding.message, finding.severity, *(r.message for r in finding.related)]
    fix = finding.fix()
    if fix is not None:
        spans.extend(e.span for e in fix.edits)
        texts.extend([fix.title, *(e.new_text for e in fix.edits), *fix.imports])
    return (
        all(isinstance(v, int) and not isinstance(v, bool) for span in spans for v in _astuple(span))
        and all(isinstance(t, str) for t in texts)
        and isinstance(finding.details, dict)
    )


def cache_salt(config: Config, select, ignore, environment: str) -> str:
    relevant = {k: v for k, v in config.values.items() if k not in ("reviewer",)}
    return json.dumps(
        [__version__, CACHE_FORMAT, code_token(), sorted(select), sorted(ignore), relevant, environment],
        sort_keys=True,
        default=str,
    )


@functools.lru_cache(maxsize=1)
def code_token() -> str:
    """The analyser's own files: a checkout changed by a pull or an edit keeps its version number,
    and must not be answered with the findings of the code it replaced."""
    return tree_token((Path(__file__).resolve().parent, Path(rules_package.__file__).resolve().parent))


def tree_token(folders: Sequence[Path]) -> str:
    """A digest of the name, size and modification time of every source and data file below `folders`."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".py", ".json") and "__pycache__" not in path.parts:
                stat = path.stat()
                digest.update(f"{path.relative_to(folder)}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()


def environment_token(root: Path) -> str:
    """What supply-chain findings depend on besides the file: declared and installed packages."""
    parts = []
    for name in ("pyproject.toml", "setup.cfg", "setup.py", "requirements.txt", ".venv", "venv"):
        try:
            stat = (root / name).stat()
            parts.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
        except OSError:
            continue
    for candidate in root.glob("requirements*.txt"):
        stat = candidate.stat()
        parts.append(f"{candidate.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return ";".join(sorted(parts))


def _analyze(job: tuple[str, str, Config, tuple, tuple, str]) -> tuple[Analysis, list[str], list]:
    """Worker: analyse one file's text; findings as JSON, fixes included (workers share nothing),
    the rules that failed on it, and the other modules whose functions the analysis used."""
    path, text, config, select, ignore, display = job
    ruleset = ruleset_from_config(config, display, select, ignore)

    def work() -> tuple[Analysis, list[str], list]:
        WORKSPACE.consulted = {}
        try:
            if is_notebook(Path(path)):  # read as one before it was sent here
                checked = analyse_notebook(NotebookView.of(Notebook.from_json(text)), path, ruleset, config.options())
                found, gaps, errors = checked.findings, checked.gaps, checked.errors
            else:
                doc = analyze_text(text, path, ruleset, config.options())
                found, gaps = doc.findings(), doc.syntax_problems()
                errors = [f"rule {error}" for error in doc.take_errors()]
            findings = Analysis([finding_to_json(f) for f in found], [list(gap) for gap in gaps])
            consulted = [[p, size, mtime] for p, (size, mtime) in sorted(WORKSPACE.consulted.items())]
        finally:
            WORKSPACE.consulted = None
        return findings, errors, consulted

    return call_deep(work)


def scan_files(
    files: Sequence[tuple[Path, str]],
    config: Config,
    select=(),
    ignore=(),
    min_severity: str = "low",
    honoured_for: Optional[Callable[[Path], Optional[Callable[[int], bool]]]] = None,
    jobs: Optional[int] = None,
    cache_root: Optional[Path] = None,
) -> list[FileResult]:
    """Scan (path, display) pairs; results come back in the same order."""
    cache = None
    if cache_root is not None:
        salt = cache_salt(config, select, ignore, environment_token(cache_root))
        cache = ResultCache(project_cache(cache_root, "results-v1"), salt)
    results: list[FileResult] = []
    pending: list[tuple] = []
    for path, display in files:
        honoured = honoured_for(path) if honoured_for else None
        if is_dependency_file(path):
            results.append(scan_file(path, display, config, select, ignore, min_severity, honoured))
            continue
        result = FileResult(path, display)
        results.append(result)
        try:
            cached = cache.by_stat(display, path.stat()) if cache else None
            if cached is not None and not cached:
                continue  # unchanged, clean and parsed: nothing to read
            data, stat = read_regular(path, read_limit(path, config["max-file-size"]))
            text = decode_source(data)
        except OSError as error:
            result.error = os_reason(error)
            continue
        except SourceError as error:
            result.error = str(error)
            continue
        result.lines = split_lines(text)
        if is_notebook(path) and not read_notebook(result, text, config["max-file-size"]):
            result.lines = []
            continue
        # A notebook's analysis is not that of a .py file with the same bytes.
        digest = ("ipynb:" if is_notebook(path) else "") + hashlib.sha256(data).hexdigest()
        if cached is None and cache is not None:
            same = cache.by_content(digest)
            if same is not None:
                cached = same[0]
                cache.put(display, stat, digest, *same)
        if cached is not None:
            _finish(result, cached, min_severity, honoured)
        else:
            job = (str(path), text, config, tuple(select), tuple(ignore), display)
            pending.append((result, stat, digest, honoured, job))
    for (result, stat, digest, honoured, _job), (analysis, failures, consulted) in zip(
        pending, _run([p[4] for p in pending], jobs)
    ):
        result.rule_errors = failures
        if cache is not None and not failures:  # a failed rule must fail the next run too
            cache.put(result.display, stat, digest, analysis, consulted)
        _finish(result, analysis, min_severity, honoured)
    if cache is not None:
        cache.save()
    return results


def _finish(result: FileResult, analysis: Analysis, min_severity: str, honoured) -> None:
    findings = [finding_from_json(f) for f in analysis.findings]
    if result.notebook is not None:  # a comment counts in its own cell
        result.findings = shown(result.notebook, findings, min_severity, honoured)
        result.lines = checkable(result.notebook.module)[0] if findings else []  # the lines checked
    else:
        result.findings = visible(findings, result.lines, min_severity, honoured)
    result.parse_gaps = [gap for gap in map(_gap, analysis.gaps) if gap is not None]


def _run(work: list, jobs: Optional[int]) -> list[tuple[Analysis, list[str], list]]:
    workers = jobs or os.cpu_count() or 1
    if workers <= 1 or len(work) < PARALLEL_THRESHOLD:
        return [_analyze(job) for job in work]
    context = None
    if sys.platform.startswith("linux"):
        import multiprocessing

        context = multiprocessing.get_context("fork")  # children inherit the loaded rules
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(_analyze, work, chunksize=max(1, len(work) // (workers * 8))))
