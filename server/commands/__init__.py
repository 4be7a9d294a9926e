"""Subcommands of the `tabguard` command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

from tabguard.config import Config, load_config
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
