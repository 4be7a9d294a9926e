"""Behaviour of the insecure-defaults rules beyond their examples: settings-file detection, SMTP
STARTTLS tracking, CORS allow-lists, mode arithmetic, and the rewrites' details."""

from __future__ import annotations

import ast
import textwrap

import pytest
from tabguard.analysis import analyze_text
from tabguard.engine.fixes import apply_edits, materialize
from tabguard.rules.defaults._common import is_settings_path


def _findings(code: str, rule_id: str, path: str = "app.py"):
    doc = analyze_text(textwrap.dedent(code), path)
    return [f for f in doc.findings() if f.rule_id == rule_id], doc


def _fixed(code: str, rule_id: str, path: str = "app.py") -> str:
    found, doc = _findings(code, rule_id, path)
    assert found, f"{rule_id} did not flag"
    fixed = "\n".join(apply_edits(doc.lines, materialize(found[0].fix(), doc.lines)))
    ast.parse(fixed)
    return fixed


@pytest.mark.parametrize(
    "path,expected",
    [
        ("mysite/settings.py", True),
        ("settings.py", True),
        ("config/settings/base.py", True),
        ("config/settings/production.py", True),
        ("project/prod_settings.py", True),
        ("config/settings/dev.py", False),
        ("config/settings/local.py", False),
        ("config/settings/test.py", False),
        ("local_settings.py", False),
        ("settings_dev.py", False),
        ("app/views.py", False),
        ("app/settings_helpers/util.py", False),
        ("C:\\proj\\mysite\\settings.py", True),
    ],
)
def test_settings_path_detection(path, expected):
    assert is_settings_path(path) is expected


def test_django_debug_only_in_settings_modules():
    assert _findings("DEBUG = True\n", "TG208", "mysite/settings.py")[0]
    assert not _findings("DEBUG = True\n", "TG208", "mysite/views.py")[0]
    assert not _findings("DEBUG = True\n", "TG208", "mysite/settings/dev.py")[0]


def test_smtp_starttls_must_be_in_the_same_function():
    flagged = """
        import smtplib
        def connect():
            return smtplib.SMTP(HOST, 587)
        def send(user, pw):
            server = smtplib.SMTP(HOST, 587)
            server.login(user, pw)
        def send_tls(user, pw):
            server = smtplib.SMTP(HOST, 587)
            server.ehlo()
            server.starttls()
            server.login(user, pw)
    """
    found, _ = _findings(flagged, "TG206")
    assert [f.span.start_line for f in found] == [5]  # 0-based: `server = smtplib.SMTP(...)` in send()


def test_smtp_starttls_on_another_object_does_not_count():
    code = """
        import smtplib
        def send(user, pw):
            relay = smtplib.SMTP(HOST, 25)
            backup = smtplib.SMTP(OTHER, 587)
            backup.starttls()
            relay.login(user, pw)
    """
    found, _ = _findings(code, "TG206")
    assert len(found) == 1 and "relay.starttls" in found[0].message


def test_smtp_fix_inserts_starttls_before_login_with_indentation():
    fixed = _fixed(
        """
        import smtplib
        def send(user, pw):
            with smtplib.SMTP(HOST, 587) as s:
                s.ehlo()
                s.login(user, pw)
    """,
        "TG206",
    )
    assert "        s.ehlo()\n        s.starttls()\n        s.login(user, pw)" in fixed


def test_smtp_login_in_an_expression_has_no_insertion_fix():
    found, _ = _findings(
        """
        import smtplib
        def send(user, pw):
            s = smtplib.SMTP(HOST, 587)
            ok = s.login(user, pw)
    """,
        "TG206",
    )
    assert found and found[0].fix() is None


def test_module_level_smtp_in_one_with_block():
    code = "import smtplib\nwith smtplib.SMTP(HOST, 587) as s:\n    s.login(USER, PASSWORD)\n"
    assert _findings(code, "TG206")[0]


