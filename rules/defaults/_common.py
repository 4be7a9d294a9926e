"""Helpers shared by the insecure-defaults rules: literal checks, settings files, config writes."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

import libcst as cst
from tabguard.engine.facts import dotted_name
from tabguard.engine.fixes import Transform

# A Django settings module: `settings.py`, `*_settings.py`, or any module of a `settings/` package.
_SETTINGS_FILE = re.compile(r"(^|[/\\])(\w*settings\.py|settings[/\\]\w+\.py)$")
# Settings modules that exist to relax settings on a developer machine or in tests.
_DEV_SETTINGS = re.compile(r"(^|[/\\_])(dev|devel|development|local|test|tests|testing|ci)(_\w*)?\.py$")
# Config classes that are meant for development or tests (`class DevelopmentConfig(Config)`).
_DEV_CLASS = re.compile(r"(Dev|Develop|Local|Test|Debug)")


def is_true(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def is_false(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def string_value(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


@lru_cache(maxsize=256)
def is_settings_path(path: str) -> bool:
    """A production-relevant Django settings module (development and test settings excluded)."""
    path = path.replace("\\", "/")
    return bool(_SETTINGS_FILE.search(path)) and not _DEV_SETTINGS.search(path)


def replace_with(text: str) -> Transform:
    """A transformation replacing the flagged expression by `text`."""
    return lambda _node: cst.parse_expression(text)


@dataclass(frozen=True)
class Setting:
    """One configuration value written in code: `KEY = v`, `app.config["KEY"] = v`,
    `cfg.KEY = v`, or `app.config.update(KEY=v)`. `anchor` is what a finding points at."""

    key: str
    value: ast.expr
    anchor: ast.AST
    kind: str  # "name" (module/class constant), "attribute", "item" (config[...]) or "call"


_KINDS = {ast.Name: "name", ast.Attribute: "attribute", ast.Subscript: "item"}
# Methods through which a Call writes settings (`app.config.update(DEBUG=True)`).
CONFIG_METHODS = frozenset({"update", "from_mapping", "setdefault"})


# The rules reading the settings a node writes ask one after another: the last answer, kept.
_last_written: tuple = (None, None, ())


def settings_written(node: ast.AST, ctx) -> tuple[Setting, ...]:
    """The settings an Assign or a config-updating Call writes, outside functions' local variables.

    Development and test configuration (`class TestingConfig`, a config update that also sets
    `TESTING=True`) is skipped: relaxing settings there is intended. Test modules are skipped by the
    rules themselves (`quiet_in_tests`).
    """
    global _last_written
    last_node, last_ctx, settings = _last_written
    if last_node is node and last_ctx is ctx:
        return settings
    settings = tuple(_settings(node, ctx))
    # Checked only when something is written: most statements write no setting, and the class
    # lookup walks up the tree.
    if settings and _in_dev_class(node, ctx):
        settings = ()
    _last_written = (node, ctx, settings)
    return settings


def _settings(node: ast.AST, ctx) -> list[Setting]:
    if isinstance(node, ast.Assign):
        settings = []
        for target in node.targets:
            key = _setting_key(target, ctx)
            if key is not None:
                settings.append(Setting(key, node.value, node, _KINDS[type(target)]))
        return settings
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in CONFIG_METHODS):
        return []
    receiver = (dotted_name(node.func.value) or "").lower()
    if not receiver.endswith(("config", "settings", "conf")):
        return []
    pairs = [(k.arg, k.value, k) for k in node.keywords if k.arg]
    for arg in node.args:
        if isinstance(arg, ast.Dict):
            pairs += [(string_value(k), v, k) for k, v in zip(arg.keys, arg.values) if string_value(k)]
    if any(key == "TESTING" and is_true(value) for key, value, _ in pairs):
        return []
    return [Setting(key, value, anchor, "call") for key, value, anchor in pairs if key.isupper()]


def _setting_key(target: ast.expr, ctx) -> str | None:
    if isinstance(target, ast.Name):
        # A bare name is a setting only at module or class level, not a function's local variable.
        return target.id if ctx.function is None and target.id.isupper() else None
    if isinstance(target, ast.Attribute):
        return target.attr if target.attr.isupper() else None
    if isinstance(target, ast.Subscript):
        receiver = (dotted_name(target.value) or "").lower()
        key = string_value(target.slice)
        if key and key.isupper() and receiver.endswith(("config", "settings", "conf")):
            return key
    return None


def _in_dev_class(node: ast.AST, ctx) -> bool:
    parent = ctx.parent(node)
    while parent is not None:
        if isinstance(parent, ast.ClassDef):
            return bool(_DEV_CLASS.search(parent.name))
        parent = ctx.parent(parent)
    return False


# Reading a switch from the environment: `os.environ.get`, `os.getenv`, python-decouple `config`,
# django-environ `env.bool` / `env`.
_ENV_READERS = frozenset({"os.environ.get", "os.getenv", "decouple.config", "config", "env.bool", "env", "environ.get"})
_TRUE_WORDS = frozenset({"1", "true", "yes", "on", "t", "y"})
_CASE_METHODS = frozenset({"lower", "upper", "casefold", "strip"})


def enabled_unless_configured(expr: ast.expr, ctx) -> bool:
    """True when a switch read from the environment is on if the variable is missing:
    `os.getenv("DEBUG", "True") == "True"`, `config("DEBUG", default=True, cast=bool)`,
    `os.environ.get("DEBUG", "False")` (a non-empty string is truthy), `bool(os.getenv("DEBUG", 1))`."""
    if isinstance(expr, ast.Call) and ctx.call_name(expr) == "bool" and len(expr.args) == 1:
        return enabled_unless_configured(expr.args[0], ctx)
    if isinstance(expr, ast.Compare) and len(expr.ops) == 1 and isinstance(expr.left, ast.Call):
        left = expr.left
        if (
            isinstance(left.func, ast.Attribute)
            and left.func.attr in _CASE_METHODS
            and isinstance(left.func.value, ast.Call)
        ):
            left = left.func.value  # `os.getenv("DEBUG", "True").lower() == "true"`
        default = _env_default(left, ctx)
        right = expr.comparators[0]
        if default is None or not isinstance(default, ast.Constant):
            return False
        if isinstance(expr.ops[0], ast.Eq) and isinstance(right, ast.Constant):
            return _normalise(default.value) == _normalise(right.value)
        if isinstance(expr.ops[0], ast.In) and isinstance(right, (ast.Tuple, ast.List, ast.Set)):
            return any(
                isinstance(e, ast.Constant) and _normalise(e.value) == _normalise(default.value) for e in right.elts
            )
        return False
    if isinstance(expr, ast.Call):
        default = _env_default(expr, ctx)
        if not isinstance(default, ast.Constant):
            return False
        if ctx.keyword(expr, "cast") is not None or (ctx.call_name(expr) or "").endswith(".bool"):
            return _normalise(default.value) in _TRUE_WORDS
        return bool(default.value)
    return False


def _env_default(call: ast.Call, ctx) -> Optional[ast.expr]:
    if ctx.call_name(call) not in _ENV_READERS:
        return None
    return ctx.argument(call, 1, "default")


def _normalise(value: object) -> str:
    return str(value).strip().lower()
