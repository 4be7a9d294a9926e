"""TG110 on template files: a handler passes user input to a template (found in the project's
`templates/` folder beside the module, or a few folders up) that renders it unescaped."""

from __future__ import annotations

import json
from pathlib import Path

from tabguard.cli import main

_DJANGO_VIEW = (
    "from django.shortcuts import render\ndef search(request):\n    q = request.GET.get('q', '')\n"
    "    return render(request, 'shop/search.html', {'q': q, 'results': find(q)})\n"
)
_FLASK_VIEW = (
    "from flask import Blueprint, render_template, request\nposts = Blueprint('posts', __name__, template_folder='templates')\n"
    "@posts.post('/preview')\ndef preview():\n    return render_template('preview.html', items=[request.form['body']])\n"
)


def _project(tmp_path: Path, view: str, template: str, name: str) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'shop'\n")
    app = tmp_path / "shop"
    (app / "templates" / Path(name).parent).mkdir(parents=True, exist_ok=True)
    (app / "templates" / name).write_text(template)
    (app / "views.py").write_text(view)
    return app / "views.py"


def _reported(path: Path, capsys) -> list[tuple[int, str]]:
    main(["check", str(path), "--format", "json", "--no-cache", "--select", "TG110"])
    return [(f["start"]["line"], f["message"]) for f in json.loads(capsys.readouterr().out) if f.get("rule")]


def test_a_variable_the_template_file_marks_safe(tmp_path, capsys):
    view = _project(tmp_path, _DJANGO_VIEW, "<p>No results for {{ q|safe }}</p>", "shop/search.html")
    assert _reported(view, capsys) == [
        (4, "User input (request.GET) rendered unescaped: its template marks it safe with `{{ q|safe }}`")
    ]


def test_autoescape_off_and_a_loop_variable_marked_safe(tmp_path, capsys):
    template = "{% for item in items %}<li>{{ item | safe }}</li>{% endfor %}"
    assert [line for line, _ in _reported(_project(tmp_path, _FLASK_VIEW, template, "preview.html"), capsys)] == [5]
    django = "{% autoescape off %}<p>{{ q }}</p>{% endautoescape %}"
    assert len(_reported(_project(tmp_path, _DJANGO_VIEW, django, "shop/search.html"), capsys)) == 1


def test_an_escaping_template_and_one_outside_the_project_are_not_reported(tmp_path, capsys):
    assert (
        _reported(
            _project(tmp_path, _DJANGO_VIEW, "<p>{{ q }}</p><p>{{ footer|safe }}</p>", "shop/search.html"), capsys
        )
        == []
    )
    project = tmp_path / "project"
    project.mkdir()
    (tmp_path / "templates" / "shop").mkdir(parents=True)
    (tmp_path / "templates" / "shop" / "search.html").write_text("{{ q|safe }}")  # beside the project, not in it
    (project / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    (project / "views.py").write_text(_DJANGO_VIEW)
    assert _reported(project / "views.py", capsys) == []