def test_cors_origins_through_module_constant():
    code = """
        from fastapi.middleware.cors import CORSMiddleware
        ALLOWED = ["https://a.example.com", "https://b.example.com"]
        app.add_middleware(CORSMiddleware, allow_origins=ALLOWED, allow_credentials=True)
    """
    assert not _findings(code, "TG211")[0]
    assert _findings(code.replace('"https://b.example.com"', '"*"'), "TG211")[0]


def test_cors_regex_matching_everything():
    code = (
        "from starlette.middleware.cors import CORSMiddleware\n"
        "app.add_middleware(CORSMiddleware, allow_origin_regex='.*', allow_credentials=True)\n"
    )
    assert _findings(code, "TG211")[0]


def test_cors_reflected_origin_without_credentials_is_not_flagged():
    code = """
        from flask import request
        @app.after_request
        def cors(response):
            response.headers["Access-Control-Allow-Origin"] = request.headers.get("Origin")
            return response
    """
    assert not _findings(code, "TG211")[0]


def test_cookie_sensitivity_decides_samesite():
    code = "resp.set_cookie('theme', 'dark', secure=True, httponly=True)\n"
    assert not _findings(code, "TG212")[0]
    found, _ = _findings(code.replace("'theme'", "'refresh_token'"), "TG212")
    assert found and "samesite" in found[0].message


def test_cookie_sensitive_by_stored_value():
    found, _ = _findings("resp.set_cookie('c', access_token, secure=True, httponly=True)\n", "TG212")
    assert found and "samesite" in found[0].message


def test_cookie_partial_flags_on_a_plain_cookie_are_accepted_when_secure_unless_switched_off():
    assert not _findings("resp.set_cookie('cart', cart_id, secure=True)\n", "TG212")[0]
    [finding], _ = _findings("resp.set_cookie('cart', cart_id, httponly=True)\n", "TG212")
    assert "`secure=True`" in finding.message and "httponly" not in finding.message
    assert _findings("resp.set_cookie('cart', cart_id, httponly=True, secure=False)\n", "TG212")[0]
    assert _findings("resp.set_cookie('cart', cart_id)\n", "TG212")[0]


def test_cookie_computed_flags_are_trusted():
    code = "resp.set_cookie('sid', v, secure=request.is_secure, httponly=True, samesite=SAMESITE)\n"
    assert not _findings(code, "TG212")[0]
    code = "resp.set_cookie(NAME, request.session.session_key, secure=settings.SESSION_COOKIE_SECURE)\n"
    assert not _findings(code, "TG212")[0]
    assert _findings(code.replace(")", ", httponly=False)"), "TG212")[0]


@pytest.mark.parametrize(
    "mode,flagged",
    [
        ("0o777", True),
        ("0o666", True),
        ("0o002", True),
        ("511", True),
        ("0x1ff", True),
        ("0o775", True),
        ("0o755", False),
        ("0o600", False),
        ("stat.S_IWOTH", True),
        ("stat.S_IRWXU | stat.S_IWOTH", True),
        ("os.stat(p).st_mode | stat.S_IWOTH", True),
        ("os.stat(p).st_mode | stat.S_IXUSR", False),
    ],
)
def test_world_writable_modes(mode, flagged):
    code = f"import os, stat\nos.chmod(p, {mode})\n"
    assert bool(_findings(code, "TG216")[0]) is flagged


def test_group_writable_file_is_low_severity_and_directory_is_not_flagged():
    found, _ = _findings("import os\nos.chmod(p, 0o775)\n", "TG216")
    assert [(f.severity, f.details["problem"]) for f in found] == [("low", "Group-writable permissions")]
    world, _ = _findings("import os\nos.chmod(p, 0o777)\n", "TG216")
    assert world[0].severity != "low"
    assert not _findings("import os\nos.makedirs(d, mode=0o775, exist_ok=True)\n", "TG216")[0]


