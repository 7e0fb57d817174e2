"""Running the app under uvicorn: its HTTP/1.1 protocol with a header-read timeout.

uvicorn waits for a request's headers as long as the client keeps the connection open, so a client sending one
byte every few seconds holds a connection (and its memory) forever. `HeaderTimeoutProtocol` closes a connection
whose request headers are not complete within `header_timeout` seconds of its first byte (or of the connection).
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

#: Default seconds a client has to send a request's headers.
HEADER_TIMEOUT = 10.0


class HeaderTimeoutProtocol(H11Protocol):
    """uvicorn's h11 protocol, closing connections that take too long to send request headers."""

    header_timeout = HEADER_TIMEOUT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._header_timer is None and (self.cycle is None or self.cycle.response_complete):
            self._arm()  # the first bytes of the next request on a kept-alive connection
        super().data_received(data)
        if self.cycle is not None and not self.cycle.response_complete:
            self._disarm()  # the headers are in

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(self.header_timeout, self._expired)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _expired(self) -> None:
        self._header_timer = None
        if self.cycle is None or self.cycle.response_complete:
            self.transport.close()


#: Seconds a thread may hold the interpreter before another runnable thread gets it (Python's default is 5 ms): a
#: short read waiting behind a costly search then waits a fraction of a millisecond per hand-over, not 5.
SWITCH_INTERVAL = 0.0005


def tune_process() -> None:
    """Process settings for serving: hand the interpreter between threads more often."""
    sys.setswitchinterval(SWITCH_INTERVAL)


def protocol(header_timeout: float) -> type[HeaderTimeoutProtocol]:
    """The protocol class with this header timeout."""
    return type("HeaderTimeout", (HeaderTimeoutProtocol,), {"header_timeout": header_timeout})
