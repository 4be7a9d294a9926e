"""Access rules (TG4xx) read the team's threat model from configuration, and the guard analysis that the
rules and `tabguard surface` share recognises the common ways handlers protect themselves."""

from __future__ import annotations

import ast

import pytest
from tabguard.analysis import analyze_text
from tabguard.config import Config
from tabguard.engine.context import Context
from tabguard.engine.facts import ModuleFacts, collect_facts
from tabguard.guards import guards


def _ids(code: str, path: str = "app.py", **options) -> list[str]:
    config = Config()
    config.values.update(options)
    doc = analyze_text(code, path, options=config.options())
    return sorted(f.rule_id for f in doc.findings() if f.rule_id.startswith("TG4"))


IDOR = """\
from flask import Flask
app = Flask(__name__)

@app.get("/documents/<int:doc_id>")
@login_required
def document(doc_id):
    doc = Document.query.get_or_404(doc_id)
    ensure_can_read(doc)
    return doc.body
"""


def test_ownership_checks_option_teaches_a_project_helper():
    assert _ids(IDOR) == ["TG401"]
    assert _ids(IDOR, **{"ownership-checks": ["ensure_can_read"]}) == []


PROMOTE = """\
from flask import Flask
app = Flask(__name__)

@app.post("/admin/users/<int:user_id>/promote")
@login_required
@team_lead_only
def promote(user_id):
    User.query.get_or_404(user_id).level += 1
"""


def test_role_checks_option_teaches_a_project_decorator():
    assert _ids(PROMOTE) == ["TG402"]
    assert _ids(PROMOTE, **{"role-checks": ["team_lead_only"]}) == []


WRITE = """\
from flask import Flask, request
app = Flask(__name__)

@app.post("/notes")
@needs_badge
def add_note():
    db.session.add(Note(text=request.form["text"]))
    db.session.commit()
"""


def test_auth_decorators_option_teaches_a_project_decorator():
    assert _ids(WRITE) == ["TG403"]
    assert _ids(WRITE, **{"auth-decorators": ["needs_badge"]}) == []


def test_public_routes_option_by_path_pattern_or_handler_name():
    code = WRITE.replace("@needs_badge\n", "")
    assert _ids(code) == ["TG403"]
    assert _ids(code, **{"public-routes": ["/notes"]}) == []
    assert _ids(code, **{"public-routes": ["add_note"]}) == []
    assert _ids(code, **{"public-routes": ["/api/*"]}) == ["TG403"]


def test_routes_declared_public_are_not_reported():
    django = """\
from django.contrib.auth.decorators import login_not_required
from django.views.decorators.http import require_POST

@login_not_required
@require_POST
def rsvp(request, event_id):
    Rsvp.objects.create(event_id=event_id, email=request.POST["email"])
"""
    assert _ids(django) == []
    assert _ids(django.replace("@login_not_required\n", "")) == ["TG403"]
    drf = """\
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny

@api_view(["POST"])
@permission_classes([AllowAny])
def rsvp(request, event_id):
    Rsvp.objects.create(event_id=event_id, email=request.data["email"])
"""
    assert _ids(drf) == []


def test_idor_follows_the_id_through_conversions_and_locals():
    code = """\
from flask import Flask, request
app = Flask(__name__)

@app.post("/messages/archive")
@login_required
def archive():
    raw = request.form.get("message_id")
    message_id = int(raw)
    Message.query.filter(Message.id == message_id).update({"archived": True})
"""
    assert _ids(code) == ["TG401"]


def test_idor_accepts_a_query_through_the_current_user():
    code = """\
from flask import Flask
from flask_login import current_user
app = Flask(__name__)

@app.get("/invoices/<int:invoice_id>")
@login_required
def invoice(invoice_id):
    return current_user.invoices.filter_by(id=invoice_id).first_or_404().to_dict()
"""
    assert _ids(code) == []


