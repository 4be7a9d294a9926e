"""`tabguard explain TG123` (or a rule name): the rule's full explanation, the hover's text, rendered
for the terminal (`--format markdown` for the Markdown itself)."""

from __future__ import annotations

import shutil
import sys

from tabguard.output.printable import colour_terminal
from tabguard.render import explain_markdown, explain_terminal
from tabguard.rulecodes import resolve, resolve_all
from tabguard.rules import rule_by_id


def add_parser(sub):
    parser = sub.add_parser("explain", help="explain a rule: what, why, how to fix, secure example")
    parser.add_argument("rule", help="rule id or name, e.g. TG101 or os-command-injection")
    parser.add_argument("--format", choices=("text", "markdown"), default="text")
    return parser


def run(args) -> int:
    rule_id = resolve(args.rule)
    rule = rule_by_id(rule_id) if rule_id else None
    if rule is None:
        _, problems = resolve_all([args.rule], "explain")
        problem = problems[0] if problems else f"explain: '{args.rule}' names a group of rules, not one"
        print(f"tabguard: {problem} (see `tabguard rules`)", file=sys.stderr)
        return 2
    if args.format == "markdown":
        sys.stdout.write(explain_markdown(rule))
        return 0
    width = min(shutil.get_terminal_size((88, 24)).columns, 100) - 1
    sys.stdout.write(explain_terminal(rule, width, colour_terminal()))
    return 0
