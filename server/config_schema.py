"""Every configuration key, once: its kind of value, default, meaning, who may set it and what the
rules read. Validation and the defaults (`config.py`), the options object, VS Code's settings
(`editors/vscode/package.json`) and the README table are all derived from `SETTINGS`
(`python -m tabguard.config_outputs` rewrites the generated files)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional
from urllib.parse import urlsplit

from tabguard.engine.grades import CONFIDENCE_NAMES, SEVERITY_NAMES


def url_error(value: Any) -> Optional[str]:
    """Why `value` is not a usable service URL (http or https with a host; never file: or others)."""
    try:
        parts = urlsplit(value) if isinstance(value, str) else None
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return f"got {value!r}"
    return None


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


@dataclass(frozen=True)
class Kind:
    """A kind of value: `expected` is how messages describe it, `json` its JSON schema, `wrong` (if
    set) names the part of a refused value that is wrong."""

    expected: str
    accepts: Callable[[Any], bool]
    json: dict[str, Any]
    wrong: Optional[Callable[[Any], Optional[str]]] = None

    def problem(self, value: Any) -> str:
        """Why `value` is refused, for a config error message."""
        detail = self.wrong(value) if self.wrong is not None else None
        return detail or f"got {value!r}; expected {self.expected}"


def _bad_severities(value: Any) -> Optional[str]:
    """The entries of a severity table whose level is not a severity."""
    if not isinstance(value, dict):
        return None
    bad = [f"{code} = {level!r}" for code, level in value.items() if level not in SEVERITY_NAMES]
    levels = ", ".join(SEVERITY_NAMES[:-1]) + f" or {SEVERITY_NAMES[-1]}"
    return f"{', '.join(bad)}: not a severity ({levels})"


STRINGS = Kind("list of strings", _strings, {"type": "array", "items": {"type": "string"}})
BOOLEAN = Kind("boolean", lambda v: isinstance(v, bool), {"type": "boolean"})
# Counts and sizes beyond this mean nothing here, and a repository's `max-file-size = 1e30`-sized
# integer must not reach code that sizes a read by it.
MAX_INTEGER = 2**31 - 1
POSITIVE_INTEGER = Kind(
    f"positive integer up to {MAX_INTEGER}",
    lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 < v <= MAX_INTEGER,
    {"type": "integer", "minimum": 1, "maximum": MAX_INTEGER},
)
STRING = Kind("string", lambda v: isinstance(v, str), {"type": "string"})
PATH = Kind("path", lambda v: isinstance(v, str) and "\x00" not in v, {"type": "string"})
URL = Kind("http(s) URL", lambda v: url_error(v) is None, {"type": "string", "pattern": "^[hH][tT][tT][pP][sS]?://"})
CONFIDENCE = Kind(
    f"one of {', '.join(CONFIDENCE_NAMES)}",
    lambda v: v in CONFIDENCE_NAMES,
    {"type": "string", "enum": list(CONFIDENCE_NAMES)},
)
SEVERITY_TABLE = Kind(
    "table of rule id = severity",
    lambda v: isinstance(v, dict) and all(level in SEVERITY_NAMES for level in v.values()),
    {"type": "object", "additionalProperties": {"type": "string", "enum": list(SEVERITY_NAMES)}},
    _bad_severities,
)
GLOB_TABLE = Kind(
    "table of glob = list of rule ids",
    lambda v: isinstance(v, dict) and all(_strings(codes) for codes in v.values()),
    {"type": "object", "additionalProperties": STRINGS.json},
)


@dataclass(frozen=True)
class Setting:
    """One key. `user_only`: a repository's own config may not set it. `option`: how rules read it
    from the engine context (None: they don't). `editor`: offered as a VS Code setting."""

    key: str
    kind: Kind
    default: Any
    description: str
    user_only: bool = False
    option: Optional[Callable[[Any], Any]] = None
    editor: bool = False


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "select",
        STRINGS,
        [],
        "Rules to run: ids, id prefixes (`TG1`) or rule names; empty runs every rule.",
        editor=True,
    ),
    Setting("ignore", STRINGS, [], "Rules to skip: ids, id prefixes or rule names.", editor=True),
    Setting(
        "severity",
        SEVERITY_TABLE,
        {},
        'Severity per rule, e.g. `TG105 = "critical"` (low, medium, high, critical).',
        option=dict,
        editor=True,
    ),
    Setting(
        "per-file-ignores",
        GLOB_TABLE,
        {},
        "Rules to skip in files matching a glob (matched against the "
        'path and the file name), e.g. `"tests/*" = ["TG3"]`.',
        editor=True,
    ),
    Setting("exclude", STRINGS, [], "Path patterns `tabguard check` does not look into."),
    Setting(
        "bulk-insert-lines",
        POSITIVE_INTEGER,
        2,
        "A single edit inserting at least this many code lines "
        "counts as an accepted AI suggestion when no editor plugin reported it.",
        editor=True,
    ),
    Setting("bulk-insert-chars", POSITIVE_INTEGER, 80, "The same, counted in characters.", editor=True),
    Setting("max-file-size", POSITIVE_INTEGER, 2_000_000, "Files larger than this many bytes are not analysed."),
    Setting(
        "auth-decorators",
        STRINGS,
        [],
        "Your decorators and calls that require a signed-in user, beyond the known ones.",
        option=tuple,
    ),
    Setting("ownership-checks", STRINGS, [], "Your calls that check the user owns the object.", option=tuple),
    Setting("role-checks", STRINGS, [], "Your calls and decorators that check a role or permission.", option=tuple),
    Setting(
        "pii-names",
        STRINGS,
        [],
        "More names of personal data (beyond the known ones) not to log or put in tokens.",
        option=tuple,
    ),
    Setting(
        "public-routes",
        STRINGS,
        [],
        "Routes meant to be public, by path pattern (`/api/public/*`) or handler name.",
        option=tuple,
    ),
    Setting("rate-limits", STRINGS, [], "Your decorators and calls that limit sign-in attempts (TG422).", option=tuple),
    Setting("trusted-packages", STRINGS, [], "Packages the supply-chain rules never question.", option=tuple),
    Setting(
        "network",
        BOOLEAN,
        False,
        "Ask the package index and OSV about the project's dependencies; off, nothing leaves the machine.",
        user_only=True,
        editor=True,
    ),
    Setting("index-url", URL, "https://pypi.org", "The package index to ask.", user_only=True),
    Setting("osv-url", URL, "https://api.osv.dev", "The OSV vulnerability service to ask.", user_only=True),
    Setting("cache-ttl-hours", POSITIVE_INTEGER, 24, "How long answers from those services are kept."),
    Setting(
        "python",
        PATH,
        "",
        "The interpreter whose installed packages the supply-chain rules read, "
        "relative to the config file; a repository's must lie inside it.",
        option=str,
    ),
    Setting("reviewer", STRING, "", "Your name in the provenance ledger (default: git `user.name`)."),
    Setting(
        "min-confidence",
        CONFIDENCE,
        "low",
        "`tabguard check` reports findings at least this sure; the editor shows all.",
    ),
    Setting("require-ledger", BOOLEAN, False, "`tabguard check --gate` fails when there is no provenance ledger."),
)
BY_KEY: dict[str, Setting] = {setting.key: setting for setting in SETTINGS}
