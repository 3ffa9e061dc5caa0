"""The plain values the document layer hands around: problems, the validation context, and facts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One broken rule: where (an RFC 6901 pointer into the document) and what, for a human."""

    pointer: str
    message: str

    def as_dict(self) -> dict[str, str]:
        """The shape ``ValidationFailed.errors`` and the API's problem+json carry."""
        return {"pointer": self.pointer, "message": self.message}


@dataclass(frozen=True)
class ValidationContext:
    """What a document is checked against besides itself: who we are, who the members are, and when now is."""

    own_member: str
    members: frozenset[str] | None
    today: dt.date
    validity_months: int = 12
    retroactive_days: int = 365
    max_bytes: int = 256 * 1024


@dataclass(frozen=True)
class TransportFacts:
    """One leg of carriage as a document states it, so certificates can be matched with manifests.

    A certificate has one; a manifest has one per consignment (bill of lading or air waybill).
    """

    vessel_or_flight: str
    port_of_loading: str
    port_of_discharge: str
    departure_date: dt.date
    transport_documents: tuple[str, ...]
    # HS subheadings (6 digits) of the goods carried under these transport documents.
    hs_subheadings: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocumentFacts:
    """What the chain and the index need to know about a valid document, derived from it alone."""

    doc_type: str
    version: str
    type_id: bytes
    reference: str
    issuer: str
    importer: str
    issued_on: dt.date
    # Unix seconds at which the document stops being valid; 0 means it never expires.
    expires_at: int
    # One per item, in the document's order: thousandths of that item's own unit, 0 where the item gives no
    # quantity (it is claimed only with the whole certificate). Empty: the document is claimed only whole.
    quantities: tuple[int, ...]
    quantity_units: tuple[str | None, ...]  # the unit of each item's quantity, None where it gives none
    transport: tuple[TransportFacts, ...]
