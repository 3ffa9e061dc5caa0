"""The auditor's read: a payload this member may read, fetched, opened and checked against the chain.

The payload is fetched (from this node's store or another member's gateway) and decrypted, and its canonical
digest and its issuer's EIP-712 signature are checked against the anchored ones. The background checker
(services/payload_checks.py) runs the same read for every document this member is a recipient of.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from typing import Any

from origo_node.chain import eip712
from origo_node.chain.merkle import Leaf
from origo_node.crypto import EncryptionPrivateKey, open_envelope
from origo_node.crypto.deferred import Lazy
from origo_node.documents import ValidationContext, canonical_bytes, find_type
from origo_node.errors import CryptoError, NotFound, OrigoError, WrongMember
from origo_node.hashing import keccak256
from origo_node.payload import PayloadStore
from origo_node.services.naming import DocumentKey
from origo_node.store.ports import IndexStore
from origo_node.store.rows import IndexedDocument


class PayloadMismatch(OrigoError):
    """The payload does not match what was anchored; ``state`` names how (a payload check's state)."""

    status = 409
    slug = "payload-mismatch"

    def __init__(self, state: str, message: str) -> None:
        super().__init__(message, state=state)
        self.state = state


class PayloadReader:
    def __init__(
        self,
        index: IndexStore,
        payloads: PayloadStore,
        member: str,
        key: EncryptionPrivateKey | Lazy[EncryptionPrivateKey],
        domain: bytes,
        retired_keys: Sequence[EncryptionPrivateKey] | Lazy[Sequence[EncryptionPrivateKey]] = (),
    ) -> None:
        self._index = index
        self._payloads = payloads
        self._member = member
        # Decrypted from their keystores at the first payload read (``crypto.deferred``), not at start.
        self._key = Lazy.wrap(key)
        #: Keys this member published before rotating: payloads sealed to them must stay readable.
        self._retired_keys = Lazy.wrap(retired_keys)
        self._domain = domain

    @property
    def member(self) -> str:
        return self._member

    def prefetch(self, keys: Sequence[DocumentKey]) -> int:
        """Fetches the payloads of ``keys`` this member may read in one go (``PayloadStore.prefetch``: one CAR
        request to a peer instead of one request each); ``read`` then checks each as always."""
        cids = []
        for key in keys:
            row = self._index.document(key.issuer, str.__str__(key))
            if row is not None and self._member in row.recipients:
                cids.append(row.payload_cid)
        return self._payloads.prefetch(cids) if cids else 0

    def read(self, key: DocumentKey) -> dict[str, Any]:
        """The decrypted document, checked against its anchored digest and its issuer's signature."""
        document_id = str.__str__(key)
        row = self._index.document(key.issuer, document_id)
        if row is None:
            raise NotFound(f"document {key.named} is not anchored (or not indexed yet)")
        if self._member not in row.recipients:
            raise WrongMember(f"the payload of {document_id} is not encrypted for {self._member}")
        # A recipient keeps what it may read: pinned (fetched whole first), so that it can serve the payload
        # to the other recipients when the issuer's store is gone, and so that no garbage collection drops it.
        self._payloads.pin(row.payload_cid)
        envelope = self._payloads.get(row.payload_cid)
        plaintext = self._open(envelope, bytes.fromhex(document_id[2:]))
        if "0x" + hashlib.sha256(plaintext).hexdigest() != row.digest:
            raise PayloadMismatch("digest_mismatch", "the payload's digest is not the anchored digest")
        document: dict[str, Any] = json.loads(plaintext)
        if canonical_bytes(document) != plaintext:
            raise PayloadMismatch("digest_mismatch", "the payload is not in canonical form")
        signer = eip712.recover(leaf_of(row), self._domain, bytes.fromhex(row.signature[2:]))
        if signer.lower() != row.signer.lower():
            raise PayloadMismatch("bad_signature", f"the signature recovers to {signer}, not {row.signer}")
        return document

    def _open(self, envelope: bytes, aad: bytes) -> bytes:
        """Opens with the current key, else with a retired one (the payload was sealed before a rotation)."""
        # Outside the try: a keystore that will not open is the node's fault, never the payload's.
        current, retired = self._key.get(), self._retired_keys.get()
        try:
            return open_envelope(envelope, self._member, current, aad=aad)
        except CryptoError as exc:
            first = exc
        for key in retired:
            try:
                return open_envelope(envelope, self._member, key, aad=aad)
            except CryptoError:
                continue
        raise PayloadMismatch("not_a_recipient", f"cannot open the payload: {first.message}") from first


def leaf_of(row: IndexedDocument) -> Leaf:
    """The leaf of an indexed document."""
    return Leaf(
        document_id=bytes.fromhex(row.document_id[2:]),
        document_type=bytes.fromhex(row.document_type[2:]),
        digest=bytes.fromhex(row.digest[2:]),
        issuer=row.issuer,
        importer=row.importer,
        issued_at=row.issued_at,
        expires_at=row.expires_at,
        quantities=row.quantities,
        payload_cid=bytes.fromhex(_keccak_cid(row.payload_cid)),
    )


def _keccak_cid(cid: str) -> str:
    return keccak256(cid.encode()).hex()


def identity_of(document: dict[str, Any]) -> tuple[str, str] | None:
    """(issuing member, reference) as the document's own type reads them; None if it cannot tell."""
    name, version = document.get("type"), document.get("version")
    if not isinstance(name, str) or not isinstance(version, str):
        return None
    doc_type = find_type(name, version)
    if doc_type is None:
        return None
    ctx = ValidationContext(own_member="", members=None, today=dt.date.today())
    try:
        facts = doc_type.facts(document, ctx)
    except Exception:  # an unrecognisable file is answered as unknown, not as a server error
        return None
    return facts.issuer, facts.reference
