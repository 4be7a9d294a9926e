"""The base protocol over pipes, byte by byte: bad frames cost that frame only (the server
resynchronises on the next header and keeps answering), bodies that are not UTF-8 or not JSON get
a parse error with id null, and the end of the input ends the server quietly (exit code 1). The
servers are served in this process the way `tabguard lsp` serves its stdio (tests/inprocess_lsp.py);
the last test runs the process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from inprocess_lsp import ServerThread  # noqa: E402
from lspclient import Client  # noqa: E402

SERVER = [sys.executable, "-m", "tabguard", "lsp"]


def frame(message: dict, delta: int = 0, header: bytes = b"Content-Length") -> bytes:
    body = json.dumps(message, ensure_ascii=False).encode()
    return header + b": %d\r\n\r\n" % (len(body) + delta) + body


def hover(msg_id, uri: str = "file:///none.py") -> dict:
    return {
        "jsonrpc": "2.0",
        "id": msg_id,
        "method": "textDocument/hover",
        "params": {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}},
    }


@pytest.fixture
def server(tmp_path, caplog):
    client = Client([], proc=ServerThread(max_body=100_000))
    client.request("initialize", {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}})
    client.notify("initialized", {})
    yield client
    client.close()
    assert client.proc.wait(timeout=30) == 0
    assert "Traceback" not in caplog.text


def answered(server, msg_id, timeout: float = 20) -> dict:
    return server.wait_response(msg_id, timeout)


@pytest.mark.parametrize("delta", [-10, 10, -1, 1])
def test_a_wrong_content_length_costs_at_most_that_frame(server, delta):
    server.send_bytes(frame(hover(101), delta) + frame(hover(102)))
    assert answered(server, 102)["result"] is None
    assert answered(server, 101)["result"] is None, "the frame itself is recovered when its JSON is whole"
    assert server.request("shutdown", None) is None


def test_a_length_counted_in_characters_not_bytes(server):
    request = hover(7, "file:///caf\u00e9/\u4e2d\u6587.py")
    characters = len(json.dumps(request, ensure_ascii=False))
    body = json.dumps(request, ensure_ascii=False).encode()
    server.send_bytes(b"Content-Length: %d\r\n\r\n" % characters + body + frame(hover(8)))
    assert answered(server, 8)["result"] is None
    assert answered(server, 7)["result"] is None


def test_header_names_are_case_insensitive(server):
    server.send_bytes(frame(hover(11), header=b"content-length") + frame(hover(12), header=b"CONTENT-LENGTH"))
    assert answered(server, 11)["result"] is None
    assert answered(server, 12)["result"] is None


def test_a_body_declared_too_long_with_nothing_after_it_is_answered(server):
    server.send_bytes(frame(hover(21), 40))  # the client then waits: the server must not wait for 40 more bytes
    assert answered(server, 21)["result"] is None


def test_garbage_between_frames_is_skipped_and_logged(server):
    mark = server.mark()
    server.send_bytes(b"\x00\xffgarbage\r\nnot: a frame\r\n\r\n{}" + frame(hover(31)))
    assert answered(server, 31)["result"] is None
    logs = [b["params"]["message"] for _, b in server.notifications[mark:] if b.get("method") == "window/logMessage"]
    assert any("resynchronised" in m for m in logs)


@pytest.mark.parametrize("body", [b'\xff\xfe{"jsonrpc": "2.0"}', b"{not json", b"[" * 50_000 + b"]" * 10])
def test_bodies_that_are_not_utf8_or_not_json_get_a_parse_error_with_id_null(server, body):
    server.send_bytes(b"Content-Length: %d\r\n\r\n" % len(body) + body + frame(hover(41)))
    assert answered(server, 41)["result"] is None
    error = answered(server, None)["error"]
    assert error["code"] == -32700


def test_a_body_over_the_size_limit_is_refused_unread(server):
    big = hover(51, "file:///" + "a" * 200_000 + ".py")
    server.send_bytes(frame(big) + frame(hover(52)))
    assert answered(server, 52)["result"] is None
    assert answered(server, None)["error"]["code"] == -32600
    assert 51 not in server.responses


def test_a_header_line_of_megabytes_without_a_newline(server):
    server.send_bytes(b"X" * (8 << 20) + frame(hover(61)))
    assert answered(server, 61, timeout=60)["result"] is None


def _run(stdin: bytes, caplog) -> tuple[int | None, bytes]:
    """`stdin` given to a server that then sees its input end: (exit code, output)."""
    output, code = ServerThread().communicate(stdin)
    assert "Traceback" not in caplog.text
    return code, output


def _initialize(msg_id=1) -> bytes:
    return frame(
        {"jsonrpc": "2.0", "id": msg_id, "method": "initialize", "params": {"processId": None, "capabilities": {}}}
    )


@pytest.mark.parametrize(
    "tail",
    [
        b'Content-Length: 500\r\n\r\n{"jsonrpc": "2.0", "id": 2, "meth',  # the input ends inside a body
        b"Content-Length: 5",  # ... inside a header
        b"A" * (70 << 20),  # a 70 MB header line without a newline
    ],
)
def test_the_input_ending_mid_message_exits_1_without_a_traceback(tail, caplog):
    code, output = _run(_initialize() + tail, caplog)
    assert code == 1
    assert b'"id": 1' in output


def test_empty_input_exits_1_at_once_and_quietly():
    """The process itself (the other tests serve pipes in this process): stdin that cannot be polled."""
    done = subprocess.run(SERVER, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    assert (done.returncode, done.stdout) == (1, b"")
    assert b"Traceback" not in done.stderr and b"Error" not in done.stderr
