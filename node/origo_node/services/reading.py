"""Reading payloads this member may read: fetch the encrypted payload, open it, and check it against the
chain.

The indexer queues a check for every document whose manifest names this member among the recipients; the
checker
fetches the payload (from this node's store or another member's gateway), decrypts it, and confirms that its
canonical digest is the anchored one and that the issuer's EIP-712 signature holds. Auditors read
payloads here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from origo_node.anchoring.manifest import ManifestEntry
from origo_node.chain import eip712
from origo_node.chain.merkle import Leaf
from origo_node.crypto import EncryptionPrivateKey, open_envelope
from origo_node.documents import ValidationContext, canonical_bytes, find_type
from origo_node.documents import document_id as derive_document_id
from origo_node.errors import CryptoError, Forbidden, NotFound, OrigoError, WrongMember
from origo_node.hashing import keccak256
from origo_node.payload import PayloadStore
from origo_node.services.naming import DocumentKey
from origo_node.store.db import Database

log = logging.getLogger(__name__)
_CHECKS_PER_ROUND = 256
# Reading a payload is mostly waiting for another member's gateway: several at once keep the wait short.
_PARALLEL_READS = 8


class PayloadReader:
    def __init__(
        self,
        db: Database,
        payloads: PayloadStore,
        member: str,
        key: EncryptionPrivateKey,
        domain: bytes,
    ) -> None:
        self._db = db
        self._payloads = payloads
        self._member = member
        self._key = key
        self._domain = domain
        self._pool = ThreadPoolExecutor(_PARALLEL_READS, thread_name_prefix="payload-reader")

    # -------------------------------------------------------------- queueing (called by the indexer)

    def queue(self, entries: list[ManifestEntry], block: int) -> None:
        # Documents this member issued were checked when it issued them: reading them back only costs time.
        rows = [
            (e.leaf.issuer, "0x" + e.leaf.document_id.hex())
            for e in entries
            if self._member in e.recipients and e.leaf.issuer != self._member
        ]
        if rows:
            with self._db.transaction() as conn:
                conn.executemany(
                    "INSERT OR IGNORE INTO idx_payload_checks (issuer, document_id, state)"
                    " VALUES (?, ?, 'pending')",
                    rows,
                )

    # -------------------------------------------------------------- checking

    def run_once(self) -> int:
        rows = (
            self._db.read()
            .execute(
                "SELECT c.issuer, c.document_id, c.attempts FROM idx_payload_checks c"
                " WHERE c.state = 'pending' OR (c.state = 'unavailable' AND c.checked_at < ?) LIMIT ?",
                (time.time() - 5.0, _CHECKS_PER_ROUND),
            )
            .fetchall()
        )
        keys = [DocumentKey(row["issuer"], row["document_id"]) for row in rows]
        results = list(self._pool.map(self._result_row, keys))
        if results:
            # One commit for the round, not one per document: each commit is an fsync. A crash before it only
            # means the round is checked again.
            with self._db.transaction() as conn:
                conn.executemany(
                    "UPDATE idx_payload_checks SET state = ?, detail = ?, reference = ?, checked_at = ?,"
                    " attempts = attempts + 1 WHERE issuer = ? AND document_id = ?",
                    results,
                )
        return len(results)

    def backlog(self) -> int:
        """Payloads waiting to be read and checked."""
        row = (
            self._db.read()
            .execute("SELECT count(*) FROM idx_payload_checks WHERE state = 'pending'")
            .fetchone()
        )
        return int(row[0])

    def _result_row(self, key: DocumentKey) -> tuple[str, str | None, str | None, float, str, str]:
        state, detail, reference = self._check(key)
        return state, detail, reference, time.time(), key.issuer, str.__str__(key)

    def _check(self, key: DocumentKey) -> tuple[str, str | None, str | None]:
        try:
            document = self.read(key)
        except NotFound as exc:
            return "unavailable", exc.message, None
        except Forbidden as exc:
            return "not_a_recipient", exc.message, None
        except _Mismatch as exc:
            return exc.state, str(exc), None
        except OrigoError as exc:
            return "unavailable", exc.message, None
        identity = identity_of(document)
        if identity is None:
            return "ok", None, None
        issuer, reference = identity
        # The id must be the hash of this issuer and the document's own reference: a leaf that carries another
        # member's id (squatting it) is told apart here, and never named by a bare id (services.naming).
        if issuer != key.issuer or "0x" + derive_document_id(issuer, reference).hex() != key:
            detail = (
                f"the payload is {issuer}'s reference {reference!r}, whose id is not {key}: this leaf of"
                f" {key.issuer} carries an id that is not its own"
            )
            return "id_mismatch", detail, None
        return "ok", None, reference

    def read(self, key: DocumentKey) -> dict[str, Any]:
        """The decrypted document, checked against its anchored digest and its issuer's signature."""
        document_id = str.__str__(key)
        row = (
            self._db.read()
            .execute(
                "SELECT * FROM idx_documents WHERE issuer = ? AND document_id = ?", (key.issuer, document_id)
            )
            .fetchone()
        )
        if row is None:
            raise NotFound(f"document {key.qualified} is not anchored (or not indexed yet)")
        if self._member not in json.loads(row["recipients"]):
            raise WrongMember(f"the payload of {document_id} is not encrypted for {self._member}")
        envelope = self._payloads.get(row["payload_cid"])
        try:
            plaintext = open_envelope(envelope, self._member, self._key, aad=bytes.fromhex(document_id[2:]))
        except CryptoError as exc:
            raise _Mismatch("not_a_recipient", f"cannot open the payload: {exc.message}") from exc
        if "0x" + hashlib.sha256(plaintext).hexdigest() != row["digest"]:
            raise _Mismatch("digest_mismatch", "the payload's digest is not the anchored digest")
        document: dict[str, Any] = json.loads(plaintext)
        if canonical_bytes(document) != plaintext:
            raise _Mismatch("digest_mismatch", "the payload is not in canonical form")
        signer = eip712.recover(leaf_of(row), self._domain, bytes.fromhex(row["signature"][2:]))
        if signer.lower() != str(row["signer"]).lower():
            raise _Mismatch("bad_signature", f"the signature recovers to {signer}, not {row['signer']}")
        return document


class _Mismatch(Exception):
    def __init__(self, state: str, message: str) -> None:
        super().__init__(message)
        self.state = state


def leaf_of(row: Any) -> Leaf:
    """The leaf of an ``idx_documents`` row."""
    return Leaf(
        document_id=bytes.fromhex(row["document_id"][2:]),
        document_type=bytes.fromhex(row["document_type"][2:]),
        digest=bytes.fromhex(row["digest"][2:]),
        issuer=row["issuer"],
        importer=row["importer"],
        issued_at=int(row["issued_at"]),
        expires_at=int(row["expires_at"]),
        quantity=int(row["quantity"]),
        payload_cid=bytes.fromhex(_keccak_cid(row["payload_cid"])),
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
