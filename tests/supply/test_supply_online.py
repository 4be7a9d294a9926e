"""Online checks against a fake package index and OSV service on 127.0.0.1 (no real network):
findings, the disk cache and its TTL, timeouts, 5xx and malformed answers, and proof that with
`network` off no socket is opened at all."""

from __future__ import annotations

import socket
import time

import pytest

from tabguard.analysis import analyze_text, check_dependency_file, dependency_report
from tabguard.rules import all_rules
from tabguard.supply import online
from tabguard.usercache import project_cache

from test_supply_rule_examples import assert_invalid, dependency_examples, run_example


def online_config(workspace, services, **extra):
    return workspace.config(network=True, **{"index-url": services.url, "osv-url": services.url}, **extra)


REQUIREMENTS = (
    "requests==2.32.3\ndjango==3.2.0\nfastapi-auth-helpers==0.1.0\nghost-package-xyz==1.0\nbrand-new-lib-xyz==2.0\n"
)


def test_index_and_osv_findings(workspace, services):
    path = workspace.write("requirements.txt", REQUIREMENTS)
    report = dependency_report(path, REQUIREMENTS, online_config(workspace, services))
    assert report.notes == []
    found = [(f.rule_id, f.span.start_line) for f in report.findings]
    # fastapi-auth-helpers and brand-new-lib-xyz are missing from the snapshot, but the index has
    # them now: the offline TG701 gives way, and the days-old one is called new.
    assert found == [("TG706", 1), ("TG707", 2), ("TG701", 3)]
    vulnerable = report.findings[0]
    assert "GHSA-aaaa-0001" in vulnerable.message and "3.2.19" in vulnerable.message
    assert vulnerable.fix().edits[0].new_text == "==3.2.19"
    # `tabguard rules` cannot read this fix from the offline examples; it shows what the rule declares.
    assert vulnerable.fix().safe is next(r for r in all_rules() if r.id == "TG706").unshown_fix_safe
    assert "3 days ago" in report.findings[1].message
    assert "no such project" in report.findings[2].message


def test_answers_are_cached_on_disk_with_a_ttl(workspace, services, monkeypatch):
    path = workspace.write("requirements.txt", REQUIREMENTS)
    config = online_config(workspace, services)
    first = [f.rule_id for f in check_dependency_file(path, REQUIREMENTS, config)]
    asked = len(services.requests)
    assert asked >= 6
    services.mode = "error"  # a cached answer does not need the service
    assert [f.rule_id for f in check_dependency_file(path, REQUIREMENTS, config)] == first
    assert len(services.requests) == asked
    cache = project_cache(workspace.root, "supply")
    assert not (workspace.root / ".tabguard-cache").exists()  # never in the repository
    assert list(cache.glob("*.json")) and not list(cache.glob("*.tmp"))
    later = time.time() + 25 * 3600
    monkeypatch.setattr(online.time, "time", lambda: later)
    report = dependency_report(path, REQUIREMENTS, config)
    assert len(services.requests) > asked  # expired: asked again (and failed, see the note)
    assert report.notes


@pytest.mark.parametrize(
    "mode,reason",
    [
        ("slow", "timed out"),
        ("error", "HTTP 503"),
        ("garbage", "malformed JSON"),
        ("shape", "malformed answer"),
    ],
)
def test_failures_degrade_to_the_offline_result_with_a_note(workspace, services, monkeypatch, mode, reason):
    monkeypatch.setattr(online, "TIMEOUT_SECONDS", 0.3)
    services.mode = mode
    path = workspace.write("requirements.txt", REQUIREMENTS)
    offline = [(f.rule_id, f.span) for f in check_dependency_file(path, REQUIREMENTS, workspace.config())]
    started = time.monotonic()
    report = dependency_report(path, REQUIREMENTS, online_config(workspace, services))
    assert time.monotonic() - started < 3.0
    assert [(f.rule_id, f.span) for f in report.findings] == offline
    assert any(reason in note for note in report.notes), report.notes
    assert all("offline results shown" in note for note in report.notes)


def test_a_refused_connection_degrades_too(workspace):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    config = workspace.config(network=True, **{"index-url": url, "osv-url": url})
    path = workspace.write("requirements.txt", "django==3.2.0\n")
    report = dependency_report(path, "django==3.2.0\n", config)
    assert report.findings == [] and len(report.notes) == 2


def test_network_off_opens_no_socket(workspace, monkeypatch):
    def no_sockets(*args, **kwargs):
        raise AssertionError("a socket was opened with network = false")

    monkeypatch.setattr(socket, "socket", no_sockets)
    monkeypatch.setattr(socket, "create_connection", no_sockets)
    path = workspace.write("requirements.txt", REQUIREMENTS)
    found = check_dependency_file(path, REQUIREMENTS, workspace.config())
    assert "TG701" in [f.rule_id for f in found]
    code = "import reqeusts\nimport openai_helpers_sdk\nimport requests\n"
    doc = analyze_text(code, str(workspace.write("app.py", code)))
    assert {"TG701", "TG702"} <= {f.rule_id for f in doc.findings()}


@pytest.mark.parametrize("rule,example", list(dependency_examples("INVALID", online=True)))
def test_online_rule_examples_are_flagged_and_fixed(rule, example, workspace, services):
    assert_invalid(rule, example, workspace.root, online_config(workspace, services))


@pytest.mark.parametrize("rule,example", list(dependency_examples("VALID", online=True)))
def test_online_rule_valid_examples(rule, example, workspace, services):
    assert run_example(rule, example, workspace.root, online_config(workspace, services)) == []
