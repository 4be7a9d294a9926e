"""`tabguard check [PATH ...]`: scan files and folders; exit 0 clean, 1 findings, 2 usage/config error."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

from tabguard import baseline, fixing
from tabguard.analysis import at_least_confident
from tabguard.commands import config_or_report, emit
from tabguard.engine.grades import CONFIDENCE_NAMES, SEVERITY_NAMES
from tabguard.output import plain, sarif
from tabguard.output.printable import colour_terminal, printable, say, unfiltered
from tabguard.provenance.checking import annotate_results, gate_failures, honoured_filter, provenance_for
from tabguard.rulecodes import resolve_all
from tabguard.batch import scan_files
from tabguard.scan import iter_files, unscannable
from tabguard.counting import counted


def add_parser(sub):
    parser = sub.add_parser("check", help="scan files or folders for security findings")
    parser.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    parser.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    parser.add_argument("--select", default="", help="comma-separated rule ids or prefixes to run")
    parser.add_argument("--ignore", default="", help="comma-separated rule ids or prefixes to skip")
    parser.add_argument("--min-severity", choices=SEVERITY_NAMES, default="low")
    parser.add_argument(
        "--min-confidence",
        choices=CONFIDENCE_NAMES,
        default=None,
        help="report only findings this sure or surer (default: config `min-confidence`, else low)",
    )
    parser.add_argument("--config", type=Path, help="use this tabguard.toml / pyproject.toml")
    parser.add_argument(
        "--network",
        action="store_true",
        default=None,
        help="ask the package index and OSV about the dependencies (a repository's config cannot)",
    )
    parser.add_argument("--index-url", metavar="URL", help="package index to ask (http or https)")
    parser.add_argument("--osv-url", metavar="URL", help="OSV service to ask (http or https)")
    parser.add_argument("-o", "--output", type=Path, help="write the report to this file")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    parser.add_argument(
        "--no-cache", action="store_true", help="do not use the result cache (kept in the user's cache folder)"
    )
    parser.add_argument(
        "--gate",
        action="store_true",
        help="review gate: exit 1 only when an unreviewed AI-inserted span holds a finding",
    )
    parser.add_argument("--require-review", action="store_true", help="exit 1 when any AI-inserted span is unreviewed")
    parser.add_argument(
        "--require-ledger",
        action="store_true",
        default=None,
        help="with --gate/--require-review: exit 1 when there is no provenance ledger to gate on "
        "(config `require-ledger`)",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="FILE",
        help="report only findings not recorded in FILE; when FILE does not exist yet, record "
        "today's findings in it and exit 0",
    )
    parser.add_argument(
        "--update-baseline",
        action="store_true",
        help="with --baseline: record today's findings in FILE again, replacing it",
    )
    fixing.add_arguments(parser)
    return parser


def _baseline(args, results) -> Optional[int]:
    """Record the baseline (an exit code), or drop the findings it holds (None: go on reporting)."""
    if args.update_baseline and args.baseline is None:
        print("tabguard: --update-baseline needs --baseline FILE", file=sys.stderr)
        return 2
    try:
        if args.update_baseline or not args.baseline.exists():
            count = baseline.record(results, args.baseline)
            print(
                f"tabguard: recorded {counted(count, 'finding')} in the baseline {args.baseline}; "
                f"runs with --baseline {args.baseline} now report only new ones",
                file=sys.stderr,
            )
            return 0
        known = baseline.new_findings(results, args.baseline)
    except baseline.BaselineError as error:
        print(f"tabguard: {error}", file=sys.stderr)
        return 2
    if known:
        print(f"tabguard: {counted(known, 'finding')} in the baseline {args.baseline} not shown", file=sys.stderr)
    return None


def _cache_root(config, paths: list[Path]) -> Path:
    """The project the result cache is kept for: the config's folder, else the scanned folder."""
    if config.root is not None:
        return config.root
    first = paths[0].resolve()
    return first if first.is_dir() else first.parent


def _codes(text: str, flag: str) -> Optional[tuple[str, ...]]:
    """The rule ids/prefixes of a `--select`/`--ignore` list (names allowed); None after reporting an
    unknown one: selecting nothing by a typo must not pass as a clean check."""
    codes, problems = resolve_all([c for c in text.split(",") if c.strip()], flag)
    for problem in problems:
        print(f"tabguard: {problem}", file=sys.stderr)
    return None if problems else codes


def _keep_confident(results, min_confidence: str) -> None:
    for result in results:
        result.findings = plain.by_position(at_least_confident(result.findings, min_confidence), result.notebook)


def _no_ledger(paths: list[Path], required: bool) -> int:
    """A gate with no ledger cannot see AI-inserted code: say so, and fail when a ledger is required."""
    where = paths[0].resolve()
    print(
        f"tabguard: gate: no provenance ledger (.agent-trace/traces.jsonl) at or above {where}: "
        "no code is known to be AI-inserted, so there is nothing to gate on",
        file=sys.stderr,
    )
    if required:
        print("tabguard: gate: failing because a ledger is required (require-ledger)", file=sys.stderr)
        return 1
    print("tabguard: gate: passing; use --require-ledger (or require-ledger = true) to fail instead", file=sys.stderr)
    return 0


