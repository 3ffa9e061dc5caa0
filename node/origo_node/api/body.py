"""Reading request bodies ourselves: a size limit, and problem+json for anything that is not JSON."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from origo_node.errors import OrigoError


class BodyTooLarge(OrigoError):
    status = 413
    slug = "request-too-large"


class BadJson(OrigoError):
    status = 400
    slug = "bad-request"


async def read_json(request: Request, limit: int) -> Any:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(f"the body is {declared} bytes; at most {limit} are accepted", limit=limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(f"the body is larger than {limit} bytes", limit=limit)
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        raise BadJson("the request needs a JSON body")
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadJson(f"the body is not valid JSON: {exc}") from exc
