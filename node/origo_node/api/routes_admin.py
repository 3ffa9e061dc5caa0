"""Admins: governance through the member's admin account. Reading proposals needs the admin key too."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from origo_api.answers import Proposal

from origo_node.api.body import read_json
from origo_node.api.deps import Admin, NodeDep, ProposalId
from origo_node.api.openapi import BODY, KEY, errors
from origo_node.errors import ValidationFailed

router = APIRouter(tags=["admin"])


@router.get(
    "/api/v1/consortium/proposals",
    response_model=list[Proposal],
    responses=errors(KEY, 503),
    summary="Every proposal, newest first",
)
def proposals(_: Admin, node: NodeDep) -> list[dict[str, Any]]:
    return node.governance.proposals()


@router.get(
    "/api/v1/consortium/proposals/{proposal_id}",
    response_model=Proposal,
    responses=errors(KEY, 404, 422, 503),
    summary="One proposal",
)
def proposal(proposal_id: ProposalId, _: Admin, node: NodeDep) -> dict[str, Any]:
    return node.governance.proposal(proposal_id)


@router.post(
    "/api/v1/consortium/proposals",
    status_code=201,
    response_model=Proposal,
    responses=errors(BODY, KEY, 409, 503),
    summary="Propose a membership or quorum change",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProposalCreate"}}},
        }
    },
)
async def propose(request: Request, _: Admin, node: NodeDep) -> dict[str, Any]:
    body = read_json(request)
    if not isinstance(body, dict):
        raise ValidationFailed(
            "a proposal is a JSON object", errors=[{"pointer": "", "message": "must be an object"}]
        )
    return await run_in_threadpool(node.governance.propose, body)


@router.post(
    "/api/v1/consortium/proposals/{proposal_id}/vote",
    response_model=Proposal,
    responses=errors(KEY, 404, 409, 422, 503),
    summary="Vote yes on a proposal",
)
async def vote(proposal_id: ProposalId, _: Admin, node: NodeDep) -> dict[str, Any]:
    return await run_in_threadpool(node.governance.vote, proposal_id)
