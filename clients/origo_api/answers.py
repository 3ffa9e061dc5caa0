"""Answers of the node's API (node/API.md, v1): the node declares them as its routes' ``response_model`` and
the SDK parses them.

Answers are parsed leniently: a field the node adds later is kept (``extra="allow"``) rather than refused,
so an older SDK keeps working against a newer node. Quantities stay decimal strings ("250.125") as the API
sends them, so that nothing is rounded on the way; timestamps are ISO-8601 strings as sent.

The node builds each answer with keyword arguments from its services' typed values (so mypy checks every
name and type on the way), and its routes return these models. A member some answers carry and others leave
out is ``MISSING`` until set, and then left out of the JSON: the answer is exactly what the node has always
sent, and the OpenAPI names the member.
"""

from __future__ import annotations

from typing import Any

from pydantic import MISSING, Field

from origo_api.problems import Problem
from origo_api.states import DocumentState, Verdict
from origo_api.status_answers import (
    Anchor,
    AnswerModel,
    DocumentStatus,
    ItemClaim,
    ListedDocument,
    OtherIssuer,
    PayloadCheckAnswer,
    Quantity,
    Refusal,
    Rejection,
    Revocation,
    SharedReference,
    Utilisation,
    VerificationState,
)

__all__ = [
    "MISSING",
    "Action",
    "ActionError",
    "Anchor",
    "BulkItem",
    "BulkReceipt",
    "Consignment",
    "DocumentStatus",
    "DocumentType",
    "Health",
    "IssueReceipt",
    "IssuedFile",
    "ItemClaim",
    "LeafFacts",
    "LinkedCertificate",
    "ListedDocument",
    "ManifestLinks",
    "Member",
    "OtherIssuer",
    "OutboxRefused",
    "PayloadCheckAnswer",
    "PayloadStoreHealth",
    "Problem",
    "ProofBundle",
    "Proposal",
    "Quantity",
    "Refusal",
    "Rejection",
    "Revocation",
    "SharedReference",
    "SupersedeReceipt",
    "Trail",
    "TrailEvent",
    "TrailExport",
    "Utilisation",
    "VerificationChecks",
    "VerificationResult",
    "VerificationState",
    "WorkList",
]


_Answer = AnswerModel


# ---------------------------------------------------------------------------------------------- public


class PayloadStoreHealth(_Answer):
    """Which payload store the node uses, and what it reports wrong with itself (None: nothing)."""

    backend: str
    problem: str | None = None


class OutboxRefused(_Answer):
    """Accepted documents the consortium refuses to anchor, and the latest refusal in words."""

    documents: int
    reason: str | None = None


class Health(_Answer):
    """``GET /healthz``: "ok", or "degraded" with the reasons in plain words, and where the node is."""

    status: str
    member: str | None = None
    chain_head: int | None = None
    indexed_block: int | None = None
    outbox_pending: int | None = None
    payloads_to_read: int | None = None
    reasons: list[str] = Field(default_factory=list)
    payload_store: PayloadStoreHealth | None = None
    outbox_refused: OutboxRefused | None = None
    loops: dict[str, str] = Field(
        default_factory=dict, description="The last error of each background loop that has one"
    )
    sealers: dict[str, Any] | None = Field(
        default=None, description="The last comparison of the chain's sealers with the membership"
    )


class Member(_Answer):
    code: str
    name: str
    status: str
    endpoint: str | None = None
    admin: str | None = None
    validator: str | None = None
    issuers: list[str] = Field(default_factory=list)
    encryption_suite: str | None = None
    joined_at_block: int | None = None


class DocumentType(_Answer):
    type: str
    version: str
    schema_url: str


class VerificationChecks(_Answer):
    anchored: bool | None = None
    integrity: bool | None = None
    signature: bool | None = None
    issuer_member_at_issue: bool | None = None
    #: Whether what the chain records (importer, dates, each item's quantity and unit) is what the file gives;
    #: None when no file was given or it is not the anchored document.
    anchored_facts: bool | None = None


class VerificationResult(_Answer):
    """``POST /api/v1/verify`` and ``GET /api/v1/verify/{key}``."""

    verdict: Verdict
    document_id: str | None = None
    reference: str | None = None
    issuer: str | None = None
    importer: str | None = None
    checks: VerificationChecks = Field(default_factory=VerificationChecks)
    status: DocumentStatus | None = None
    message: str = ""
    unknown_reason: str | MISSING = Field(
        default=MISSING,
        description="Why nothing was found: not_a_key, no_such_reference or no_such_id (absent otherwise)",
    )


# ---------------------------------------------------------------------------------------------- officer


class IssueReceipt(_Answer):
    """202 from ``POST /api/v1/documents`` (and, with ``supersedes``, from ``.../supersede``)."""

    document_id: str
    reference: str | None = None
    digest: str | None = None
    type: str | None = None
    importer: str | None = None
    recipients: list[str] = Field(default_factory=list)
    state: str = "pending"
    status_url: str | None = None


