"""When a document is analysed, and where: never on the event loop.

Edits are applied on the loop (splicing lines is cheap); parsing and checking run on a worker
thread. While a document is being analysed its edits queue; when the analysis ends they are applied
and the document analysed again before anything is published, so a version that was superseded
meanwhile is never published. Requests for a document wait until its analysis has caught up with
its text (`settled`); requests for other documents do not wait at all.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable, Optional

from tabguard.lsp.worker import Worker

log = logging.getLogger("tabguard.lsp")
TYPING_DEBOUNCE_S = 0.03


class Scheduling:
    """Mixed into the server, which provides `documents`, `analysis_step`, `apply_changes`,
    `record_accept`, `send_diagnostics`, `persist_accepts` and `record_edits`."""

    worker = Worker()

    def edit(self, opened, changes) -> None:
        """A didChange: applied now, or queued while the document is being analysed. An accept or a
        bulk deletion is published at once, plain typing after a short debounce."""
        opened.saved = False
        if opened.analysing or not opened.has_text:
            opened.queued.append(changes)
            self.publish(opened)
            return
        self._apply(opened, changes)
        if opened.urgent:
            opened.urgent = False
            self.publish(opened)
        else:
            self.schedule_publish(opened)

    def _apply(self, opened, changes) -> None:
        for start, end in self.apply_changes(opened, changes):
            self.record_accept(opened, start, end, "bulk-insert", inferred=True)
            opened.urgent = True

    def publish(self, opened) -> None:
        """Analyse what changed (off the loop), then publish."""
        if opened.flush_handle is not None:
            opened.flush_handle.cancel()
            opened.flush_handle = None
        opened.want_publish = True
        self._start(opened)

    def analyse(self, opened) -> None:
        """Bring the analysis up to date (off the loop); it publishes only if it asks to."""
        self._start(opened)

    def schedule_publish(self, opened) -> None:
        if opened.flush_handle is not None:
            opened.flush_handle.cancel()
        loop = asyncio.get_running_loop()
        opened.flush_handle = loop.call_later(TYPING_DEBOUNCE_S, self._publish_if_open, opened.uri)

    def _publish_if_open(self, uri: str) -> None:
        opened = self.documents.get(uri)
        if opened is not None:
            opened.flush_handle = None
            self.publish(opened)

    async def settled(self, uri: Any):
        """The open document once its analysis has caught up with its text; None if not open."""
        opened = self.documents.get(uri) if isinstance(uri, str) else None
        while opened is not None and (opened.job is not None or opened.queued or self.analysis_step(opened, peek=True)):
            if opened.analysing and opened.job is None:
                await asyncio.sleep(0.002)  # held by `in_worker`; its edits are applied when it is done
            else:
                await asyncio.shield(self._start(opened))
            opened = self.documents.get(uri)
        return opened

    async def idle(self, uri: str):
        """The open document once it is settled and no analysis nor `in_worker` holds it; None if
        it is not open (or closes meanwhile)."""
        while True:
            opened = await self.settled(uri)
            if opened is None or (opened.job is None and not opened.analysing):
                return opened
            # Held by another `in_worker` (two code-action requests at once): `settled` returns at
            # once then, so yield to the loop or this would spin forever without letting it finish.
            await asyncio.sleep(0.002)

    async def in_worker(self, opened, fn: Callable[[], Any]) -> Any:
        """`fn()` on the analysis thread once the document is settled, its edits queued meanwhile
        (work that parses, like building a fix, must not run beside the analysis: CPython 3.11's
        parser is not safe in two threads at once)."""
        opened = await self.idle(opened.uri)
        if opened is None:
            return None
        opened.analysing = True
        try:
            return await self.worker.run(fn)
        finally:
            opened.analysing = False
            if opened.queued or opened.want_publish:
                self._start(opened)

    def _start(self, opened) -> asyncio.Future:
        if opened.job is None:
            opened.job = asyncio.ensure_future(self._settle(opened))
        return opened.job

    async def _settle(self, opened) -> None:
        try:
            while self.documents.get(opened.uri) is opened:
                if opened.analysing:  # held by `in_worker`, which starts this again when done
                    return
                if opened.queued and opened.has_text:
                    queued, opened.queued = opened.queued, []
                    for changes in queued:
                        self._apply(opened, changes)
                step: Optional[tuple[Callable, Optional[Callable]]] = self.analysis_step(opened)
                if step is None:
                    if opened.want_publish:
                        opened.want_publish = False
                        self.send_diagnostics(opened)
                    return
                run, done = step
                opened.analysing = True
                try:
                    result = await self.worker.run(run)
                finally:
                    opened.analysing = False
                if done is not None and self.documents.get(opened.uri) is opened:
                    done(result)
        except Exception:  # a bug in one document's analysis must not stop the others
            log.exception("tabguard: analysing %s failed", opened.uri)
            opened.failed = True
        finally:
            opened.job = None
            self.persist_accepts()  # accepts are written once their findings are out
            if self.documents.get(opened.uri) is opened:
                self.record_edits(opened)  # a save that came while its edits were queued
