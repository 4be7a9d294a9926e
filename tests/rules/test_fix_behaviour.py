"""Secure rewrites that used to break working code (issue 14): the rewritten code is run, or analysed
in a real workspace, to show it now works."""

from __future__ import annotations

import os

from tabguard.analysis import analyze_text
from tabguard.engine.fixes import apply_edits, materialize


def _fixed(code: str, rule_id: str, path: str = "example.py") -> str:
    doc = analyze_text(code, path)
    fix = next(f for f in doc.findings() if f.rule_id == rule_id).fix()
    assert fix is not None, f"{rule_id} offered no fix"
    return "\n".join(apply_edits(doc.lines, materialize(fix, doc.lines)))


def test_tg202_hostname_fix_also_restores_verify_mode_so_the_code_runs():
    code = (
        "import ssl\ndef make():\n    ctx = ssl.create_default_context()\n    ctx.check_hostname = False\n"
        "    ctx.verify_mode = ssl.CERT_NONE\n    return ctx\n"
    )
    scope: dict = {}
    exec(_fixed(code, "TG202"), scope)  # before: ValueError: Cannot set verify_mode to CERT_NONE ...
    ctx = scope["make"]()
    import ssl

    assert ctx.check_hostname and ctx.verify_mode == ssl.CERT_REQUIRED


def test_tg217_fix_leaves_no_descriptor_open(tmp_path):
    code = f"import tempfile\npath = tempfile.mktemp(suffix='.json', dir={str(tmp_path)!r})\n"
    fixed = _fixed(code, "TG217")
    before = len(os.listdir("/proc/self/fd"))
    scope: dict = {}
    exec(fixed, scope)
    assert os.path.exists(scope["path"])
    assert len(os.listdir("/proc/self/fd")) == before  # before: mkstemp(...)[1] left one open


def test_tg302_fingerprint_keeps_its_stored_values(tmp_path):
    code = "import hashlib\ndef fingerprint(data):\n    return hashlib.md5(data).hexdigest()\n"
    before, after = {}, {}
    exec(code, before)
    exec(_fixed(code, "TG302"), after)
    assert after["fingerprint"](b"x") == before["fingerprint"](b"x")


FLASK_UPLOAD = (
    "import os\nfrom flask import request, send_file\n@app.post('/u')\ndef u():\n"
    "    f = request.files['file']\n    f.save(os.path.join(UPLOAD_DIR, f.filename))\n"
    "@app.route('/d/<name>')\ndef d(name):\n    return send_file(os.path.join('/srv/docs', name))\n"
)


