"""Officers: issue documents, and act on anchored ones (revoke, supersede, accept, reject, verification)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from origo_api.answers import (
    Action,
    ActionError,
    BulkItem,
    BulkReceipt,
    IssuedFile,
    IssueReceipt,
    ManifestLinks,
    SupersedeReceipt,
    WorkList,
)
from origo_api.problems import TITLES, Problem, problem_body, type_uri
from origo_api.requests import (
    AcceptRequest,
    RejectRequest,
    RevokeRequest,
    VerificationAnswerBody,
    VerificationRequestBody,
)
from origo_api.states import AWAITING_CLAIM, DocumentState

from origo_node.api import refusals
from origo_node.api.body import read_documents, read_json
from origo_node.api.deps import MAX_ID, ActionId, DocumentKey, NodeDep, Officer, Reader
from origo_node.api.openapi import BODY, KEY, errors
from origo_node.api.problem_handlers import MEDIA_TYPE
from origo_node.documents.action_failure import UNWORDED
from origo_node.documents.action_params import AnswerVerification, Reject, RequestVerification, Revoke
from origo_node.errors import OrigoError, ValidationFailed
from origo_node.runtime import Node
from origo_node.services.claims import ClaimRequest, ItemAsked
from origo_node.services.issuing import Accepted
from origo_node.services.officer_desk import ActionRequest, OfficerDesk

router = APIRouter(tags=["officer"])
Grant = Query(
    default=None,
    max_length=400,
    description="Other members to share the payload with, comma-separated: TH,MY",
)
Wait = Query(default=20.0, ge=0, le=120, description="Seconds to wait for the transaction to be mined")
_DOCUMENT = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"type": "object", "description": "A document"}}},
    }
}


def _desk(node: NodeDep) -> OfficerDesk:
    return node.desk


Desk = Annotated[OfficerDesk, Depends(_desk)]


def _grants(grant: str | None) -> list[str]:
    return [code for code in (grant or "").split(",") if code.strip()]


@router.post(
    "/api/v1/documents",
    status_code=202,
    response_model=IssueReceipt,
    responses=errors(BODY, KEY, 409, 502, 503),
    summary="Issue or file a document",
    openapi_extra=_DOCUMENT,
)
async def issue(
    request: Request, response: Response, _: Officer, node: NodeDep, grant: str | None = Grant
) -> IssueReceipt:
    accepted = await run_in_threadpool(node.issuing.issue, read_json(request), _grants(grant))
    response.headers["Location"] = accepted.status_url
    return accepted.receipt()


@router.post(
    "/api/v1/documents/bulk",
    response_model=BulkReceipt,
    responses=errors(BODY, KEY, 502, 503),
    summary="Issue many documents; each is accepted or refused on its own",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["documents"],
                        "properties": {
                            "documents": {
                                "type": "array",
                                "minItems": 1,
                                "description": "Documents, each accepted or refused on its own (in results)",
                                "items": {},
                            }
                        },
                    }
                }
            },
        }
    },
)
async def issue_bulk(request: Request, _: Officer, node: NodeDep, grant: str | None = Grant) -> BulkReceipt:
    documents = read_documents(request, node.settings.bulk_max_documents)
    results = await run_in_threadpool(node.issuing.issue_many, documents, _grants(grant))
    return BulkReceipt(
        accepted=sum(1 for r in results if isinstance(r, Accepted)),
        refused=sum(1 for r in results if not isinstance(r, Accepted)),
        results=[_result(i, r) for i, r in enumerate(results)],
    )


def _result(index: int, result: Accepted | OrigoError) -> BulkItem:
    if isinstance(result, Accepted):
        return result.bulk_item(index)
    errors_ = result.errors if isinstance(result, ValidationFailed) else []
    problem = Problem(
        type=type_uri(result.slug),
        title=TITLES.get(result.status, "Error"),
        status=result.status,
        detail=result.message,
        slug=result.slug,  # as bulk results carried it before the type URI
        errors=list(errors_),
    )
    return BulkItem(index=index, accepted=False, problem=problem)


@router.get(
    "/api/v1/documents/{key}/file",
    response_model=IssuedFile,
    responses=errors(KEY, 404, 409, 422, 502),
    summary="The issued file: document + anchoring proof + signature",
)
def issued_file(key: DocumentKey, _: Reader, node: NodeDep) -> IssuedFile:
    doc_id = node.resolver.resolve(key)
    document = node.reader.read(doc_id)
    return IssuedFile(document=document, origo=node.exports.proof_bundle(doc_id))


def worded(node: Node, action: Action) -> Action:
    """The action with a chain refusal recorded by the sender (the chain changed between the check and the
    send) in words, as the check's own refusal would have been; the rule and its arguments stay."""
    error = action.error
    if action.state != "failed" or error is None or not isinstance(error.rule, str):
        return action
    if not error.rule or error.rule in ("Revert", "Reverted"):
        return action
    args = error.args if isinstance(error.args, list) else []
    worded_error = error.model_copy(update={"title": refusals.explain(node, error.rule, list(args))})
    return action.model_copy(update={"error": worded_error})


def _action_response(node: Node, action: Action) -> JSONResponse:
    action = worded(node, action)
    body = action.model_dump(mode="json")
    if action.state == "failed":
        error = action.error or ActionError(title=UNWORDED)
        detail = UNWORDED if error.title is None else error.title
        extra = error.model_dump(include={"rule", "args"})  # each only if the failure has it
        problem = problem_body(409, "chain-rule-violated", detail, action=body, **extra)
        return JSONResponse(problem, status_code=409, media_type=MEDIA_TYPE)
    return JSONResponse(body, status_code=200 if action.state == "done" else 202)


