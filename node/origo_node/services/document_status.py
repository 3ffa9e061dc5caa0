"""A document's status, typed: what ``lifecycle.derive_status`` works out and ``StatusService`` answers.

Every field is what the API's ``DocumentStatus`` answer shows (node/API.md), and ``as_json`` is the one place
that turns it into that answer's JSON: routes call it at the edge, services read the attributes. The values
are frozen: a service that shows a status differently (another reference, the replacement's reference) makes
a changed copy with ``dataclasses.replace``, and never edits the status another service answered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from origo_api.states import DocumentState

VerificationStage = Literal["open", "confirmed", "not_confirmed"]


@dataclass(frozen=True, kw_only=True)
class Anchor:
    """Where the document's batch was anchored: its Merkle root, block and transaction, and when."""

    root: str
    block: int
    tx: str
    at: str | None

    def as_json(self) -> dict[str, Any]:
        return {"root": self.root, "block": self.block, "tx": self.tx, "at": self.at}


@dataclass(frozen=True, kw_only=True)
class RecordedReason:
    """A revocation (by the issuing member) or a rejection (by the importing member) as the chain recorded it:
    the agreed code, its label (None if the code is not on the list), the officer's words, where and when."""

    reason_code: int
    label: str | None
    reason: str
    block: int
    tx: str
    at: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "reason_code": self.reason_code,
            "label": self.label,
            "reason": self.reason,
            "block": self.block,
            "tx": self.tx,
            "at": self.at,
        }


@dataclass(frozen=True, kw_only=True)
class Verification:
    """The last verification request and its answer: ``at`` (with ``block`` and ``tx``) is the answer's once
    answered, the request's before; ``requested_at`` is always the request's."""

    state: VerificationStage
    request_reason: str | None
    requested_at: str | None
    answer_reason: str | None
    block: int
    tx: str
    at: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "request_reason": self.request_reason,
            "requested_at": self.requested_at,
            "answer_reason": self.answer_reason,
            "block": self.block,
            "tx": self.tx,
            "at": self.at,
        }


@dataclass(frozen=True, kw_only=True)
class ItemQuantity:
    """One item of a certificate (numbered from 1), in thousandths of its own unit shown as decimals:
    ``total``, ``claimed`` and ``remaining`` are None for an item that gives no quantity."""

    item: int
    unit: str | None
    total: str | None
    claimed: str | None
    remaining: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "unit": self.unit,
            "total": self.total,
            "claimed": self.claimed,
            "remaining": self.remaining,
        }


@dataclass(frozen=True, kw_only=True)
class ClaimedItem:
    """What one utilisation took from one item, and what remained on it after (None: no quantity tracked)."""

    item: int
    unit: str | None
    quantity: str
    remaining: str | None

    def as_json(self) -> dict[str, Any]:
        return {"item": self.item, "unit": self.unit, "quantity": self.quantity, "remaining": self.remaining}


@dataclass(frozen=True, kw_only=True)
class Utilisation:
    """One import declaration's claim; a whole-certificate claim lists what remained on each item it took."""

    declaration: str
    claims: tuple[ClaimedItem, ...]
    whole_certificate: bool
    fully_utilised: bool
    block: int
    tx: str
    at: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "declaration": self.declaration,
            "claims": [claim.as_json() for claim in self.claims],
            "whole_certificate": self.whole_certificate,
            "fully_utilised": self.fully_utilised,
            "block": self.block,
            "tx": self.tx,
            "at": self.at,
        }


@dataclass(frozen=True, kw_only=True)
class BatchRefusal:
    """Why the consortium refused to anchor a batch of this member (the contract's rule, in words)."""

    rule: str
    reason: str
    at: str | None

    def as_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "reason": self.reason, "at": self.at}


@dataclass(frozen=True, kw_only=True)
class OtherIssuer:
    """A member that used a reference: its code, the full name to type, and its registered name."""

    issuer: str
    key: str
    name: str

    def as_json(self) -> dict[str, Any]:
        return {"issuer": self.issuer, "key": self.key, "name": self.name}


@dataclass(frozen=True, kw_only=True)
class SharedReference:
    """The flag of a reference other members anchored too (a reference is unique only within its issuer)."""

    reference: str
    also_issued_by: tuple[OtherIssuer, ...]
    message: str

    def as_json(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "also_issued_by": [other.as_json() for other in self.also_issued_by],
            "message": self.message,
        }


@dataclass(frozen=True)
class Replacement:
    """What the holder of a superseded certificate may learn of its replacement: the replacement's reference,
    where this node knows it (None: it does not)."""

    reference: str | None


@dataclass(frozen=True, kw_only=True)
class DocumentStatus:
    """What anyone may know about a document: anchored (``anchor`` set), or this member's own not anchored yet
    (``pending``, or ``refused`` with ``refusal``: no leaf data is shown then)."""

    document_id: str
    type: str | None  # None: a type this node does not know (the leaf names it by a hash)
    version: str | None
    issuer: str
    importer: str
    state: DocumentState
    digest: str | None = None
    payload_cid: str | None = None
    issued_at: str | None = None
    expires_at: str | None = None
    anchor: Anchor | None = None
    items: tuple[ItemQuantity, ...] = ()
    revocation: RecordedReason | None = None
    superseded_by: str | None = None
    superseded_at: str | None = None
    supersedes: str | None = None
    rejection: RecordedReason | None = None
    verification: Verification | None = None
    utilisations: tuple[Utilisation, ...] = ()
    refusal: BatchRefusal | None = None
    #: The reference, when the caller may see it (see ``services.status``); None otherwise.
    reference: str | None = None
    shared_reference: SharedReference | None = None
    #: Shown only to a holder of a superseded certificate (a verification that carried its reference).
    replacement: Replacement | None = field(default=None)

    def as_json(self) -> dict[str, Any]:
        """The API's ``DocumentStatus`` answer, in its order (the order every node has always sent)."""
        shown: dict[str, Any] = {
            "document_id": self.document_id,
            "reference": self.reference,
            "shared_reference": _json(self.shared_reference),
            "type": self.type,
            "version": self.version,
            "issuer": self.issuer,
            "importer": self.importer,
            "digest": self.digest,
            "payload_cid": self.payload_cid,
            "issued_at": self.issued_at,
            "expires_at": self.expires_at,
            "state": self.state,
            "refusal": _json(self.refusal),
            "anchor": _json(self.anchor),
            "items": [item.as_json() for item in self.items],
            "revocation": _json(self.revocation),
            "superseded_by": self.superseded_by,
            "superseded_at": self.superseded_at,
            "supersedes": self.supersedes,
            "rejection": _json(self.rejection),
            "verification": _json(self.verification),
            "utilisations": [use.as_json() for use in self.utilisations],
        }
        if self.replacement is not None:
            shown["superseded_by_reference"] = self.replacement.reference
        return shown


def _json(value: Anchor | RecordedReason | Verification | BatchRefusal | SharedReference | None) -> Any:
    return None if value is None else value.as_json()
