import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

SERVER = [sys.executable, "-m", "tabguard", "lsp"]

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from lspclient import Client  # noqa: E402


@pytest.fixture
def server(tmp_path):
    """A `tabguard lsp` driven over raw stdio (for framing, lifecycle and timing), initialized with
    `tmp_path` as its root; it must shut down cleanly."""
    client = Client(SERVER, cwd=str(tmp_path))
    client.request("initialize", {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}})
    client.notify("initialized", {})
    client.root = tmp_path
    yield client
    client.close()
    assert client.proc.wait(timeout=30) == 0


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
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
