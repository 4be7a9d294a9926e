"""Quick fixes never leave invalid Python: the code-action layer offers a fix only when the fixed
file parses (TG411's `assert` after `;` on one line produced `x(); if not ...:`)."""

from __future__ import annotations

import ast

import pytest

from tabguard.engine.fixes import text_fix
from tabguard.engine.types import Finding, Span
from tabguard.lsp.handlers import _checked_fixes


def _apply(text: str, edits: list[dict]) -> str:
    lines = text.split("\n")
    for edit in sorted(
        edits, key=lambda e: (e["range"]["start"]["line"], e["range"]["start"]["character"]), reverse=True
    ):
        start, end = edit["range"]["start"], edit["range"]["end"]
        head, tail = lines[start["line"]][: start["character"]], lines[end["line"]][end["character"] :]
        lines[start["line"] : end["line"] + 1] = (head + edit["newText"] + tail).split("\n")
    return "\n".join(lines)


def _fixes(server, name: str, text: str) -> list[dict]:
    uri = (server.root / name).as_uri()
    mark = server.mark()
    server.notify(
        "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}
    )
    diags = server.wait_notification(
        lambda b: b.get("method") == "textDocument/publishDiagnostics" and b["params"]["uri"] == uri, mark
    )[1]
    assert "TG411" in [d["code"] for d in diags["params"]["diagnostics"]]
    everything = {"start": {"line": 0, "character": 0}, "end": {"line": len(text.split("\n")), "character": 0}}
    actions = server.request(
        "textDocument/codeAction", {"textDocument": {"uri": uri}, "range": everything, "context": {"diagnostics": []}}
    )
    return [a for a in actions if a.get("edit") and a["title"].startswith("Fix")]


@pytest.mark.parametrize(
    "line", ["    log(user); assert current_user.is_admin", "    assert current_user.is_admin; user.role = 'admin'"]
)
def test_tg411_fix_after_or_before_a_semicolon_parses(server, line):
    text = f"def promote(user):\n{line}\n    return user\n"
    (fix,) = _fixes(server, "semicolon.py", text)
    fixed = _apply(text, next(iter(fix["edit"]["changes"].values())))
    ast.parse(fixed)
    assert "if not current_user.is_admin:" in fixed and "assert" not in fixed


def test_no_fix_is_offered_where_the_rewrite_cannot_be_made(server):
    text = "def promote(user):\n    if user: assert current_user.is_admin\n    return user\n"
    assert _fixes(server, "colon.py", text) == []


def test_a_fix_whose_result_does_not_parse_is_not_offered():
    lines = ["def f(user):", "    check(user)", ""]
    broken = Finding(
        "TG411", Span(1, 4, 1, 15), "m", "high", fix_builder=text_fix(Span(1, 4, 1, 15), "if user:", "Fix", safe=False)
    )
    fine = Finding(
        "TG411",
        Span(1, 4, 1, 15),
        "m",
        "high",
        fix_builder=text_fix(Span(1, 4, 1, 15), "check(user, 1)", "Fix", safe=False),
    )
    assert [fix is not None for fix in _checked_fixes([broken, fine], lines)] == [False, True]


def test_code_action_requests_at_once_are_all_answered(server):
    """VS Code sends several codeAction requests for one position without waiting (and cancels some):
    the second one waited for the first one's fix check by spinning, which froze the server."""
    source = "import requests\n\n\ndef fetch(url):\n    r = requests.get(url, verify=False)\n    return r.json()\n"
    path = server.root / "app.py"
    path.write_text(source)
    server.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": path.as_uri(), "languageId": "python", "version": 1, "text": source}},
    )
    span = {"start": {"line": 4, "character": 26}, "end": {"line": 4, "character": 38}}
    params = {"textDocument": {"uri": path.as_uri()}, "range": span, "context": {"diagnostics": []}}
    ids = []
    for _ in range(3):
        server._id += 1
        ids.append(server._id)
        server._send({"jsonrpc": "2.0", "id": server._id, "method": "textDocument/codeAction", "params": params})
    server.notify("$/cancelRequest", {"id": ids[0]})
    for request in ids[1:]:
        answer = server.wait_response(request, timeout=30)
        assert any(action["title"].startswith("Fix: set verify=True") for action in answer["result"])
    assert server.request(
        "textDocument/hover",
        {"textDocument": {"uri": path.as_uri()}, "position": {"line": 4, "character": 30}},
        timeout=30,
    )
