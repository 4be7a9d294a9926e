"""`tabguard` command line: one module per subcommand under `tabguard.commands`."""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Optional, Sequence

from tabguard import __version__
from tabguard.output.printable import TerminalSafe

# Each module defines `add_parser(subparsers)` and `run(args) -> int`.
COMMANDS = ("check", "rules", "explain", "lsp", "inventory", "review", "init", "surface")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tabguard",
        description="Security review for code accepted from AI assistants.",
    )
    parser.add_argument("--version", action="version", version=f"tabguard {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"tabguard.commands.{name}")
        command = module.add_parser(sub)
        command.set_defaults(run=module.run)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0) if exit_.code in (0, None) else 2
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    if args.command == "lsp":  # stdout is the protocol's
        return _run(args)
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = TerminalSafe(sys.stdout), TerminalSafe(sys.stderr)
    try:
        return _run(args)
    finally:
        sys.stdout, sys.stderr = streams


def _run(args) -> int:
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
