"""The configuration schema is the only place keys, kinds and defaults are written: VS Code's
settings and the README table are generated from it and must be current, and what the schema's
JSON accepts in the editor is what the server accepts."""

import json
import re
from pathlib import Path

import jsonschema
import pytest

from tabguard.config import DEFAULTS, Config
from tabguard.config_outputs import (
    PREFIX,
    VSCODE_SECTION,
    camel_case,
    readme_table,
    vscode_manifest,
    vscode_readme_table,
    with_table,
)
from tabguard.config_schema import BY_KEY, SETTINGS

CHECKOUT = Path(__file__).resolve().parents[1]
MANIFEST = json.loads((CHECKOUT / "editors" / "vscode" / "package.json").read_text(encoding="utf-8"))
REGENERATE = "run `python -m tabguard.config_outputs`"


def test_vscode_settings_are_generated_from_the_schema():
    assert vscode_manifest(MANIFEST) == MANIFEST, REGENERATE


def test_readme_tables_are_generated_from_the_schema():
    assert readme_table() in (CHECKOUT / "README.md").read_text(encoding="utf-8"), REGENERATE
    assert vscode_readme_table() in (CHECKOUT / "editors/vscode/README.md").read_text(encoding="utf-8"), REGENERATE


def test_a_stale_table_is_replaced_and_the_text_around_it_kept():
    table = readme_table()
    first, last = table.splitlines()[0], table.splitlines()[-1]
    assert with_table(f"before\n{first}\n| old |\n{last}\nafter", table) == f"before\n{table}\nafter"


def _server_properties() -> dict:
    return next(s for s in MANIFEST["contributes"]["configuration"] if s.get("id") == VSCODE_SECTION)["properties"]


def test_every_vscode_server_setting_names_a_config_key_the_way_settings_js_spells_it():
    # settings.js turns `perFileIgnores` into `per-file-ignores` by lower-casing each capital after a dash.
    keys = [re.sub(r"[A-Z]", lambda m: "-" + m.group().lower(), name[len(PREFIX) :]) for name in _server_properties()]
    assert keys and all(key in BY_KEY and BY_KEY[key].editor for key in keys)
    assert [camel_case(key) for key in keys] == [name[len(PREFIX) :] for name in _server_properties()]


def test_user_only_editor_settings_are_restricted_in_untrusted_workspaces():
    restricted = MANIFEST["capabilities"]["untrustedWorkspaces"]["restrictedConfigurations"]
    assert "tabguard.network" in restricted and "tabguard.serverCommand" in restricted


SAMPLES = [
    None,
    True,
    0,
    3,
    -1,
    "low",
    "critical",
    "x",
    "https://pypi.org",
    [],
    ["TG1"],
    [1],
    {},
    {"TG201": "critical"},
    {"TG201": "urgent"},
    {"tests/*": ["TG3"]},
    {"tests/*": "TG3"},
]


@pytest.mark.parametrize("name", sorted(_server_properties()))
def test_what_vscode_accepts_the_server_accepts(name):
    key = re.sub(r"[A-Z]", lambda m: "-" + m.group().lower(), name[len(PREFIX) :])
    schema = _server_properties()[name]
    for value in SAMPLES:
        editor_accepts = jsonschema.Draft7Validator(schema).is_valid(value)
        server_accepts = value is None or not Config().merged({key: value}).problems
        assert editor_accepts == server_accepts, (key, value)


def test_defaults_are_valid_and_options_hold_what_rules_read():
    config = Config()
    assert not Config().merged(DEFAULTS).problems
    assert set(config.options()) == {s.key for s in SETTINGS if s.option is not None}
    assert config.options()["pii-names"] == () and config.options()["severity"] == {}
