"""Fuzzing what a repository controls: `[tool.tabguard]`, pyproject dependency tables of any
TOML shape, `.gitignore` lines, and the names (files, routes) the reports print. Never a traceback;
derandomized by the `ci` profile."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tabguard.config import load_config
from tabguard.ignore import GitIgnore
from tabguard.output.printable import printable, terminal_safe
from tabguard.supply.declared import parse_pyproject

_SCALARS = st.one_of(
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.integers(2**63, 10**40),  # sizes no read can be given
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12,
)
_KEYS = [
    "tool",
    "project",
    "dependency-groups",
    "build-system",
    "tabguard",
    "poetry",
    "group",
    "dependencies",
    "optional-dependencies",
    "dev-dependencies",
    "requires",
    "name",
    "select",
    "severity",
    "per-file-ignores",
    "max-file-size",
    "exclude",
]
_TABLES = st.recursive(_VALUES, lambda inner: st.dictionaries(st.sampled_from(_KEYS), inner, max_size=5), max_leaves=20)


def _toml(value) -> str:
    """An inline TOML value: JSON's strings, numbers and booleans are TOML's too."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(value)


def _document(top: dict) -> str:
    return "".join(f"{json.dumps(k)} = {_toml(v)}\n" for k, v in top.items()) + "# tool.tabguard\n"


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(_KEYS), _TABLES, max_size=5))
def test_any_pyproject_shape_is_a_message_not_a_crash(tmp_path, top):
    path = tmp_path / "pyproject.toml"
    path.write_text(_document(top), encoding="utf-8")
    config = load_config(explicit=path)  # problems are allowed; exceptions are not
    assert all(isinstance(str(p), str) for p in config.problems)
    parsed = parse_pyproject(path, path.read_text(encoding="utf-8"))
    assert all(isinstance(p, str) for p in parsed.problems)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    st.lists(st.text(alphabet="ab*?[]!-/\\# .z^", max_size=14), max_size=6),
    st.text(alphabet="ab*?[]!-/ .z^", min_size=1, max_size=40),
)
def test_any_gitignore_line_is_matched_or_skipped(tmp_path, lines, name):
    (tmp_path / ".gitignore").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ignore = GitIgnore(Path(tmp_path))
    relative = "/".join(part for part in name.split("/") if part) or "a"
    assert ignore.ignored(relative, False) in (True, False)
    assert ignore.ignored(relative, True) in (True, False)


# What could drive a terminal: C0 and C1 controls, DEL, and the bidi controls (escaped by `terminal_safe`).
_DRIVES_A_TERMINAL = {*map(chr, range(0x20)), *map(chr, range(0x7F, 0xA0)), "\u061c", "\u200e", "\u200f"}
_DRIVES_A_TERMINAL |= {"\u2028", "\u2029", *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A))}
_COLOUR = "\x1b[31m"


@given(st.text(), st.text())
def test_any_name_prints_as_one_line_that_cannot_drive_the_terminal(name, around):
    shown = printable(name)
    assert shown.isprintable() and not (set(shown) & _DRIVES_A_TERMINAL)
    report = terminal_safe(f"{around}{_COLOUR}{shown}\x1b[0m\n")
    assert report.count(_COLOUR) >= 1 and report.endswith("\x1b[0m\n")  # tabguard's own colours pass
    assert not (set(report.replace(_COLOUR, "").replace("\x1b[0m", "")) & (_DRIVES_A_TERMINAL - {"\n", "\t"}))
