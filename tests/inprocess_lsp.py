"""Language servers built inside the test process (`tabguard.lsp.handlers.build_server`), each
served on a thread of its own over OS pipes, the way `tabguard lsp` serves its stdio: the same
transport, framing, lifecycle and handlers, without starting an interpreter (about a second of
CPU) per test. Tests about the process itself (exit codes, stderr, command-line flags, the
switch interval that keeps a busy server answering) still start `tabguard lsp`.

- `ServerThread` looks like the `subprocess.Popen` that `benchmarks/lspclient.Client` drives;
- `IN_PROCESS` is a pytest-lsp `ClientServerConfig` for `pytest_lsp.fixture`."""

from __future__ import annotations

import asyncio
import os
import subprocess
import threading
from typing import Any, Callable, Optional

import attrs
from lsprotocol import types
from pygls.io_ import run_async
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, default_converter, register_lsp_features

from tabguard.lsp.handlers import build_server


class ServerThread:
    """A new server serving a pair of pipes on a daemon thread until `exit` or the end of its
    input; `wait` gives the exit code `tabguard lsp` would have exited with."""

    def __init__(self, max_body: Optional[int] = None):
        self.server = build_server()
        if max_body is not None:
            self.server.max_body = max_body
        server_in, self.stdin = _pipe()
        self.stdout, server_out = _pipe()
        self.pid = os.getpid()
        self.returncode: Optional[int] = None
        self.error: Optional[BaseException] = None  # raised out of the server: a crash of the process
        self._thread = threading.Thread(
            target=self._serve, args=(server_in, server_out), name="tabguard-lsp", daemon=True
        )
        self._thread.start()

    def _serve(self, server_in, server_out) -> None:
        try:
            self.returncode = self.server.serve_stdio(server_in, server_out)
        except BaseException as error:
            self.error = error
        finally:
            server_in.close()
            server_out.close()  # the client reads the end of the output

    def poll(self) -> Optional[int]:
        return None if self._thread.is_alive() else self.returncode

    def wait(self, timeout: Optional[float] = None) -> Optional[int]:
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise subprocess.TimeoutExpired("tabguard lsp (in-process)", timeout or 0)
        if self.error is not None:
            raise AssertionError("the server raised (the process would have crashed)") from self.error
        return self.returncode

    def communicate(self, data: bytes, timeout: float = 60) -> tuple[bytes, Optional[int]]:
        """Give the server `data` and end its input: (all it wrote, its exit code)."""
        with self.stdin:
            self.stdin.write(data)
        with self.stdout:
            output = self.stdout.read()
        return output, self.wait(timeout)

    def kill(self) -> None:
        """End the input (the server exits as `tabguard lsp` does when its stdin closes)."""
        if not self.stdin.closed:
            self.stdin.close()


def _pipe():
    read, write = os.pipe()
    return os.fdopen(read, "rb"), os.fdopen(write, "wb")


class InProcessClient(LanguageClient):
    """pytest-lsp's client talking to a `ServerThread`; when it stops, the server must have
    exited with 0 (after `shutdown` and `exit`). It records every publish by document and version
    (`published` reads them)."""

    served: ServerThread
    reading: asyncio.Task[Any]
    pipes: tuple[asyncio.ReadTransport, asyncio.WriteTransport]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.by_version: dict[tuple[str, Optional[int]], list[types.Diagnostic]] = {}

    async def published(
        self,
        uri: str,
        version: Optional[int] = None,
        wanted: Optional[Callable[[list[types.Diagnostic]], object]] = None,
        timeout: float = 20,
    ) -> list[types.Diagnostic]:
        """The diagnostics last published for `uri` (at `version`, when given) once `wanted`
        accepts them, read from what the client recorded: a publish that arrived before the call
        counts, and two publishes back to back cannot be mistaken for one."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = self.diagnostics.get(uri) if version is None else self.by_version.get((uri, version))
            if found is not None and (wanted is None or wanted(found)):
                return list(found)
            assert loop.time() < deadline, f"{uri} (version {version}): last published {self.diagnostics.get(uri)}"
            await asyncio.sleep(0.01)

    async def stop(self):
        if self.capabilities is not None and self.error is None:
            code = await asyncio.to_thread(self.served.wait, 30)
            assert code == 0, f"the server exited with {code}"
        else:
            self.served.kill()
            await asyncio.to_thread(self.served.wait, 30)
        await self.reading
        for pipe in self.pipes:
            pipe.close()
        return await super().stop()


@attrs.define
class InProcess(ClientServerConfig):
    server_command: list[str] = attrs.field(factory=list)

    async def start(self, devtools: Optional[str] = None) -> InProcessClient:
        client = InProcessClient(converter_factory=default_converter)
        # What pytest-lsp's own factory registers, with publishes recorded by version too.
        register_lsp_features(client, {**DEFAULT_CLIENT_FEATURES, types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: _record})
        client.served = served = ServerThread()
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        reading, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), served.stdout)
        writing, _ = await loop.connect_write_pipe(asyncio.Protocol, served.stdin)
        client.pipes = reading, writing
        client.protocol.set_writer(writing)
        client.reading = asyncio.create_task(
            run_async(
                stop_event=threading.Event(),
                reader=reader,
                protocol=client.protocol,
                error_handler=client.report_server_error,
            )
        )
        return client


def _record(client: InProcessClient, params: types.PublishDiagnosticsParams) -> None:
    client.diagnostics[params.uri] = params.diagnostics
    client.by_version[(params.uri, params.version)] = params.diagnostics


IN_PROCESS = InProcess()