def test_tg502_and_tg505_never_import_an_undeclared_package(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "app"\ndependencies = ["requests"]\n')
    path = str(tmp_path / "app.py")
    doc = analyze_text(FLASK_UPLOAD, path)
    by_rule = {f.rule_id: f for f in doc.findings()}
    assert by_rule["TG505"].fix() is None  # werkzeug is not declared: no `import werkzeug.utils`
    # Flask installs werkzeug, so with flask declared the fix may import it and adds no TG703.
    flask_app = tmp_path / "flask_app"
    flask_app.mkdir()
    (flask_app / "pyproject.toml").write_text('[project]\nname = "app"\ndependencies = ["flask"]\n')
    path = str(flask_app / "app.py")
    fixed = _fixed(FLASK_UPLOAD, "TG505", path)
    assert "werkzeug" in fixed and "TG703" not in {f.rule_id for f in analyze_text(fixed, path).findings()}
    fixed = _fixed(FLASK_UPLOAD, "TG502", path)
    assert fixed.startswith("import os\nfrom flask import request, send_file, send_from_directory\n")
    assert "import flask" not in fixed and "return send_from_directory('/srv/docs', name)" in fixed


def test_tg505_fix_with_werkzeug_declared_adds_no_finding(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "app"\ndependencies = ["flask", "werkzeug"]\n')
    path = str(tmp_path / "app.py")
    code = FLASK_UPLOAD.replace("from flask import", "from werkzeug.utils import safe_join\nfrom flask import")
    fixed = _fixed(code, "TG505", path)
    assert "from werkzeug.utils import safe_join, secure_filename\n" in fixed
    assert "secure_filename(f.filename)" in fixed
    before = {f.rule_id for f in analyze_text(code, path).findings()}
    after = {f.rule_id for f in analyze_text(fixed, path).findings()}
    assert "TG505" not in after and after <= before


def _fix_of(code: str, rule_id: str, path: str = "example.py"):
    return next(f for f in analyze_text(code, path).findings() if f.rule_id == rule_id).fix()


def test_tg411_negates_a_comparison_with_its_inverse_operator():
    # Before: `if not 'admin' in user.roles:` and `if not user.id == owner:`.
    head = "def promote(user, doc):\n    assert "
    cases = {
        "'admin' in user.roles": "'admin' not in user.roles",
        "'banned' not in user.roles": "'banned' in user.roles",
        "user.role is not None": "user.role is None",
        "doc.owner_id == user.id": "doc.owner_id != user.id",
        "(doc.owner_id) == user.id": "not (doc.owner_id) == user.id",  # parentheses kept: no guess
        "user.is_admin or user.is_staff": "not (user.is_admin or user.is_staff)",
    }
    for condition, negated in cases.items():
        code = f"{head}{condition}\n    doc.role = 'admin'\n"
        fixed = _fixed(code, "TG411")
        assert f"    if {negated}:\n" in fixed, fixed
        # The rewritten check refuses exactly when the assertion failed.
        for roles, role, owner in ((["admin"], None, 1), (["banned"], "x", 2), ([], "admin", 1)):
            user = type("U", (), {"roles": roles, "role": role, "id": 1, "is_admin": False, "is_staff": bool(roles)})()
            doc = type("D", (), {"owner_id": owner})()
            results = []
            for text in (code, fixed):
                scope: dict = {}
                exec(text, scope)
                try:
                    scope["promote"](user, doc)
                    results.append(True)
                except (AssertionError, PermissionError):
                    results.append(False)
            assert results[0] == results[1], (condition, roles, role, owner)


def test_tg603_fix_title_says_what_the_rewrite_does():
    # Before: "return a generic message, log the exception" also when nothing was logged by the fix.
    logged = (
        "@router.get('/i')\nasync def item():\n    try:\n        return load()\n    except Exception as exc:\n"
        "        logger.exception('load failed')\n        raise HTTPException(status_code=500, detail=f'Error: {exc}')\n"
    )
    silent = (
        "import traceback\ndef report(request):\n    try:\n        run()\n    except Exception:\n"
        "        return HttpResponse(traceback.format_exc(), status=500)\n"
    )
    assert _fix_of(logged, "TG603").title == 'Fix: send "Internal server error" instead of the exception message'
    assert _fix_of(silent, "TG603").title == (
        'Fix: send "Internal server error" instead of the traceback, log it with logging.exception'
    )
    assert "logging.exception(" in _fixed(silent, "TG603") and "logging.exception(" not in _fixed(logged, "TG603")


def test_tg601_redaction_keeps_an_f_string_only_while_it_has_fields():
    head = "import logging\ndef f(user, token):\n    logging.info("
    cases = {
        "f'token={token}')": "'token=[REDACTED]')",  # no field left: a plain string (no F541)
        "f'user={user} token={token}')": "f'user={user} token=[REDACTED]')",
        "f'{{json}} token={token}')": "f'{{json}} token=[REDACTED]')",  # `{{` is `{` only in an f-string
        "'token=%s', str(token))": "'token=%s', \"[REDACTED]\")",  # the whole call goes
    }
    for logged, expected in cases.items():
        assert _fixed(head + logged + "\n", "TG601") == head + expected + "\n"
