"""Issue 18: a repository's own config cannot turn on the online checks or choose the hosts they
ask (that would send the project's package names and pins anywhere); the user's config file, the
command line and the editor's settings can. Service URLs are http(s) only. Every request goes to a
fake service on 127.0.0.1."""

from __future__ import annotations

import asyncio
import time

import pytest
import pytest_lsp
from inprocess_lsp import IN_PROCESS
from lsprotocol import types
from pytest_lsp import LanguageClient

from tabguard.cli import main
from tabguard.config import load_config
from tabguard.config_schema import url_error

PINS = "django==3.2.0\n"


def _online_settings(url: str) -> str:
    return f'network = true\nindex-url = "{url}"\nosv-url = "{url}"\n'


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    (root / "requirements.txt").write_text(PINS)
    return root


@pytest.fixture
def user_config(tmp_path, monkeypatch):
    folder = tmp_path / "user-config"
    (folder / "tabguard").mkdir(parents=True)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    return folder / "tabguard" / "config.toml"


@pytest.mark.parametrize("file,header", [("pyproject.toml", "[tool.tabguard]\n"), ("tabguard.toml", "")])
def test_a_repository_config_cannot_send_package_names(project, services, capsys, file, header):
    (project / file).write_text(header + _online_settings(services.url))
    assert main(["check", str(project)]) == 0  # ignored settings are a warning, not a config error
    assert services.requests == []
    err = capsys.readouterr().err
    for key in ("network", "index-url", "osv-url"):
        assert f"warning: {project / file}: '{key}' ignored" in err
    assert "tabguard/config.toml" in err and "tabguard check --network" in err


def test_the_rest_of_a_repository_config_still_applies(project):
    (project / "tabguard.toml").write_text('network = true\nselect = ["TG7"]\n')
    config = load_config(project)
    assert config["network"] is False and config["select"] == ["TG7"] and config.problems == []


def test_the_user_config_file_turns_the_online_checks_on(project, services, user_config):
    user_config.write_text(_online_settings(services.url))
    (project / "tabguard.toml").write_text('network = false\nindex-url = "https://example.invalid"\n')
    assert main(["check", str(project)]) == 1  # TG706: django 3.2.0 is vulnerable
    assert "POST /v1/querybatch" in services.requests


def test_command_line_flags_turn_the_online_checks_on(project, services):
    assert main(["check", str(project), "--network", "--index-url", services.url, "--osv-url", services.url]) == 1
    assert "POST /v1/querybatch" in services.requests


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc",
        "ftp://example.com",
        "data:,x",
        "http://",
        "//host/x",
        "pypi.org",
        "",
        "javascript:alert(1)",
    ],
)
def test_only_http_urls_are_accepted(project, services, user_config, capsys, url):
    assert url_error(url) is not None
    user_config.write_text(f'network = true\nosv-url = "{url}"\n')
    assert main(["check", str(project)]) == 2
    assert "'osv-url': got" in capsys.readouterr().err
    assert main(["check", str(project), "--network", "--index-url", url]) == 2
    assert "command line: 'index-url': got" in capsys.readouterr().err
    assert services.requests == []


def test_http_and_https_urls_are_accepted():
    assert url_error("https://pypi.org") is None and url_error("HTTP://127.0.0.1:8080/simple") is None
    assert url_error(42) is not None


# -- the language server: initializationOptions are the editor's (trusted) settings -------------
def _wait_for(condition, timeout=10.0):
    async def wait():
        deadline = time.monotonic() + timeout
        while not condition() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        return condition()

    return wait()


@pytest_lsp.fixture(config=IN_PROCESS)
async def lsp(lsp_client: LanguageClient):
    yield lsp_client
    await lsp_client.shutdown_session()


async def _open_requirements(client: LanguageClient, project, options: dict) -> None:
    await client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(), root_uri=project.as_uri(), initialization_options=options
        )
    )
    uri = (project / "requirements.txt").as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "pip-requirements", 1, PINS))
    )
    await client.published(uri)


async def test_lsp_ignores_a_repository_config_and_says_so(lsp, project, services):
    (project / "pyproject.toml").write_text("[tool.tabguard]\n" + _online_settings(services.url))
    await _open_requirements(lsp, project, {})
    assert await _wait_for(lambda: lsp.messages)
    assert any("'network' ignored" in m.message and m.type == types.MessageType.Warning for m in lsp.messages)
    await asyncio.sleep(0.5)  # an online check, if one had started, would have asked by now
    assert services.requests == []


async def test_lsp_editor_settings_turn_the_online_checks_on(lsp, project, services):
    await _open_requirements(
        lsp, project, {"tabguard": {"network": True, "index-url": services.url, "osv-url": services.url}}
    )
    assert await _wait_for(lambda: "POST /v1/querybatch" in services.requests)
    assert lsp.messages == []


# -- `python`: a repository may name an interpreter inside itself, not another project's ------------
@pytest.mark.parametrize(
    "python", ["/usr/bin/python3", "../other/.venv/bin/python", "~/.venv/bin/python", "link/bin/python"]
)
def test_a_repository_config_cannot_name_an_interpreter_outside_it(project, tmp_path, python):
    (tmp_path / "other").mkdir()
    (project / "link").symlink_to(tmp_path / "other")  # inside by name, outside once followed
    (project / "tabguard.toml").write_text(f'python = "{python}"\n')
    config = load_config(project)
    assert config["python"] == "" and config.problems == []
    assert [w.message.split(":")[0] for w in config.warnings] == ["'python' ignored"]


def test_a_repository_interpreter_inside_it_is_resolved_against_the_repository(project, user_config):
    (project / "tabguard.toml").write_text('python = ".venv311/bin/python"\n')
    assert load_config(project)["python"] == str(project.resolve() / ".venv311" / "bin" / "python")
    user_config.write_text('python = "/opt/python/bin/python3"\n')  # the user's own choice stands
    (project / "tabguard.toml").write_text('select = ["TG1"]\n')
    assert load_config(project)["python"] == "/opt/python/bin/python3"
