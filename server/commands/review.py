"""`tabguard review PATH[:LINE[-LINE]] [--by NAME]`: mark AI-inserted spans reviewed from the terminal.

A notebook's lines are its code cells' lines joined (as the gate prints them), or a cell as `check`
names it: `report.ipynb:cell 3` (the whole cell) or `report.ipynb:cell 3:2-4` (lines of the cell)."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Optional

from tabguard.commands import ledger_or_report
from tabguard.notebook import Notebook, NotebookError
from tabguard.notebook.checking import read_limit
from tabguard.notebook.places import NotebookView
from tabguard.provenance.checking import ledger_lines
from tabguard.sources import SourceError, read_source

_LINES = re.compile(r"^(.*):(\d+)(?:-(\d+))?$")
_CELL = re.compile(r"^(.*\.ipynb):cell ?(\d+)(?::(\d+)(?:-(\d+))?)?$")


def add_parser(sub):
    parser = sub.add_parser("review", help="mark AI-inserted spans as reviewed")
    parser.add_argument(
        "target",
        metavar="PATH[:LINE[-LINE]]",
        help="a file or folder, optionally with 1-based lines; a notebook cell as 'nb.ipynb:cell 3[:2-4]'",
    )
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


def cell_target(text: str) -> Optional[tuple[Path, int, Optional[tuple[int, int]]]]:
    """`nb.ipynb:cell 3:2-4` -> (nb.ipynb, 3, (1, 4)): the cell number as `check` prints it and the
    0-based, end-exclusive lines in the cell (None: the whole cell); None for any other target."""
    match = _CELL.match(text)
    if match is None or Path(text).exists():
        return None
    if match.group(3) is None:
        return Path(match.group(1)), int(match.group(2)), None
    first = int(match.group(3))
    last = int(match.group(4) or first)
    return Path(match.group(1)), int(match.group(2)), (max(first, 1) - 1, max(last, first))


def cell_lines(path: Path, number: int, lines: Optional[tuple[int, int]], max_size: int) -> tuple[int, int]:
    """The ledger lines (0-based, end-exclusive) of lines `lines` of cell `number` (1-based over every
    cell); ValueError saying why when there is no such code cell; SourceError when unreadable."""
    try:
        view = NotebookView.of(Notebook.from_json(read_source(path, read_limit(path, max_size))))
    except NotebookError as error:
        raise SourceError(str(error)) from None
    position = next((p for p, cell in enumerate(view.code) if cell.index == number - 1), None)
    if position is None:
        raise ValueError(f"cell {number} is not a Python code cell of the notebook")
    block = view.module.cell_lines(position)
    first, end = lines or (0, len(block))
    if first >= len(block):
        raise ValueError(f"cell {number} has {len(block)} lines")
    return block.start + first, block.start + min(end, len(block))


def run(args) -> int:
    in_cell = cell_target(args.target)
    path, lines_range = (in_cell[0], None) if in_cell else parse_target(args.target)
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
    if in_cell is not None:
        try:
            lines_range = cell_lines(path, in_cell[1], in_cell[2], config["max-file-size"])
        except (ValueError, SourceError) as error:
            print(f"tabguard: {path}: {error}", file=sys.stderr)
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
