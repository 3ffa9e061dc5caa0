"""The indexer: follows both contracts' events from the deployment block into the index, checkpointed.

Each round reads logs up to ``head - confirmations`` in chunks; every chunk's events and the checkpoint
move in
one database transaction, so a crash replays at most one chunk and the primary keys make replaying harmless.
Batch manifests are fetched (from this node's store or the other members' gateways) and checked against their
roots separately, so a member whose node is down delays only the indexing of its own batches' documents.
Dropping the ``idx_`` tables and running again rebuilds the same index from the chain alone.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

from origo_node.anchoring.batch_manifest import ManifestInvalid
from origo_node.chain.events import DOCUMENT_EVENTS, declaration_text, event_entitled, jsonable
from origo_node.chain.port import ChainEvent, ChainPort
from origo_node.documents.event_fields import fields_of
from origo_node.errors import OrigoError
from origo_node.indexer.manifest_checks import ManifestPool, rows_of
from origo_node.membership_fields import membership_fields_of
from origo_node.payload import PayloadStore
from origo_node.store.document_rows import DocumentRow, IndexedReaders, readers_of
from origo_node.store.ports import FactStore, IndexStore
from origo_node.store.rows import DocumentEvent, IndexedBatch, MembershipEvent

log = logging.getLogger(__name__)

_CHUNK_BLOCKS = 2000
_MANIFESTS_PER_ROUND = 64
# Manifests fetched ahead while the current one is checked and stored (fetching is mostly waiting on a peer).
_MANIFEST_PREFETCH = 4
_MANIFEST_RETRY_S = 2.0
# Manifests handed to the check workers ahead of the one being stored: enough to keep them busy.
_CHECKS_AHEAD = 8
# A round's documents from which its manifests go to the workers: fewer are checked here in less time than
# the workers take to start (a second or more, taking a core from the node's own start-up).
_WORKERS_FROM_DOCUMENTS = 20_000
# Documents stored in one commit while catching up: each commit writes every index page its batches touched,
# and a batch of 4,096 random ids touches most of the id key's pages (245,760 documents in 60 batches: 8.8 s
# to store them a batch a commit, 5.8 s eight batches a commit, medians of 12).
_DOCUMENTS_PER_COMMIT = 32_768
#: A batch's checked documents, or why it has none yet (its manifest is invalid, or nobody has it).
_Outcome = list[DocumentRow] | ManifestInvalid | OrigoError


class Indexer:
    def __init__(
        self,
        index: IndexStore,
        facts: FactStore,
        chain: ChainPort,
        payloads: PayloadStore,
        *,
        deployment_block: int,
        confirmations: int,
        on_membership_change: Callable[[], None],
        on_documents_indexed: Callable[[list[IndexedReaders]], None] | None = None,
        manifest_workers: int = 0,
        workers_from_documents: int = _WORKERS_FROM_DOCUMENTS,
        documents_per_commit: int = _DOCUMENTS_PER_COMMIT,
    ) -> None:
        """``manifest_workers``: processes that check manifests while a member catches up (0: all here),
        for rounds of at least ``workers_from_documents`` documents; a round's batches after its first are
        stored ``documents_per_commit`` documents or more a commit."""
        self._index = index
        self._facts = facts
        self._chain = chain
        self._payloads = payloads
        self._fetcher = ThreadPoolExecutor(_MANIFEST_PREFETCH, thread_name_prefix="manifest-fetch")
        self._pool = ManifestPool(manifest_workers) if manifest_workers > 0 else None
        self._workers_from = workers_from_documents
        self._documents_per_commit = documents_per_commit
        #: Manifests whose check a worker process did (the rest were checked on this thread).
        self.checked_in_workers = 0
        self._deployment_block = deployment_block
        self._confirmations = confirmations
        self._on_membership_change = on_membership_change
        self._on_documents_indexed = on_documents_indexed
        self._timestamps: dict[int, int] = {}
        #: The chain head at the last successful poll, and when (unix time); health reports it without a call.
        self.last_head: int | None = None
        self.last_head_at: float | None = None

    # ------------------------------------------------------------------ position

    def checkpoint(self) -> int:
        """The last block fully indexed (the deployment block minus one before the first round)."""
        position = self._index.checkpoint()
        return self._deployment_block - 1 if position is None else position[0]

    def catching_up(self) -> bool:
        """Whether the index is well behind the chain: blocks not yet followed, or batches whose manifest was
        never tried. (Batches whose manifest could not be had so far do not count: that can last.)"""
        if self.last_head is not None and self.last_head - self._confirmations - self.checkpoint() > 2:
            return True
        return self._index.has_untried_manifest()

    def run_once(self) -> int:
        """Indexes what is new on the chain; returns the number of events and documents indexed."""
        # Everything the indexer writes can be read from the chain again: its commits need not wait for fsync.
        self._index.relax_durability()
        indexed = self._follow_events()
        indexed += self._index_pending_manifests()
        return indexed

    def _follow_events(self) -> int:
        self._check_reorg()
        head = self._chain.head()
        self._remember_head(head)
        target = head - self._confirmations
        start = self.checkpoint() + 1
        indexed = 0
        while start <= target:
            end = min(target, start + _CHUNK_BLOCKS - 1)
            decoded = self._chain.events(start, end)
            end_hash = self._block_hash(end)
            membership_changed = self._store_chunk(decoded, end, end_hash)
            if membership_changed:
                self._on_membership_change()
            indexed += len(decoded)
            start = end + 1
        return indexed

    def _remember_head(self, head: int) -> None:
        now = time.time()
        stored_recently = self.last_head_at is not None and now - self.last_head_at < 2.0
        self.last_head, self.last_head_at = head, now
        if not stored_recently:  # other API processes of this node read it from the database
            self._facts.put("chain_head", [head, now])

    def last_seen_head(self) -> tuple[int | None, float | None]:
        """The chain head at the last successful poll and when (unix time), from any process of this node."""
        if self.last_head is not None:
            return self.last_head, self.last_head_at
        stored = self._facts.get("chain_head")
        if stored is None:
            return None, None
        head, at = stored
        return int(head), float(at)

    def _check_reorg(self) -> None:
        position = self._index.checkpoint()
        if position is None:
            return
        if self._block_hash(position[0]) != position[1]:
            # The chain we indexed is not the chain any more (a reorganisation deeper than the confirmations,
            # or a devnet reset): the index is a cache, so start again from the deployment block.
            log.warning("block %s changed under the index; rebuilding it from the chain", position[0])
            self._index.drop()

    def _block_hash(self, number: int) -> str:
        block = self._chain.block(number)
        self._timestamps[number] = block.timestamp
        return block.hash

    def _timestamp(self, number: int) -> int:
        if number not in self._timestamps:
            if len(self._timestamps) > 10_000:
                self._timestamps.clear()
            self._block_hash(number)
        return self._timestamps[number]

    # ------------------------------------------------------------------ events

    def _store_chunk(self, logs: list[ChainEvent], end: int, end_hash: str) -> bool:
        membership_changed = False
        batches: list[IndexedBatch] = []
        events: list[DocumentEvent] = []
        membership: list[MembershipEvent] = []
        for item in logs:
            ts = self._timestamp(item.block)
            args = item.args
            if item.contract == "membership":
                membership_changed = True
                code = args.get("code") or args.get("proposer") or args.get("voter")
                membership.append(
                    MembershipEvent(
                        block=item.block,
                        log_index=item.log_index,
                        tx_hash=item.tx_hash,
                        kind=item.name,
                        member=None if code is None else jsonable(code),
                        timestamp=ts,
                        fields=membership_fields_of(item.name, {k: jsonable(v) for k, v in args.items()}),
                    )
                )
            elif item.name == "BatchAnchored":
                batches.append(
                    IndexedBatch(
                        root="0x" + bytes(args["root"]).hex(),
                        issuer=jsonable(args["issuer"]),
                        account=str(args["account"]),
                        count=int(args["count"]),
                        manifest_cid=str(args["manifestCid"]),
                        block=item.block,
                        tx_hash=item.tx_hash,
                        log_index=item.log_index,
                        timestamp=ts,
                    )
                )
            elif item.name in DOCUMENT_EVENTS:
                kind, member_field = DOCUMENT_EVENTS[item.name]
                event = DocumentEvent(
                    block=item.block,
                    log_index=item.log_index,
                    tx_hash=item.tx_hash,
                    document_id="0x" + bytes(args["documentId"]).hex(),
                    issuer=jsonable(args["issuer"]),
                    kind=kind,
                    member=jsonable(args[member_field]),
                    account=str(args["account"]),
                    timestamp=ts,
                    fields=fields_of(
                        kind,
                        {
                            k: declaration_text(v) if k == "declaration" else jsonable(v)
                            for k, v in args.items()
                            if k not in ("documentId", "issuer", member_field, "account")
                        },
                    ),
                )
                if self._entitled(event):
                    events.append(event)
        self._index.store_chunk(batches, events, membership, end, end_hash)
        return membership_changed

    def _entitled(self, event: DocumentEvent) -> bool:
        """Whether the member that caused a document event had the right to (the registry's rule, held here
        too so a faulty contract can never show another member's act as a document's state). An event on a
        document not indexed yet is kept: ``services.lifecycle`` applies the same rule when it reads it."""
        doc = self._index.document(event.issuer, event.document_id)
        if doc is None or event_entitled(event.kind, event.member, event.issuer, doc.importer):
            return True
        log.warning(
            "ignored %s event on %s:%s in block %s (tx %s): member %s (account %s) is not the one this"
            " document allows (issuer %s, importer %s)",
            event.kind,
            event.issuer,
            event.document_id,
            event.block,
            event.tx_hash,
            event.member,
            event.account,
            event.issuer,
            doc.importer,
        )
        return False

    # ------------------------------------------------------------------ manifests

    def _index_pending_manifests(self) -> int:
        """Stores the due batches' documents in the chain's order, the first batch of the round at once (a
        new member's first document should not wait) and the others a few at a time in one commit. A crash
        before a commit leaves its batches pending: they are fetched and stored again, with the same rows."""
        due = self._index.manifests_due(_MANIFESTS_PER_ROUND)
        stored = 0
        checked: list[tuple[IndexedBatch, list[DocumentRow]]] = []
        held = 0
        for batch, outcome in self._checked_in_order(due):
            if not isinstance(outcome, list):
                self._record_failure(batch, outcome)
                continue
            checked.append((batch, outcome))
            held += len(outcome)
            if stored == 0 or held >= self._documents_per_commit:
                stored += self._store(checked)
                checked, held = [], 0
        return stored + self._store(checked)

    def _checked_in_order(self, due: list[IndexedBatch]) -> Iterator[tuple[IndexedBatch, _Outcome]]:
        """Each due batch with its documents, or why it has none yet, in the order given. With worker
        processes, a round of many documents (a member catching up) starts them once its first batch is
        stored; until they are ready every batch is checked here, then each after the first is handed to them
        while the ones before it are stored."""
        backlog = sum(batch.count for batch in due)
        pool = self._pool if len(due) > 1 and backlog >= self._workers_from else None
        ahead: deque[tuple[IndexedBatch, bytes | OrigoError, Future[list[DocumentRow]] | None]] = deque()
        fetched_in_order = zip(due, self._fetcher.map(self._fetch_manifest, due), strict=True)
        for number, (batch, fetched) in enumerate(fetched_in_order):
            if number == 1 and pool is not None:
                # Only now, with the first batch stored: starting the workers takes a core for a second or
                # more, and a new member's first document should not wait for it.
                pool.warm_up()
            future = None
            if pool is not None and number > 0 and isinstance(fetched, bytes) and pool.ready:
                future = pool.submit_check(fetched, batch)
            ahead.append((batch, fetched, future))
            while ahead and (ahead[0][2] is None or len(ahead) > _CHECKS_AHEAD):
                yield self._checked(*ahead.popleft())
        while ahead:
            yield self._checked(*ahead.popleft())

    def _checked(
        self,
        batch: IndexedBatch,
        fetched: bytes | OrigoError,
        future: Future[list[DocumentRow]] | None,
    ) -> tuple[IndexedBatch, _Outcome]:
        if isinstance(fetched, OrigoError):
            return batch, fetched
        if future is not None and future.cancel():
            future = None  # no worker has taken it yet: checked here rather than waited for
        try:
            rows = None if future is None or self._pool is None else self._pool.result(future)
            if rows is None:  # no worker, or its worker died: checked here, with the same outcome
                return batch, rows_of(fetched, batch)
            self.checked_in_workers += 1
            return batch, rows
        except ManifestInvalid as exc:
            return batch, exc

    def _record_failure(self, batch: IndexedBatch, outcome: ManifestInvalid | OrigoError) -> None:
        """Records why a batch has no documents yet: its manifest is invalid, or nobody has it."""
        if isinstance(outcome, ManifestInvalid):
            log.error(
                "batch %s of %s: invalid manifest %s: %s",
                batch.root,
                batch.issuer,
                batch.manifest_cid,
                outcome,
            )
            self._index.manifest_failed(batch.issuer, batch.root, "invalid", str(outcome), _MANIFEST_RETRY_S)
            return
        # Nobody reachable has it yet: later batches may still be indexed, this one is retried.
        self._index.manifest_failed(batch.issuer, batch.root, "pending", str(outcome), _MANIFEST_RETRY_S)
        if batch.attempts % 20 == 0:
            log.warning("batch %s: manifest %s not available: %s", batch.root, batch.manifest_cid, outcome)

    def _store(self, checked: list[tuple[IndexedBatch, list[DocumentRow]]]) -> int:
        """Stores checked batches' documents in one commit, in the order given; answers how many."""
        if not checked:
            return 0
        self._index.store_rows([(batch.issuer, batch.root, rows) for batch, rows in checked])
        stored = [row for _, rows in checked for row in rows]
        if self._on_documents_indexed is not None:
            self._on_documents_indexed(readers_of(stored))
        return len(stored)

    def close(self) -> None:
        """Ends the manifest check workers, if any were started (the node is stopping)."""
        if self._pool is not None:
            self._pool.close()

    def _fetch_manifest(self, batch: IndexedBatch) -> bytes | OrigoError:
        try:
            # A batch of 4,096 documents has a manifest of ~3 MB, a dozen blocks: asked for in one CAR request
            # rather than one request per block (each block is checked against its CID all the same).
            self._payloads.prefetch([batch.manifest_cid])
            # Pinned here, while the blocks just received are in memory, not after the check (which read them
            # back from disk and hashed them again): the batch is on chain whatever its manifest holds, and an
            # invalid manifest is kept as the evidence of why its batch has no documents.
            self._payloads.pin(batch.manifest_cid)
            return self._payloads.get(batch.manifest_cid)
        except OrigoError as exc:  # handed to the loop above, which records it against the batch
            return exc
