import logging
import re
import sys
from pathlib import Path

import pytest
import pytest_lsp
from inprocess_lsp import IN_PROCESS, ServerThread
from lsprotocol import types
from pytest_lsp import LanguageClient

SERVER = [sys.executable, "-m", "tabguard", "lsp"]

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from lspclient import Client  # noqa: E402


def _initialized(client: Client, root: Path) -> Client:
    client.request("initialize", {"processId": None, "rootUri": root.as_uri(), "capabilities": {}})
    client.notify("initialized", {})
    client.root = root
    return client


@pytest.fixture
def server(tmp_path, caplog):
    """A server built in this process (tests/inprocess_lsp.py), driven over raw pipes (for framing,
    protocol and lifecycle), initialized with `tmp_path` as its root; it must shut down cleanly,
    without logging a traceback."""
    client = _initialized(Client([], proc=ServerThread()), tmp_path)
    yield client
    client.close()
    assert client.proc.wait(timeout=30) == 0
    # Every phase's records (`caplog.text` holds the current phase's only: the teardown's).
    records = [*caplog.get_records("setup"), *caplog.get_records("call"), *caplog.records]
    assert not [r for r in records if "Traceback" in logging.Formatter().format(r)]


@pytest.fixture(scope="module")
def _process(tmp_path_factory):
    client = _initialized(Client(SERVER, cwd=str(tmp_path_factory.getbasetemp())), tmp_path_factory.mktemp("process"))
    client.workspace = client.root
    yield client
    client.close()
    assert client.proc.wait(timeout=30) == 0


@pytest.fixture
def process_server(_process, request):
    """`tabguard lsp` in a process of its own (for what only the process shows: its memory, the
    switch interval it sets so a busy analysis thread hands the event loop the GIL), one for the
    tests of a module; `root` is a folder of the test's own inside its workspace."""
    _process.root = _process.workspace / re.sub(r"\W+", "-", request.node.name)
    _process.root.mkdir()
    return _process


@pytest_lsp.fixture(config=IN_PROCESS)
async def client(lsp_client: LanguageClient, tmp_path):
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(
                general=types.GeneralClientCapabilities(position_encodings=[types.PositionEncodingKind.Utf16])
            ),
            root_uri=tmp_path.as_uri(),
            workspace_folders=[types.WorkspaceFolder(tmp_path.as_uri(), "ws")],
        )
    )
    lsp_client.workspace_root = tmp_path
    yield
    await lsp_client.shutdown_session()
