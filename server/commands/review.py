"""`tabguard review PATH[:LINE[-LINE]] [--by NAME]`: mark AI-inserted spans reviewed from the terminal."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Optional

from tabguard.commands import ledger_or_report
from tabguard.provenance.checking import ledger_lines
from tabguard.sources import SourceError

_LINES = re.compile(r"^(.*):(\d+)(?:-(\d+))?$")


def add_parser(sub):
    parser = sub.add_parser("review", help="mark AI-inserted spans as reviewed")
    parser.add_argument("target", metavar="PATH[:LINE[-LINE]]", help="a file or folder, optionally with 1-based lines")
    parser.add_argument("--by", metavar="NAME", help="reviewer (default: config `reviewer`, else git user.name)")
    return parser


def parse_target(text: str) -> tuple[Path, Optional[tuple[int, int]]]:
    """`app.py:10-20` -> (app.py, (9, 20)) as 0-based, end-exclusive lines; a bare path -> whole file."""
    match = _LINES.match(text)
    if match and not Path(text).exists():
        first = int(match.group(2))
        last = int(match.group(3) or first)
        return Path(match.group(1)), (max(first, 1) - 1, max(last, first))
    return Path(text), None


def run(args) -> int:
    path, lines_range = parse_target(args.target)
    if lines_range is not None and path.exists() and not path.is_file():
        print(f"tabguard: {path}: line ranges need a file", file=sys.stderr)
        return 2
    opened = ledger_or_report(path)
    if opened is None:
        return 2
    config, prov = opened
    scope = prov.key(path)
    if scope is None:
        print(f"tabguard: {path}: outside the workspace {prov.root}", file=sys.stderr)
        return 2
    files = (
        [path]
        if path.is_file()
        else [
            prov.on_disk(key)
            for key in prov.tracked_files()
            if scope in ("", ".") or key.startswith(scope.rstrip("/") + "/")
        ]
    )
    reviewed, failed = 0, False
    for file in files:
        if file is None or not file.is_file():
            continue
        try:
            lines = ledger_lines(file, config["max-file-size"])
        except SourceError as error:
            print(f"tabguard: {file}: {error}", file=sys.stderr)
            continue
        prov.open_file(file, lines)
        start, end = lines_range or (0, len(lines))
        pending = [s for s in prov.spans(file) if not s.reviewed and s.start_line < end and s.end_line > start]
        try:
            done = prov.mark_reviewed(file, lines, start, end, args.by) if pending else []
        except OSError as error:  # refused (a symlinked ledger), read-only, disk full
            print(f"tabguard: {prov.key(file)}: review not recorded: {error}", file=sys.stderr)
            failed = True
            continue
        for span in done:
            print(
                f"{prov.key(file)}:{span.start_line + 1}-{span.end_line}: AI-inserted ({span.origin}) reviewed by {span.reviewer}"
            )
        reviewed += len(done)
    for warning in prov.warnings:
        print(f"tabguard: warning: {warning}", file=sys.stderr)
    for error in prov.errors:
        print(f"tabguard: error: {error}", file=sys.stderr)
    if not reviewed and not failed:
        print(f"tabguard: no unreviewed AI-inserted spans in {args.target}")
    return 2 if failed or prov.errors else 0
