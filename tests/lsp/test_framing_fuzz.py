"""Fuzzing the base protocol over real stdio: random sequences of good frames, frames cut short,
wrong lengths, garbage bytes and header-name cases. After each sequence a valid request still gets
its answer, and the process never dies or prints a traceback. One server serves every example;
derandomized through the `ci` profile (tests/conftest.py), with its own small budget."""

from __future__ import annotations

import json
import sys
import tempfile
from itertools import count
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from lspclient import Client  # noqa: E402

SERVER = [sys.executable, "-m", "tabguard", "lsp"]
IDS = count(1000)
HEADERS = [b"Content-Length", b"content-length", b"CONTENT-LENGTH", b"Content-length"]


def _hover(msg_id: int) -> bytes:
    return json.dumps(
        {
            "jsonrpc": "2.0",
            "id": msg_id,
            "method": "textDocument/hover",
            "params": {"textDocument": {"uri": "file:///f\u00e9.py"}, "position": {"line": 0, "character": 0}},
        },
        ensure_ascii=False,
    ).encode()


@st.composite
def piece(draw) -> bytes:
    body = _hover(next(IDS))
    header = draw(st.sampled_from(HEADERS))
    kind = draw(st.sampled_from(["good", "wrong-length", "cut", "garbage", "not-json"]))
    if kind == "good":
        return header + b": %d\r\n\r\n" % len(body) + body
    if kind == "wrong-length":
        delta = draw(st.integers(-20, 20).filter(bool))
        return header + b": %d\r\n\r\n" % max(len(body) + delta, 0) + body
    if kind == "cut":
        frame = header + b": %d\r\n\r\n" % len(body) + body
        return frame[: draw(st.integers(1, len(frame) - 1))]
    if kind == "garbage":
        return draw(st.binary(min_size=1, max_size=200))
    junk = draw(st.binary(min_size=1, max_size=60))
    return header + b": %d\r\n\r\n" % len(junk) + junk


class _Server:
    client = None
    stderr = None

    @classmethod
    def get(cls) -> Client:
        if cls.client is None:
            cls.stderr = tempfile.TemporaryFile()
            cls.client = Client(SERVER, stderr=cls.stderr)
            cls.client.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
        return cls.client


@settings(max_examples=60, deadline=None)
@given(st.lists(piece(), min_size=1, max_size=8))
def test_after_any_framing_a_valid_request_is_answered(pieces):
    client = _Server.get()
    client.send_bytes(b"".join(pieces))
    msg_id = next(IDS)
    body = _hover(msg_id)
    client.send_bytes(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    assert client.wait_response(msg_id, timeout=20)["result"] is None
    assert client.proc.poll() is None


def test_the_fuzzed_server_exits_cleanly():
    client = _Server.get()
    assert client.request("shutdown", None) is None
    client.notify("exit", None)
    assert client.proc.wait(timeout=20) == 0
    _Server.stderr.seek(0)
    assert b"Traceback" not in _Server.stderr.read()
    _Server.client = None
