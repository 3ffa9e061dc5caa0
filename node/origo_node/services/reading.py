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
from dataclasses import dataclass

from origo_node.chain import eip712
from origo_node.chain.merkle import Leaf
from origo_node.crypto import EncryptionPrivateKey, open_envelope
from origo_node.crypto.deferred import Lazy
from origo_node.documents import DocumentFacts, ValidationContext, canonical_bytes, find_type
from origo_node.documents.json_value import JsonObject
from origo_node.errors import CryptoError, NotFound, OrigoError, ValidationFailed, WrongMember
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

    def prefetch(self, rows: Sequence[IndexedDocument]) -> int:
        """Fetches the payloads of ``rows`` this member may read in one go (``PayloadStore.prefetch``: one CAR
        request to a peer instead of one request each); ``read`` then checks each as always."""
        cids = [row.payload_cid for row in rows if self._member in row.recipients]
        return self._payloads.prefetch(cids) if cids else 0

    def read(self, key: DocumentKey) -> JsonObject:
        """The decrypted document, checked against its anchored digest and its issuer's signature."""
        row = self.readable_row(key, self._index.document(key.issuer, str.__str__(key)))
        envelope = self.envelope_of(row)
        return self.opener().read(envelope, row)

    def readable_row(self, key: DocumentKey, row: IndexedDocument | None) -> IndexedDocument:
        """``row`` (the index's record of ``key``), if it names a payload this member may read."""
        if row is None:
            raise NotFound(f"document {key.named} is not anchored (or not indexed yet)")
        if self._member not in row.recipients:
            raise WrongMember(f"the payload of {str.__str__(key)} is not encrypted for {self._member}")
        return row

    def envelope_of(self, row: IndexedDocument) -> bytes:
        """The payload's envelope, pinned: a recipient keeps what it may read (fetched whole first), so that
        it can serve the payload to the other recipients when the issuer's store is gone, and so that no
        garbage collection drops it."""
        self._payloads.pin(row.payload_cid)
        return self._payloads.get(row.payload_cid)

    def opener(self) -> PayloadOpener:
        """What opens and checks this member's payloads; raises if a keystore will not open (the node's fault,
        never a payload's)."""
        return PayloadOpener(self._member, (self._key.get(), *self._retired_keys.get()), self._domain)


@dataclass(frozen=True, slots=True)
class PayloadOpener:
    """Opens an envelope with this member's keys and checks it against its indexed record: no store, no index,
    so that it runs where the CPU is (a worker process of ``services.check_pool``) as well as here."""

    member: str
    #: The current key first, then the keys published before a rotation.
    keys: tuple[EncryptionPrivateKey, ...]
    domain: bytes

    def __repr__(self) -> str:
        return f"PayloadOpener({self.member}, {len(self.keys)} key(s))"

    def read(self, envelope: bytes, row: IndexedDocument) -> JsonObject:
        """The decrypted document, checked against its anchored digest and its issuer's signature; raises
        ``PayloadMismatch`` naming the first check it fails (none is skipped before it)."""
        plaintext = self._open(envelope, bytes.fromhex(row.document_id[2:]))
        if "0x" + hashlib.sha256(plaintext).hexdigest() != row.digest:
            raise PayloadMismatch("digest_mismatch", "the payload's digest is not the anchored digest")
        try:
            document: object = json.loads(plaintext)
        except (ValueError, RecursionError):  # bytes its issuer anchored that are not JSON at all
            raise PayloadMismatch("digest_mismatch", "the payload is not in canonical form") from None
        try:
            canonical = canonical_bytes(document)
        except ValidationFailed as exc:  # NaN, an integer beyond I-JSON's, a lone surrogate: no document's
            raise PayloadMismatch(
                "digest_mismatch", f"the payload is not in canonical form: {exc.message}"
            ) from None
        if canonical != plaintext:
            raise PayloadMismatch("digest_mismatch", "the payload is not in canonical form")
        try:
            signer = eip712.recover(leaf_of(row), self.domain, bytes.fromhex(row.signature[2:]))
        except CryptoError as exc:  # anchored so: no later read will find it otherwise
            raise PayloadMismatch(
                "bad_signature", f"the anchored signature is malformed: {exc.message}"
            ) from None
        if signer.lower() != row.signer.lower():
            raise PayloadMismatch("bad_signature", f"the signature recovers to {signer}, not {row.signer}")
        if not isinstance(document, dict):
            # Signed and anchored by its issuer, yet no document of any type, known or not: every document is
            # a JSON object. Its issuer's node never checked it; no figure anchored with it can be its own.
            raise PayloadMismatch(
                "facts_mismatch",
                f"the payload is {_json_kind(document)}, not a document (a document is a JSON object)",
            )
        return document

    def _open(self, envelope: bytes, aad: bytes) -> bytes:
        """Opens with the current key, else with a retired one (the payload was sealed before a rotation)."""
        current, *retired = self.keys
        try:
            return open_envelope(envelope, self.member, current, aad=aad)
        except CryptoError as exc:
            first = exc
        for key in retired:
            try:
                return open_envelope(envelope, self.member, key, aad=aad)
            except CryptoError:
                continue
        raise PayloadMismatch("not_a_recipient", f"cannot open the payload: {first.message}") from first


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "a JSON array"
    if isinstance(value, str):
        return "a JSON string"
    if isinstance(value, bool) or value is None:
        return f"the JSON value {json.dumps(value)}"
    return "a JSON number"


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


def stated_facts(document: JsonObject) -> DocumentFacts | None:
    """The facts the document's own type reads from it, its rules not checked yet (``agreement.facts_of``
    checks them); None if no type can read it."""
    if not isinstance(document, dict):  # JSON, signed and anchored, yet no object: no type can read it
        return None
    name, version = document.get("type"), document.get("version")
    if not isinstance(name, str) or not isinstance(version, str):
        return None
    doc_type = find_type(name, version)
    if doc_type is None:
        return None
    # The facts depend on no part of the context but its fixed terms (validity, as the issuer's node used).
    ctx = ValidationContext(own_member="", members=None, today=dt.date.today())
    try:
        return doc_type.facts(document, ctx)
    except Exception:  # an unrecognisable file is answered as unknown, not as a server error
        return None
