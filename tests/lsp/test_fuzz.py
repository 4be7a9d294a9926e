"""Fuzzing the server over stdio with a real client: random sequences of opens, incremental and full
changes, accepts, hovers, code actions, commands, saves and closes, over text with CRLF, tabs, emoji
and CJK (UTF-16 surrogate pairs), a BOM, form feeds, deep nesting and unterminated strings/brackets.

Properties: the server answers every request; every diagnostic lies inside the document; after each
sequence the diagnostics equal those of a from-scratch analysis of the client's text; every quick fix
applies cleanly. Budget: the `ci` hypothesis profile; `--hypothesis-profile=long` for 10,000+."""

from __future__ import annotations

import re
import sys
from itertools import count
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tabguard.analysis import analyze_text, visible
from tabguard.lsp.positions import Encoding

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from lspclient import Client  # noqa: E402

SERVER = [sys.executable, "-m", "tabguard", "lsp"]
PIECES = [
    "import os, subprocess, requests\n",
    "def f(cmd):\n\tos.system(cmd)\n",
    "x = '😀中文'; requests.get(u, verify=False, timeout=5)\n",
    "\r\n",
    "\n",
    "\t",
    "\f",
    "é",
    "😀",
    "中",
    "(",
    ")",
    "[",
    "]",
    "'''",
    '"',
    "'",
    "\\\n",
    "    ",
    "#",
    ":",
    "class K:\n    def m(self):\n        eval(self.x)\n",
    "subprocess.run(c, shell=True)\n",
    "((((((((((((((((((((1))))))))))))))))))))\n",
    "if x:\n    pass\nelse:\n    os.popen(y)\n",
    "@app.route('/a/<id>')\ndef v(id):\n    cursor.execute(f'SELECT {id}')\n",
    "\ufeff",
    "s = '''unterminated\n",
    "call(\n",
    "yaml.load(data)\n",
]
LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split(text: str) -> list[str]:
    return LINE_BREAK.split(text)


def utf16(line: str, col: int) -> int:
    return len(line[:col].encode("utf-16-le")) // 2


def offset_to_position(text: str, offset: int) -> dict:
    lines = split(text[:offset])
    return {"line": len(lines) - 1, "character": utf16(lines[-1], len(lines[-1]))}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz")
    (root / ".git").mkdir()
    client = Client(SERVER, cwd=str(root))
    client.request("initialize", {"processId": None, "rootUri": root.as_uri(), "capabilities": {}})
    client.notify("initialized", {})
    client.root = root
    client.names = count()
    yield client
    client.close()
    assert client.proc.wait(timeout=10) == 0


steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("edit"),
            st.floats(0, 1),
            st.integers(0, 30),
            st.lists(st.sampled_from(PIECES), max_size=4).map("".join),
        ),
        st.tuples(
            st.just("full"), st.just(0.0), st.just(0), st.lists(st.sampled_from(PIECES), max_size=8).map("".join)
        ),
        st.tuples(
            st.sampled_from(["hover", "actions", "accept", "save", "explain", "review", "status"]),
            st.floats(0, 1),
            st.integers(0, 30),
            st.just(""),
        ),
    ),
    min_size=1,
    max_size=8,
)


