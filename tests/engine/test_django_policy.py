"""One Django policy (engine/facts.uses_django) for URL parameters, Django's ORM and its routes."""

from __future__ import annotations

import pytest

from tabguard.analysis import analyze_text

VIEW = "def show(request, name):\n    os.system('cat ' + name)\n"
ORM_FILTER = "def find(session, name):\n    return session.query(User).filter(f\"name = '{name}'\")\n"


def _rules(code: str) -> list[str]:
    doc = analyze_text(code, "views.py")
    return sorted({f.rule_id for f in doc.findings() if f.details.get("source") or f.rule_id == "TG105"})


@pytest.mark.parametrize(
    "imports, django",
    [
        ("from django.http import HttpResponse\n", True),
        ("from rest_framework.decorators import api_view\n", True),
        ("import django_filters\n", True),  # an add-on named after Django runs only on Django
        ("from rest_framework_simplejwt.tokens import RefreshToken\n", True),
        ("import pytest\n", False),  # a fixture or helper that takes `request` first is no view
        ("from .django_utils import helper\n", False),  # a relative import names the project's own module
    ],
)
def test_one_policy_for_views_and_the_orm(imports: str, django: bool) -> None:
    view = _rules("import os\n" + imports + VIEW)
    assert ("TG101" in view) is django
    orm = _rules(imports + ORM_FILTER)  # Django's ORM names fields; a formatted string is checked elsewhere
    assert ("TG105" in orm) is not django


@pytest.mark.parametrize(
    "body, from_url",
    [
        ("    os.system('cat ' + name)\n", True),
        ("    os.system('cat ' + name.strip().lower())\n", True),  # text methods: still the URL's text
        ("    os.system('cat ' + name.path)\n", False),  # an attribute no URL value has: an object
        ("    name.seen = True\n    os.system('cat ' + name)\n", False),  # attributes assigned: an object
    ],
)
def test_a_parameter_used_as_an_object_is_not_from_the_url(body: str, from_url: bool) -> None:
    """`render_page(request, page)` is handed a record its caller fetched; a URL gives text."""
    found = _rules("import os\nfrom django.http import HttpResponse\ndef show(request, name):\n" + body)
    assert ("TG101" in found) is from_url
