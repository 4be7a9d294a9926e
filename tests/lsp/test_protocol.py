"""Protocol robustness: malformed and unexpected messages are answered per the LSP/JSON-RPC specs
(an error response or a logged warning), never a crash or a hang."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from lspclient import Client  # noqa: E402

SERVER = [sys.executable, "-m", "tabguard", "lsp"]
CODE = "import os\n\ndef run(cmd):\n    os.system(cmd)\n"


def _open(server, name="a.py", text=CODE, version=1, language="python"):
    uri = (server.root / name).as_uri()
    mark = server.mark()
    server.notify(
        "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": language, "version": version, "text": text}}
    )
    return uri, mark


def _published(server, uri, version, mark):
    return server.wait_notification(
        lambda b: (
            b.get("method") == "textDocument/publishDiagnostics"
            and b["params"]["uri"] == uri
            and b["params"].get("version") == version
        ),
        mark,
        timeout=15,
    )[1]["params"]["diagnostics"]


def _alive(server):
    assert (
        server.call(
            "textDocument/hover", {"textDocument": {"uri": "file:///none.py"}, "position": {"line": 0, "character": 0}}
        )["result"]
        is None
    )


def test_malformed_json_gets_a_parse_error_and_the_server_goes_on(server):
    mark = server.mark()
    server.send_raw(b'{"jsonrpc": "2.0", "id": 9, "method": "textDocument/hover", "params": {')
    server.send_raw(b"not json")
    _alive(server)
    errors = [b for _, b in server.notifications[mark:] if "method" in b and b["method"] == "window/showMessage"]
    assert not errors, "protocol garbage must not pop up messages in the editor"
    with server._lock:
        parse_errors = [r for r in server.responses.values() if r.get("error", {}).get("code") == -32700]
    assert parse_errors and parse_errors[0]["id"] is None


def test_unknown_method_and_wrong_params_get_error_responses(server):
    assert server.call("tabguard/noSuchThing", {})["error"]["code"] == -32601
    reply = server.call("textDocument/hover", {"textDocument": 5, "position": "x"})
    assert reply["error"]["code"] == -32602
    reply = server.call(
        "textDocument/codeAction",
        {
            "textDocument": {"uri": "file:///a.py"},
            "range": {"start": {"line": -5, "character": 0}, "end": {"line": 1, "character": 0}},
            "context": {"diagnostics": []},
        },
    )
    assert "error" in reply
    _alive(server)


def test_out_of_range_positions_are_clamped(server):
    uri, mark = _open(server)
    _published(server, uri, 1, mark)
    far = {"line": 10**6, "character": 10**6}
    assert server.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": far}) is None
    actions = server.request(
        "textDocument/codeAction",
        {
            "textDocument": {"uri": uri},
            "range": {"start": {"line": 0, "character": 0}, "end": far},
            "context": {"diagnostics": []},
        },
    )
    assert any(a["title"].startswith("Ignore TG101") for a in actions)
    mark = server.mark()
    server.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"range": {"start": far, "end": far}, "text": "\nos.popen(user)\n"}],
        },
    )
    diags = _published(server, uri, 2, mark)
    assert {d["code"] for d in diags} >= {"TG101"}


def test_changes_to_unopened_documents_and_versions_going_backwards(server):
    server.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": "file:///never-opened.py", "version": 4}, "contentChanges": [{"text": "x"}]},
    )
    uri, mark = _open(server, version=10)
    _published(server, uri, 10, mark)
    mark = server.mark()
    server.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": uri, "version": 3},
            "contentChanges": [{"text": "import os\nos.system(x)\nos.system(y)\n"}],
        },
    )
    assert len(_published(server, uri, 3, mark)) == 2
    server.notify("$/cancelRequest", {"id": 12345})
    _alive(server)


def test_non_python_and_oversized_files_are_skipped_with_a_message(server):
    uri, mark = _open(server, "notes.md", "# notes\nos.system(x)\n", language="markdown")
    _alive(server)
    assert not [
        b
        for _, b in server.notifications[mark:]
        if b.get("method") == "textDocument/publishDiagnostics" and b["params"]["uri"] == uri
    ]
    huge = "x = 1\n" * 400_000
    uri, mark = _open(server, "huge.py", huge)
    message = server.wait_notification(lambda b: b.get("method") == "window/showMessage", mark, timeout=15)[1]
    assert "max-file-size" in message["params"]["message"]
    assert f"{server.root / 'huge.py'} has 2400000 characters" in message["params"]["message"]  # a path, not a URI
    # The editor's status must not read "0 findings" for it, as for a clean file.
    status = server.request("tabguard/fileStatus", {"textDocument": {"uri": uri}})
    assert status["notChecked"] == "over max-file-size (2000000 characters)", status
    server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    assert "notChecked" not in server.request("tabguard/fileStatus", {"textDocument": {"uri": uri}})
    _alive(server)


def test_shutdown_in_the_middle_of_analysis(tmp_path):
    client = Client(SERVER, cwd=str(tmp_path))
    client.request("initialize", {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}})
    client.notify("initialized", {})
    big = "".join(f"def f{i}(cmd):\n    os.system(cmd)\n\n" for i in range(20_000))
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": (tmp_path / "big.py").as_uri(), "languageId": "python", "version": 1, "text": big}},
    )
    assert client.request("shutdown", None, timeout=120) is None
    client.notify("exit", None)
    assert client.proc.wait(timeout=30) == 0


def test_a_large_file_is_analysed_off_the_loop_and_changes_made_meanwhile_count(server):
    body = "".join(f"def f{i}(x):\n    return x + {i}\n\n" for i in range(1500))
    uri, mark = _open(server, "large.py", "import os\n" + body)
    # Answered while the first analysis may still run; then an edit that adds a flaw at the end.
    assert (
        server.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}})
        is None
    )
    end = {"line": 1 + 3 * 1500, "character": 0}
    server.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"range": {"start": end, "end": end}, "text": "def run(cmd):\n    os.system(cmd)\n"}],
        },
    )
    diags = _published(server, uri, 2, mark)
    assert [d["code"] for d in diags] == ["TG101"] and diags[0]["range"]["start"]["line"] == end["line"] + 1


def test_hostile_command_arguments_are_invalid_params_without_a_traceback(server):
    """They were internal errors (-32603) carrying the server's Python traceback, which pygls also
    logged in full; the `server` fixture asserts no traceback was logged."""
    uri, mark = _open(server)
    _published(server, uri, 1, mark)
    for command, arguments, said in [
        ("tabguard.explain", None, "unknown rule None"),
        ("tabguard.explain", [{"rule": ["TG101"]}], "unknown rule ['TG101']"),
        ("tabguard.explain", ["x" * 100_000], "unknown rule 'xxxx"),
        ("tabguard.markReviewed", [5], "None is not an open Python document"),
        ("tabguard.markReviewed", [{"uri": "file:///etc/passwd"}], "'file:///etc/passwd' is not an open Python"),
        ("tabguard.noSuchCommand", [], "noSuchCommand"),
    ]:
        reply = server.call("workspace/executeCommand", {"command": command, "arguments": arguments})
        error = reply["error"]
        assert error["code"] == -32602 and said in error["message"] and "data" not in error, error
        assert len(error["message"]) < 400
    _alive(server)


def test_a_file_uri_no_file_can_have_is_still_checked(server):
    """`%00` in the path: every file operation raised (embedded null byte), so the document was
    never opened and got no diagnostics."""
    uri = (server.root / "a.py").as_uri().replace("a.py", "a%00.py")
    mark = server.mark()
    server.notify(
        "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": CODE}}
    )
    assert [d["code"] for d in _published(server, uri, 1, mark)] == ["TG101"]


def test_an_accept_beyond_lsp_integers_is_clamped_and_published(server):
    """A range of line 2**31 raised in the handler (lsprotocol's Position allows 2**31 - 1), which
    then published nothing."""
    uri, mark = _open(server)
    _published(server, uri, 1, mark)
    mark = server.mark()
    far = {"line": 2**31, "character": 2**40}
    server.notify("tabguard/didAcceptSuggestion", {"textDocument": {"uri": uri}, "range": {"start": far, "end": far}})
    assert [d["code"] for d in _published(server, uri, 1, mark)] == ["TG101"]
