"""`tabguard surface` on the sample apps in tests/apps: every route, its guards, and its findings."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from tabguard.cli import main

ROOT = Path(__file__).resolve().parents[1]
APPS = Path("tests") / "apps"


@pytest.fixture(autouse=True)
def _in_repo_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def _surface(capsys, app: str, *extra: str) -> str:
    code = main(["surface", str(APPS / app), *extra])
    out = capsys.readouterr().out
    assert code == 0
    return out


def _routes(capsys, app: str) -> dict[tuple[str, str], dict]:
    report = json.loads(_surface(capsys, app, "--format", "json"))
    routes = {}
    for route in report["routes"]:
        for method in route["methods"]:
            routes[(method, route["path"])] = route
    return routes


def _rules(route: dict) -> list[str]:
    return sorted(f["rule"] for f in route["findings"])


def test_flask_routes_guards_and_findings(capsys):
    routes = _routes(capsys, "flask_app")
    assert set(routes) == {
        ("GET", "/api/v1/invoices/<int:invoice_id>"),
        ("GET", "/health"),
        ("GET", "/invoices"),
        ("GET", "/invoices/<int:invoice_id>"),
        ("DELETE", "/invoices/<int:invoice_id>"),
        ("POST", "/invoices/<int:invoice_id>/mark-paid"),
        ("POST", "/checkout"),
        ("POST", "/admin/users/<int:user_id>/promote"),
        ("GET", "/admin/reports"),
    }
    show = routes[("GET", "/invoices/<int:invoice_id>")]
    assert show["handler"] == "show_invoice" and show["framework"] == "flask"
    assert show["file"] == "tests/apps/flask_app/app.py" and show["line"] == 56
    assert show["authentication"] == "@login_required"
    assert show["ownership_check"] is None and show["role_check"] is None
    assert _rules(show) == ["TG401"]
    assert show["findings"][0]["line"] == 59

    delete = routes[("DELETE", "/invoices/<int:invoice_id>")]
    assert delete["ownership_check"] == "query filtered by `owner_id=current_user.id`"
    assert _rules(delete) == []

    assert routes[("GET", "/health")]["authentication"] is None
    mark_paid = routes[("POST", "/invoices/<int:invoice_id>/mark-paid")]
    # its siblings all use @login_required; the invoice it changes is anyone's to change (TG401, 8676d6f)
    assert mark_paid["authentication"] is None and _rules(mark_paid) == ["TG401", "TG414"]
    assert _rules(routes[("POST", "/checkout")]) == ["TG410"]

    promote = routes[("POST", "/admin/users/<int:user_id>/promote")]
    assert promote["role_check"] is None and _rules(promote) == ["TG402"]
    reports = routes[("GET", "/admin/reports")]
    assert reports["role_check"] == "@admin_required" and _rules(reports) == []

    # the blueprint's prefix and its before_request hook
    api = routes[("GET", "/api/v1/invoices/<int:invoice_id>")]
    assert api["authentication"] == "api.before_request hook"
    assert api["ownership_check"] == "query filtered by `owner_id=g.user_id`"


def test_django_urls_views_and_viewsets(capsys):
    routes = _routes(capsys, "django_app")
    detail = routes[("ANY", "/shop/orders/<int:pk>/")]
    assert detail["handler"] == "order_detail"
    assert detail["file"] == "tests/apps/django_app/shop/urls.py"
    assert detail["handler_file"] == "tests/apps/django_app/shop/views.py"
    assert detail["authentication"] == "@login_required" and _rules(detail) == ["TG401"]

    cancel = routes[("POST", "/shop/orders/<int:pk>/cancel/")]
    assert cancel["authentication"] is None and _rules(cancel) == ["TG401", "TG403"]

    # login_required applied in urls.py, ownership through the query
    notes = routes[("ANY", "/shop/orders/<int:pk>/notes/")]
    assert notes["authentication"] == "login_required() where the route is registered"
    assert notes["ownership_check"] == "query filtered by `customer=request.user`"

    edit = routes[("POST", "/shop/orders/<int:pk>/edit/")]
    assert edit["handler"] == "OrderUpdateView" and edit["authentication"] == "LoginRequiredMixin"
    assert edit["ownership_check"] == "query filtered by `customer=self.request.user`"

    assert _rules(routes[("ANY", "/shop/staff/export/")]) == ["TG402"]
    assert routes[("POST", "/shop/newsletter/")]["authentication"] is None
    assert _rules(routes[("POST", "/shop/newsletter/")]) == []  # public by design

    # DRF router registered in the root URL conf, mounted under api/
    destroy = routes[("DELETE", "/api/invoices/{pk}/")]
    assert destroy["handler"] == "InvoiceViewSet.destroy"
    assert destroy["authentication"] == "permission_classes: IsAuthenticated"
    assert destroy["ownership_check"] == "query filtered by `owner=self.request.user`"
    assert {("GET", "/api/invoices/"), ("POST", "/api/invoices/"), ("GET", "/api/invoices/{pk}/")} <= set(routes)


def test_fastapi_dependencies_and_routers(capsys):
    routes = _routes(capsys, "fastapi_app")
    assert routes[("GET", "/users/me")]["authentication"] == "Depends(get_current_user)"
    assert routes[("POST", "/token")]["authentication"] is None
    assert _rules(routes[("POST", "/token")]) == ["TG422"]  # a password grant with no attempt limit
    read = routes[("GET", "/orders/{order_id}")]
    assert read["handler"] == "read_order" and _rules(read) == ["TG401"]
    update = routes[("PATCH", "/orders/{order_id}")]
    assert update["ownership_check"] == "`Order.owner_id == user.id`" and _rules(update) == []
    delete = routes[("DELETE", "/orders/{order_id}")]
    assert delete["authentication"] is None and _rules(delete) == ["TG401", "TG403"]
    assert _rules(routes[("POST", "/orders/")]) == ["TG410"]
    # router-level dependencies guard every admin route
    for key in (("GET", "/admin/users"), ("POST", "/admin/users/{user_id}/ban")):
        assert routes[key]["role_check"] == "Depends(require_admin) on router"
        assert _rules(routes[key]) == []


def test_text_report(capsys):
    out = _surface(capsys, "flask_app")
    assert "tests/apps/flask_app/app.py:56  GET  /invoices/<int:invoice_id>  -> show_invoice  [flask]" in out
    assert "    authentication: @login_required\n    role check:     none\n    ownership:      none\n" in out
    assert "    finding:        tests/apps/flask_app/app.py:59: TG401 " in out
    assert out.rstrip().endswith(
        "9 routes: 2 without authentication (1 of them change data), 5 without a role or ownership check, 4 with findings."
    )


def test_json_summary(capsys):
    summary = json.loads(_surface(capsys, "fastapi_app", "--format", "json"))["summary"]
    assert summary == {
        "routes": 9,
        "unauthenticated": 3,
        "unauthenticated_mutating": 2,
        "without_authorization": 6,
        "with_findings": 4,
    }  # /token: no attempt limit (TG422)


def test_aiohttp_routes(tmp_path, capsys):
    app = tmp_path / "server.py"
    app.write_text(
        "from aiohttp import web\nroutes = web.RouteTableDef()\n\n"
        "@routes.get('/notes/{note_id}')\nasync def note(request):\n    return web.json_response({})\n\n"
        "async def delete_note(request):\n    await request.app['db'].delete(request.match_info['id'])\n\n"
        "app = web.Application()\napp.add_routes(routes)\napp.router.add_delete('/notes/{id}', delete_note)\n"
    )
    assert main(["surface", str(app), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    found = {(r["methods"][0], r["path"], r["handler"], r["framework"]) for r in report["routes"]}
    assert found == {
        ("GET", "/notes/{note_id}", "note", "aiohttp"),
        ("DELETE", "/notes/{id}", "delete_note", "aiohttp"),
    }


def test_missing_path_is_a_usage_error(capsys):
    assert main(["surface", os.path.join("tests", "apps", "no_such_app")]) == 2
    assert "no such file or directory" in capsys.readouterr().err


def test_several_paths_in_one_report(capsys):
    # Before: `surface` took one path, and a second one was a usage error (exit 2).
    assert main(["surface", str(APPS / "flask_app"), str(APPS / "fastapi_app"), "--format", "json"]) == 0
    apps = {
        Path(route["file"]).parts[Path(route["file"]).parts.index("apps") + 1]
        for route in json.loads(capsys.readouterr().out)["routes"]
    }
    assert apps == {"flask_app", "fastapi_app"}


def test_ownership_seen_in_sql_and_orm_filters_by_the_current_user(tmp_path, capsys):
    # Before: routes whose SQL bound the owner column to the signed-in user said "ownership: none".
    app = tmp_path / "app.py"
    app.write_text(
        "from flask import Flask, session\nfrom flask_login import login_required, current_user\n"
        "app = Flask(__name__)\n\n"
        "@app.get('/invoices/<int:invoice_id>')\n@login_required\ndef invoice(invoice_id):\n"
        "    return db.execute('SELECT * FROM invoices WHERE id = ? AND user_id = ?', (invoice_id, current_user.id)).fetchone()\n\n"
        "@app.get('/notes/<int:note_id>')\n@login_required\ndef note(note_id):\n    uid = current_user.id\n"
        "    cur.execute('SELECT body FROM notes WHERE id = %s AND n.owner_id = %s', (note_id, uid))\n\n"
        "@app.get('/named/<int:doc_id>')\n@login_required\ndef named(doc_id):\n"
        "    return conn.execute(text('SELECT * FROM docs WHERE id = :id AND author_id = :me'),"
        " {'id': doc_id, 'me': session['user_id']})\n\n"
        "@app.get('/docs/<int:doc_id>')\n@login_required\ndef doc(doc_id):\n"
        "    return Doc.query.filter_by(id=doc_id, owner=current_user).first_or_404()\n\n"
        # the owner column bound to a client-chosen value ties nothing to the caller
        "@app.get('/users/<int:user_id>/docs')\n@login_required\ndef other(user_id):\n"
        "    return db.execute('SELECT * FROM docs WHERE user_id = ?', (user_id,)).fetchall()\n"
    )
    assert main(["surface", str(app), "--format", "json"]) == 0
    ownership = {r["handler"]: r["ownership_check"] for r in json.loads(capsys.readouterr().out)["routes"]}
    assert ownership == {
        "invoice": "SQL filtered by `user_id = ?` with the current user",
        "note": "SQL filtered by `n.owner_id = %s` with the current user",
        "named": "SQL filtered by `author_id = :me` with the current user",
        "doc": "query filtered by `owner=current_user`",
        "other": None,
    }


def test_surface_judges_routes_as_the_rules_do(tmp_path, capsys):
    # Before: the surface missed checks made in a helper of the module, an aiohttp middleware's
    # `request["user"]`, and a role assumed for an administration router imported from elsewhere, all
    # of which keep the rules quiet; and the rules named routes without their router's prefix.
    app = tmp_path / "app.py"
    app.write_text(
        "from flask import Flask, Blueprint, abort, g\nfrom flask_login import login_required\n"
        "from .admin import admin_router\n"
        "app = Flask(__name__)\nstaff = Blueprint('staff', __name__, url_prefix='/staff')\n\n"
        "def get_post(post_id):\n    post = db.execute('SELECT * FROM post WHERE id = ?', (post_id,)).fetchone()\n"
        "    if post['author_id'] != g.user['id']:\n        abort(403)\n    return post\n\n"
        "@app.post('/posts/<int:post_id>/delete')\n@login_required\ndef delete(post_id):\n"
        "    get_post(post_id)\n    db.execute('DELETE FROM post WHERE id = ?', (post_id,))\n\n"
        "@staff.post('/users/<int:user_id>/ban')\n@login_required\ndef ban(user_id):\n"
        "    User.query.get_or_404(user_id).banned = True\n\n"
        "@admin_router.post('/users/<int:user_id>/unban')\ndef unban(user_id):\n"
        "    User.query.get_or_404(user_id).banned = False\n"
    )
    files = tmp_path / "files.py"
    files.write_text(
        "from aiohttp import web\nroutes = web.RouteTableDef()\n\n"
        "@routes.get('/files/{file_id}')\n@login_required\nasync def get_file(request):\n"
        "    user = request['user']\n"
        "    row = await conn.fetchrow('SELECT * FROM files WHERE id = $1 AND owner_id = $2',"
        " int(request.match_info['file_id']), user['id'])\n    return web.json_response(dict(row))\n"
    )
    assert main(["surface", str(tmp_path), "--format", "json"]) == 0
    routes = {r["handler"]: r for r in json.loads(capsys.readouterr().out)["routes"]}
    assert routes["delete"]["ownership_check"] == "get_post(): `post['author_id'] != g.user['id']`"
    assert routes["get_file"]["ownership_check"] == "SQL filtered by `owner_id = $2` with the current user"
    assert routes["unban"]["role_check"] == "admin_router (administration router, guard assumed where it is created)"
    assert [_rules(routes[h]) for h in ("delete", "get_file", "unban")] == [[], [], []]
    ban = routes["ban"]
    assert ban["path"] == "/staff/users/<int:user_id>/ban" and ban["role_check"] is None
    assert [f["message"] for f in ban["findings"] if f["rule"] == "TG402"] == [
        "Privileged endpoint `/staff/users/<int:user_id>/ban` (ban action) has no server-side role or permission check"
    ]
