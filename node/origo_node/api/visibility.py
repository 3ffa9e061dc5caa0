"""Whether a caller of a public endpoint is this member's own staff (presents a valid key of this node).

Public answers show a document's reference only to them, or to whoever typed the reference: the chain has
only the id, a hash of issuer and reference, and holding an id must not reveal more than the chain does.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from origo_node.api.deps import node_of
from origo_node.store.apikeys import find_key


def _insider(request: Request) -> bool:
    header = request.headers.get("authorization") or ""
    scheme, _, token = header.partition(" ")
    presented = token.strip() if scheme.lower() == "bearer" else request.headers.get("x-api-key", "")
    return bool(presented) and find_key(node_of(request).db, presented.strip()) is not None


Insider = Annotated[bool, Depends(_insider)]
