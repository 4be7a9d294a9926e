"""The seam between tabguard and pygls: the only module that overrides pygls or reaches past its
decorators and public request helpers.

- Bytes become messages through tabguard's own framing (`tabguard.lsp.framing`), which recovers
  from bad frames; pygls's reader would stop answering after one.
- The LSP lifecycle rules pygls leaves to servers are enforced here: nothing before `initialize`,
  one `initialize`, nothing after `shutdown`, and `exit` (or the end of the input) ends the process
  with 0 only after a `shutdown`.
- pygls's built-in didOpen/didChange/didClose handlers (of text documents and of notebooks) are
  replaced so that pygls keeps no copy of the document text (the engine owns it), and its shutdown handler so that requests still being
  answered are not cancelled.

Every pygls name this module relies on beyond the public API is listed in `PYGLS_CONTRACT` and
checked by tests/lsp/test_transport_contract.py, so a pygls release that changes one fails a test.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import stat
import sys
import threading
from typing import Any, Callable, Optional

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from tabguard.lsp import framing

log = logging.getLogger("tabguard.lsp")
STALL_S = 0.1  # no input for this long inside a body: check whether the body was shorter than declared
READ_CHUNK = 1 << 16

# pygls names used below beyond its documented API: dotted path -> parameter names the code passes
# (in order; a signature may have more). Checked by tests/lsp/test_transport_contract.py.
PYGLS_CONTRACT = {
    "pygls.protocol.language_server.lsp_method": ("method_name",),
    "pygls.protocol.LanguageServerProtocol.__init__": ("self", "server", "converter"),
    "pygls.protocol.LanguageServerProtocol.lsp_initialize": ("self", "params"),
    "pygls.protocol.LanguageServerProtocol.lsp_text_document__did_open": ("self", "params"),
    "pygls.protocol.LanguageServerProtocol.lsp_text_document__did_change": ("self", "params"),
    "pygls.protocol.LanguageServerProtocol.lsp_text_document__did_close": ("self", "params"),
    "pygls.protocol.LanguageServerProtocol.lsp_notebook_document__did_open": ("self", "params"),
    "pygls.protocol.LanguageServerProtocol.lsp_notebook_document__did_change": ("self", "params"),
    "pygls.protocol.LanguageServerProtocol.lsp_notebook_document__did_close": ("self", "params"),
    "pygls.protocol.LanguageServerProtocol.lsp_shutdown": ("self",),
    "pygls.protocol.LanguageServerProtocol.structure_message": ("self", "data"),
    "pygls.protocol.LanguageServerProtocol.handle_message": ("self", "message"),
    "pygls.protocol.LanguageServerProtocol.set_writer": ("self", "writer"),
    "pygls.feature_manager.FeatureManager.features": None,
    "pygls.lsp.server.LanguageServer.__init__": ("self", "name", "version", "notebook_document_sync"),
    "pygls.server.JsonRPCServer.__init__": ("self", "protocol_cls"),
    "pygls.server.JsonRPCServer.report_server_error": ("self", "error", "source"),
    "pygls.server.JsonRPCServer.shutdown": ("self",),
    # The logger whose client-error tracebacks `_ClientErrorsOnOneLine` keeps out of the log.
    "pygls.protocol.json_rpc.logger": None,
}

_INVALID_REQUEST = types.ErrorCodes.InvalidRequest
_NOT_INITIALIZED = types.ErrorCodes.ServerNotInitialized
_PARSE_ERROR = types.ErrorCodes.ParseError


# Raised by a handler whose request's arguments are unusable: answered with InvalidParams (-32602).
InvalidParams = JsonRpcInvalidParams


class AnsweredAlready(Exception):
    """A malformed request that has been answered with a JSON-RPC error; nothing more to report."""


class _ClientErrorsOnOneLine(logging.Filter):
    """pygls logs a whole traceback for each message whose params do not fit the protocol, and for each
    request answered with a JSON-RPC error (bad command arguments, an unknown command). Those are the
    client's mistakes, answered already and logged on one line by tabguard (`TabguardProtocol._dispatch`,
    `Server.report_server_error`): a hostile client must not fill the editor's log with tracebacks.
    A traceback of tabguard's own (any other exception) is still logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith("Unable to deserialize message"):
            return False
        return not (record.exc_info and isinstance(record.exc_info[1], JsonRpcException))


