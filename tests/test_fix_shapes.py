"""Secure rewrites on the shapes assistants write (tests/fix_shapes: SQL across statements with sqlite3,
psycopg, mysql and SQLAlchemy; shell commands built in variables, with `%`, `.format`, quotes and
aliased imports; settings, tokens, redirects, paths). `tabguard check --fix --unsafe-fixes` applies
every fix without refusing one, a second run changes nothing, and what remains is what has no
mechanical secure form (listed here, so a fix that stops working is noticed). Each fix on its own is
re-checked by tests/test_fix_everything.py, which reads these files too.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from tabguard.analysis import analyze_text, visible
from tabguard.fixing import fix_text

SHAPES = Path(__file__).resolve().parent / "fix_shapes"

# What stays after every fix, per file: access-control findings (no mechanical rewrite), pickle,
# password hashing, a JWT decoded without any key, and the shapes whose rewrite would change meaning
# (a list joined into `IN (...)`, a shell pipe or redirection, `%d`, a query template from another
# statement, a `+=` built query, a module mixing DB-API and SQLAlchemy placeholders).
REMAINING = {
    "django_views.py": {},
    "djangoproj/settings.py": {},
    "files_paths_tls_cookies.py": {"TG403": 2, "TG506": 1},
    "files_send_file.py": {},
    "mixed_aliases_and_stdlib.py": {},
    "mixed_config_tokens_jwt.py": {"TG114": 1, "TG301": 2, "TG405": 2},
    "shell_flask_tools.py": {"TG100": 1},
    "shell_os_helpers.py": {},
    "shell_quoting_and_reuse.py": {"TG100": 1, "TG101": 3},
    "sql_more_shapes.py": {"TG105": 1},
    "sql_multiline_comments.py": {},
    "sql_mysql_sqlalchemy.py": {"TG105": 1},
    "sql_orm_clause.py": {},
    "sql_psycopg_fastapi.py": {"TG402": 1, "TG403": 1},
    "sql_sqlite_flask.py": {"TG105": 1, "TG403": 1},
    "web_flask_fastapi_app.py": {"TG422": 1},
}


def _analyser(path: str):
    def analyse(text: str):
        doc = analyze_text(text, path)
        return doc.lines, visible(doc.findings(), doc.lines)

    return analyse


def test_every_shape_file_is_listed():
    assert sorted(p.relative_to(SHAPES).as_posix() for p in SHAPES.rglob("*.py")) == sorted(REMAINING)


@pytest.mark.parametrize("name", sorted(REMAINING))
def test_fix_applies_every_rewrite_and_leaves_what_has_none(name, tmp_path):
    # Copied out of tests/: below a `tests` folder the code would count as test code.
    copy = tmp_path / name
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SHAPES / name, copy)
    text = copy.read_text()
    analyse = _analyser(str(copy))
    outcome = fix_text(copy, text, analyse, unsafe=True)
    assert not outcome.skipped, [(f.rule_id, why) for f, why in outcome.skipped]
    assert outcome.applied
    again = fix_text(copy, outcome.text, analyse, unsafe=True)
    assert again.text == outcome.text and not again.applied
    assert Counter(f.rule_id for f in outcome.remaining) == Counter(REMAINING[name])
