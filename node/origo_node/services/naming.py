"""How a document is named: by its issuing member and its id together.

The chain cannot check that an id was derived from its issuer's reference, so any member can anchor a
leaf that carries another member's id. Two documents may then share an id hex; what tells them apart is
the issuer, on chain (the registry keys every record by (issuer, id)) and in every index here.

Keys a person may give, and what they name:

- ``ISSUER:REFERENCE`` (``VN:VN-2026-0001234``) and ``ISSUER:0x<id>``: that issuer's document, exactly.
- a bare reference: the document of whichever member issued that reference (the id derives from both).
- a bare ``0x<id>``: the one document carrying that id. When leaves of several issuers carry it, the one
  whose id this node has proven to derive from its issuer and reference (it issued it, or it read the
  payload) is the document; if none or several are proven, the key is ambiguous and the answer lists the
  full names to use. Never the first anchored: a squatter can anchor first.
"""

from __future__ import annotations

import re

from origo_node.documents import document_id as derive_document_id
from origo_node.errors import Conflict, NotFound, ValidationFailed
from origo_node.store.ports import IndexStore, OutboxStore

_ID = re.compile(r"^0x[0-9a-fA-F]{64}$")
_QUALIFIED_ID = re.compile(r"^([A-Za-z]{2})\s*:\s*(0x[0-9a-fA-F]{64})$")
_QUALIFIED = re.compile(r"^([A-Z]{2}):(.+)$")


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


def parse_key(key: str) -> DocumentKey | str:
    """The key named exactly (``ISSUER:...``), or the bare id or reference left to look up."""
    key = key.strip()
    if not key or len(key) > 200:
        raise ValidationFailed(
            "not a document key",
            errors=[{"pointer": "", "message": "give ISSUER:REFERENCE, ISSUER:0x<id>, an id or a reference"}],
        )
    qualified_id = _QUALIFIED_ID.match(key)
    if qualified_id:
        return DocumentKey(qualified_id.group(1).upper(), qualified_id.group(2))
    qualified = _QUALIFIED.match(key)
    if qualified and not _ID.match(key):
        issuer, reference = qualified.group(1), qualified.group(2)
        return DocumentKey(issuer, "0x" + derive_document_id(issuer, reference).hex(), reference)
    return key


def resolve_bare_id(index: IndexStore, outbox: OutboxStore, document_id: str, own_member: str) -> DocumentKey:
    """The one document a bare id names (see the module's rule)."""
    document_id = document_id.lower()
    issuers = index.issuers_of_id(document_id)
    if outbox.get(document_id) is not None:
        issuers.add(own_member)
    # A leaf whose payload shows another issuer's reference squats the id: never the document.
    issuers -= index.issuers_with_check(document_id, "id_mismatch")
    if not issuers:
        raise NotFound(f"document {document_id} is unknown to this node")
    if len(issuers) == 1:
        return DocumentKey(issuers.pop(), document_id)
    proven = [code for code in sorted(issuers) if _id_proven(index, outbox, code, document_id, own_member)]
    if len(proven) == 1:
        return DocumentKey(proven[0], document_id)
    names = " or ".join(f"{code}:{document_id}" for code in sorted(issuers))
    raise Conflict(
        f"leaves of {len(issuers)} members ({', '.join(sorted(issuers))}) carry id {document_id}; a document"
        f" is named by its issuer and its id: ask for {names}",
        rule="AmbiguousDocumentId",
    )


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
