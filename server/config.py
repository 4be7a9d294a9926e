"""`[tool.tabguard]` in pyproject.toml, or tabguard.toml: found by walking up from a file, on top of
the user's own config file (`user_config_path()`).

A bad value, an unknown key or an unknown rule code is a `ConfigProblem`, an error everywhere: the
CLI prints it and exits 2 without checking anything; the editor shows it as an error and, as it cannot
stop, uses the default for that setting until the config is fixed. Nothing is dropped silently.

A repository is input an attacker can write, so its config may not set the keys in `USER_ONLY`
(they make tabguard send the project's package names to a host) nor name a `python` outside the
repository: those are ignored with a warning (`Config.warnings`; the rest of the config applies) and
come only from the user's config file, the command line or the editor's settings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from tabguard.config_schema import BY_KEY, SETTINGS
from tabguard.sources import read_text
from tabguard.tables import TOML_MAX_BYTES, TableError, TomlError, load_toml, table_at

DEFAULTS: dict[str, Any] = {setting.key: setting.default for setting in SETTINGS}
# Keys a repository's own config may not set: they decide whether and where the project's package
# names and pinned versions are sent.
USER_ONLY = frozenset(setting.key for setting in SETTINGS if setting.user_only)


@dataclass(frozen=True)
class ConfigProblem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass
class Config:
    values: dict[str, Any] = field(default_factory=lambda: {k: _copy(v) for k, v in DEFAULTS.items()})
    source: Optional[Path] = None
    problems: list[ConfigProblem] = field(default_factory=list)
    warnings: list[ConfigProblem] = field(default_factory=list)  # settings ignored; the rest applies

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    @property
    def root(self) -> Optional[Path]:
        return self.source.parent if self.source else None

    def options(self) -> dict[str, Any]:
        """What rules read from the engine context."""
        return {s.key: s.option(self.values[s.key]) for s in SETTINGS if s.option is not None}

    def ignored_for(self, relative_path: str) -> list[str]:
        from fnmatch import fnmatch

        ids: list[str] = []
        for pattern, codes in self.values["per-file-ignores"].items():
            if fnmatch(relative_path, pattern) or fnmatch(Path(relative_path).name, pattern):
                ids.extend(codes)
        return ids

    def merged(self, overrides: Optional[dict], where: str = "editor settings") -> "Config":
        """A copy with the user's own settings (LSP initializationOptions, command-line flags)
        applied and validated; these may set every key."""
        if not overrides:
            return self
        copy = Config(
            {k: _copy(v) for k, v in self.values.items()}, self.source, list(self.problems), list(self.warnings)
        )
        _apply(copy, overrides, where)
        return copy


def _copy(value: Any) -> Any:
    return value.copy() if isinstance(value, (list, dict)) else value


def find_config_file(start: Path) -> Optional[Path]:
    start = start if start.is_dir() else start.parent
    for folder in (start, *start.parents):
        candidate = folder / "tabguard.toml"
        if candidate.is_file():
            return candidate
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                if candidate.stat().st_size > TOML_MAX_BYTES:  # too large to look into: loading it says so
                    return candidate
                if "tool.tabguard" in read_text(candidate, TOML_MAX_BYTES, errors="replace"):
                    return candidate
            except OSError:
                continue
    return None


def user_config_path() -> Optional[Path]:
    """The user's own config file (same keys as tabguard.toml): `$XDG_CONFIG_HOME/tabguard/config.toml`,
    by default `~/.config/tabguard/config.toml` (`%APPDATA%\\tabguard\\config.toml` on Windows)."""
    base = os.environ.get("XDG_CONFIG_HOME") or (os.environ.get("APPDATA") if os.name == "nt" else None)
    if not base:
        try:
            base = str(Path.home() / ".config")
        except RuntimeError:  # no home folder to speak of
            return None
    return Path(base) / "tabguard" / "config.toml"


def load_config(start: Optional[Path] = None, explicit: Optional[Path] = None) -> Config:
    """The user's config file, then the repository's (`explicit`, else the one found from `start`)."""
    path = explicit or (find_config_file(start.resolve()) if start is not None else None)
    config = Config(source=path)
    user_file = user_config_path()
    if user_file is not None and user_file.is_file():
        _load_file(config, user_file)
    if path is not None:
        _load_file(config, path, repository=path.parent)
    return config


def _load_file(config: Config, path: Path, repository: Optional[Path] = None) -> None:
    try:
        data = load_toml(path)
    except (OSError, UnicodeDecodeError) as error:
        config.problems.append(ConfigProblem(str(path), f"cannot read: {error}"))
        return
    except TomlError as error:
        config.problems.append(ConfigProblem(str(path), f"invalid TOML: {error}"))
        return
    try:
        table = table_at(data, "tool", "tabguard") if path.name == "pyproject.toml" else _own_table(data)
    except TableError as error:
        config.problems.append(ConfigProblem(str(path), str(error)))
        return
    _apply(config, table, str(path), repository)


def _own_table(data: dict) -> dict:
    """tabguard.toml's keys; a `[tool.tabguard]` header, as copied from pyproject.toml, is accepted too."""
    tool = data.get("tool")
    if isinstance(tool, dict) and set(tool) == {"tabguard"} and isinstance(tool["tabguard"], dict):
        return {**{k: v for k, v in data.items() if k != "tool"}, **tool["tabguard"]}
    return data


