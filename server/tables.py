"""Reading nested TOML tables that a hostile or mistaken file may have given another type
(`tool = 1`, `project = "x"`): one place that says which key is wrong instead of crashing."""

from __future__ import annotations

from typing import Any


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
