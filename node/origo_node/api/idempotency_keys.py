"""``Idempotency-Key`` on POST requests: a retry gets the first answer, and the node acts once.

An officer's client that times out cannot tell whether its revocation, claim or issue happened; it sends the
same request again with the same ``Idempotency-Key`` header, and gets the answer the first request got (with
``Idempotent-Replayed: true``), whatever happened in between (a restart, another API worker). Keys are scoped
per API key, kept 24 hours, and durable in the node's SQLite store (``store.idempotency``). The same key with
another method, path or body is refused (422), and a retry while the first is still being handled gets 409.

Requests without a valid API key pass through untouched (they are answered 401 by the routes); so do requests
without the header. A server error (5xx) is not kept: the request may be retried.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from origo_api.problems import problem_body
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers

from origo_node.api.guard import replay_body
from origo_node.store import idempotency as stored_answers
from origo_node.store.apikeys import find_key
from origo_node.store.database import StoreDatabase

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

HEADER = "idempotency-key"
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, db: StoreDatabase, max_body_bytes: int) -> None:
        self.app = app
        self._db = db
        self._max_body = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        key = headers.get(HEADER)
        presented = _presented_key(headers)
        if key is None or presented is None:
            await self.app(scope, receive, send)
            return
        api_key = await run_in_threadpool(find_key, self._db, presented)
        if api_key is None:
            await self.app(scope, receive, send)
            return
        if not _KEY.match(key):
            await _problem(
                send, 400, "bad-request", "Idempotency-Key must be 1 to 255 visible ASCII characters"
            )
            return
        body = await _read_body(receive, self._max_body)
        if body is None:
            await _problem(send, 413, "request-too-large", f"the body is over {self._max_body} bytes")
            return
        owner = f"key:{api_key.id}"
        request_hash = _request_hash(scope, body)
        answer = await run_in_threadpool(stored_answers.claim, self._db, owner, key, request_hash)
        if answer is not None:
            await _answer_again(send, answer, request_hash, key)
            return
        await self._handle_once(scope, receive, send, body, owner, key)

    async def _handle_once(
        self, scope: Scope, receive: Receive, send: Send, body: bytes, owner: str, key: str
    ) -> None:
        status = 500
        content_type = "application/json"
        chunks: list[bytes] = []
        # The answer is held back until it is stored: a client that has it can retry and get it again.
        held: list[Message] = []

        async def capture(message: Message) -> None:
            nonlocal status, content_type
            if message["type"] == "http.response.start":
                status = int(message["status"])
                for name, value in message.get("headers", []):
                    if bytes(name).lower() == b"content-type":
                        content_type = bytes(value).decode("latin-1")
            elif message["type"] == "http.response.body":
                chunks.append(bytes(message.get("body", b"")))
            held.append(message)

        try:
            await self.app(scope, replay_body(body, receive), capture)
        except BaseException:
            await run_in_threadpool(stored_answers.release, self._db, owner, key)
            raise
        if status >= 500:
            await run_in_threadpool(stored_answers.release, self._db, owner, key)
        else:
            await run_in_threadpool(
                stored_answers.finish, self._db, owner, key, status, b"".join(chunks), content_type
            )
        for message in held:
            await send(message)


async def _answer_again(send: Send, answer: stored_answers.StoredAnswer, request_hash: str, key: str) -> None:
    if answer.request_hash != request_hash:
        await _problem(
            send,
            422,
            "idempotency-key-reused",
            f"Idempotency-Key {key!r} was used for another request (another path or body); use a new key",
        )
    elif answer.state != "done" or answer.status_code is None:
        await _problem(
            send,
            409,
            "conflict",
            f"the first request with Idempotency-Key {key!r} is still being handled; retry in a moment",
            retry_after=True,
        )
    else:
        await _respond(
            send,
            answer.status_code,
            answer.content_type or "application/json",
            answer.response or b"",
            [(b"idempotent-replayed", b"true")],
        )


def _presented_key(headers: Headers) -> str | None:
    header = headers.get("authorization")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
    return headers.get("x-api-key") or None


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        part = bytes(message.get("body", b""))
        size += len(part)
        if size > limit:
            return None
        parts.append(part)
        if not message.get("more_body", False):
            break
    return b"".join(parts)


def _request_hash(scope: Scope, body: bytes) -> str:
    h = hashlib.sha256()
    for part in (scope["method"], scope["path"], bytes(scope.get("query_string", b"")).decode("latin-1")):
        h.update(part.encode("utf-8") + b"\0")
    h.update(body)
    return h.hexdigest()


async def _problem(send: Send, status: int, slug: str, detail: str, *, retry_after: bool = False) -> None:
    body = problem_body(status, slug, detail)  # the API's one problem builder
    extra = [(b"retry-after", b"1")] if retry_after else []
    await _respond(send, status, "application/problem+json", json.dumps(body).encode(), extra)


async def _respond(
    send: Send, status: int, content_type: str, body: bytes, extra: list[tuple[bytes, bytes]]
) -> None:
    headers = [
        (b"content-type", content_type.encode("latin-1")),
        (b"content-length", str(len(body)).encode()),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
