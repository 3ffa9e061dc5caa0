"""A document's status, typed: what ``lifecycle.derive_status`` works out and ``StatusService`` answers.

Every field is what the API's ``DocumentStatus`` answer shows (node/API.md), and ``answer`` is the one place
that turns it into that answer (``origo_api.answers``, built with keyword arguments that mypy checks): routes
return it, services read the attributes. The values
are frozen: a service that shows a status differently (another reference, the replacement's reference) makes
a changed copy with ``dataclasses.replace``, and never edits the status another service answered.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from typing import Literal, TypedDict, TypeVar

from origo_api import answers
from origo_api.answers import MISSING
from origo_api.states import DocumentState

VerificationStage = Literal["open", "confirmed", "not_confirmed"]
#: The API's status answer, alone or as a work list shows it.
_Shown = TypeVar("_Shown", bound=answers.DocumentStatus)


@dataclass(frozen=True, kw_only=True)
class Anchor:
    """Where the document's batch was anchored: its Merkle root, block and transaction, and when."""

    root: str
    block: int
    tx: str
    at: str | None

    def answer(self) -> answers.Anchor:
        return answers.Anchor(root=self.root, block=self.block, tx=self.tx, at=self.at)


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

    def revocation(self) -> answers.Revocation:
        return answers.Revocation(**self._fields())

    def rejection(self) -> answers.Rejection:
        return answers.Rejection(**self._fields())

    def _fields(self) -> _ReasonFields:
        return _ReasonFields(
            reason_code=self.reason_code,
            reason=self.reason,
            block=self.block,
            tx=self.tx,
            at=self.at,
            label=self.label,
        )


class _ReasonFields(TypedDict):
    reason_code: int
    reason: str
    block: int
    tx: str
    at: str | None
    label: str | None


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

    def answer(self) -> answers.VerificationState:
        return answers.VerificationState(
            state=self.state,
            request_reason=self.request_reason,
            requested_at=self.requested_at,
            answer_reason=self.answer_reason,
            block=self.block,
            tx=self.tx,
            at=self.at,
        )


@dataclass(frozen=True, kw_only=True)
class ItemQuantity:
    """One item of a certificate (numbered from 1), in thousandths of its own unit shown as decimals:
    ``total``, ``claimed`` and ``remaining`` are None for an item that gives no quantity."""

    item: int
    unit: str | None
    total: str | None
    claimed: str | None
    remaining: str | None

    def answer(self) -> answers.Quantity:
        return answers.Quantity(
            item=self.item, unit=self.unit, total=self.total, claimed=self.claimed, remaining=self.remaining
        )


@dataclass(frozen=True, kw_only=True)
class ClaimedItem:
    """What one utilisation took from one item, and what remained on it after (None: no quantity tracked)."""

    item: int
    unit: str | None
    quantity: str
    remaining: str | None

    def answer(self) -> answers.ItemClaim:
        return answers.ItemClaim(
            item=self.item, unit=self.unit, quantity=self.quantity, remaining=self.remaining
        )


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

    def answer(self) -> answers.Utilisation:
        return answers.Utilisation(
            declaration=self.declaration,
            claims=[claim.answer() for claim in self.claims],
            whole_certificate=self.whole_certificate,
            fully_utilised=self.fully_utilised,
            block=self.block,
            tx=self.tx,
            at=self.at,
        )


@dataclass(frozen=True, kw_only=True)
class BatchRefusal:
    """Why the consortium refused to anchor a batch of this member (the contract's rule, in words)."""

    rule: str
    reason: str
    at: str | None

    def answer(self) -> answers.Refusal:
        return answers.Refusal(rule=self.rule, reason=self.reason, at=self.at)


@dataclass(frozen=True, kw_only=True)
class OtherIssuer:
    """A member that used a reference: its code, the full name to type, and its registered name."""

    issuer: str
    key: str
    name: str

    def answer(self) -> answers.OtherIssuer:
        return answers.OtherIssuer(issuer=self.issuer, key=self.key, name=self.name)


@dataclass(frozen=True, kw_only=True)
class SharedReference:
    """The flag of a reference other members anchored too (a reference is unique only within its issuer)."""

    reference: str
    also_issued_by: tuple[OtherIssuer, ...]
    message: str

    def answer(self) -> answers.SharedReference:
        return answers.SharedReference(
            reference=self.reference,
            also_issued_by=[other.answer() for other in self.also_issued_by],
            message=self.message,
        )


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

    def answer(self) -> answers.DocumentStatus:
        """The API's ``DocumentStatus`` answer."""
        return self._answer_as(answers.DocumentStatus)

    def listed(self, payload_check: answers.PayloadCheckAnswer | MISSING | None) -> answers.ListedDocument:
        """The status as a work list shows it, with the payload check (``MISSING``: none shown)."""
        listed = self._answer_as(answers.ListedDocument)
        listed.payload_check = payload_check
        return listed

    def _answer_as(self, answer: builtins.type[_Shown]) -> _Shown:
        return answer(
            document_id=self.document_id,
            reference=self.reference,
            shared_reference=None if self.shared_reference is None else self.shared_reference.answer(),
            type=self.type,
            version=self.version,
            issuer=self.issuer,
            importer=self.importer,
            digest=self.digest,
            payload_cid=self.payload_cid,
            issued_at=self.issued_at,
            expires_at=self.expires_at,
            state=self.state,
            refusal=None if self.refusal is None else self.refusal.answer(),
            anchor=None if self.anchor is None else self.anchor.answer(),
            items=[item.answer() for item in self.items],
            revocation=None if self.revocation is None else self.revocation.revocation(),
            superseded_by=self.superseded_by,
            superseded_at=self.superseded_at,
            supersedes=self.supersedes,
            rejection=None if self.rejection is None else self.rejection.rejection(),
            verification=None if self.verification is None else self.verification.answer(),
            utilisations=[use.answer() for use in self.utilisations],
            superseded_by_reference=MISSING if self.replacement is None else self.replacement.reference,
        )
