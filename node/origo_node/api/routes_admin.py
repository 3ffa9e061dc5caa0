"""Admins: governance through the member's admin account."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool

from origo_node.api.auth import requires
from origo_node.api.body import read_json
from origo_node.api.routes_public import node_of
from origo_node.errors import ValidationFailed
from origo_node.store.apikeys import ApiKey

router = APIRouter(tags=["admin"])
Admin = Annotated[ApiKey, Depends(requires("admin"))]


@router.get("/api/v1/consortium/proposals", summary="Every proposal, newest first")
def proposals(request: Request) -> list[dict[str, Any]]:
    return node_of(request).governance.proposals()


@router.get("/api/v1/consortium/proposals/{proposal_id}", summary="One proposal")
def proposal(proposal_id: int, request: Request) -> dict[str, Any]:
    return node_of(request).governance.proposal(proposal_id)


@router.post("/api/v1/consortium/proposals", status_code=201, summary="Propose a membership or quorum change")
async def propose(request: Request, _: Admin) -> dict[str, Any]:
    node = node_of(request)
    body = await read_json(request, node.settings.max_body_bytes)
    if not isinstance(body, dict):
        raise ValidationFailed(
            "a proposal is a JSON object", errors=[{"pointer": "", "message": "must be an object"}]
        )
    return await run_in_threadpool(node.governance.propose, body)


@router.post("/api/v1/consortium/proposals/{proposal_id}/vote", summary="Vote yes on a proposal")
async def vote(proposal_id: int, request: Request, _: Admin) -> dict[str, Any]:
    return await run_in_threadpool(node_of(request).governance.vote, proposal_id)
