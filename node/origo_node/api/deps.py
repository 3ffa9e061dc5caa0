"""Everything routes depend on, in one module: the node, the caller's key and role, bounded path parameters.

Keys: ``Authorization: Bearer <key>`` or ``X-API-Key``; admin may do everything. Both are declared as
security schemes, so the OpenAPI says which routes need a key (either one will do).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from origo_node.errors import Forbidden, Unauthorized
from origo_node.runtime import Node
from origo_node.store.apikeys import ApiKey, Role, find_key

#: SQLite's largest integer: ids beyond it cannot exist, and are refused (422) before any lookup.
MAX_ID = 2**63 - 1

_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer <key>`")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="The same API key, in its own header")


def node_of(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


def _presented_key(
    bearer: HTTPAuthorizationCredentials | None = Depends(_bearer),
    api_key: str | None = Depends(_api_key),
) -> str | None:
    if bearer is not None and bearer.credentials.strip():
        return bearer.credentials.strip()
    return api_key or None


def requires(*roles: Role) -> Callable[..., ApiKey]:
    """A dependency admitting keys with one of ``roles`` (or admin)."""

    def check(request: Request, presented: str | None = Depends(_presented_key)) -> ApiKey:
        if presented is None:
            raise Unauthorized("an API key is required: send 'Authorization: Bearer <key>'")
        key = find_key(node_of(request).db, presented)
        if key is None:
            raise Unauthorized("the API key is not valid")
        if key.role != "admin" and key.role not in roles:
            raise Forbidden(f"this needs the {' or '.join(roles)} role; the key has {key.role}")
        return key

    return check


def is_insider(request: Request) -> bool:
    """Whether the request carries a valid API key of this node (its own staff), read straight from the
    headers: a public route stays public in the OpenAPI, it only shows its own staff a little more."""
    header = request.headers.get("authorization", "")
    presented = (
        header[7:].strip() if header.lower().startswith("bearer ") else request.headers.get("x-api-key")
    )
    return bool(presented) and find_key(node_of(request).db, str(presented)) is not None


NodeDep = Annotated[Node, Depends(node_of)]
Officer = Annotated[ApiKey, Depends(requires("officer"))]
Reader = Annotated[ApiKey, Depends(requires("officer", "auditor"))]
Auditor = Annotated[ApiKey, Depends(requires("auditor", "officer"))]
Admin = Annotated[ApiKey, Depends(requires("admin"))]

#: A document's id (0x + 64 hex digits) or its issuer's reference number.
DocumentKey = Annotated[
    str,
    Path(
        min_length=1,
        max_length=128,
        pattern=r"^[^\x00-\x1f\x7f]+$",  # no control characters: they are in no id or reference
        description="A document id (0x + 64 hex) or reference number",
    ),
]
ProposalId = Annotated[int, Path(ge=0, le=MAX_ID, description="A proposal's number")]
ActionId = Annotated[int, Path(ge=1, le=MAX_ID, description="An action's number")]
