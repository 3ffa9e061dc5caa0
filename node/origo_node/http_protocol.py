"""uvicorn's HTTP protocol with the limits it lacks: a deadline for a request's line and headers, and caps on
their size.

uvicorn times out idle kept-alive connections, but not a client that opens a connection and sends nothing, or
half a request line, or headers one byte a minute: each such connection holds a socket and a file descriptor
for ever, and a few thousand of them starve the node. Here every request must have its headers in within
``header_timeout_s`` of its first byte (or of the connection, for the first request) and they may not
exceed ``MAX_URL_BYTES`` / ``MAX_HEADER_BYTES`` / ``MAX_HEADERS``; otherwise the node answers 408, 414 or 431
and closes the connection. The body's own deadline is kept by ``api.guard.RequestGuard``.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import uvicorn
from origo_api.problems import MEDIA_TYPE, problem_body
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

DEFAULT_HEADER_TIMEOUT_S = 10.0
MAX_URL_BYTES = 8 * 1024
MAX_HEADER_BYTES = 32 * 1024
MAX_HEADERS = 100
_SLUGS = {408: "request-timeout", 414: "uri-too-long", 431: "headers-too-large"}


class DeadlineProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the deadline and caps above; ``header_timeout_s`` from its config.

    A class of the module, not of a function: with several workers uvicorn pickles the config, class included.
    """

    _deadline: asyncio.TimerHandle | None = None
    _header_bytes = 0
    _refused = False

    def __init__(self, config: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        self._header_timeout_s = float(getattr(config, "header_timeout_s", DEFAULT_HEADER_TIMEOUT_S))

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if self._deadline is None and (self.cycle is None or self.cycle.response_complete):
            self._arm()  # the first byte of a next request on a kept-alive connection
        super().data_received(data)

    def on_message_begin(self) -> None:
        self._header_bytes = 0
        super().on_message_begin()

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > MAX_URL_BYTES:
            self._refuse(414, f"the request's URL is longer than {MAX_URL_BYTES} bytes")

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_bytes += len(name) + len(value)
        if self._header_bytes > MAX_HEADER_BYTES or len(self.headers) >= MAX_HEADERS:
            self._refuse(431, f"the headers exceed {MAX_HEADERS} fields or {MAX_HEADER_BYTES} bytes")
            return
        super().on_header(name, value)

    def on_body(self, body: bytes) -> None:
        if not self._refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if not self._refused:
            super().on_message_complete()

    def on_headers_complete(self) -> None:
        self._disarm()
        if not self._refused:
            super().on_headers_complete()

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self._header_timeout_s, self._timed_out)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _timed_out(self) -> None:
        self._deadline = None
        if self.cycle is None or self.cycle.response_complete:
            detail = f"the request's headers did not arrive within {self._header_timeout_s:g} s"
            self._refuse(408, detail)

    def _refuse(self, status: int, detail: str) -> None:
        if self._refused or self.transport.is_closing():
            return
        self._refused = True
        self._disarm()
        body = json.dumps(problem_body(status, _SLUGS[status], detail)).encode()
        reason = {408: "Request Timeout", 414: "URI Too Long", 431: "Request Header Fields Too Large"}
        head = (
            f"HTTP/1.1 {status} {reason[status]}\r\ncontent-type: {MEDIA_TYPE}\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
        ).encode()
        self.transport.write(head + body)
        self.transport.close()


class NodeServerConfig(uvicorn.Config):
    """uvicorn's config with the node's protocol and its header deadline."""

    def __init__(
        self, app: Any, *, header_timeout_s: float = DEFAULT_HEADER_TIMEOUT_S, **kwargs: Any
    ) -> None:
        kwargs.setdefault("http", DeadlineProtocol)
        kwargs.setdefault("timeout_keep_alive", 5)
        super().__init__(app, **kwargs)
        self.header_timeout_s = header_timeout_s
