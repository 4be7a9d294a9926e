"""Log-call recognition, configured PII names and HTTP-handler detection behind the compliance rules."""

from __future__ import annotations

from tabguard.analysis import analyze_text, ruleset_for

COMPLIANCE = ruleset_for(("TG6",))


def _ids(code: str, path: str = "app.py", options=None) -> list[str]:
    return [f.rule_id for f in analyze_text(code, path, COMPLIANCE, options).findings()]


def test_loggers_are_recognised_by_name_and_import():
    for call in ("logger.info", "log.debug", "self.log.warning", "app.logger.error", "audit_log.info", "logging.info"):
        code = f"import logging\ndef f(password):\n    {call}('pw %s', password)\n"
        assert _ids(code) == ["TG601"], call


def test_non_logger_methods_named_like_levels_are_ignored():
    assert _ids("def f(password):\n    metrics.info('x', password)\n    parser.error(password)\n") == []


def test_partial_or_derived_values_are_not_leaks():
    code = (
        "import logging\ndef f(token, password):\n    logging.info('%s %s %s', token[:6], len(password), mask(token))\n"
    )
    assert _ids(code) == []


def test_print_in_cli_and_main_guard_is_allowed():
    assert _ids("def main():\n    password = make()\n    print(password)\n") == []
    assert _ids("if __name__ == '__main__':\n    print(api_key)\n") == []
    assert _ids("def handler(event):\n    print(event['api_key'])\n") == ["TG601"]


def test_configured_pii_names_extend_the_builtin_list():
    code = "import logging\ndef f(member):\n    logging.info('member %s', member.loyalty_number)\n"
    assert _ids(code) == []
    assert _ids(code, options={"pii-names": ("loyalty_number",)}) == ["TG602"]


def test_exception_details_only_matter_in_http_handlers():
    handler = (
        "@app.get('/x')\ndef x():\n    try:\n        run()\n    except Exception as e:\n"
        "        return {'error': str(e)}, 500\n"
    )
    assert _ids(handler) == ["TG603"]
    assert _ids(handler.replace("@app.get('/x')\n", "")) == []


def test_exception_passed_to_an_unknown_helper_is_not_assumed_to_leak():
    code = (
        "@app.get('/x')\ndef x():\n    try:\n        run()\n    except Exception as e:\n"
        "        return error_payload_for(e)\n"
    )
    assert _ids(code) == []


def test_exception_fix_logs_once_and_hides_the_message():
    code = (
        "import logging\n@app.get('/x')\ndef x():\n    try:\n        run()\n    except Exception as e:\n"
        "        return {'error': 'failed: ' + str(e)}, 500\n"
    )
    finding = next(f for f in analyze_text(code, "app.py", COMPLIANCE).findings() if f.rule_id == "TG603")
    fix = finding.fix()
    assert [e.new_text for e in fix.edits] == [
        '        logging.exception("Request failed")\n',
        '"Internal server error"',
    ]


def test_debug_logging_only_in_web_or_settings_modules():
    code = "import logging\nlogging.basicConfig(level=logging.DEBUG)\n"
    assert _ids(code, "scripts/migrate.py") == []
    assert _ids(code, "shop/settings.py") == ["TG604"]
    assert _ids("import logging\nfrom flask import Flask\n" + code.split("\n", 1)[1]) == ["TG604"]


def test_reset_links_may_carry_their_token():
    assert _ids("def link(reset_token):\n    reset_url = f'https://app.example.com/reset?token={reset_token}'\n") == []
    assert _ids("import requests\nrequests.get(f'https://api.example.com?api_key={API_KEY}', timeout=5)\n") == ["TG605"]
