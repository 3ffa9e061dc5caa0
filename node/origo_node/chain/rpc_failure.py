"""What went wrong when a chain node did not answer, in words an operator reads.

The HTTP library's own text (``HTTPConnectionPool(host=..., port=...): Max retries exceeded with url: /
(Caused by NewConnectionError(...))``) would otherwise reach logs, ``/healthz`` and error answers; it says the
facts in the library's terms. This module says the same facts plainly; the library's text is logged at debug
level only.
"""

from __future__ import annotations

import logging
import socket

import requests

log = logging.getLogger(__name__)


def why(exc: BaseException) -> str:
    """Why a request to a chain node failed, as a clause: "nothing listens there (connection refused)"."""
    log.debug("chain node request failed", exc_info=exc)
    rpc_error = rpc_error_message(exc)
    if rpc_error is not None:
        return f"it answered with an error: {rpc_error}"
    if isinstance(exc, requests.Timeout | socket.timeout | TimeoutError):
        return "no answer came within the time allowed"
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        return f"it answered HTTP {exc.response.status_code}"
    cause = _root_cause(exc)
    if isinstance(cause, ConnectionRefusedError):
        return "nothing listens there (connection refused)"
    if isinstance(cause, socket.gaierror):
        return "its host name does not resolve"
    if isinstance(cause, ConnectionResetError | BrokenPipeError):
        return "it closed the connection"
    if isinstance(exc, requests.ConnectionError):
        return "the connection failed"
    if isinstance(exc, ValueError):
        return "its answer is not JSON-RPC"
    return "the request failed"


def rpc_error_message(exc: BaseException) -> str | None:
    """The chain node's own words when it answered with a JSON-RPC error (web3's ``Web3RPCError``)."""
    response = getattr(exc, "rpc_response", None)
    error = response.get("error") if isinstance(response, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    return message if isinstance(message, str) and message else None


def _root_cause(exc: BaseException) -> BaseException:
    """The innermost cause: requests wraps urllib3's error, which wraps the socket's."""
    seen: set[int] = set()
    current = exc
    while id(current) not in seen:
        seen.add(id(current))
        inner = current.__cause__ or current.__context__
        if inner is None:
            # urllib3's MaxRetryError keeps the socket error in .reason, not as the cause.
            inner = getattr(current, "reason", None)
            if not isinstance(inner, BaseException):
                return current
        current = inner
    return current
