"""What anyone may ask: status, verification, members, document types."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool

from origo_node.api.body import read_json
from origo_node.documents import all_types, find_type
from origo_node.errors import NotFound
from origo_node.runtime import Node

router = APIRouter()


def node_of(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


@router.get("/healthz", tags=["public"], summary="Liveness, chain head, index position, outbox backlog")
def health(request: Request) -> dict[str, Any]:
    return node_of(request).health()


@router.get("/api/v1/members", tags=["public"], summary="The consortium's members as the chain says now")
def members(request: Request) -> list[dict[str, Any]]:
    return [m.as_dict() for m in sorted(node_of(request).directory.all(), key=lambda m: m.code)]


@router.get("/api/v1/types", tags=["public"], summary="The document types this node accepts")
def types() -> list[dict[str, str]]:
    return [
        {"type": t.name, "version": t.version, "schema_url": f"/api/v1/types/{t.name}/{t.version}/schema"}
        for t in sorted(all_types(), key=lambda t: (t.name, t.version))
    ]


@router.get("/api/v1/types/{name}/{version}/schema", tags=["public"], summary="A document type's JSON Schema")
def schema(name: str, version: str) -> dict[str, Any]:
    doc_type = find_type(name, version)
    if doc_type is None:
        raise NotFound(f"no document type {name} version {version}")
    return doc_type.json_schema()


@router.get("/api/v1/documents/{key}", tags=["public"], summary="A document's public status (no payload)")
def status(key: str, request: Request) -> dict[str, Any]:
    node = node_of(request)
    return node.status.status(node.status.resolve(key))


@router.post(
    "/api/v1/verify", tags=["public"], summary="Verify a certificate file against the chain's record"
)
async def verify_file(request: Request) -> dict[str, Any]:
    node = node_of(request)
    body = await read_json(request, node.settings.max_body_bytes)
    return await run_in_threadpool(node.verify.verify_file, body)


@router.get("/api/v1/verify/{key}", tags=["public"], summary="Verify a certificate by id or reference")
def verify_id(
    key: str, request: Request, digest: str | None = Query(default=None, pattern=r"^0x[0-9a-fA-F]{64}$")
) -> dict[str, Any]:
    return node_of(request).verify.verify_id(key, digest)
