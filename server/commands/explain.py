"""`tabguard explain TG123`: the rule's full explanation (the hover's text)."""

from __future__ import annotations

import sys

from tabguard.render import explain_markdown
from tabguard.rules import rule_by_id


def add_parser(sub):
    parser = sub.add_parser("explain", help="explain a rule: what, why, how to fix, secure example")
    parser.add_argument("rule", help="rule id, e.g. TG101")
    return parser


def run(args) -> int:
    rule = rule_by_id(args.rule)
    if rule is None:
        print(f"tabguard: no rule {args.rule!r} (see `tabguard rules`)", file=sys.stderr)
        return 2
    sys.stdout.write(explain_markdown(rule))
    return 0
