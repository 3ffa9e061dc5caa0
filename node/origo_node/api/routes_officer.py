"""Officers: issue documents, and act on anchored ones (revoke, supersede, accept, reject, verification)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from origo_node.api.auth import requires
from origo_node.api.body import read_json
from origo_node.api.problems import MEDIA_TYPE
from origo_node.api.routes_public import node_of
from origo_node.errors import Conflict, OrigoError, ValidationFailed, WrongMember
from origo_node.services.issuing import Accepted
from origo_node.store.apikeys import ApiKey

router = APIRouter(tags=["officer"])
Officer = Annotated[ApiKey, Depends(requires("officer"))]
Reader = Annotated[ApiKey, Depends(requires("officer", "auditor"))]
Grant = Query(default=None, description="Other members to share the payload with, comma-separated: TH,MY")
Wait = Query(default=20.0, ge=0, le=120, description="Seconds to wait for the transaction to be mined")


class Revocation(BaseModel):
    reason_code: int = Field(ge=1, le=65535)
    reason: str = Field(default="", max_length=1000)


class Acceptance(BaseModel):
    declaration: str = Field(min_length=1, max_length=32, description="The import declaration's number")
    quantity: str | None = Field(
        default=None, description="Thousandths allowed, e.g. '250.125'; null = all left"
    )


class Rejection(BaseModel):
    reason_code: int = Field(ge=1, le=65535)
    reason: str = Field(default="", max_length=1000)


class VerificationRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=1000)


class VerificationAnswer(BaseModel):
    confirmed: bool
    reason: str = Field(default="", max_length=1000)


def _grants(grant: str | None) -> list[str]:
    return [code for code in (grant or "").split(",") if code.strip()]


@router.post("/api/v1/documents", status_code=202, summary="Issue or file a document")
async def issue(request: Request, _: Officer, grant: str | None = Grant) -> JSONResponse:
    node = node_of(request)
    body = await read_json(request, node.settings.max_body_bytes)
    accepted = await run_in_threadpool(node.issuing.issue, body, _grants(grant))
    return JSONResponse(
        accepted.as_dict(), status_code=202, headers={"Location": f"/api/v1/documents/{accepted.document_id}"}
    )


@router.post("/api/v1/documents/bulk", summary="Issue many documents; each is accepted or refused on its own")
async def issue_bulk(request: Request, _: Officer, grant: str | None = Grant) -> dict[str, Any]:
    node = node_of(request)
    body = await read_json(request, node.settings.max_body_bytes * 8)
    documents = body.get("documents") if isinstance(body, dict) else None
    if not isinstance(documents, list) or not documents:
        raise ValidationFailed(
            'expected {"documents": [...]}',
            errors=[{"pointer": "/documents", "message": "required: a non-empty list"}],
        )
    if len(documents) > node.settings.bulk_max_documents:
        raise ValidationFailed(
            "too many documents",
            errors=[{"pointer": "/documents", "message": f"at most {node.settings.bulk_max_documents}"}],
        )
    results = await run_in_threadpool(node.issuing.issue_many, documents, _grants(grant))
    return {
        "accepted": sum(1 for r in results if isinstance(r, Accepted)),
        "refused": sum(1 for r in results if not isinstance(r, Accepted)),
        "results": [_result(i, r) for i, r in enumerate(results)],
    }


def _result(index: int, result: Accepted | OrigoError) -> dict[str, Any]:
    if isinstance(result, Accepted):
        return {"index": index, "accepted": True, **result.as_dict()}
    problem: dict[str, Any] = {"status": result.status, "slug": result.slug, "detail": result.message}
    if isinstance(result, ValidationFailed):
        problem["errors"] = result.errors
    return {"index": index, "accepted": False, "problem": problem}


@router.get("/api/v1/documents/{key}/file", summary="The issued file: document + anchoring proof + signature")
def issued_file(key: str, request: Request, _: Reader) -> dict[str, Any]:
    node = node_of(request)
    doc_id = node.status.resolve(key)
    document = node.reader.read(doc_id)
    return {"document": document, "origo": node.exports.proof_bundle(doc_id)}


def _action_response(action: dict[str, Any]) -> JSONResponse:
    status = 200 if action["state"] in ("done", "failed") else 202
    if action["state"] == "failed":
        return JSONResponse(
            {
                "type": "https://origo.dev/problems/chain-rule-violated",
                "title": "Conflict",
                "status": 409,
                "detail": (action["error"] or {}).get("title", "the transaction failed"),
                "action": action,
            },
            status_code=409,
            media_type=MEDIA_TYPE,
        )
    return JSONResponse(action, status_code=status)


def _own_anchored(request: Request, key: str, role: str) -> str:
    node = node_of(request)
    doc_id = node.status.resolve(key)
    status = node.status.status(doc_id)
    member = status["issuer"] if role == "issuer" else status["importer"]
    if member != node.member:
        who = "issuing" if role == "issuer" else "importing"
        raise WrongMember(f"only the {who} member ({member}) can do this; this node is {node.member}")
    if status["state"] == "pending":
        raise Conflict(f"document {doc_id} is not anchored yet; try again in a few seconds")
    return doc_id


async def _submit(
    request: Request, kind: str, key: str, role: str, params: dict[str, Any], wait: float
) -> JSONResponse:
    node = node_of(request)
    doc_id = await run_in_threadpool(_own_anchored, request, key, role)
    action = await run_in_threadpool(node.actions.submit, kind, doc_id, params, wait)
    return _action_response(action)


@router.post("/api/v1/documents/{key}/revoke", summary="Revoke (issuing member)")
async def revoke(
    key: str, body: Revocation, request: Request, _: Officer, wait: float = Wait
) -> JSONResponse:
    return await _submit(request, "revoke", key, "issuer", body.model_dump(), wait)


@router.post(
    "/api/v1/documents/{key}/accept", summary="Accept at import, fully or for a quantity (importing member)"
)
async def accept(
    key: str, body: Acceptance, request: Request, _: Officer, wait: float = Wait
) -> JSONResponse:
    from origo_node.services.actions import declaration_bytes, parse_quantity

    declaration_bytes(body.declaration)
    parse_quantity(body.quantity)
    return await _submit(request, "accept", key, "importer", body.model_dump(), wait)


@router.post("/api/v1/documents/{key}/reject", summary="Reject at import (importing member)")
async def reject(key: str, body: Rejection, request: Request, _: Officer, wait: float = Wait) -> JSONResponse:
    return await _submit(request, "reject", key, "importer", body.model_dump(), wait)


@router.post(
    "/api/v1/documents/{key}/verification-request", summary="Open a verification request (importing member)"
)
async def request_verification(
    key: str, body: VerificationRequest, request: Request, _: Officer, wait: float = Wait
) -> JSONResponse:
    return await _submit(request, "verification_request", key, "importer", body.model_dump(), wait)


@router.post(
    "/api/v1/documents/{key}/verification-answer", summary="Answer a verification request (issuing member)"
)
async def answer_verification(
    key: str, body: VerificationAnswer, request: Request, _: Officer, wait: float = Wait
) -> JSONResponse:
    return await _submit(request, "verification_answer", key, "issuer", body.model_dump(), wait)


@router.post(
    "/api/v1/documents/{key}/supersede", status_code=202, summary="Replace a document (issuing member)"
)
async def supersede(key: str, request: Request, _: Officer, grant: str | None = Grant) -> JSONResponse:
    node = node_of(request)
    old_id = await run_in_threadpool(_own_anchored, request, key, "issuer")
    status = await run_in_threadpool(node.status.status, old_id)
    if status["state"] in ("revoked", "superseded"):
        raise Conflict(
            f"document {old_id} is {status['state']}; it cannot be superseded", rule="RegistryRevoked"
        )
    body = await read_json(request, node.settings.max_body_bytes)
    accepted = await run_in_threadpool(node.issuing.issue, body, _grants(grant), old_id)
    action = await run_in_threadpool(
        node.actions.submit, "supersede", old_id, {"replacement_id": accepted.document_id}, 0.0
    )
    return JSONResponse({**accepted.as_dict(), "supersedes": old_id, "action": action}, status_code=202)


STATES = (
    "pending|refused|valid|revoked|superseded|expired|partially_accepted|accepted|rejected|under_verification"
)


@router.get("/api/v1/documents", summary="An officer's work list: this member's documents by role and state")
def worklist(
    request: Request,
    _: Reader,
    role: str = Query(default="importer", pattern="^(issuer|importer)$"),
    state: str | None = Query(default=None, pattern=f"^({STATES})$"),
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0),
) -> dict[str, Any]:
    node = node_of(request)
    return node.status.worklist(node.member, role, state, limit, offset)


@router.get("/api/v1/actions/{action_id}", summary="An action's state")
def action(action_id: int, request: Request, _: Reader) -> dict[str, Any]:
    return node_of(request).actions.get(action_id)


@router.get(
    "/api/v1/documents/{key}/links", summary="A manifest's consignments and the certificates linked to them"
)
def links(key: str, request: Request, _: Reader) -> dict[str, Any]:
    node = node_of(request)
    return node.linking.links(node.status.resolve(key))
