"""Subcommands of the `tabguard` command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional, Sequence

from tabguard import boundary
from tabguard.config import Config, load_config
from tabguard.output.printable import say, write
from tabguard.provenance import Provenance
from tabguard.provenance.workspace import find_root


def config_or_report(start: Path, explicit: Optional[Path] = None, flags: Optional[dict] = None) -> Optional[Config]:
    """The configuration that applies to `start` with the command line's `flags` on top, or None
    after printing its problems (exit 2). Ignored settings are warned about and the rest applies."""
    config = load_config(start, explicit).merged(flags, "command line")
    for warning in config.warnings:
        print(f"tabguard: warning: {warning}", file=sys.stderr)
    if config.problems:
        for problem in config.problems:
            print(f"tabguard: config error: {problem}", file=sys.stderr)
        print("tabguard: nothing was checked: fix the configuration first", file=sys.stderr)
        return None
    return config


def emit(report: str, output: Optional[Path], roots: Sequence[Path]) -> bool:
    """The report on stdout or in `output` (-o); False after saying why it could not be written. The
    project (`roots`) is the repository's: a report path in it that is a symlink leading out of it (a
    committed `report.sarif -> ~/.bashrc`) is not written through."""
    if output is None:
        write(report + "\n", sys.stdout)
        return True
    if output.is_dir():
        say(f"{output}: -o names a folder; give a file to write the report to")
        return False
    elsewhere = boundary.led_out(output, roots)
    if elsewhere is not None:
        say(
            f"{output}: a symlink in the project that leads outside it, to {elsewhere}; the report is not written there"
        )
        return False
    try:
        output.write_text(report + "\n", encoding="utf-8")
        return True
    except OSError as error:
        say(f"{output}: cannot write the report: {error.strerror or error}")
        return False


def ledger_or_report(path: Path) -> Optional[tuple[Config, Provenance]]:
    """The configuration for `path` and the provenance ledger of its workspace, or None after printing
    why not (exit 2): `path` does not exist, or the configuration has problems."""
    if not path.exists():
        print(f"tabguard: {path}: no such file or directory", file=sys.stderr)
        return None
    config = config_or_report(path.resolve())
    if config is None:
        return None
    return config, Provenance(find_root(path), config["reviewer"])