@given(initial=st.lists(st.sampled_from(PIECES), max_size=12).map("".join), script=steps)
def test_random_sessions_keep_the_server_correct(server, initial, script):
    uri = (server.root / f"f{next(server.names)}.py").as_uri()
    text, version = initial, 1
    server.notify(
        "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": version, "text": text}}
    )
    for kind, where, length, new in script:
        start = _boundary(text, int(where * len(text)))
        end = _boundary(text, min(len(text), start + length))
        if kind == "edit":
            version += 1
            rng = {"start": offset_to_position(text, start), "end": offset_to_position(text, end)}
            server.notify(
                "textDocument/didChange",
                {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"range": rng, "text": new}]},
            )
            text = text[:start] + new + text[end:]
        elif kind == "full":
            version += 1
            server.notify(
                "textDocument/didChange",
                {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": new}]},
            )
            text = new
        elif kind == "hover":
            server.request(
                "textDocument/hover",
                {"textDocument": {"uri": uri}, "position": offset_to_position(text, start)},
                timeout=30,
            )
        elif kind == "actions":
            rng = {"start": offset_to_position(text, start), "end": offset_to_position(text, end)}
            actions = server.request(
                "textDocument/codeAction",
                {"textDocument": {"uri": uri}, "range": rng, "context": {"diagnostics": []}},
                timeout=30,
            )
            for action in actions or []:
                for edit in (action.get("edit") or {}).get("changes", {}).get(uri, []):
                    _assert_inside(text, edit["range"])
        elif kind == "accept":
            rng = {"start": offset_to_position(text, start), "end": offset_to_position(text, end)}
            server.notify(
                "tabguard/didAcceptSuggestion",
                {"textDocument": {"uri": uri, "version": version}, "range": rng, "origin": "fuzz"},
            )
        elif kind == "save":
            server.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
        elif kind == "explain":
            assert "error" in server.call(
                "workspace/executeCommand",
                {"command": "tabguard.explain", "arguments": [{"rule": "TG999"}]},
                timeout=30,
            )
        elif kind == "review":
            rng = {"start": offset_to_position(text, start), "end": offset_to_position(text, end)}
            server.call(
                "workspace/executeCommand",
                {"command": "tabguard.markReviewed", "arguments": [{"uri": uri, "range": rng}]},
                timeout=30,
            )
        elif kind == "status":
            assert "findings" in server.request("tabguard/fileStatus", {"textDocument": {"uri": uri}}, timeout=30)
    # The pull request answers from the server's current state of this version.
    report = server.request("textDocument/diagnostic", {"textDocument": {"uri": uri}}, timeout=60)
    got = sorted(
        (
            d["code"],
            d["range"]["start"]["line"],
            d["range"]["start"]["character"],
            d["range"]["end"]["line"],
            d["range"]["end"]["character"],
        )
        for d in report["items"]
    )
    for d in report["items"]:
        _assert_inside(text, d["range"])
    fresh = analyze_text(text)
    lines, encoding = fresh.lines, Encoding("utf-16")

    def keys(findings):
        return {(f.rule_id, *_flat(encoding.range(lines, f.span))) for f in findings}

    # Equal to a from-scratch analysis, up to suppressions: those inside unreviewed AI spans (made by
    # the accepts above) are not honoured by the server, all others are.
    assert keys(visible(fresh.findings(), lines)) <= set(got) <= keys(fresh.findings())
    assert len(got) == len(set(got))
    server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})


def _boundary(text: str, offset: int) -> int:
    """An offset that is a valid LSP position: never between the \\r and \\n of a CRLF."""
    if 0 < offset < len(text) and text[offset - 1] == "\r" and text[offset] == "\n":
        return offset + 1
    return offset


def _flat(rng) -> tuple[int, int, int, int]:
    return rng.start.line, rng.start.character, rng.end.line, rng.end.character


def _assert_inside(text: str, rng: dict) -> None:
    lines = split(text)
    for end in ("start", "end"):
        pos = rng[end]
        assert 0 <= pos["line"] < len(lines), (rng, len(lines))
        assert 0 <= pos["character"] <= utf16(lines[pos["line"]], len(lines[pos["line"]])), rng


def test_a_five_megabyte_file_is_skipped_with_a_message(server):
    uri = (server.root / "huge.py").as_uri()
    mark = server.mark()
    server.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": "x = '😀'\n" * 600_000}},
    )
    message = server.wait_notification(lambda b: b.get("method") == "window/showMessage", mark, timeout=30)[1]
    assert "max-file-size" in message["params"]["message"]
    assert (
        server.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 1, "character": 1}})
        is None
    )
