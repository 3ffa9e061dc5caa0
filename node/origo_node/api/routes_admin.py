"""Admins: governance through the member's admin account. Reading proposals needs the admin key too."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, Body
from fastapi.concurrency import run_in_threadpool
from origo_api.answers import Proposal
from origo_api.requests import ProposalCreate, QuorumProposal, StatusChangeProposal

from origo_node.api.deps import Admin, NodeDep, ProposalId
from origo_node.api.openapi import BODY, KEY, errors
from origo_node.errors import ChainRuleViolated, NotFound
from origo_node.services.governance import (
    AddMember,
    Candidate,
    ChangeQuorum,
    ChangeStatus,
    ProposalRequest,
)

router = APIRouter(tags=["admin"])
T = TypeVar("T")


def _known(proposal_id: int, read: Callable[[int], T]) -> T:
    """``read(proposal_id)``, with the contract's "unknown proposal" refusal answered as 404."""
    try:
        return read(proposal_id)
    except ChainRuleViolated as exc:
        if exc.details.get("rule") == "MembershipUnknownProposal":
            raise NotFound(
                f"there is no proposal {proposal_id} on the chain as this node sees it; a proposal made at"
                " another member's node in the last few seconds may not have reached this node's chain node"
                " yet: try again"
            ) from exc
        raise


@router.get(
    "/api/v1/consortium/proposals",
    response_model=list[Proposal],
    responses=errors(KEY, 503),
    summary="Every proposal, newest first",
)
def proposals(_: Admin, node: NodeDep) -> list[Proposal]:
    return node.governance.proposals()


@router.get(
    "/api/v1/consortium/proposals/{proposal_id}",
    response_model=Proposal,
    responses=errors(KEY, 404, 422, 503),
    summary="One proposal",
)
def proposal(proposal_id: ProposalId, _: Admin, node: NodeDep) -> Proposal:
    return _known(proposal_id, node.governance.proposal)


@router.post(
    "/api/v1/consortium/proposals",
    status_code=201,
    response_model=Proposal,
    responses=errors(BODY, KEY, 409, 503),
    summary="Propose a membership or quorum change",
)
async def propose(body: Annotated[ProposalCreate, Body()], _: Admin, node: NodeDep) -> Proposal:
    return await run_in_threadpool(node.governance.propose, _proposal_request(body))


def _proposal_request(body: ProposalCreate) -> ProposalRequest:
    if isinstance(body, QuorumProposal):
        return ChangeQuorum(quorum_bps=body.quorum_bps)
    if isinstance(body, StatusChangeProposal):
        return ChangeStatus(kind=body.kind, target=body.target)
    m = body.member
    return AddMember(
        member=Candidate(
            code=m.code,
            name=m.name,
            admin=m.admin,
            validator=m.validator,
            issuers=tuple(m.issuers),
            encryption_key=m.encryption_key,
            endpoint=m.endpoint,
        )
    )


@router.post(
    "/api/v1/consortium/proposals/{proposal_id}/vote",
    response_model=Proposal,
    responses=errors(KEY, 404, 409, 422, 503),
    summary="Vote yes on a proposal",
)
async def vote(proposal_id: ProposalId, _: Admin, node: NodeDep) -> Proposal:
    return await run_in_threadpool(_known, proposal_id, node.governance.vote)
