"""A minimal LSP client over stdio for benchmarks: frames JSON-RPC, keeps every notification."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from typing import Any, Callable, Optional


class Client:
    def __init__(
        self, command: list[str], cwd: Optional[str] = None, env: Optional[dict] = None, stderr=None, proc=None
    ):
        """Starts `command`, or drives `proc`: a server started already, with Popen's stdin,
        stdout, wait, poll and kill (the tests' in-process server)."""
        self.proc = proc or subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=cwd,
            env=env,
            stderr=stderr or open(os.environ.get("LSP_STDERR", os.devnull), "wb"),
        )
        self._id = 0
        self._lock = threading.Condition()
        self.responses: dict[int, Any] = {}
        self.notifications: list[tuple[float, dict]] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        stream = self.proc.stdout
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            body = json.loads(stream.read(length))
            now = time.perf_counter()
            with self._lock:
                if "id" in body and "method" not in body:
                    self.responses[body["id"]] = body
                elif "method" in body and "id" in body:
                    # A request from the server (e.g. workspace/configuration): answer with nulls.
                    self._send({"jsonrpc": "2.0", "id": body["id"], "result": _default_reply(body)})
                else:
                    self.notifications.append((now, body))
                self._lock.notify_all()

    def _send(self, message: dict) -> None:
        data = json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        self.proc.stdin.flush()

    def send_raw(self, body: bytes) -> None:
        """A framed message whose body is sent as given (for malformed-input tests)."""
        with self._lock:
            self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.proc.stdin.flush()

    def send_bytes(self, data: bytes) -> None:
        """Bytes exactly as given, framing and all (for framing tests)."""
        with self._lock:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()

    def wait_response(self, msg_id: Any, timeout: float = 60) -> dict:
        with self._lock:
            if not self._lock.wait_for(lambda: msg_id in self.responses, timeout):
                raise TimeoutError(f"no response to {msg_id!r}")
            return self.responses.pop(msg_id)

    def call(self, method: str, params: Any, timeout: float = 60) -> dict:
        """A request; returns the whole response (result or error)."""
        with self._lock:
            self._id += 1
            msg_id = self._id
            self._send({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
            if not self._lock.wait_for(lambda: msg_id in self.responses, timeout):
                raise TimeoutError(method)
            return self.responses.pop(msg_id)

    def request(self, method: str, params: Any, timeout: float = 60) -> Any:
        return self.call(method, params, timeout).get("result")

    def notify(self, method: str, params: Any) -> float:
        with self._lock:
            self._send({"jsonrpc": "2.0", "method": method, "params": params})
        return time.perf_counter()

    def wait_notification(
        self, predicate: Callable[[dict], bool], after: int, timeout: float = 60
    ) -> tuple[float, dict]:
        """The first notification at index >= after that matches."""
        deadline = time.monotonic() + timeout
        with self._lock:
            index = after
            while True:
                while index < len(self.notifications):
                    stamp, body = self.notifications[index]
                    index += 1
                    if predicate(body):
                        return stamp, body
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._lock.wait(remaining):
                    raise TimeoutError("notification")

    def mark(self) -> int:
        with self._lock:
            return len(self.notifications)

    def rss_mb(self) -> float:
        try:
            with open(f"/proc/{self.proc.pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            pass
        return float("nan")

    def close(self) -> None:
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
        self._reader.join(10)  # it has read the end of the output
        self.proc.stdin.close()
        self.proc.stdout.close()


def _default_reply(body: dict) -> Any:
    if body.get("method") == "workspace/configuration":
        return [None for _ in body.get("params", {}).get("items", [])]
    return None


def environment() -> dict:
    env = dict(os.environ)
    env.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    return env