def _apply(config: Config, table: dict, where: str, repository: Optional[Path] = None) -> None:
    """Validate and set `table`'s keys; `repository` is the folder of a repository's own config file
    (None for the user's settings), which may not set `USER_ONLY` keys nor name a `python` outside it."""
    from tabguard.rulecodes import suggestion

    for raw_key, value in table.items():
        key = raw_key.replace("_", "-")
        if key not in DEFAULTS:
            config.problems.append(ConfigProblem(where, f"unknown key '{raw_key}'{suggestion(key, DEFAULTS)}"))
            continue
        if key in USER_ONLY and repository is not None:
            config.warnings.append(
                ConfigProblem(
                    where,
                    (
                        f"'{raw_key}' ignored: a repository's config may not choose whether or where the project's "
                        f"package names are sent; set it in {user_config_path() or 'your user config file'}, "
                        f"on the command line (tabguard check --{key}) or in the editor's settings"
                    ),
                )
            )
            continue
        kind = BY_KEY[key].kind
        if not kind.accepts(value):
            config.problems.append(ConfigProblem(where, f"'{raw_key}': {kind.problem(value)}"))
            continue
        if key == "python" and value and repository is not None:
            value = _interpreter_inside(repository, value)
            if value is None:
                config.warnings.append(
                    ConfigProblem(
                        where,
                        (
                            f"'{raw_key}' ignored: a repository's config may name only an interpreter inside the "
                            f"repository; set it in {user_config_path() or 'your user config file'} or in the editor's settings"
                        ),
                    )
                )
                continue
        config.values[key] = _rule_codes_checked(config, key, _copy(value), where)


def _rule_codes_checked(config: Config, key: str, value: Any, where: str) -> Any:
    """`value` with rule names turned into ids; each code that names no rule is a problem."""
    from tabguard.rulecodes import resolve_all

    def checked(codes, label):
        resolved, problems = resolve_all(codes, label)
        config.problems.extend(ConfigProblem(where, p) for p in problems)
        return resolved

    if key in ("select", "ignore"):
        return list(checked(value, key))
    if key == "per-file-ignores":
        return {glob: list(checked(codes, f"per-file-ignores '{glob}'")) for glob, codes in value.items()}
    if key == "severity":
        return {resolved[0]: level for code, level in value.items() if (resolved := checked([code], "severity"))}
    return value


def _interpreter_inside(repository: Path, python: str) -> Optional[str]:
    """`python` (relative to the repository) as an absolute path, if it lies inside the repository
    after symlinks are followed: an interpreter the repository names elsewhere is another project's."""
    try:
        root = repository.resolve()
        interpreter = (root / Path(python).expanduser()).resolve()
    except (OSError, RuntimeError):  # a symlink loop, `~nobody`
        return None
    return str(interpreter) if interpreter.is_relative_to(root) else None
