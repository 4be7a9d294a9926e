"""A config problem is handled one way in the CLI and the editor (README, "Configuration"): the same
message, with its "did you mean"; `check` stops there (exit 2), the editor says it as an error and
checks with the default for that setting until the file is fixed, which it sees when the file is
saved or changes on disk (as it sees a dependency list appear)."""

from __future__ import annotations

from tabguard.cli import main
from tabguard.config import load_config

CODE = "import os\n\ndef run(cmd):\n    os.system(cmd)\n"
BROKEN = 'selct = ["TG105"]\nselect = ["TG9999"]\nmax-file-size = -1\n'


def test_the_editor_shows_the_clis_config_errors_and_checks_with_the_defaults(server, capsys):
    (server.root / "tabguard.toml").write_text(BROKEN)
    (server.root / "a.py").write_text(CODE)
    assert main(["check", str(server.root / "a.py"), "--no-cache"]) == 2
    cli = [line for line in capsys.readouterr().err.splitlines() if "config error" in line]
    assert len(cli) == 3 and "did you mean 'select'?" in cli[0] and "did you mean 'TG900'?" in cli[1]
    assert len(load_config(server.root).problems) == 3

    uri = (server.root / "a.py").as_uri()
    mark = server.mark()
    server.notify(
        "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": CODE}}
    )
    published = server.wait_notification(
        lambda b: b.get("method") == "textDocument/publishDiagnostics" and b["params"]["uri"] == uri, mark, timeout=15
    )
    assert [d["code"] for d in published[1]["params"]["diagnostics"]] == ["TG101"]  # select's default: every rule
    shown = [b["params"] for _, b in server.notifications[mark:] if b.get("method") == "window/showMessage"]
    assert [m["type"] for m in shown] == [1, 1, 1]  # MessageType.Error
    for line, message in zip(cli, (m["message"] for m in shown)):
        assert message == f"{line} (the default is used until it is fixed)"


def _open(server, path, text: str) -> str:
    uri = path.as_uri()
    server.notify(
        "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}
    )
    return uri


def _codes_published(server, uri: str, mark: int) -> list[str]:
    published = server.wait_notification(
        lambda b: b.get("method") == "textDocument/publishDiagnostics" and b["params"]["uri"] == uri, mark, timeout=15
    )
    return [d["code"] for d in published[1]["params"]["diagnostics"]]


def test_a_config_error_is_shown_once_for_all_the_folders_it_covers(server):
    (server.root / "tabguard.toml").write_text('selct = ["TG105"]\n')
    (server.root / "api").mkdir()
    mark = server.mark()
    first = _open(server, server.root / "a.py", CODE)
    _codes_published(server, first, mark)
    second = _open(server, server.root / "api" / "b.py", CODE)
    _codes_published(server, second, mark)
    shown = [b["params"]["message"] for _, b in server.notifications[mark:] if b.get("method") == "window/showMessage"]
    assert len(shown) == 1 and "did you mean 'select'?" in shown[0], shown


def test_a_saved_config_applies_to_the_open_files_without_a_restart(server):
    """Fixing the config takes effect when the file is saved in the editor (or changes on disk, as the
    editor's file watcher reports), not only after the server restarts."""
    config = server.root / "pyproject.toml"
    config.write_text('[project]\nname = "app"\n\n[tool.tabguard]\nignor = ["TG101"]\n')
    mark = server.mark()
    uri = _open(server, server.root / "a.py", CODE)
    assert _codes_published(server, uri, mark) == ["TG101"]

    config.write_text('[project]\nname = "app"\n\n[tool.tabguard]\nignore = ["TG101"]\n')
    mark = server.mark()
    server.notify("textDocument/didSave", {"textDocument": {"uri": config.as_uri()}})
    assert _codes_published(server, uri, mark) == []
    assert not [b for _, b in server.notifications[mark:] if b.get("method") == "window/showMessage"]

    (server.root / "tabguard.toml").write_text('select = ["TG1"]\nseverity = { TG101 = "urgent" }\n')  # wins
    mark = server.mark()
    server.notify(
        "workspace/didChangeWatchedFiles", {"changes": [{"uri": (server.root / "tabguard.toml").as_uri(), "type": 1}]}
    )
    assert _codes_published(server, uri, mark) == ["TG101"]
    shown = [b["params"]["message"] for _, b in server.notifications[mark:] if b.get("method") == "window/showMessage"]
    assert len(shown) == 1 and "'severity'" in shown[0] and "low, medium, high or critical" in shown[0], shown


def test_a_config_nested_too_deeply_is_shown_and_the_file_still_checked(server):
    """A config nested thousands deep crashed the open (the parser's RecursionError): the file got
    no diagnostics at all, and nothing was shown."""
    (server.root / "pyproject.toml").write_text("[tool.tabguard]\nx = " + "[" * 3000 + "]" * 3000 + "\n")
    mark = server.mark()
    uri = _open(server, server.root / "a.py", CODE)
    assert _codes_published(server, uri, mark) == ["TG101"]
    shown = [b["params"]["message"] for _, b in server.notifications[mark:] if b.get("method") == "window/showMessage"]
    assert shown == [
        f"tabguard: config error: {server.root / 'pyproject.toml'}: invalid TOML: nested too deeply to read "
        "(the default is used until it is fixed)"
    ]


def test_a_requirements_file_added_one_folder_down_is_seen_at_once(server):
    """The workspace's cached dependency lists look at its root's folder times, which a file added in
    a subfolder does not change; the editor's file watcher reports it, and TG703 goes."""
    (server.root / "requirements.txt").write_text("flask\n")
    (server.root / "svc").mkdir()
    mark = server.mark()
    uri = _open(server, server.root / "app.py", "import flask\nimport yaml\n\nprint(flask, yaml)\n")
    assert _codes_published(server, uri, mark) == ["TG703"]
    listed = server.root / "svc" / "requirements.txt"
    listed.write_text("pyyaml\n")
    mark = server.mark()
    server.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": listed.as_uri(), "type": 1}]})
    assert _codes_published(server, uri, mark) == []
