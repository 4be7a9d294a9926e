"""Reading TOML that a hostile or mistaken file may have made unusual: nested tables given another
type (`tool = 1`, `project = "x"`), one place that says which key is wrong instead of crashing; and
the project's TOML files themselves (pyproject.toml, tabguard.toml), read only from regular files
of a bounded size and parsed without letting deep nesting crash the caller."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from tabguard.sources import read_text

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found]

# pyproject.toml and tabguard.toml are a few kilobytes; this is larger than any real one. It bounds
# what a repository's file costs to read and parse (the editor reads the config on its event loop).
TOML_MAX_BYTES = 256 * 1024


class TomlError(ValueError):
    """A TOML file that does not parse: invalid, or nested deeper than the parser can follow."""


def parse_toml(text: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise TomlError(str(error)) from None
    except RecursionError:  # `x = [[[[...` thousands deep: the parser recurses once per level
        raise TomlError("nested too deeply to read") from None


def load_toml(path: Path, max_size: int = TOML_MAX_BYTES) -> dict:
    """A project's TOML file: OSError when it cannot be read (not a regular file, over `max_size`
    bytes: `sources.Unreadable`), UnicodeDecodeError when it is not UTF-8, TomlError when it does not parse."""
    return parse_toml(read_text(path, max_size))


class TableError(ValueError):
    """A value on the way to a table is not a table; the message names its dotted key."""


def table_at(data: dict, *keys: str) -> dict:
    """`data[k1][k2]...`, or {} when a key is absent; TableError when a value on the way is not a table."""
    current = data
    for depth, key in enumerate(keys):
        current = current.get(key, {})
        if not isinstance(current, dict):
            dotted = ".".join(keys[: depth + 1])
            raise TableError(f"[{dotted}] must be a table, not {_kind(current)}")
    return current


def _kind(value: Any) -> str:
    return {str: "a string", int: "an integer", float: "a number", bool: "a boolean", list: "an array"}.get(
        type(value), type(value).__name__
    )
