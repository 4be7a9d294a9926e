"""Logic-flaw rules (issue 13) beyond their examples: options, where findings are reported, and what
they must stay quiet on."""

from __future__ import annotations

from tabguard.analysis import analyze_text
from tabguard.config import Config


def _rules(text: str, path: str = "app.py", options: dict | None = None) -> list[tuple[str, int]]:
    doc = analyze_text(text, path, options=options)
    return sorted((f.rule_id, f.span.start_line + 1) for f in doc.findings())


_LOGIN = (
    "from flask import Flask, request, abort\napp = Flask(__name__)\n"
    "@app.post('/login')\n@sentinel_guard\ndef login():\n    check(request.form['password'])\n"
)


def test_rate_limit_option_names_the_projects_own_limiter():
    assert ("TG422", 3) in _rules(_LOGIN)
    assert not [r for r in _rules(_LOGIN, options={"rate-limits": ("sentinel_guard",)}) if r[0] == "TG422"]


def test_rate_limits_is_a_known_config_key():
    config = Config()
    assert config.options()["rate-limits"] == ()


def test_signing_key_reported_once_at_its_definition_not_at_each_use():
    text = (
        "import jwt\nSECRET = 'dev'  # a bare SECRET is taken for a signing key too\nJWT_SECRET = 'change-me-please'\n"
        "def issue(uid):\n    return jwt.encode({'sub': uid, 'exp': 1}, JWT_SECRET, algorithm='HS256')\n"
        "def read(token):\n    return jwt.decode(token, JWT_SECRET, algorithms=['HS256'])\n"
    )
    assert [r for r in _rules(text) if r[0] == "TG310"] == [("TG310", 2), ("TG310", 3)]


def test_placeholder_credentials_of_outside_services_stay_exempt():
    text = (
        "STRIPE_SECRET_KEY = 'sk_test_your_key_here'\nGITHUB_CLIENT_SECRET = 'changeme'\nSMTP_PASSWORD = 'changeme'\n"
    )
    assert not _rules(text, "settings.py")


def test_admin_blueprint_made_here_is_no_role_check_but_imported_one_is():
    made_here = (
        "from flask import Blueprint\nadmin = Blueprint('admin', __name__)\n"
        "@admin.post('/users/<int:uid>/ban')\n@login_required\ndef ban(uid):\n    User.query.get(uid).banned = True\n"
    )
    imported = made_here.replace(
        "from flask import Blueprint\nadmin = Blueprint('admin', __name__)\n", "from .blueprints import admin\n"
    )
    assert ("TG402", 3) in _rules(made_here)
    assert not [r for r in _rules(imported) if r[0] == "TG402"]


def test_sibling_decorator_fix_puts_it_under_the_route_decorator():
    text = (
        "from flask import Flask\nfrom flask_login import login_required\napp = Flask(__name__)\n"
        "@app.get('/a')\n@login_required\ndef a():\n    pass\n"
        "@app.get('/b')\n@login_required\ndef b():\n    pass\n"
        "class Box:\n    @app.get('/c')\n    def c(self):\n        pass\n"
        "@app.get('/d')\nasync def d():\n    pass\n"
    )
    doc = analyze_text(text, "app.py")
    found = [f for f in doc.findings() if f.rule_id == "TG414"]
    assert [f.span.start_line + 1 for f in found] == [16]  # the route decorator of `d`
    edit = found[0].fix().edits[0]
    assert (edit.span.start_line + 1, edit.new_text) == (17, "@login_required\n")  # inserted above `async def d`


def test_local_key_used_twice_is_reported_once_at_its_literal():
    text = (
        "import jwt\ndef tokens(a, b):\n    key = 'k3y-0f-th3-d4y'\n"
        "    return jwt.encode(a, key, algorithm='HS256'), jwt.encode(b, key, algorithm='HS256')\n"
    )
    assert [r for r in _rules(text) if r[0] == "TG310"] == [("TG310", 3)]