def test_idor_needs_a_signed_in_handler_and_a_client_id():
    anonymous = IDOR.replace("@login_required\n", "").replace("    ensure_can_read(doc)\n", "")
    assert _ids(anonymous) == []  # a public document page: nobody to compare with
    from_session = IDOR.replace("get_or_404(doc_id)", "get_or_404(session['doc_id'])")
    assert _ids(from_session) == []


def test_aiohttp_and_django_class_views_are_handlers():
    aiohttp = """\
from aiohttp import web
routes = web.RouteTableDef()

@routes.delete("/projects/{project_id}")
async def delete_project(request):
    project_id = request.match_info["project_id"]
    await db.execute("DELETE FROM projects WHERE id = $1", project_id)
"""
    assert _ids(aiohttp) == ["TG403"]
    drf = """\
from rest_framework.views import APIView
from rest_framework.permissions import IsAuthenticated

class NoteDetail(APIView):
    permission_classes = [IsAuthenticated]

    def delete(self, request, pk):
        Note.objects.get(pk=pk).delete()
"""
    assert _ids(drf) == ["TG401"]
    scoped = drf.replace("Note.objects.get(pk=pk)", "Note.objects.get(pk=pk, author=request.user)")
    assert _ids(scoped) == []


def test_assert_in_tests_is_not_an_access_check():
    code = "def test_admin(client, user):\n    assert user.is_admin\n"
    assert _ids(code, "tests/test_admin.py") == []
    assert _ids("def promote(user):\n    assert user.is_admin\n", "views.py") == ["TG411"]


def _guards(code: str):
    tree = ast.parse(code)
    ctx = Context(code.split("\n"), ModuleFacts.merge([collect_facts(tree, code)]), "x.py", {})
    func = next(n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))
    return guards(func, ctx)


@pytest.mark.parametrize(
    "code,authentication,role,ownership",
    [
        ("@jwt_required()\ndef f(): pass", "@jwt_required", None, None),
        (
            "@permission_required('shop.refund')\ndef f(request): pass",
            "@permission_required",
            "@permission_required",
            None,
        ),
        ("def f(user=Depends(get_current_active_user)): pass", "Depends(get_current_active_user)", None, None),
        (
            "def f(user=Security(get_current_user, scopes=['items:write'])): pass",
            "Security(get_current_user)",
            "Security(get_current_user)",
            None,
        ),
        (
            "def f(request):\n    if not request.user.has_perm('x'):\n        raise PermissionDenied",
            "`not request.user.has_perm('x')`",
            "`not request.user.has_perm('x')`",
            None,
        ),
        (
            "def f(post_id):\n    post = Post.query.get(post_id)\n    if post.author_id != g.user.id:\n        abort(403)",
            "`post.author_id != g.user.id`",
            None,
            "`post.author_id != g.user.id`",
        ),
        ("def f():\n    if 'user_id' not in session:\n        abort(401)", "`'user_id' not in session`", None, None),
        # comparing the user with a constant ties no record to them
        ("def f():\n    if current_user.id == 1:\n        return 'hi'", "`current_user.id == 1`", None, None),
        (
            "def f(note_id):\n    note = Note.query.filter(Note.id == note_id, Note.user_id == current_user.id).first()",
            "`Note.user_id == current_user.id`",
            None,
            "`Note.user_id == current_user.id`",
        ),
    ],
)
def test_guard_recognition(code, authentication, role, ownership):
    found = _guards(code)
    assert (found.authentication, found.role, found.ownership) == (authentication, role, ownership)


def test_router_level_dependencies_guard_every_route_of_the_router():
    base = (
        "from fastapi import APIRouter, Depends\n"
        "router = APIRouter(prefix='/projects'{deps})\n\n"
        "@router.delete('/{{project_id}}')\n"
        "def delete_project(project_id: int, db=Depends(get_db)):\n"
        "    db.query(Project).filter(Project.id == project_id).delete()\n"
    )
    assert _ids(base.format(deps="")) == ["TG403"]
    assert _ids(base.format(deps=", dependencies=[Depends(get_current_user)]")) == ["TG401"]
    assert _ids(base.format(deps=", dependencies=[Depends(require_admin)]")) == []