class BulkItem(_Answer):
    """One document of a bulk request: its receipt (``IssueReceipt``'s members) once accepted, or the
    problem."""

    index: int
    accepted: bool
    document_id: str | None = None
    reference: str | None = None
    digest: str | None = None
    problem: Problem | None = None
    type: str | MISSING = MISSING
    importer: str | MISSING = MISSING
    recipients: list[str] | MISSING = MISSING
    state: str | MISSING = MISSING
    status_url: str | MISSING = MISSING


class BulkReceipt(_Answer):
    """``POST /api/v1/documents/bulk``: each document accepted or refused on its own."""

    accepted: int | None = None
    refused: int | None = None
    results: list[BulkItem]


class ActionError(_Answer):
    """Why an action failed: ``title`` in words, then ``rule`` and ``args`` for a refusal by the contracts'
    rules (the custom error and its arguments), or ``rule`` ``Reverted`` and ``tx`` for a transaction the
    chain mined and reverted. A member that does not apply is absent."""

    title: str | None = None
    rule: str | MISSING = MISSING
    args: list[Any] | MISSING = MISSING
    tx: str | MISSING = MISSING


class Action(_Answer):
    """An officer's action on an anchored document, sent to the chain once."""

    id: int
    kind: str
    document_id: str
    params: dict[str, Any] = Field(default_factory=dict)
    state: str
    tx: str | None = None
    block: int | None = None
    error: ActionError | None = None
    claimed: list[ItemClaim] | None = Field(
        default=None,
        description="A claim once mined and indexed: what it took of each item and what remains there, in "
        "the item's own unit",
    )


class SupersedeReceipt(IssueReceipt):
    supersedes: str
    action: Action | None = None


class LeafFacts(_Answer):
    """The anchored facts of one document (``IDocumentRegistry.Leaf``), as JSON."""

    document_id: str = Field(alias="documentId")
    document_type: str = Field(alias="documentType")
    digest: str
    issuer: str
    importer: str
    issued_at: int = Field(alias="issuedAt")
    expires_at: int = Field(alias="expiresAt")
    #: Per item, thousandths of that item's unit, as decimal strings (past 2^53 JSON readers round numbers).
    quantities: list[str]
    payload_cid: str = Field(alias="payloadCid")


class ProofBundle(_Answer):
    """The anchoring proof that travels with an issued file (its ``origo`` member)."""

    document_id: str
    digest: str
    leaf: LeafFacts
    payload_cid: str | None = None
    root: str
    proof: list[str]
    signature: str
    signer: str
    anchor_block: int | None = None
    anchor_tx: str | None = None
    chain_id: int
    registry: str
    membership: str | None = None
    eip712: dict[str, Any] | None = None


class IssuedFile(_Answer):
    """``GET /api/v1/documents/{key}/file``: the document with its proof bundle."""

    document: dict[str, Any]
    origo: ProofBundle


class LinkedCertificate(_Answer):
    document_id: str
    reference: str | None = None
    issuer: str | None = None
    state: DocumentState | None = Field(None, description="The certificate's state (None if unknown here)")
    consistent: bool
    discrepancies: list[Any] = Field(default_factory=list)


class Consignment(_Answer):
    transport_documents: list[str] = Field(default_factory=list)
    vessel: str | None = None
    certificates: list[LinkedCertificate] = Field(default_factory=list)


class ManifestLinks(_Answer):
    """``GET /api/v1/documents/{key}/links``."""

    manifest_id: str
    reference: str | None = None
    consignments: list[Consignment] = Field(default_factory=list)
    same_voyage_unmatched: list[LinkedCertificate] = Field(default_factory=list)
    flagged: int = 0


# ---------------------------------------------------------------------------------------------- auditor


class TrailEvent(_Answer):
    kind: str
    member: str | None = None
    account: str | None = None
    block: int
    tx: str
    log_index: int | None = None
    timestamp: str | None = None
    fields: dict[str, Any] = Field(default_factory=dict)


class Trail(_Answer):
    """``GET /api/v1/documents/{key}/trail``."""

    document_id: str
    status: DocumentStatus
    events: list[TrailEvent] = Field(default_factory=list)
    payload_check: PayloadCheckAnswer | None = None


class TrailExport(ProofBundle):
    """``GET /api/v1/documents/{key}/export``: what an auditor re-checks against the chain alone."""

    format: str
    events: list[TrailEvent] = Field(default_factory=list)


# ---------------------------------------------------------------------------------------------- admin


class Proposal(_Answer):
    id: int
    kind: str
    proposer: str | None = None
    target: str | None = None
    quorum_bps: int | None = None
    deadline: int | None = None
    yes_votes: int = 0
    required_votes: int = 0
    executed: bool = False
    expired: bool = False


# ---------------------------------------------------------------------------------------------- requests


class WorkList(_Answer):
    """``GET /api/v1/documents``: an officer's queue, newest first."""

    documents: list[ListedDocument] = Field(default_factory=list)
    next_offset: int | None = Field(default=None, description="The offset of the next page; null at the end")
