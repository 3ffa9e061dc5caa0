"""What each kind of document event carries, typed: the fields of the contract's event beyond the document,
its issuer, the member that acted and its account (which ``DocumentEvent`` holds itself).

The index stores them, and the trail shows them, as the chain named them (camelCase, in the event's order):
``as_json`` gives exactly that, and ``fields_of`` reads it back, so rows written before these types read the
same. The anchoring is no contract event of its own kind but the batch's; the trail shows it with the leaf's
``Anchored`` fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from origo_node.documents.event_kinds import EventKind


@dataclass(frozen=True, kw_only=True)
class Anchored:
    """The batch's root, the leaf's digest and the importing member (the trail's first event)."""

    root: str
    digest: str
    importer: str

    def as_json(self) -> dict[str, Any]:
        return {"root": self.root, "digest": self.digest, "importer": self.importer}


@dataclass(frozen=True, kw_only=True)
class ReasonGiven:
    """A revocation (by the issuing member) or a rejection (by the importing member): the agreed code and
    the officer's words."""

    reason_code: int
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {"reasonCode": self.reason_code, "reason": self.reason}


@dataclass(frozen=True, kw_only=True)
class Superseded:
    replacement_id: str

    def as_json(self) -> dict[str, Any]:
        return {"replacementId": self.replacement_id}


@dataclass(frozen=True, kw_only=True)
class ItemTaken:
    """What a claim took of one item: its 0-based index and the quantity in thousandths of its unit."""

    item: int
    quantity: int

    def as_json(self) -> dict[str, Any]:
        return {"item": self.item, "quantity": self.quantity}


@dataclass(frozen=True, kw_only=True)
class Claimed:
    """A claim at import: the declaration, what it took of each item (none: the whole certificate), and
    whether the certificate is used up after it."""

    declaration: str
    claims: tuple[ItemTaken, ...]
    fully_utilised: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "declaration": self.declaration,
            "claims": [claim.as_json() for claim in self.claims],
            "fullyUtilised": self.fully_utilised,
        }


@dataclass(frozen=True, kw_only=True)
class VerificationRequested:
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {"reason": self.reason}


@dataclass(frozen=True, kw_only=True)
class VerificationAnswered:
    confirmed: bool
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {"confirmed": self.confirmed, "reason": self.reason}


EventFields = Anchored | ReasonGiven | Superseded | Claimed | VerificationRequested | VerificationAnswered


def fields_of(kind: str, raw: Mapping[str, Any]) -> EventFields:
    """The typed fields of an event of ``kind`` from its camelCase fields (the chain's, or a stored row's).

    Raises ``KeyError`` for a field the kind needs that is missing, ``ValueError`` for a kind unknown."""
    if kind in (EventKind.REVOKED, EventKind.REJECTED):
        return ReasonGiven(reason_code=int(raw["reasonCode"]), reason=str(raw["reason"]))
    if kind == EventKind.SUPERSEDED:
        return Superseded(replacement_id=str(raw["replacementId"]))
    if kind == EventKind.ACCEPTED:
        return Claimed(
            declaration=str(raw["declaration"]),
            claims=tuple(
                ItemTaken(item=int(claim["item"]), quantity=int(claim["quantity"]))
                for claim in raw.get("claims") or ()
            ),
            fully_utilised=bool(raw["fullyUtilised"]),
        )
    if kind == EventKind.VERIFICATION_REQUESTED:
        return VerificationRequested(reason=str(raw["reason"]))
    if kind == EventKind.VERIFICATION_ANSWERED:
        return VerificationAnswered(confirmed=bool(raw["confirmed"]), reason=str(raw["reason"]))
    if kind == EventKind.ANCHORED:
        return Anchored(root=str(raw["root"]), digest=str(raw["digest"]), importer=str(raw["importer"]))
    raise ValueError(f"no document event of kind {kind!r}")
