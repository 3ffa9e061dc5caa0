"""How a document is named: by its issuing member and its id together.

The chain cannot check that an id was derived from its issuer's reference, so any member can anchor a
leaf that carries another member's id. Two documents may then share an id hex; what tells them apart is
the issuer, on chain (the registry keys every record by (issuer, id)) and in every index here.

What a person typed is read by ``services.resolver``; this module holds the key type and the rule for a
bare ``0x<id>``: it names the one document carrying that id. When leaves of several issuers carry it, the
one whose id this node has proven to derive from its issuer and reference (it issued it, or it read the
payload) is the document; a leaf whose payload shows another reference never is. If none or several are
proven, the key is ambiguous and the answer lists the full names to use (a QR code's digest can still tell
them apart: ``services.resolver``). Never the first anchored: a squatter can anchor first.
"""

from __future__ import annotations

from origo_node.documents import document_id as derive_document_id
from origo_node.store.ports import IndexStore, OutboxStore


class DocumentKey(str):
    """A document id that knows its issuer.

    It is the id (``0x`` + 64 hex) wherever a string is used, in JSON, messages and SQL parameters, so
    code that shows or stores ids keeps working; ``issuer`` completes the document's name. Compare keys
    of different issuers with ``same_document``, not ``==`` (which, as for strings, compares ids only).
    """

    issuer: str
    #: The reference the id was derived from, when the key was given as one: what a person typed, shown back
    #: to them in messages instead of an id they never saw.
    reference: str | None

    def __new__(cls, issuer: str, document_id: str, reference: str | None = None) -> DocumentKey:
        key = super().__new__(cls, document_id.lower())
        key.issuer = issuer
        key.reference = reference
        return key

    @property
    def qualified(self) -> str:
        """The full name, ``ISSUER:0x<id>``."""
        return f"{self.issuer}:{str.__str__(self)}"

    @property
    def named(self) -> str:
        """The name a person gave: ``ISSUER:REFERENCE`` when they gave a reference, else ``ISSUER:0x<id>``."""
        return f"{self.issuer}:{self.reference}" if self.reference else self.qualified

    def unknown(self) -> str:
        """Why a lookup found nothing, in the terms the key was given in."""
        if self.reference:
            return f"{self.issuer} issued no document with reference {self.reference} that this node knows of"
        return f"document {self.qualified} is unknown to this node"

    def same_document(self, other: DocumentKey) -> bool:
        return self.issuer == other.issuer and str.__eq__(self, other)


def bare_id_issuers(index: IndexStore, outbox: OutboxStore, document_id: str, own_member: str) -> list[str]:
    """The issuers a bare id may name, by the module's rule, in code order: one when it names a document,
    several when it is ambiguous, none when this node knows of no such document."""
    document_id = document_id.lower()
    issuers = index.issuers_of_id(document_id)
    if outbox.get(document_id) is not None:
        issuers.add(own_member)
    # A leaf whose payload shows another issuer's reference squats the id: never the document.
    issuers -= index.issuers_with_check(document_id, "id_mismatch")
    if len(issuers) <= 1:
        return sorted(issuers)
    proven = [code for code in sorted(issuers) if _id_proven(index, outbox, code, document_id, own_member)]
    return proven if len(proven) == 1 else sorted(issuers)


def _id_proven(
    index: IndexStore, outbox: OutboxStore, issuer: str, document_id: str, own_member: str
) -> bool:
    """Whether this node knows the reference behind (issuer, id) and the id derives from it."""
    if issuer == own_member:
        reference = outbox.reference(document_id)
    else:
        check = index.payload_check(issuer, document_id)
        reference = check.reference if check is not None and check.state == "ok" else None
    if reference is None:
        return False
    return "0x" + derive_document_id(issuer, reference).hex() == document_id
