"""A route's JSON body: what ``guard.RequestGuard`` read, bounded and parsed before the route ran."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from origo_node.api.guard import PARSED_BODY
from origo_node.api.strict_json import BadJson


def read_json(request: Request) -> Any:
    """The request's JSON body; ``BadJson`` (400) when there is none."""
    if PARSED_BODY not in request.scope:
        raise BadJson("the request needs a JSON body")
    return request.scope[PARSED_BODY]
