"""A deadline on reading a request's headers, for ``movieagg serve`` (uvicorn has none).

uvicorn times out idle keep-alive connections, but not one that has sent nothing yet or only
part of its headers: 1,100 such connections (slowloris) stayed open for 40 s and more, each
holding a socket and memory. :func:`guarded_protocol` wraps uvicorn's HTTP protocol class so
that a connection must complete its request headers within ``header_timeout`` seconds of
connecting (or of its next request's first byte); otherwise it gets a 408 and is closed.
"""

from __future__ import annotations

import asyncio
from typing import Any

_HEADERS_END = (b"\r\n\r\n", b"\n\n")
_TIMED_OUT = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"


def guarded_protocol(header_timeout: float) -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol (httptools if installed, else h11) with a header read deadline."""
    base: Any
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as base
    except ImportError:  # pragma: no cover - serve's extra installs httptools
        from uvicorn.protocols.http.h11_impl import H11Protocol as base

    class HeaderDeadline(base):  # type: ignore[misc]
        """A request's headers must arrive within ``header_timeout`` seconds."""

        timeout = header_timeout

        def connection_made(self, transport: asyncio.Transport) -> None:
            self._deadline: asyncio.TimerHandle | None = None
            self._awaiting_headers = True
            self._tail = b""
            super().connection_made(transport)
            self._arm(self.timeout)  # a client that connects and says nothing

        def data_received(self, data: bytes) -> None:
            if self._awaiting_headers:
                if self._deadline is None:
                    self._arm(self.timeout)
                seen = self._tail + data
                if any(end in seen for end in _HEADERS_END):
                    self._awaiting_headers = False
                    self._disarm()
                else:
                    self._tail = seen[-3:]
            super().data_received(data)

        def on_response_complete(self) -> None:
            super().on_response_complete()
            # The next request's headers: uvicorn closes an idle keep-alive connection itself;
            # this also bounds one whose next request was already partly sent (pipelined).
            self._awaiting_headers = True
            self._tail = b""
            self._arm(self.timeout + self.timeout_keep_alive)

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self, seconds: float) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(seconds, self._expired)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expired(self) -> None:
            self._deadline = None
            if self._awaiting_headers and not self.transport.is_closing():
                self.transport.write(_TIMED_OUT)
                self.transport.close()

    return HeaderDeadline


__all__ = ["guarded_protocol"]
