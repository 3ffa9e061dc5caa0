"""The background payload checker: every payload this member may read is read once and its verdict kept.

The indexer queues a check for every document whose manifest names this member among the recipients; each
round reads a few hundred of them (several at once: reading is mostly waiting for another member's gateway)
with the auditor's read (services/reading.py) and records what it found, which the status and the work lists
show.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from origo_node.anchoring.manifest import ManifestEntry
from origo_node.documents import document_id as derive_document_id
from origo_node.errors import Forbidden, NotFound, OrigoError
from origo_node.services.agreement import NotAValidDocument, disagreements, facts_of
from origo_node.services.naming import DocumentKey
from origo_node.services.reading import PayloadMismatch, PayloadReader, identity_of
from origo_node.store.ports import IndexStore
from origo_node.store.rows import PayloadCheck

log = logging.getLogger(__name__)
_CHECKS_PER_ROUND = 1024
_PARALLEL_READS = 8
# A payload nobody could serve is tried again after this long.
_RETRY_UNAVAILABLE_S = 5.0


class PayloadChecker:
    def __init__(self, index: IndexStore, reader: PayloadReader) -> None:
        self._index = index
        self._reader = reader
        self._pool = ThreadPoolExecutor(_PARALLEL_READS, thread_name_prefix="payload-reader")

    def queue(self, entries: list[ManifestEntry], block: int) -> None:
        """Called by the indexer with a batch's documents."""
        member = self._reader.member
        # Documents this member issued were checked when it issued them: reading them back only costs time.
        wanted = [
            (e.leaf.issuer, "0x" + e.leaf.document_id.hex())
            for e in entries
            if member in e.recipients and e.leaf.issuer != member
        ]
        if wanted:
            self._index.queue_payload_checks(wanted)

    def run_once(self) -> int:
        due = [
            DocumentKey(issuer, d)
            for issuer, d in self._index.payload_checks_due(_RETRY_UNAVAILABLE_S, _CHECKS_PER_ROUND)
        ]
        if due:
            self._prefetch(due)
        results = list(self._pool.map(self._check, due))
        if results:
            # One commit for the round: a crash before it only means the round is checked again.
            self._index.record_payload_checks(results)
        return len(results)

    def _prefetch(self, due: list[DocumentKey]) -> None:
        # The round's payloads in one request (a CAR) rather than one each: per request, the issuer's gateway
        # and this node spent more than on reading the payload itself. Whatever it misses is read as before.
        try:
            self._reader.prefetch(due)
        except OrigoError as exc:
            log.warning("could not prefetch %d payloads: %s", len(due), exc.message)

    def check_now(self, key: DocumentKey) -> PayloadCheck:
        """What this member's last reading of the payload found; read now (and kept) if it was never read.

        A claim asks this first, so it never waits on the background round. A payload that could not be
        fetched is not fetched again here (the background round retries it every few seconds): an issuer's
        gateway that is down must not hold every claim for a lookup's timeout."""
        found = self._index.payload_check(key.issuer, key)
        if found is not None and found.state != "pending":
            return found
        issuer, document_id, found = self._check(key)
        self._index.record_payload_checks([(issuer, document_id, found)])
        return found

    def backlog(self) -> int:
        """Payloads waiting to be read and checked."""
        return self._index.payload_checks_waiting()

    def _check(self, key: DocumentKey) -> tuple[str, str, PayloadCheck]:
        found = self._verdict(key)
        return key.issuer, str.__str__(key), found

    def _verdict(self, key: DocumentKey) -> PayloadCheck:
        now = time.time()
        try:
            document = self._reader.read(key)
        except NotFound as exc:
            return PayloadCheck("unavailable", exc.message, None, now)
        except Forbidden as exc:
            return PayloadCheck("not_a_recipient", exc.message, None, now)
        except PayloadMismatch as exc:
            return PayloadCheck(exc.state, exc.message, None, now)
        except OrigoError as exc:
            return PayloadCheck("unavailable", exc.message, None, now)
        identity = identity_of(document)
        if identity is None:
            return PayloadCheck("ok", None, None, now)
        issuer, reference = identity
        # The id must be the hash of this issuer and the document's own reference: a leaf that carries another
        # member's id (squatting it) is told apart here, and never named by a bare id (services.naming).
        if issuer != key.issuer or "0x" + derive_document_id(issuer, reference).hex() != key:
            detail = (
                f"the payload is {issuer}'s reference {reference!r}, whose id is not {key}: this leaf of"
                f" {key.issuer} carries an id that is not its own"
            )
            return PayloadCheck("id_mismatch", detail, None, now)
        differing = self._facts_disagreeing(key, document)
        if differing:
            return PayloadCheck("facts_mismatch", "; ".join(differing), reference, now)
        return PayloadCheck("ok", None, reference, now)

    def _facts_disagreeing(self, key: DocumentKey, document: dict[str, Any]) -> list[str]:
        """What the chain records otherwise than the document says (``services.agreement``)."""
        record = self._index.document(key.issuer, key)
        if record is None:
            return []  # the reader found it anchored a moment ago; a rebuilt index checks it again
        try:
            facts = facts_of(document)
        except NotAValidDocument as exc:
            # Signed and anchored, yet not a valid document of its type: its issuer's node never checked it.
            return [f"the document breaks its type's rules ({exc}), so no anchored figures can be its own"]
        except Exception:
            # A payload no rule foresaw must not stop the round for every other document: flag it, log why.
            log.exception("could not derive the facts of %s's document %s", key.issuer, key)
            return ["the document could not be read as a document of its type"]
        return [] if facts is None else disagreements(facts, record)
