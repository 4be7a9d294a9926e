"""Threads that run analysis off the event loop, so that no input (a deep expression, a huge line,
a large requirements file) keeps the server from answering requests for other documents.

Daemon threads: a pathological analysis still running when the client says `exit` must not keep
the process alive. Python-level analysis gives the event loop the GIL every switch interval; the
server shortens that interval (see `handlers.serve`).
"""

from __future__ import annotations

import asyncio
import queue
import threading
from typing import Any, Callable

_Job = tuple[asyncio.AbstractEventLoop, "asyncio.Future[Any]", Callable[..., Any], tuple[Any, ...]]


class Worker:
    def __init__(self, threads: int = 1):
        self.threads = threads
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._started = 0
        # Held while a job runs: background work (the workspace index) takes it between its steps,
        # so it never runs beside an analysis.
        self.lock = threading.Lock()

    def pending(self) -> bool:
        """A job is queued or running."""
        return not self._jobs.empty() or self.lock.locked()

    def run(self, fn: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
        """`fn(*args)` on a worker thread; the future resolves on the calling event loop."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        if self._started < self.threads:
            self._started += 1
            threading.Thread(target=self._serve, name=f"tabguard-analysis-{self._started}", daemon=True).start()
        self._jobs.put((loop, future, fn, args))
        return future

    def _serve(self) -> None:
        while True:
            loop, future, fn, args = self._jobs.get()
            with self.lock:
                try:
                    outcome = (True, fn(*args))
                except BaseException as error:  # handed to the awaiting coroutine, which reports it
                    outcome = (False, error)
            try:
                loop.call_soon_threadsafe(_resolve, future, outcome)
            except RuntimeError:  # the event loop has closed: the server is exiting
                return
            del loop, future, fn, args, outcome  # an idle thread must not keep a closed document alive


def _resolve(future: asyncio.Future[Any], outcome: tuple[bool, Any]) -> None:
    if future.cancelled():
        return
    ok, value = outcome
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)
