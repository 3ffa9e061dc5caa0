"""Every request body is read, bounded and checked here, before any route or decoder sees it.

An ASGI middleware in front of the whole application: the size is capped while reading (``Content-Length`` is
checked first, so a declared 1 GB body is refused before a byte of it is read), the body must arrive within a
deadline (a client that stops halfway is cut off with 408), a non-empty body must be declared JSON (415
otherwise) and must be JSON this API reads (``strict_json``: UTF-8, bounded depth and numbers, no NaN, no
duplicate keys). The parsed value is left in the scope for ``body.read_json``; the bytes are replayed to the
application so that FastAPI's own body models read them as before.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from origo_node.api import strict_json
from origo_node.api.problem_handlers import problem, problem_for
from origo_node.errors import OrigoError

#: Where the middleware leaves the parsed body in the ASGI scope.
PARSED_BODY = "origo.json"
_BULK_PATH = "/api/v1/documents/bulk"
_BODYLESS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE", "TRACE"})


def _json_media_type(content_type: str | None) -> bool:
    if not content_type:
        return False
    media, _, params = content_type.partition(";")
    media = media.strip().lower()
    if media != "application/json" and not (media.startswith("application/") and media.endswith("+json")):
        return False
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8"):
            return False
    return True


class _Refused(Exception):
    def __init__(self, status: int, slug: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.slug, self.detail, self.extra = status, slug, detail, extra


class RequestGuard:
    """Bounds and checks request bodies (see the module's docstring)."""

    def __init__(self, app: ASGIApp, *, max_body: int, bulk_factor: int, body_timeout_s: float) -> None:
        self.app = app
        self.max_body = max_body
        self.bulk_factor = bulk_factor
        self.body_timeout_s = body_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        expects_body = "content-length" in headers or "transfer-encoding" in headers
        if scope["method"] in _BODYLESS and not expects_body:
            await self.app(scope, receive, send)
            return
        limit = self.max_body * (self.bulk_factor if scope["path"] == _BULK_PATH else 1)
        try:
            body = await self._read(headers, receive, limit)
            if body:
                if not _json_media_type(headers.get("content-type")):
                    raise _Refused(
                        415,
                        "unsupported-media-type",
                        f"the body must be application/json (UTF-8), not {headers.get('content-type')!r}",
                    )
                scope[PARSED_BODY] = strict_json.loads(body)
        except _Refused as refusal:
            close = refusal.status in (408, 413)  # the rest of the body may still be on its way: drop it
            response = problem(
                refusal.status,
                refusal.slug,
                refusal.detail,
                headers={"Connection": "close"} if close else None,
                **refusal.extra,
            )
            await response(scope, receive, send)
            return
        except OrigoError as exc:
            await problem_for(exc)(scope, receive, send)
            return
        except _Disconnected:
            return
        await self.app(scope, replay_body(body, receive), send)

    async def _read(self, headers: Headers, receive: Receive, limit: int) -> bytes:
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.isdigit() or len(declared) > 18:
                raise _Refused(400, "bad-request", f"Content-Length {declared[:40]!r} is not a byte count")
            if int(declared) > limit:
                raise _Refused(
                    413, "request-too-large", f"the body is {declared} bytes; at most {limit} are accepted"
                )
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(self.body_timeout_s):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        raise _Disconnected
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > limit:
                        raise _Refused(
                            413, "request-too-large", f"the body is larger than {limit} bytes", limit=limit
                        )
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            raise _Refused(
                408,
                "request-timeout",
                f"the body did not arrive within {self.body_timeout_s:g} s; send the whole request at once",
            ) from None
        return b"".join(chunks)


class _Disconnected(Exception):
    pass


def replay_body(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the app the body already read, then whatever the client sends next."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
