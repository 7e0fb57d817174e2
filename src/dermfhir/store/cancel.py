"""Cancelling the database work of a request whose client went away.

The server opens a `Cancellation` per request and makes it current (a context variable, which the worker thread
inherits); every connection the store takes while it is current registers how to interrupt its statement
(PostgreSQL: a cancel request; SQLite: `interrupt()`). `cancel()` interrupts them; the statement then fails with
`QueryTimeout`, and the transaction rolls back.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar

_CURRENT: ContextVar[Cancellation | None] = ContextVar("dermfhir_cancellation", default=None)


class Cancellation:
    """One request's database work, interruptible from another thread."""

    def __init__(self) -> None:
        self.cancelled = False
        self._interrupts: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    def cancel(self) -> None:
        with self._lock:
            self.cancelled = True
            interrupts = list(self._interrupts)
        for interrupt in interrupts:
            with suppress(Exception):  # the connection may be gone already
                interrupt()

    @contextmanager
    def watching(self, interrupt: Callable[[], None]) -> Iterator[None]:
        with self._lock:
            if self.cancelled:
                interrupt_now = True
            else:
                interrupt_now = False
                self._interrupts.append(interrupt)
        if interrupt_now:
            from dermfhir.store.errors import QueryTimeout

            raise QueryTimeout("The request was cancelled")
        try:
            yield
        finally:
            with self._lock:
                if interrupt in self._interrupts:
                    self._interrupts.remove(interrupt)


@contextmanager
def current(cancellation: Cancellation) -> Iterator[Cancellation]:
    """Make `cancellation` the current one (in this context and the threads it starts work in)."""
    token = _CURRENT.set(cancellation)
    try:
        yield cancellation
    finally:
        _CURRENT.reset(token)


@contextmanager
def interruptible(interrupt: Callable[[], None]) -> Iterator[None]:
    """While the block runs, the current request's cancellation (if any) calls `interrupt`."""
    found = _CURRENT.get()
    if found is None:
        yield
        return
    with found.watching(interrupt):
        yield
