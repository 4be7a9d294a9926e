"""`tabguard inventory [PATH]`: which code came from AI, where, from which tool, reviewed by whom."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tabguard.commands import emit, ledger_or_report
from tabguard.provenance import html_report, inventory


def add_parser(sub):
    parser = sub.add_parser("inventory", help="report the AI-inserted code recorded in the provenance ledger")
    parser.add_argument("path", nargs="?", default=".", metavar="PATH")
    parser.add_argument("--format", choices=("text", "json", "html"), default="text")
    parser.add_argument("-o", "--output", type=Path, help="write the report to this file")
    return parser


def run(args) -> int:
    target = Path(args.path)
    opened = ledger_or_report(target)
    if opened is None:
        return 2
    config, prov = opened
    data = inventory.build(prov, target, config)
    for warning in data["warnings"]:
        print(f"tabguard: warning: {warning}", file=sys.stderr)
    for error in data["errors"]:
        print(f"tabguard: error: {error}", file=sys.stderr)
    if args.format == "json":
        report = json.dumps(data, indent=2)
    elif args.format == "html":
        report = html_report.render(data)
    else:
        report = "\n".join(inventory.text_lines(data))
    if not emit(report, args.output, [prov.root]):
        return 2
    return 2 if data["errors"] else 0