def run(args) -> int:
    paths = _checkable([Path(p) for p in args.paths])
    if not _arguments_usable(args, paths):
        return 2
    flags = {"network": args.network, "index-url": args.index_url, "osv-url": args.osv_url}
    config = config_or_report(paths[0].resolve(), args.config, {k: v for k, v in flags.items() if v is not None})
    select, ignore = _codes(args.select, "--select"), _codes(args.ignore, "--ignore")
    if config is None or select is None or ignore is None:
        return 2
    prov = provenance_for(paths, config["reviewer"])
    warnings: list[str] = []
    unread: list[str] = []  # folders that could not be listed
    files = [
        (path, printable(path.as_posix()))
        for path in iter_files(paths, config["exclude"], warnings=warnings, errors=unread)
    ]
    results = scan_files(
        files,
        config,
        select,
        ignore,
        args.min_severity,
        honoured_for=lambda path: honoured_filter(prov, path, config["max-file-size"]),
        jobs=args.jobs,
        cache_root=None if args.no_cache else _cache_root(config, paths),
    )
    min_confidence = args.min_confidence or config["min-confidence"]
    _keep_confident(results, min_confidence)
    fixes = None
    if args.fix or args.diff:
        fixes = fixing.fix_results(
            results,
            config,
            select,
            ignore,
            args.min_severity,
            unsafe=args.unsafe_fixes,
            write=not args.diff,
            roots=fixing.project_roots(config, paths),
            honoured_for=lambda path: honoured_filter(prov, path, config["max-file-size"]),
        )
        for message in fixes.messages:
            print(f"tabguard: {message}", file=sys.stderr)
        _keep_confident(results, min_confidence)  # the re-checked findings, after the fixes
    if args.baseline is not None or args.update_baseline:
        outcome = _baseline(args, results)
        if outcome is not None:
            return outcome
    ai_spans = annotate_results(prov, results)
    refused = [*(prov.errors if prov else ()), *unread]
    _say_notices(results, [*warnings, *(prov.warnings if prov else ())], refused)
    if args.diff:
        unfiltered(sys.stdout).write("".join(fixes.diffs))  # a patch, byte for byte (its names are printable)
        print(fixing.summary_line(fixes, sum(len(r.findings) for r in results), diff=True), file=sys.stderr)
        return 2 if any(r.problems() for r in results) or fixes.failed else (1 if fixes.fixed else 0)
    if not emit(_report(args, results, fixes), args.output, fixing.project_roots(config, paths)):
        return 2
    if refused or any(r.problems() for r in results) or (fixes is not None and fixes.failed):
        return 2
    if len(paths) < len(args.paths):  # a path was skipped: the check is not complete
        return 2
    if args.gate or args.require_review:
        if prov is None:
            return _no_ledger(paths, args.require_ledger or config["require-ledger"])
        return _gate(ai_spans, args.require_review)
    return 1 if any(r.findings for r in results) else 0


def _arguments_usable(args, paths: list[Path]) -> bool:
    """False, having said why, when --config or the paths make the run impossible."""
    if args.config is not None and not args.config.is_file():
        say(f"{args.config}: config file not found")
    elif not paths:
        say("nothing to check: every path given was skipped")
    else:
        return True
    return False


def _say_notices(results, warnings: list[str], refused: list[str]) -> None:
    """What the run could not do fully, on stderr: warnings, errors (refused ledger records, folders that
    could not be read), problems, parse gaps."""
    for warning in warnings:
        say(f"warning: {warning}")
    for error in refused:
        say(f"error: {printable(error)}")  # it may name a folder of the repository's
    for result in results:
        for problem in result.problems():
            say(f"{result.display}: {problem}")
        for notice in result.notices:
            say(f"notice: {result.display}: {notice}")
        for gap in result.parse_gaps:
            say(f"notice: {result.display}:{result.gap_notice(gap)}")


def _report(args, results, fixes) -> str:
    """The report in the asked format; text ends with the count (or the fix summary)."""
    if args.format == "sarif":
        return json.dumps(sarif.render(results), indent=2)
    if args.format == "json":
        return json.dumps(plain.json_object(results), indent=2)
    lines = plain.text_lines(results, colour=args.output is None and colour_terminal())
    total, files = len(lines), counted(len(results), "file")
    if fixes is not None:
        lines.append(fixing.summary_line(fixes, total, diff=False))
    else:
        lines.append(f"Found {counted(total, 'finding')} in {files}." if total else f"No findings in {files}.")
    return "\n".join(lines)


def _gate(ai_spans, require_review: bool) -> int:
    """1 when AI-inserted code has findings (or, with --require-review, is unreviewed), each said on stderr."""
    failures = gate_failures(ai_spans, require_review)
    for message in failures:
        print(f"tabguard: gate: {message}", file=sys.stderr)
    if failures:
        print("tabguard: gate: fix the findings, or review the spans: tabguard review PATH:LINE-LINE", file=sys.stderr)
    return 1 if failures else 0


def _checkable(paths: list[Path]) -> list[Path]:
    """The paths that can be scanned; each other one is reported with the reason."""
    usable = []
    for path in paths:
        reason = unscannable(path)
        if reason:
            say(f"{path}: {reason}")
        else:
            usable.append(path)
    return usable
