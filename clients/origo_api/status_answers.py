"""A document's status as the API answers it (``GET /api/v1/documents/{key}``, and inside a verification, a
trail and a work list), with the parts it is made of: the anchor, each item's quantities, a revocation or
rejection, the verification request, the utilisations, a reference other members used too.

Re-exported by ``origo_api.answers``, where the other answers are; lenient as they are (``extra="allow"``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import MISSING, BaseModel, ConfigDict, Field

from origo_api.states import DocumentState

__all__ = [
    "Anchor",
    "AnswerModel",
    "DocumentStatus",
    "ItemClaim",
    "ListedDocument",
    "OtherIssuer",
    "PayloadCheckAnswer",
    "Quantity",
    "Refusal",
    "Rejection",
    "Revocation",
    "SharedReference",
    "Utilisation",
    "VerificationState",
]


class AnswerModel(BaseModel):
    """The base of every answer: a member a newer node adds is kept, not refused."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Anchor(AnswerModel):
    root: str
    block: int
    tx: str
    at: str | None = None
    timestamp: str | None = None


class Quantity(AnswerModel):
    """One item of a certificate, in its own unit: what it covers, what was claimed, what remains.

    ``item`` is numbered from 1 as on the form; ``total``/``claimed``/``remaining`` are None for an item that
    gives no quantity (it is claimed only with the whole certificate)."""

    item: int
    unit: str | None = None
    total: str | None = None
    claimed: str | None = None
    remaining: str | None = None


class _RecordedReason(AnswerModel):
    # An act the chain recorded with an agreed reason code and an officer's words.

    reason_code: int
    reason: str = ""
    block: int | None = None
    tx: str | None = None
    at: str | None = None
    label: str | None = Field(default=None, description="The agreed label of the code (None: not listed)")


class Revocation(_RecordedReason):  # the issuing member's (no docstring: it would change the API's schema)
    pass


class Rejection(_RecordedReason):  # the importing member's
    pass


class VerificationState(AnswerModel):
    """The last verification request and its answer: ``at`` is the answer's time once answered, the request's
    before; ``requested_at`` is always the request's."""

    state: Literal["open", "confirmed", "not_confirmed"]
    request_reason: str | None = None
    requested_at: str | None = None
    answer_reason: str | None = None
    block: int | None = None
    tx: str | None = None
    at: str | None = None


class ItemClaim(AnswerModel):
    """What one utilisation took from one item (numbered from 1), and what remained on it after."""

    item: int
    unit: str | None = None
    quantity: str | None = None
    remaining: str | None = None


class Utilisation(AnswerModel):
    """One import declaration's claim. A whole-certificate claim lists what remained on each item it took."""

    declaration: str
    claims: list[ItemClaim] = Field(default_factory=list)
    whole_certificate: bool = False
    fully_utilised: bool | None = None
    block: int | None = None
    tx: str | None = None
    at: str | None = None


class OtherIssuer(AnswerModel):
    """Another member that used the same reference: its code, the full name to type, its registered name."""

    issuer: str
    key: str
    name: str


class SharedReference(AnswerModel):
    """The flag of a reference several members anchored (a reference is unique only within its issuer)."""

    reference: str
    also_issued_by: list[OtherIssuer]
    message: str


class Refusal(AnswerModel):
    """Why the consortium refused to anchor a batch of this member: the contract's rule, in words."""

    rule: str
    reason: str
    at: str | None = None


class DocumentStatus(AnswerModel):
    """``GET /api/v1/documents/{key}``: what anyone may know about a document."""

    document_id: str
    reference: str | None = None
    shared_reference: SharedReference | None = Field(
        default=None,
        description="Set when another member anchored a document under the same reference, with a sentence",
    )
    type: str | None = Field(
        description="None for a type this node does not know (the chain names it by a hash)"
    )
    version: str | None
    issuer: str
    importer: str
    digest: str | None = None  # None until anchored: a pending document's leaf is not public
    payload_cid: str | None = None
    issued_at: str | None = None
    expires_at: str | None = None
    state: DocumentState
    refusal: Refusal | None = Field(default=None, description="Why the consortium refused to anchor it")
    anchor: Anchor | None = None
    items: list[Quantity] = Field(default_factory=list, description="What each item covers and what remains")
    revocation: Revocation | None = None
    superseded_by: str | None = None
    superseded_at: str | None = None
    supersedes: str | None = None
    rejection: Rejection | None = None
    verification: VerificationState | None = None
    utilisations: list[Utilisation] = Field(default_factory=list)
    superseded_by_reference: str | MISSING | None = Field(
        default=MISSING,
        description="The replacement's reference, for a holder of a superseded certificate (a verification"
        " that carried its reference; None: this node does not know it). Absent otherwise",
    )


class PayloadCheckAnswer(AnswerModel):
    """What this member's node found when it read the payload (a document it is a recipient of)."""

    state: str = Field(
        description="pending, ok, digest_mismatch, bad_signature, id_mismatch, facts_mismatch,"
        " not_a_recipient or unavailable"
    )
    detail: str | None = None
    checked_at: str | None = None


class ListedDocument(DocumentStatus):
    """A document of an officer's work list: its status, and for an anchored one what this member's node
    found in its payload (absent for this member's documents not anchored yet)."""

    payload_check: PayloadCheckAnswer | MISSING | None = MISSING
