"""Subcommands of the `tabguard` command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

from tabguard.config import Config, load_config


def config_or_report(start: Path, explicit: Optional[Path] = None) -> Optional[Config]:
    """The configuration that applies to `start`, or None after printing its problems (exit 2)."""
    config = load_config(start, explicit)
    if config.problems:
        for problem in config.problems:
            print(f"tabguard: config error: {problem}", file=sys.stderr)
        print("tabguard: nothing was checked: fix the configuration first", file=sys.stderr)
        return None
    return config
