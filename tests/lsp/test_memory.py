"""A closed document leaves nothing behind: its engine document, findings and ledger tracking are
freed (no per-open `gc.freeze()` keeps them), so opening and closing files for hours does not grow
the server. In-process, through the real protocol (frames in, frames out); the RSS figures over
stdio are in `benchmarks/open_close.py`."""

from __future__ import annotations

import asyncio
import gc
import weakref

from tabguard.lsp.framing import Message
from tabguard.lsp.handlers import build_server
from tabguard.lsp.transport import StreamWriter

TEXT = "import os\n\n\ndef run(cmd):\n    os.system(cmd)\n" + "".join(
    f"\ndef f{i}(x):\n    return x + {i}\n" for i in range(50)
)


def _send(server, method: str, params: dict, msg_id=None) -> None:
    message = {"jsonrpc": "2.0", "method": method, "params": params}
    if msg_id is not None:
        message["id"] = msg_id
    server.protocol.receive(Message(message))


async def test_closed_documents_free_their_state(tmp_path):
    sent: list[bytes] = []
    server = build_server()
    server.protocol.set_writer(StreamWriter(sent.append, lambda: None))
    _send(server, "initialize", {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}}, msg_id=1)
    _send(server, "initialized", {})
    frozen = gc.get_freeze_count()
    documents = []
    for round_ in range(3):
        uris = [(tmp_path / f"m{i}.py").as_uri() for i in range(10)]
        for uri in uris:
            _send(
                server,
                "textDocument/didOpen",
                {"textDocument": {"uri": uri, "languageId": "python", "version": round_, "text": TEXT}},
            )
        for uri in uris:
            opened = await server.settled(uri)
            assert opened is not None and opened.doc is not None and opened.published
            documents.append(weakref.ref(opened.doc))
        for uri in uris:
            _send(server, "textDocument/didClose", {"textDocument": {"uri": uri}})
    assert server.documents == {}
    for ledger in server._ledgers.values():
        assert not any(ledger.is_open(tmp_path / f"m{i}.py") for i in range(10))
    assert gc.get_freeze_count() == frozen, "opening a document froze objects"
    # Work already scheduled when a document closed (a publish, a queued re-check) may hold it until
    # it runs: let the event loop and the analysis thread finish it, then nothing may keep it.
    for _ in range(40):
        gc.collect()
        if all(ref() is None for ref in documents):
            break
        await asyncio.sleep(0.05)
    assert [ref for ref in documents if ref() is not None] == [], "a closed document is still referenced"
    assert any(b'"diagnostics": []' in chunk for chunk in sent)
