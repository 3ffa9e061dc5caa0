"""Officers' desk: check documents without issuing them (a bulk run's dry run, and its resumption), and the
ranked work list: the documents that arrived for this member, ordered by their risk signals' score."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from origo_api.answers import VerificationResult
from origo_api.desk_answers import CheckAnswer, ReasonCodes, RiskAssessment, RiskRules, RiskWorkList

from origo_node import reasons
from origo_node.api.body import read_documents
from origo_node.api.deps import DocumentKey, NodeDep, Reader, node_of, requires
from origo_node.api.openapi import BODY, KEY, errors
from origo_node.services.risk.views import Kind
from origo_node.store.apikeys import ApiKey

router = APIRouter(tags=["officer"])
Officer = Annotated[ApiKey, Depends(requires("officer"))]


@router.post(
    "/api/v1/documents/check",
    response_model=CheckAnswer,
    summary="Would these documents be accepted, and were they issued already? Stores nothing",
    responses=errors(BODY, KEY, 503),
)
async def check(request: Request, _: Officer) -> CheckAnswer:
    node = node_of(request)
    documents = read_documents(request, node.settings.bulk_max_documents)
    checked = await run_in_threadpool(node.pre_issue_check.check, documents)
    return checked.answer()


@router.get(
    "/api/v1/reason-codes",
    response_model=ReasonCodes,
    tags=["public"],
    summary="The agreed code lists for revocation and rejection reasons, with their labels",
)
def reason_codes() -> ReasonCodes:
    return reasons.published()


@router.get(
    "/api/v1/verify",
    response_model=VerificationResult,
    tags=["public"],
    summary="Verify a certificate by what a person typed (?key=): an id, or a reference, even one with '/'",
    responses=errors(409, 422),
)
def verify_typed(
    node: NodeDep,
    key: str = Query(min_length=1, max_length=200),
    digest: str | None = Query(default=None, pattern=r"^0x[0-9a-fA-F]{64}$"),
) -> VerificationResult:
    return node.verify.verify_id(key, digest).answer()


@router.get(
    "/api/v1/risk/work-list",
    response_model=RiskWorkList,
    summary="The importing officer's work list: documents for this member, highest risk score first",
    responses=errors(KEY, 422),
)
async def risk_work_list(
    _: Reader,
    node: NodeDep,
    limit: int = Query(default=50, ge=1, le=500),
    kind: Kind | None = Query(default=None),
) -> RiskWorkList:
    answer = await run_in_threadpool(node.risk.work_list, limit, kind)
    return answer.answer()


@router.get(
    "/api/v1/risk/rules",
    response_model=RiskRules,
    summary="The risk rules as this member applies them: on or off, weights, thresholds",
    responses=errors(KEY),
)
def risk_rules(_: Reader, node: NodeDep) -> RiskRules:
    return node.risk.rules().answer()


@router.get(
    "/api/v1/documents/{key}/risk",
    response_model=RiskAssessment,
    summary="One document's risk signals, each with a sentence, its score, and the documents linked to it",
    responses=errors(KEY, 404, 422),
)
async def risk_of(key: DocumentKey, _: Reader, node: NodeDep) -> RiskAssessment:
    answer = await run_in_threadpool(node.risk.assess, node.resolver.resolve(key))
    return answer.answer()
