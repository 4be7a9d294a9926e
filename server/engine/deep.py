"""Checking deeply nested code. The rules walk expressions recursively, so an expression of 1,000
`+` terms stopped a rule with RecursionError (and hid its finding). `call_deep` runs the work in
a thread with a large stack and a raised recursion limit: 5,000 terms are checked in full."""

from __future__ import annotations

import sys
import threading
from typing import Any, Callable, TypeVar

T = TypeVar("T")

STACK_BYTES = 512 * 1024 * 1024  # address space reserved, touched only as deep as the walk goes
RECURSION_LIMIT = 60_000
_LOCK = threading.Lock()  # the recursion limit is per process: one deep call at a time


def call_deep(work: Callable[[], T]) -> T:
    """`work()` on a thread whose stack fits `RECURSION_LIMIT` frames; its result or its exception."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as error:  # handed to the caller, raised there
            outcome["error"] = error

    with _LOCK:
        thread = threading.Thread(target=target, name="tabguard-deep", daemon=True)
        old_stack, old_limit = threading.stack_size(STACK_BYTES), sys.getrecursionlimit()
        sys.setrecursionlimit(max(old_limit, RECURSION_LIMIT))
        try:
            thread.start()  # the stack size applies to threads started from now
        finally:
            threading.stack_size(old_stack)
        try:
            thread.join()
        finally:
            sys.setrecursionlimit(old_limit)
    if "error" in outcome:
        raise outcome["error"]
    value: T = outcome["value"]
    return value