logging.getLogger("pygls.protocol.json_rpc").addFilter(_ClientErrorsOnOneLine())


def _engine_keeps_text(method: str) -> Callable[..., Any]:
    """A document-sync handler that passes the notification to ours only: pygls keeps no copy."""

    @lsp_method(method)
    def handle(self, params):
        if (handler := self.fm.features.get(method)) is not None:
            yield handler, (params,), None

    return handle


class TabguardProtocol(LanguageServerProtocol):
    """pygls's LSP protocol with the lifecycle enforced, malformed requests answered, and no copy of
    document text."""

    def __init__(self, server, converter):
        super().__init__(server, converter)
        self.initialized = False
        self.shutdown_received = False
        self.exit_code: Optional[int] = None  # set once `exit` arrives or the input ends
        self.on_finish: Callable[[int], None] = lambda code: None

    # -- sending -------------------------------------------------------------------------------
    def send_serialized(self, body: str) -> None:
        """Send a message serialized already (ASCII JSON, as `json.dumps` writes it)."""
        self.writer.write(f"Content-Length: {len(body)}\r\n\r\n{body}".encode("ascii"))

    def send_error(self, msg_id: Any, code: int, message: str) -> None:
        """An error response; `msg_id` None gives the `"id": null` that JSON-RPC asks for when the
        request's id cannot be known."""
        self.send_serialized(
            json.dumps({"jsonrpc": "2.0", "id": msg_id, "error": {"code": int(code), "message": message}})
        )

    # -- receiving -----------------------------------------------------------------------------
    def receive(self, event: framing.Event) -> None:
        """One decoded frame (or framing problem) from the client."""
        if self.exit_code is not None:
            return
        if isinstance(event, framing.Resynchronised):
            self.server_log(
                f"tabguard: bad framing from the client ({event.reason}); resynchronised on the next header"
            )
        elif isinstance(event, framing.BadBody):
            self.server_log(f"tabguard: ignored a malformed message: {event.reason}")
            self.send_error(None, _PARSE_ERROR, f"Parse error: {event.reason}")
        elif isinstance(event, framing.TooLarge):
            self.server_log(f"tabguard: skipped a message of {event.size} bytes (over the limit)")
            self.send_error(
                None,
                _INVALID_REQUEST,
                f"a message of {event.size} bytes is over the limit (tabguard lsp --max-message-bytes)",
            )
        else:
            self._dispatch(event.payload)

    def _dispatch(self, payload: Any) -> None:
        if not isinstance(payload, dict) or payload.get("jsonrpc") != "2.0":
            msg_id = payload.get("id") if isinstance(payload, dict) else None
            self.send_error(
                _valid_id(msg_id), _INVALID_REQUEST, "not a JSON-RPC 2.0 message (batches are not supported)"
            )
            return
        method = payload.get("method")
        if isinstance(method, str) and not self._admitted(method, payload):
            return
        try:
            self.handle_message(self.structure_message(payload))
        except AnsweredAlready:
            return
        except Exception as error:  # one bad message never ends the session
            log.warning("tabguard: could not handle %r: %s", method, error)
            return
        if method == types.INITIALIZE:
            self.initialized = True
        elif method == types.SHUTDOWN:
            self.shutdown_received = True

    def _admitted(self, method: str, payload: dict) -> bool:
        """The LSP lifecycle: True when the message may be handled; a refused request is answered
        with an error, a refused notification is dropped."""
        if method == types.EXIT:
            self.finish(0 if self.shutdown_received else 1)
            return False
        if self.shutdown_received:
            refusal = (_INVALID_REQUEST, f"the server is shut down; {method} refused")
        elif not self.initialized:
            if method == types.INITIALIZE:
                return True
            refusal = (_NOT_INITIALIZED, f"the server is not initialized; {method} refused")
        elif method == types.INITIALIZE:
            refusal = (_INVALID_REQUEST, "initialize was received already")
        else:
            return True
        if "id" in payload:
            self.send_error(_valid_id(payload["id"]), *refusal)
        else:
            log.info("tabguard: dropped the notification %s (%s)", method, refusal[1])
        return False

    def finish(self, code: int) -> None:
        if self.exit_code is None:
            self.exit_code = code
            self.on_finish(code)

    def structure_message(self, data):
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            msg_id = data.get("id") if isinstance(data, dict) else None
            if isinstance(data, dict) and "method" in data and isinstance(msg_id, (int, str)):
                self.send_error(msg_id, error.code, f"{error.message}: {data['method']}")
                raise AnsweredAlready() from error
            raise

    def server_log(self, message: str) -> None:
        log.warning("%s", message)
        self.send_serialized(
            json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": types.WINDOW_LOG_MESSAGE,
                    "params": {"type": int(types.MessageType.Warning), "message": message},
                }
            )
        )

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params):
        """A client is offered pull diagnostics only if it asked to pull (the `pullDiagnostics` option):
        any other is pushed to, and one that pulls by default (Neovim 0.11) would list every finding twice."""
        result = yield from super().lsp_initialize(params)
        if not getattr(self._server, "pull_diagnostics", False):
            result.capabilities.diagnostic_provider = None
        return result

    @lsp_method(types.SHUTDOWN)
    def lsp_shutdown(self, *args):
        """Requests that arrived before `shutdown` are still answered (pygls would cancel them)."""
        if (handler := self.fm.features.get(types.SHUTDOWN)) is not None:
            yield handler, args, None

    # -- document sync: the engine keeps the text, pygls does not --------------------------------
    lsp_text_document__did_open = _engine_keeps_text(types.TEXT_DOCUMENT_DID_OPEN)
    lsp_text_document__did_change = _engine_keeps_text(types.TEXT_DOCUMENT_DID_CHANGE)
    lsp_text_document__did_close = _engine_keeps_text(types.TEXT_DOCUMENT_DID_CLOSE)
    lsp_notebook_document__did_open = _engine_keeps_text(types.NOTEBOOK_DOCUMENT_DID_OPEN)
    lsp_notebook_document__did_change = _engine_keeps_text(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
    lsp_notebook_document__did_close = _engine_keeps_text(types.NOTEBOOK_DOCUMENT_DID_CLOSE)


def _valid_id(msg_id: Any) -> Any:
    return msg_id if isinstance(msg_id, (int, str)) and not isinstance(msg_id, bool) else None


class StreamWriter:
    """A writer for `set_writer` from two callables."""

    def __init__(self, write: Callable[[bytes], Any], close: Callable[[], Any]):
        self.write, self.close = write, close


class Connection(asyncio.Protocol):
    """Bytes from the client -> frames -> the protocol; the end of the input ends the session."""

    def __init__(self, protocol: TabguardProtocol, max_body: int, replies_here: bool = False):
        self.protocol = protocol
        self.decoder = framing.FrameDecoder(max_body)
        self.stall: Optional[asyncio.TimerHandle] = None
        self.replies_here = replies_here  # a socket: answers go back on the same transport

    def connection_made(self, transport) -> None:
        if self.replies_here:
            self.protocol.set_writer(StreamWriter(transport.write, transport.close))

    def data_received(self, data: bytes) -> None:
        if self.stall is not None:
            self.stall.cancel()
            self.stall = None
        self._deliver(self.decoder.feed(data))
        if self.decoder.waiting_for_body:
            self.stall = asyncio.get_running_loop().call_later(STALL_S, self._stalled)

    def _stalled(self) -> None:
        self.stall = None
        self._deliver(self.decoder.stalled())

    def _deliver(self, events: list) -> None:
        for event in events:
            try:
                self.protocol.receive(event)
            except Exception:  # a bug in one handler must not close the connection
                log.exception("tabguard: error while handling a message")

    def eof_received(self) -> bool:
        if self.decoder.inside_frame:
            log.warning("tabguard: the input ended in the middle of a message")
        self.protocol.finish(0 if self.protocol.shutdown_received else 1)
        return False

    def connection_lost(self, exc: Optional[Exception]) -> None:
        self.protocol.finish(0 if self.protocol.shutdown_received else 1)


class Server(LanguageServer):
    """pygls's language server, run over tabguard's transport; `serve_*` return the exit code."""

    def __init__(
        self, name: str, version: str, notebook_document_sync: Optional[types.NotebookDocumentSyncOptions] = None
    ):
        super().__init__(name, version, protocol_cls=TabguardProtocol, notebook_document_sync=notebook_document_sync)
        self.protocol.on_finish = self.finished
        self.max_body = framing.DEFAULT_MAX_BODY
        self._done: Optional[asyncio.Future] = None

    def finished(self, code: int) -> None:
        if self._done is not None and not self._done.done():
            self._done.set_result(code)

    def report_server_error(self, error: Exception, source) -> None:
        """Handler errors are logged, never shown as pop-ups."""
        if not isinstance(error, AnsweredAlready):
            log.warning("tabguard: %s", error)

    def serve_stdio(self, stdin=None, stdout=None) -> int:
        source = stdin or sys.stdin.buffer
        out = stdout or sys.stdout.buffer

        def write(data: bytes) -> None:
            out.write(data)
            out.flush()

        async def main() -> int:
            loop = asyncio.get_running_loop()
            self._done = loop.create_future()
            self.protocol.set_writer(StreamWriter(write, out.close))
            connection = Connection(self.protocol, self.max_body)
            if not _pollable(source):  # a file or /dev/null: the event loop cannot poll it, a thread reads it
                threading.Thread(target=_read_into, args=(source, loop, connection), daemon=True).start()
                return await self._done
            reading, _ = await loop.connect_read_pipe(lambda: connection, source)
            try:
                return await self._done
            finally:
                reading.close()

        return self._run(main)

    def serve_tcp(self, host: str, port: int) -> int:
        """One client over TCP, framed like stdio."""

        async def main() -> int:
            loop = asyncio.get_running_loop()
            self._done = loop.create_future()

            listener = await loop.create_server(lambda: Connection(self.protocol, self.max_body, True), host, port)
            async with listener:
                return await self._done

        return self._run(main)

    def _run(self, main) -> int:
        try:
            return asyncio.run(main())
        except BrokenPipeError:
            log.error("tabguard: the connection to the client is lost; shutting down")
            return 1
        except KeyboardInterrupt:
            return 1
        finally:
            self.shutdown()


def _pollable(source) -> bool:
    try:
        mode = os.fstat(source.fileno()).st_mode
    except (OSError, ValueError, AttributeError):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def _read_into(source, loop: asyncio.AbstractEventLoop, connection: Connection) -> None:
    read = getattr(source, "read1", source.read)
    while True:
        try:
            data = read(READ_CHUNK)
        except (OSError, ValueError):
            data = b""
        try:
            loop.call_soon_threadsafe(
                connection.data_received if data else connection.eof_received, *((data,) if data else ())
            )
        except RuntimeError:  # the loop has closed
            return
        if not data:
            return


class Handlers:
    """Handlers recorded the way pygls's `feature` and `command` decorators take them, registered
    on each server `register_on` is given: a module of handlers can serve many servers (a test
    process builds one per test), where decorating one module-level server allows only that one."""

    def __init__(self) -> None:
        self._entries: list[tuple[str, tuple[Any, ...], Callable[..., Any]]] = []

    def feature(self, *args: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self._record("feature", args)

    def command(self, name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self._record("command", (name,))

    def _record(self, kind: str, args: tuple[Any, ...]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def record(fn: Callable[..., Any]) -> Callable[..., Any]:
            self._entries.append((kind, args, fn))
            return fn

        return record

    def register_on(self, server: LanguageServer) -> None:
        for kind, args, fn in self._entries:
            getattr(server, kind)(*args)(fn)
