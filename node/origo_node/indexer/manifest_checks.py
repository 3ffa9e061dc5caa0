"""A batch manifest checked against its batch event and turned into the index's rows, here or in workers.

Checking a manifest (its JSON, every leaf's fields, the payload CIDs' hashes, the Merkle root) is pure Python
holding the interpreter lock, and over half the CPU of a replayed document; storing the rows is the rest and
stays in the indexer's process, batch after batch in the chain's order (the first anchoring of an id wins).
So while a member catches up, the manifests after the first of a round are checked in worker processes
(``worker_pool``) while the indexer stores the one before. A worker is given the manifest's bytes and the
batch event and answers each document as the index's row (``store.document_rows``), a plain tuple that the
indexer stores as it is: a frozen dataclass costs four times as much to unpickle, and making it and then the
row took a third of the indexer's thread. Nothing secret crosses: manifests are public. Here or in a worker,
it is one function (``rows_of``), with the same rows or the same ``ManifestInvalid``.
"""

from __future__ import annotations

from concurrent.futures import Future

from origo_node.anchoring import batch_manifest
from origo_node.anchoring.batch_manifest import ManifestEntry
from origo_node.store.document_rows import DocumentRow, JsonLists, row
from origo_node.store.rows import IndexedBatch
from origo_node.worker_pool import Start, WorkerPool, cores


def default_workers() -> int:
    """One per core, up to four; none on a single core. Not one core fewer for the indexer: it now spends
    about half a core storing the rows, and on two cores one worker was the catch-up's critical path (245,760
    documents from process start, alternated: one worker 13.4, 13.9 s; two 11.1, 11.2 s)."""
    count = cores()
    return 0 if count < 2 else min(count, 4)


def rows_of(raw: bytes, batch: IndexedBatch) -> list[DocumentRow]:
    """Checks ``raw`` against ``batch`` (format, issuer, count, every leaf, the root) and answers its rows
    (raises ``ManifestInvalid``)."""
    entries = batch_manifest.decode(
        raw, issuer=batch.issuer, root=bytes.fromhex(batch.root[2:]), count=batch.count
    )
    as_json = JsonLists()
    return [document_row(batch, entry, as_json) for entry in entries]


def document_row(batch: IndexedBatch, entry: ManifestEntry, as_json: JsonLists) -> DocumentRow:
    leaf = entry.leaf
    return row(
        document_id=leaf.document_id,
        document_type=leaf.document_type,
        digest=leaf.digest,
        issuer=leaf.issuer,
        importer=leaf.importer,
        issued_at=leaf.issued_at,
        expires_at=leaf.expires_at,
        quantities=leaf.quantities,
        payload_cid=entry.payload_cid,
        signature=entry.signature,
        signer=entry.signer,
        batch=batch,
        type_name=entry.type_name,
        type_version=entry.type_version,
        quantity_units=as_json(entry.quantity_units),
        recipients=as_json(entry.recipients),
    )


class ManifestPool(WorkerPool):
    def __init__(self, workers: int) -> None:
        super().__init__("manifest check", workers, __name__, _no_secrets)

    def submit_check(self, raw: bytes, batch: IndexedBatch) -> Future[list[DocumentRow]] | None:
        """Starts checking ``raw`` in a worker; None when the pool cannot be had just now."""
        return self.submit(rows_of, raw, batch)


def _no_secrets() -> Start:
    return _nothing, ()


def _nothing() -> None:
    return None
