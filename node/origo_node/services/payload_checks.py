"""The background payload checker: every payload this member may read is read once and its verdict kept.

The indexer queues a check for every document whose manifest names this member among the recipients; each
round takes up to 1,024 of them, fetches their payloads in one CAR request and pins them (on a few threads:
reading is mostly waiting for another member's gateway), then opens and checks each one
(``services.payload_verdicts``: the same checks as the auditor's read, services/reading.py) in worker
processes holding this member's keys (``services.check_pool``), or on its own thread when there are none,
and records what it found in one commit, which the status and the work lists show.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor

from origo_node.errors import OrigoError
from origo_node.services.check_pool import CheckPool
from origo_node.services.naming import DocumentKey
from origo_node.services.payload_verdicts import failed, verdict
from origo_node.services.reading import PayloadReader
from origo_node.store.document_rows import IndexedReaders
from origo_node.store.ports import IndexStore
from origo_node.store.rows import IndexedDocument, PayloadCheck

log = logging.getLogger(__name__)
_CHECKS_PER_ROUND = 1024
_PARALLEL_READS = 8
#: Payloads pinned, then handed to a worker process together (big enough to make the hop to it cheap).
_SLICE = 64
# A payload nobody could serve is tried again after this long.
_RETRY_UNAVAILABLE_S = 5.0
#: A payload fetched and pinned, to open and check; or what was found already (not anchored, not ours).
_Fetched = tuple[bytes, IndexedDocument] | PayloadCheck


class PayloadChecker:
    def __init__(self, index: IndexStore, reader: PayloadReader, *, workers: int = 0) -> None:
        """``workers``: processes that open and check payloads (0: this process's checker thread)."""
        self._index = index
        self._reader = reader
        self._threads = ThreadPoolExecutor(_PARALLEL_READS, thread_name_prefix="payload-reader")
        self._pool = CheckPool(workers, reader.opener) if workers > 0 else None

    def queue(self, documents: list[IndexedReaders]) -> None:
        """Called by the indexer with (issuer, id, recipients) of the documents it just stored."""
        member = self._reader.member
        # Documents this member issued were checked when it issued them: reading them back only costs time.
        wanted = [
            (issuer, document_id)
            for issuer, document_id, recipients in documents
            if member in recipients and issuer != member
        ]
        if wanted:
            self._index.queue_payload_checks(wanted)

    def run_once(self) -> int:
        due = [
            DocumentKey(issuer, d)
            for issuer, d in self._index.payload_checks_due(_RETRY_UNAVAILABLE_S, _CHECKS_PER_ROUND)
        ]
        if not due:
            return 0
        rows = [self._index.document(key.issuer, str.__str__(key)) for key in due]
        self._prefetch([row for row in rows if row is not None])
        # Pinned a slice at a time, each slice checked in the workers while the next one is pinned.
        slices = []
        for start in range(0, len(due), _SLICE):
            fetched = list(
                self._threads.map(self._fetch, due[start : start + _SLICE], rows[start : start + _SLICE])
            )
            to_check = [item for item in fetched if not isinstance(item, PayloadCheck)]
            slices.append((fetched, to_check, self._submit(to_check)))
        found = [
            check
            for fetched, to_check, future in slices
            for check in _merged(fetched, self._collect(to_check, future))
        ]
        # One commit for the round: a crash before it only means the round is checked again.
        self._index.record_payload_checks(
            [(key.issuer, str.__str__(key), check) for key, check in zip(due, found, strict=True)]
        )
        return len(due)

    def _prefetch(self, rows: list[IndexedDocument]) -> None:
        # The round's payloads in one request (a CAR) rather than one each: per request, the issuer's gateway
        # and this node spent more than on reading the payload itself. Whatever it misses is read as before.
        try:
            self._reader.prefetch(rows)
        except OrigoError as exc:
            log.warning("could not prefetch %d payloads: %s", len(rows), exc.message)

    def _fetch(self, key: DocumentKey, row: IndexedDocument | None) -> _Fetched:
        try:
            readable = self._reader.readable_row(key, row)
            return self._reader.envelope_of(readable), readable
        except OrigoError as exc:
            return failed(exc, time.time())

    def _submit(self, to_check: list[tuple[bytes, IndexedDocument]]) -> Future[list[PayloadCheck]] | None:
        return self._pool.submit_checks(to_check) if self._pool is not None and to_check else None

    def _collect(
        self, to_check: list[tuple[bytes, IndexedDocument]], future: Future[list[PayloadCheck]] | None
    ) -> list[PayloadCheck]:
        """The workers' verdicts on ``to_check``; found here when there are no workers, or one died."""
        checked = None if future is None or self._pool is None else self._pool.result(future)
        return self._verdicts_here(to_check) if checked is None else checked

    def _verdicts_here(self, to_check: list[tuple[bytes, IndexedDocument]]) -> list[PayloadCheck]:
        if not to_check:
            return []
        try:
            opener = self._reader.opener()
        except OrigoError as exc:  # a keystore that will not open: every read says so, as each would alone
            now = time.time()
            return [failed(exc, now) for _ in to_check]
        return [verdict(opener, envelope, row) for envelope, row in to_check]

    def check_now(self, key: DocumentKey) -> PayloadCheck:
        """What this member's last reading of the payload found; read now (and kept) if it was never read.

        A claim asks this first, so it never waits on the background round. A payload that could not be
        fetched is not fetched again here (the background round retries it every few seconds): an issuer's
        gateway that is down must not hold every claim for a lookup's timeout."""
        found = self._index.payload_check(key.issuer, key)
        if found is not None and found.state != "pending":
            return found
        fetched = self._fetch(key, self._index.document(key.issuer, str.__str__(key)))
        [found] = self._verdicts_here([fetched]) if not isinstance(fetched, PayloadCheck) else [fetched]
        self._index.record_payload_checks([(key.issuer, str.__str__(key), found)])
        return found

    def backlog(self) -> int:
        """Payloads waiting to be read and checked."""
        return self._index.payload_checks_waiting()

    @property
    def workers_running(self) -> bool:
        """Whether payloads are being checked in worker processes (not on this process's thread)."""
        return self._pool is not None and self._pool.running

    def close(self) -> None:
        """Ends the worker processes (the node is stopping)."""
        if self._pool is not None:
            self._pool.close()


def _merged(fetched: list[_Fetched], checked: list[PayloadCheck]) -> list[PayloadCheck]:
    """What was found of each fetched payload: as found when fetching it, else its verdict, in order."""
    verdicts = iter(checked)
    return [item if isinstance(item, PayloadCheck) else next(verdicts) for item in fetched]
