"""API keys and roles: ``Authorization: Bearer <key>`` or ``X-API-Key``; admin may do everything."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

from origo_node.errors import Forbidden, Unauthorized
from origo_node.store.apikeys import ApiKey, Role, find_key


def _presented_key(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
    return request.headers.get("x-api-key") or None


def requires(*roles: Role) -> Callable[[Request], ApiKey]:
    """A FastAPI dependency admitting keys with one of ``roles`` (or admin)."""

    def check(request: Request) -> ApiKey:
        presented = _presented_key(request)
        if presented is None:
            raise Unauthorized("an API key is required: send 'Authorization: Bearer <key>'")
        key = find_key(request.app.state.node.db, presented)
        if key is None:
            raise Unauthorized("the API key is not valid")
        if key.role != "admin" and key.role not in roles:
            raise Forbidden(f"this needs the {' or '.join(roles)} role; the key has {key.role}")
        return key

    return check


def optional_key(request: Request) -> ApiKey | None:
    presented = _presented_key(request)
    return None if presented is None else find_key(request.app.state.node.db, presented)
