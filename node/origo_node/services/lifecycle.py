"""A document's life cycle as a pure function: its anchored facts and its events in, its public status out.

Every member's node derives the same status from the same index rows; nothing here reads a clock, a store or
the chain (``now`` is given), so the rules are tested directly (tests/node/unit/test_lifecycle.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from origo_api.states import DocumentState

from origo_node import reasons
from origo_node.chain.events import event_entitled
from origo_node.documents.event_fields import (
    Claimed,
    ReasonGiven,
    Superseded,
    VerificationAnswered,
    VerificationRequested,
)
from origo_node.services.document_status import (
    Anchor,
    ClaimedItem,
    DocumentStatus,
    ItemQuantity,
    RecordedReason,
    Utilisation,
    Verification,
)
from origo_node.store.rows import DocumentEvent, IndexedDocument


def iso(ts: int | float | None) -> str | None:
    if ts is None or ts == 0:
        return None
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def thousandths(value: int) -> str:
    return f"{value // 1000}.{value % 1000:03d}"


def amount(value: int) -> str:
    """Thousandths as a person reads them: 8960000 -> '8,960.000'; 1500 -> '1.500'."""
    return f"{Decimal(value) / 1000:,.3f}"


class _Items:
    """What each item of a certificate covers and what was claimed from it, replayed claim by claim.

    Quantities are thousandths of each item's own unit; an item with total 0 gives no quantity and is claimed
    only with the whole certificate.
    """

    def __init__(self, totals: Sequence[int], units: Sequence[str | None]) -> None:
        self.totals = list(totals)
        self.units = [units[i] if i < len(units) else None for i in range(len(totals))]
        self.claimed = [0] * len(totals)

    def remaining(self, index: int) -> int:
        return max(self.totals[index] - self.claimed[index], 0)

    def take(self, index: int, quantity: int) -> ClaimedItem:
        """One claim on one item (``index`` 0-based, as on the chain), shown numbered from 1."""
        if not 0 <= index < len(self.totals):
            # The chain refuses a claim on an item the leaf does not have; should a row and an event disagree
            # anyway, the claim is shown as it was made rather than counted against another item.
            return ClaimedItem(item=index + 1, unit=None, quantity=thousandths(quantity), remaining=None)
        self.claimed[index] += quantity
        tracked = self.totals[index] > 0
        return ClaimedItem(
            item=index + 1,
            unit=self.units[index],
            quantity=thousandths(quantity),
            remaining=thousandths(self.remaining(index)) if tracked else None,
        )

    def take_all(self) -> tuple[ClaimedItem, ...]:
        """A whole-certificate claim: it takes what remained on every item with a quantity (items on which
        nothing remained are not listed: nothing was taken from them)."""
        return tuple(
            self.take(index, self.remaining(index))
            for index, total in enumerate(self.totals)
            if total > 0 and self.remaining(index) > 0
        )

    def shown(self, fully_utilised: bool) -> tuple[ItemQuantity, ...]:
        shown = []
        for index, total in enumerate(self.totals):
            tracked = total > 0
            remaining = 0 if fully_utilised else self.remaining(index)
            shown.append(
                ItemQuantity(
                    item=index + 1,
                    unit=self.units[index],
                    total=thousandths(total) if tracked else None,
                    claimed=thousandths(self.claimed[index]) if tracked else None,
                    remaining=thousandths(remaining) if tracked else None,
                )
            )
        return tuple(shown)


def _recorded(kind: str, said: ReasonGiven, event: DocumentEvent) -> RecordedReason:
    return RecordedReason(
        reason_code=said.reason_code,
        label=reasons.label(kind, said.reason_code),
        reason=said.reason,
        block=event.block,
        tx=event.tx_hash,
        at=iso(event.timestamp),
    )


def derive_status(
    row: IndexedDocument, events: Sequence[DocumentEvent], supersedes: str | None, now: float
) -> DocumentStatus:
    """The public status of an anchored document: its state and everything that led to it (no reference:
    which one a caller may see is the status service's to say)."""
    revocation = rejection = None
    verification: Verification | None = None
    superseded_by = superseded_at = None
    fully_utilised = False
    items = _Items(row.quantities, row.quantity_units)
    utilisations = []
    for event in events:
        # An event its member had no right to cause is never a state (the indexer drops those it can tell).
        if not event_entitled(event.kind, event.member, row.issuer, row.importer):
            continue
        fields = event.fields
        at = iso(event.timestamp)
        kind = event.kind
        # Each kind carries its own fields (``documents.event_fields``): the kind and the type agree.
        if kind == "revoked" and isinstance(fields, ReasonGiven):
            revocation = _recorded("revoke", fields, event)
        elif kind == "superseded" and isinstance(fields, Superseded):
            superseded_by = fields.replacement_id
            superseded_at = at
        elif kind == "rejected" and isinstance(fields, ReasonGiven):
            rejection = _recorded("reject", fields, event)
        elif kind == "accepted" and isinstance(fields, Claimed):
            # No claims in the event: the whole certificate, everything that remained on every item.
            claims = fields.claims
            taken = (
                tuple(items.take(claim.item, claim.quantity) for claim in claims)
                if claims
                else items.take_all()
            )
            fully_utilised = fully_utilised or fields.fully_utilised
            utilisations.append(
                Utilisation(
                    declaration=fields.declaration,
                    claims=taken,
                    whole_certificate=not claims,
                    fully_utilised=fields.fully_utilised,
                    block=event.block,
                    tx=event.tx_hash,
                    at=at,
                )
            )
        elif kind == "verification_requested" and isinstance(fields, VerificationRequested):
            # A new request replaces the last one's answer, as the registry clears it.
            verification = Verification(
                state="open",
                request_reason=fields.reason,
                requested_at=at,
                answer_reason=None,
                block=event.block,
                tx=event.tx_hash,
                at=at,
            )
        elif kind == "verification_answered" and isinstance(fields, VerificationAnswered):
            verification = Verification(
                state="confirmed" if fields.confirmed else "not_confirmed",
                request_reason=verification.request_reason if verification else None,
                requested_at=verification.requested_at if verification else None,
                answer_reason=fields.reason,
                block=event.block,
                tx=event.tx_hash,
                at=at,
            )
    expires_at = row.expires_at
    expired = expires_at != 0 and now >= expires_at
    if revocation:
        state = DocumentState.REVOKED
    elif superseded_by:
        state = DocumentState.SUPERSEDED
    elif rejection:
        state = DocumentState.REJECTED
    elif verification and verification.state == "not_confirmed":
        # Outranks a claim made before the doubt: the preference given may be recovered (ATIGA OCP).
        state = DocumentState.NOT_CONFIRMED
    elif fully_utilised:
        state = DocumentState.ACCEPTED
    elif verification and verification.state == "open":
        state = DocumentState.UNDER_VERIFICATION
    elif expired:
        state = DocumentState.EXPIRED
    elif utilisations:
        state = DocumentState.PARTIALLY_ACCEPTED
    else:
        state = DocumentState.VALID
    return DocumentStatus(
        document_id=row.document_id,
        type=row.type_name,
        version=row.type_version,
        issuer=row.issuer,
        importer=row.importer,
        digest=row.digest,
        payload_cid=row.payload_cid,
        issued_at=iso(row.issued_at),
        expires_at=iso(expires_at),
        state=state,
        anchor=Anchor(root=row.root, block=row.block, tx=row.tx_hash, at=iso(row.timestamp)),
        items=items.shown(fully_utilised),
        revocation=revocation,
        superseded_by=superseded_by,
        superseded_at=superseded_at,
        supersedes=supersedes,
        rejection=rejection,
        verification=verification,
        utilisations=tuple(utilisations),
    )
