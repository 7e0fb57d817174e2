"""How many searches run at once: a bound on all searches, and a smaller one on costly searches (chains, `_has`,
substring matches, sorting, includes, large pages), so that they leave ordinary reads and searches their share of
the cores however many costly searches clients send. A search waits for its slots up to a timeout, then answers 503
with Retry-After."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from dermfhir.server.errors import ServiceUnavailable


class SearchGate:
    """At most `searches` searches at once, of which at most `costly` are costly."""

    def __init__(self, searches: int, costly: int) -> None:
        self._all = threading.BoundedSemaphore(max(1, searches))
        self._costly = threading.BoundedSemaphore(max(1, min(costly, searches)))

    @contextmanager
    def admit(self, costly: bool, timeout: float) -> Iterator[None]:
        """Hold a search slot (and a costly one when `costly`) while the block runs; ServiceUnavailable when none
        came free within `timeout` seconds. A costly search waits for its costly slot first, holding nothing."""
        deadline = time.monotonic() + timeout
        if costly and not self._costly.acquire(timeout=timeout):
            raise ServiceUnavailable("Too many costly searches are running; try again shortly")
        try:
            if not self._all.acquire(timeout=max(0.0, deadline - time.monotonic())):
                raise ServiceUnavailable("Too many searches are running; try again shortly")
            try:
                yield
            finally:
                self._all.release()
        finally:
            if costly:
                self._costly.release()
