"""The LSP lifecycle over pipes: nothing before `initialize` (ServerNotInitialized), one
`initialize`, nothing after `shutdown` (InvalidRequest), and `exit` ends the server with 0 only
after a `shutdown`. The sessions are served in this process the way `tabguard lsp` serves its
stdio (tests/inprocess_lsp.py); the last test checks the exit codes of the process itself."""

from __future__ import annotations

import json
import subprocess
import sys

from inprocess_lsp import ServerThread

SERVER = [sys.executable, "-m", "tabguard", "lsp"]
HOVER = {"textDocument": {"uri": "file:///none.py"}, "position": {"line": 0, "character": 0}}
INIT = {"processId": None, "capabilities": {}}


def frames(*messages: dict) -> bytes:
    out = b""
    for message in messages:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        out += b"Content-Length: %d\r\n\r\n" % len(body) + body
    return out


def session(*messages: dict, process: bool = False) -> tuple[int | None, dict, list[dict], bytes]:
    """Serve the messages, then end the input; (exit code, responses by id, notifications, stderr:
    of `tabguard lsp` when `process`, else empty, the in-process server's log is the test's)."""
    if process:
        done = subprocess.run(SERVER, input=frames(*messages), capture_output=True, timeout=60)
        code, out, err = done.returncode, done.stdout, done.stderr
    else:
        (out, code), err = ServerThread().communicate(frames(*messages)), b""
    responses, notifications, rest = {}, [], out
    while rest:
        headers, _, rest = rest.partition(b"\r\n\r\n")
        length = next(int(h.split(b":")[1]) for h in headers.split(b"\r\n") if h.lower().startswith(b"content-length"))
        body, rest = json.loads(rest[:length]), rest[length:]
        if "method" in body:
            notifications.append(body)
        else:
            responses[body["id"]] = body
    return code, responses, notifications, err


def test_a_request_before_initialize_gets_server_not_initialized():
    code, responses, _, _ = session(
        {"id": 1, "method": "textDocument/hover", "params": HOVER},
        {"id": 2, "method": "initialize", "params": INIT},
        {"id": 3, "method": "textDocument/hover", "params": HOVER},
        {"id": 4, "method": "shutdown"},
        {"method": "exit"},
    )
    assert responses[1]["error"]["code"] == -32002
    assert "capabilities" in responses[2]["result"]
    assert responses[3]["result"] is None
    assert code == 0


def test_notifications_before_initialize_are_dropped():
    text = "import os\nos.system(input())\n"
    code, responses, notes, _ = session(
        {
            "method": "textDocument/didOpen",
            "params": {"textDocument": {"uri": "file:///tmp/a.py", "languageId": "python", "version": 1, "text": text}},
        },
        {"id": 1, "method": "initialize", "params": INIT},
        {"id": 2, "method": "shutdown"},
        {"method": "exit"},
    )
    assert not [n for n in notes if n["method"] == "textDocument/publishDiagnostics"]
    assert code == 0


def test_a_second_initialize_is_an_invalid_request():
    _, responses, _, _ = session(
        {"id": 1, "method": "initialize", "params": INIT},
        {"id": 2, "method": "initialize", "params": INIT},
        {"id": 3, "method": "shutdown"},
        {"method": "exit"},
    )
    assert "result" in responses[1]
    assert responses[2]["error"]["code"] == -32600


def test_requests_after_shutdown_are_invalid_requests():
    code, responses, _, _ = session(
        {"id": 1, "method": "initialize", "params": INIT},
        {"id": 2, "method": "shutdown"},
        {"id": 3, "method": "textDocument/hover", "params": HOVER},
        {"id": 4, "method": "shutdown"},
        {"method": "exit"},
    )
    assert responses[2]["result"] is None
    assert responses[3]["error"]["code"] == -32600
    assert responses[4]["error"]["code"] == -32600
    assert code == 0


def test_exit_without_shutdown_exits_1(caplog):
    code, responses, _, _ = session({"id": 1, "method": "initialize", "params": INIT}, {"method": "exit"})
    assert "result" in responses[1]
    assert code == 1
    assert "Traceback" not in caplog.text


def test_exit_before_initialize_exits_1_and_after_shutdown_0():
    assert session({"method": "exit"}, process=True)[0] == 1
    code, _, _, stderr = session(
        {"id": 1, "method": "initialize", "params": INIT},
        {"id": 2, "method": "shutdown"},
        {"method": "exit"},
        process=True,
    )
    assert code == 0 and b"Traceback" not in stderr
