"""Analysis never holds up the event loop: while a pathological document is analysed, hovers on
another document are answered at once, and a document grown over max-file-size is never parsed.
The bound asserted here is generous (a shared 2-core machine); `benchmarks/responsiveness.py`
measures the figure the README gives."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from responsiveness import GIL_BOUND, PATHOLOGICAL, hovers_during_analysis  # noqa: E402

BOUND_S = 0.5


@pytest.mark.parametrize("name", sorted(set(PATHOLOGICAL) - GIL_BOUND))
def test_another_documents_hover_is_answered_while_a_pathological_one_is_analysed(process_server, name):
    times, hovers_before_publish = hovers_during_analysis(process_server, name)
    assert hovers_before_publish >= 1, "the analysis ended before any hover could be sent"
    assert max(times) < BOUND_S, f"{name}: slowest hover {max(times) * 1000:.0f} ms"


def _published(server, uri, mark, timeout=60):
    return server.wait_notification(
        lambda b: b.get("method") == "textDocument/publishDiagnostics" and b["params"]["uri"] == uri,
        mark,
        timeout=timeout,
    )


def test_a_document_grown_over_max_file_size_keeps_only_its_text(process_server):
    server = process_server  # its memory is measured
    uri = (server.root / "grows.py").as_uri()
    mark = server.mark()
    server.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": "import os\nos.system(input())\n"}},
    )
    assert _published(server, uri, mark)[1]["params"]["diagnostics"]
    rss_before = server.rss_mb()
    mark = server.mark()
    end = {"line": 2, "character": 0}
    bulk = "def f(x):\n    return eval(x)\n" * 180_000  # 5.4 MB
    started = time.perf_counter()
    server.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"range": {"start": end, "end": end}, "text": bulk}],
        },
    )
    cleared = _published(server, uri, mark)[1]["params"]
    elapsed = time.perf_counter() - started
    assert cleared["diagnostics"] == [] and cleared["version"] == 2
    messages = [
        b["params"]["message"] for _, b in server.notifications[mark:] if b.get("method") == "window/showMessage"
    ]
    assert len(messages) == 1 and "max-file-size" in messages[0]
    assert elapsed < 10, f"{elapsed:.1f} s: the document was analysed"
    assert server.rss_mb() - rss_before < 300
    # Typing goes on (no new message, no analysis), then it shrinks back and is analysed again.
    mark = server.mark()
    server.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": uri, "version": 3},
            "contentChanges": [{"range": {"start": end, "end": end}, "text": "x"}],
        },
    )
    server.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": 4}, "contentChanges": [{"text": "import os\nos.system(input())\n"}]},
    )
    diags = server.wait_notification(
        lambda b: b.get("method") == "textDocument/publishDiagnostics" and b["params"].get("version") == 4,
        mark,
        timeout=60,
    )[1]
    assert [d["code"] for d in diags["params"]["diagnostics"]] == ["TG101"]
    assert not [b for _, b in server.notifications[mark:] if b.get("method") == "window/showMessage"]
