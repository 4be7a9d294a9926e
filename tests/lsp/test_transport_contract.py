"""The pygls contract: every pygls name tabguard relies on beyond the documented API is listed in
`tabguard.lsp.transport.PYGLS_CONTRACT`, exists with the parameters the code passes, and is used in
that module only. A pygls release that renames or reshapes one fails here, not in the editor."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.feature_manager import FeatureManager
from pygls.protocol import LanguageServerProtocol

from tabguard.lsp import transport

SERVER_DIR = Path(__file__).resolve().parents[2] / "server"


def _resolve(path: str):
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise ImportError(path)


@pytest.mark.parametrize("path", sorted(transport.PYGLS_CONTRACT))
def test_each_pygls_name_exists_with_the_parameters_we_pass(path):
    obj = _resolve(path)  # AttributeError/ImportError: pygls changed
    expected = transport.PYGLS_CONTRACT[path]
    if expected is None:
        return
    params = list(inspect.signature(obj).parameters)
    positions = [params.index(name) if name in params else -1 for name in expected]
    assert -1 not in positions and positions == sorted(positions), f"{path}{tuple(params)} lacks {expected}"


def test_our_handlers_replace_pyglss_builtins():
    server = transport.Server("contract", "0")
    assert isinstance(server.protocol.fm, FeatureManager) and isinstance(server.protocol.fm.features, dict)
    for method in (
        types.INITIALIZE,
        types.TEXT_DOCUMENT_DID_OPEN,
        types.TEXT_DOCUMENT_DID_CHANGE,
        types.TEXT_DOCUMENT_DID_CLOSE,
        types.SHUTDOWN,
        types.NOTEBOOK_DOCUMENT_DID_OPEN,
        types.NOTEBOOK_DOCUMENT_DID_CHANGE,
        types.NOTEBOOK_DOCUMENT_DID_CLOSE,
    ):
        handler = server.protocol.fm.builtin_features[method]
        ours = [name for name, member in vars(transport.TabguardProtocol).items() if member is handler.__func__]
        assert ours, method
        original = [m for m in vars(LanguageServerProtocol).values() if getattr(m, "method_name", None) == method]
        assert [m.__name__ for m in original] == ours, "pygls renamed a built-in handler"


def test_structure_message_still_types_a_request_and_raises_on_bad_params():
    protocol = transport.Server("contract", "0").protocol
    request = protocol.structure_message(
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "textDocument/hover",
            "params": {"textDocument": {"uri": "file:///a.py"}, "position": {"line": 0, "character": 0}},
        }
    )
    assert isinstance(request, types.HoverRequest)
    sent = []
    protocol.set_writer(transport.StreamWriter(sent.append, lambda: None))
    with pytest.raises(transport.AnsweredAlready):
        protocol.structure_message(
            {"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": {"position": "x"}}
        )
    assert b'"id": 2' in sent[0] and b"-32602" in sent[0]


def test_no_other_module_reaches_into_pygls():
    """pygls is imported by the transport seam only (pygls.uris, a plain helper, is allowed); no
    module touches private members of the server's protocol."""
    offenders = []
    for path in SERVER_DIR.rglob("*.py"):
        if path.name == "transport.py":
            continue
        text = path.read_text()
        for line in text.splitlines():
            if re.match(r"\s*(from|import) pygls(?!\.uris\b)", line) or re.search(
                r"protocol\._|\bls\._|server\._", line
            ):
                offenders.append(f"{path.relative_to(SERVER_DIR)}: {line.strip()}")
    assert not offenders, offenders
