"""`tabguard rules`: the table of every rule."""

from __future__ import annotations

import json

from tabguard.fix_kinds import fix_label
from tabguard.rules import all_rules


def add_parser(sub):
    parser = sub.add_parser(
        "rules",
        help="list every rule: id, name, severity, CWE, fix (safe/unsafe; 'some shapes': not every flagged shape)",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def run(args) -> int:
    rules = all_rules()
    if args.format == "json":
        print(
            json.dumps(
                [
                    {
                        "id": r.id,
                        "name": r.name,
                        "severity": r.severity,
                        "severity_with_user_input": r.tainted_severity(),
                        "confidence": r.confidence,
                        "confidence_without_user_input": r.untainted_confidence(),
                        "cwe": [f"CWE-{c}" for c in r.cwe],
                        "owasp": r.owasp,
                        "fix": r.has_fix(),
                        "fix_applicability": fix_label(r),
                        "message": r.message,
                    }
                    for r in rules
                ],
                indent=2,
            )
        )
        return 0
    rows = [("ID", "NAME", "SEVERITY", "CWE", "FIX")]
    rows += [(r.id, r.name, r.severity_label(), ",".join(f"CWE-{c}" for c in r.cwe), fix_label(r)) for r in rules]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(widths[i]) if i < 4 else cell for i, cell in enumerate(row)).rstrip())
    return 0
