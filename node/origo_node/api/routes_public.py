"""What anyone may ask: status, verification, members, document types."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from origo_api.answers import DocumentStatus, DocumentType, Health, Member, VerificationResult

from origo_node.api.body import read_json
from origo_node.api.deps import DocumentKey, NodeDep, is_insider
from origo_node.api.openapi import BODY, errors
from origo_node.documents import all_types, find_type
from origo_node.errors import NotFound
from origo_node.services.status import reveal_reference

router = APIRouter(tags=["public"])
_Name = Annotated[str, Path(max_length=64)]


@router.get(
    "/healthz",
    response_model=Health,
    summary="Liveness, chain head, index position, outbox backlog",
)
def health(node: NodeDep) -> Health:
    return node.health().answer()


@router.get(
    "/api/v1/members",
    response_model=list[Member],
    responses=errors(503),
    summary="The consortium's members as the chain says now",
)
def members(node: NodeDep) -> list[Member]:
    return [m.answer() for m in sorted(node.directory.all(), key=lambda m: m.code)]


@router.get(
    "/api/v1/types", response_model=list[DocumentType], summary="The document types this node accepts"
)
def types() -> list[DocumentType]:
    return [
        DocumentType(type=t.name, version=t.version, schema_url=f"/api/v1/types/{t.name}/{t.version}/schema")
        for t in sorted(all_types(), key=lambda t: (t.name, t.version))
    ]


@router.get(
    "/api/v1/types/{name}/{version}/schema",
    responses=errors(404, 422),
    summary="A document type's JSON Schema",
)
def schema(name: _Name, version: _Name) -> dict[str, Any]:
    doc_type = find_type(name, version)
    if doc_type is None:
        raise NotFound(f"no document type {name} version {version}")
    return doc_type.json_schema()


@router.get(
    "/api/v1/documents/{key}",
    response_model=DocumentStatus,
    responses=errors(404, 422),
    summary="A document's public status (no payload)",
)
def status(key: DocumentKey, node: NodeDep, request: Request) -> DocumentStatus:
    # Someone holding only an id learns what the chain shows: the reference only if the key carried it
    # (a reference typed or scanned), or to this node's own staff.
    found = node.status.status(node.resolver.resolve(key))
    return reveal_reference(found, key, insider=is_insider(request)).answer()


@router.post(
    "/api/v1/verify",
    response_model=VerificationResult,
    responses=errors(BODY, 503),
    summary="Verify a certificate file against the chain's record",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object", "description": "An issued file"}}},
        }
    },
)
async def verify_file(request: Request, node: NodeDep) -> VerificationResult:
    outcome = await run_in_threadpool(node.verify.verify_file, read_json(request))
    return outcome.answer()


@router.get(
    "/api/v1/verify/{key}",
    response_model=VerificationResult,
    responses=errors(422, 503),
    summary="Verify a certificate by id or reference",
)
def verify_id(
    key: DocumentKey,
    node: NodeDep,
    digest: str | None = Query(default=None, pattern=r"^0x[0-9a-fA-F]{64}$"),
) -> VerificationResult:
    return node.verify.verify_id(key, digest).answer()
