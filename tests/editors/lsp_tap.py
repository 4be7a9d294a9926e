"""Test helper: run an LSP server over stdio and log every message both ways as JSON lines.

    python lsp_tap.py LOG -- server command...

Bytes pass through unchanged; the log shows what the server process actually received (direction
"to_server") and sent ("to_client"), in order. Used by the VS Code end-to-end test to check that an
accepted suggestion reached the server after the edit it describes. The server's process id is
written to LOG.pid (a test kills it to see the editor start it again)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from typing import BinaryIO


def _pump(source: BinaryIO, sink: BinaryIO, direction: str, log, lock: threading.Lock) -> None:
    while True:
        headers = b""
        while not headers.endswith(b"\r\n\r\n"):
            byte = source.read(1)
            if not byte:
                sink.close()
                return
            headers += byte
        length = next(
            int(line.split(b":", 1)[1])
            for line in headers.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        body = source.read(length)
        sink.write(headers + body)
        sink.flush()
        with lock:
            log.write(json.dumps({"direction": direction, "message": json.loads(body)}) + "\n")
            log.flush()


def main(argv: list[str]) -> int:
    log_path, separator, *command = argv
    assert separator == "--" and command, __doc__
    server = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    with open(f"{log_path}.pid", "w", encoding="utf-8") as pid:
        pid.write(str(server.pid))
    lock = threading.Lock()
    with open(log_path, "a", encoding="utf-8") as log:
        threading.Thread(
            target=_pump,
            args=(sys.stdin.buffer, server.stdin, "to_server", log, lock),
            daemon=True,
        ).start()
        _pump(server.stdout, sys.stdout.buffer, "to_client", log, lock)
    return server.wait()


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    # Not sys.exit: interpreter shutdown aborts (SIGABRT) while the stdin thread is blocked in a read.
    os._exit(code if code >= 0 else 128 - code)