def test_mode_with_unknown_part_has_no_rewrite():
    found, _ = _findings("import os, stat\nos.chmod(p, os.stat(p).st_mode | stat.S_IWOTH)\n", "TG216")
    assert found and found[0].fix() is None


def test_umask_values():
    assert _findings("import os\nos.umask(0o002 - 2)\n", "TG216")[0] == []
    assert _findings("import os\nos.umask(0o000)\n", "TG216")[0]
    assert not _findings("import os\nos.umask(0o027)\n", "TG216")[0]


def test_requests_timeout_only_through_the_library():
    assert not _findings("requests = {}\nrequests.get('k')\n", "TG215")[0]
    assert _findings("import requests as rq\nrq.delete(url)\n", "TG215")[0]
    assert not _findings("import requests\nrequests.get(url, timeout=TIMEOUT)\n", "TG215")[0]


def test_timeout_rewrite_replaces_none():
    fixed = _fixed("import requests\nrequests.get(url, timeout=None)\n", "TG215")
    assert fixed == "import requests\nrequests.get(url, timeout=10)\n"


def test_mktemp_rewrite_keeps_arguments_and_adds_import():
    fixed = _fixed("from tempfile import mktemp as mk\nname = mk(suffix='.txt', dir=WORK)\n", "TG217")
    assert (
        fixed
        == "import os\nfrom tempfile import mktemp as mk, mkstemp\nfd, name = mkstemp(suffix='.txt', dir=WORK)\nos.close(fd)\n"
    )


def test_dsn_rewrite_keeps_quotes():
    fixed = _fixed('import psycopg2\npsycopg2.connect("host=db.example.com sslmode=allow")\n', "TG204")
    assert '"host=db.example.com sslmode=verify-full"' in fixed


def test_dsn_in_fstring_is_flagged_without_rewrite():
    found, _ = _findings('import psycopg2\npsycopg2.connect(f"host={HOST} sslmode=disable")\n', "TG204")
    assert found and found[0].fix() is None


def test_flask_config_in_testing_update_and_test_files():
    assert not _findings("app.config.update(WTF_CSRF_ENABLED=False, TESTING=True)\n", "TG214")[0]
    assert not _findings("app.config['WTF_CSRF_ENABLED'] = False\n", "TG214", "tests/test_forms.py")[0]
    assert _findings("app.config.from_mapping(SECRET_KEY=k, WTF_CSRF_ENABLED=False)\n", "TG214")[0]


def test_csrf_exempt_with_write_methods_and_class_views():
    code = """
        from django.utils.decorators import method_decorator
        from django.views.decorators.csrf import csrf_exempt
        from django.views.decorators.http import require_http_methods
        @csrf_exempt
        @require_http_methods(["GET", "POST"])
        def edit(request):
            pass
        @method_decorator(csrf_exempt, name="dispatch")
        class Upload(View):
            pass
    """
    assert len(_findings(code, "TG214")[0]) == 2


def test_bind_all_near_misses():
    assert not _findings("import socket\ns.bind((HOST, PORT))\n", "TG209")[0]
    assert not _findings("app.run(host='localhost')\n", "TG209")[0]
    assert _findings("from aiohttp import web\nweb.run_app(app, host='0.0.0.0')\n", "TG209")[0]


def test_weak_protocol_lookup_tables_are_not_flagged():
    code = "import ssl\nNAMES = {ssl.PROTOCOL_TLSv1: 'TLSv1'}\nok = hasattr(ssl, 'PROTOCOL_TLSv1')\n"
    assert not _findings(code, "TG203")[0]


def test_ssl_cert_none_imported_by_name_gets_module_rewrite():
    fixed = _fixed("from ssl import CERT_NONE\nctx.verify_mode = CERT_NONE\n", "TG202")
    assert fixed == "import ssl\nfrom ssl import CERT_NONE\nctx.verify_mode = ssl.CERT_REQUIRED\n"
