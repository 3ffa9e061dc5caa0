"""A route's JSON body: what ``guard.RequestGuard`` read, bounded and parsed before the route ran."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from origo_node.api.guard import PARSED_BODY
from origo_node.api.strict_json import BadJson
from origo_node.errors import ValidationFailed


def read_json(request: Request) -> Any:
    """The request's JSON body; ``BadJson`` (400) when there is none."""
    if PARSED_BODY not in request.scope:
        raise BadJson("the request needs a JSON body")
    return request.scope[PARSED_BODY]


def read_documents(request: Request, limit: int) -> list[Any]:
    """The ``{"documents": [...]}`` body of the bulk routes: a non-empty list of at most ``limit``."""
    body = read_json(request)
    documents = body.get("documents") if isinstance(body, dict) else None
    if not isinstance(documents, list) or not documents:
        raise ValidationFailed(
            'expected {"documents": [...]}',
            errors=[{"pointer": "/documents", "message": "required: a non-empty list"}],
        )
    if len(documents) > limit:
        raise ValidationFailed(
            "too many documents", errors=[{"pointer": "/documents", "message": f"at most {limit}"}]
        )
    return documents