_ACTED: dict[str, Any] = {
    "response_model": Action,
    "responses": {
        202: {"model": Action, "description": "Sent, not mined yet"},
        **errors(BODY, KEY, 404, 409, 503),
    },
}


async def _act(node: Node, key: str, request: ActionRequest, wait: float) -> JSONResponse:
    action = await run_in_threadpool(node.desk.act, key, request, wait)
    return _action_response(node, action)


def _claim_request(body: AcceptRequest) -> ClaimRequest:
    listed = None if body.claims is None else tuple(ItemAsked(c.item, c.quantity) for c in body.claims)
    return ClaimRequest(declaration=body.declaration, item=body.item, quantity=body.quantity, claims=listed)


@router.post("/api/v1/documents/{key}/revoke", summary="Revoke (issuing member)", **_ACTED)
async def revoke(
    key: DocumentKey, body: RevokeRequest, _: Officer, node: NodeDep, wait: float = Wait
) -> JSONResponse:
    return await _act(node, key, Revoke(reason_code=body.reason_code, reason=body.reason), wait)


@router.post(
    "/api/v1/documents/{key}/accept",
    summary="Accept at import: the whole certificate, or items in their own units (importing member)",
    description=(
        "Records a utilisation under an import declaration (one claim per declaration and certificate). "
        '`{"declaration": "D"}` claims the whole certificate: all that remains on every item. '
        '`"item": 2, "quantity": "40"` claims 40 in item 2\'s own unit (items numbered as on the form); '
        '`"item": 2` alone, all that remains on item 2. `"quantity"` alone: on the certificate\'s one item, '
        "or taken from its items in order when they all count in one unit (otherwise 422: name the item). "
        '`"claims": [{"item": 1}, {"item": 2, "quantity": "40"}]` claims several items at once, instead '
        "of `item`/`quantity`. An item the certificate does not list: 422 with a pointer. The chain's "
        "refusals (more than remains on an item, nothing left, the declaration used already) come as 409 "
        "with a sentence in `detail` and the rule and its arguments in `rule` and `args`."
    ),
    **_ACTED,
)
async def accept(
    key: DocumentKey, body: AcceptRequest, _: Officer, node: NodeDep, wait: float = Wait
) -> JSONResponse:
    return await _act(node, key, _claim_request(body), wait)


@router.post("/api/v1/documents/{key}/reject", summary="Reject at import (importing member)", **_ACTED)
async def reject(
    key: DocumentKey, body: RejectRequest, _: Officer, node: NodeDep, wait: float = Wait
) -> JSONResponse:
    return await _act(node, key, Reject(reason_code=body.reason_code, reason=body.reason), wait)


@router.post(
    "/api/v1/documents/{key}/verification-request",
    summary="Open a verification request (importing member)",
    **_ACTED,
)
async def request_verification(
    key: DocumentKey, body: VerificationRequestBody, _: Officer, node: NodeDep, wait: float = Wait
) -> JSONResponse:
    return await _act(node, key, RequestVerification(reason=body.reason), wait)


@router.post(
    "/api/v1/documents/{key}/verification-answer",
    summary="Answer a verification request (issuing member)",
    **_ACTED,
)
async def answer_verification(
    key: DocumentKey, body: VerificationAnswerBody, _: Officer, node: NodeDep, wait: float = Wait
) -> JSONResponse:
    return await _act(node, key, AnswerVerification(confirmed=body.confirmed, reason=body.reason), wait)


@router.post(
    "/api/v1/documents/{key}/supersede",
    status_code=202,
    response_model=SupersedeReceipt,
    responses=errors(BODY, KEY, 404, 409, 502, 503),
    summary="Replace a document (issuing member)",
    openapi_extra=_DOCUMENT,
)
async def supersede(
    key: DocumentKey, request: Request, _: Officer, desk: Desk, grant: str | None = Grant
) -> SupersedeReceipt:
    answer = await run_in_threadpool(desk.supersede, key, read_json(request), _grants(grant))
    return answer.answer()


STATES = "|".join([*(s.value for s in DocumentState), AWAITING_CLAIM])


@router.get(
    "/api/v1/documents",
    response_model=WorkList,
    responses=errors(KEY, 422),
    summary="An officer's work list: this member's documents by role and state",
)
def worklist(
    _: Reader,
    node: NodeDep,
    role: str = Query(default="importer", pattern="^(issuer|importer)$"),
    state: str | None = Query(
        default=None,
        pattern=f"^({STATES})$",
        description="A document state, or awaiting_claim: certificates still valid or partly claimed (no "
        "manifests, which are not claimed at import)",
    ),
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0, le=MAX_ID),
) -> WorkList:
    return node.status.worklist(node.member, role, state, limit, offset).answer()


@router.get(
    "/api/v1/actions/{action_id}",
    response_model=Action,
    responses=errors(KEY, 404, 422),
    summary="An action's state",
)
def action(action_id: ActionId, _: Reader, node: NodeDep) -> Action:
    return worded(node, node.actions.get(action_id))


@router.get(
    "/api/v1/documents/{key}/links",
    response_model=ManifestLinks,
    responses=errors(KEY, 404, 422),
    summary="A manifest's consignments and the certificates linked to them",
)
def links(key: DocumentKey, _: Reader, node: NodeDep) -> ManifestLinks:
    return node.linking.links(node.resolver.resolve(key))
