"""A batch manifest checked against its batch event and turned into the index's rows, here or in workers.

Checking a manifest (its JSON, every leaf's fields, the payload CIDs' hashes, the Merkle root) is pure Python
holding the interpreter lock, and over half the CPU of a replayed document; storing the rows is the rest and
stays in the indexer's process, batch after batch in the chain's order (the first anchoring of an id wins).
So while a member catches up, the manifests after the first of a round are checked in worker processes
(``worker_pool``) while the indexer stores the one before. A worker is given the manifest's bytes and the
batch event and answers each document's fields as a plain tuple: a frozen dataclass costs four times as much
to unpickle. Nothing secret crosses: manifests are public. Here or in a worker, it is one function
(``document_fields_of``), with the same rows or the same ``ManifestInvalid``.
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any

from origo_node.anchoring import batch_manifest
from origo_node.anchoring.batch_manifest import ManifestEntry
from origo_node.store.rows import IndexedBatch, IndexedDocument
from origo_node.worker_pool import Start, WorkerPool, cores

#: One document's fields, in ``IndexedDocument``'s order.
DocumentFields = tuple[Any, ...]


def default_workers() -> int:
    """The cores but the indexer's own (it stores the rows), up to four; none on a single core."""
    return max(0, min(cores() - 1, 4))


def documents_of(raw: bytes, batch: IndexedBatch) -> list[IndexedDocument]:
    """The batch's documents, checked here (raises ``ManifestInvalid``)."""
    return documents_from(document_fields_of(raw, batch))


def documents_from(fields: list[DocumentFields]) -> list[IndexedDocument]:
    return [IndexedDocument(*one) for one in fields]


def document_fields_of(raw: bytes, batch: IndexedBatch) -> list[DocumentFields]:
    """Checks ``raw`` against ``batch`` (format, issuer, count, every leaf, the root) and answers its rows."""
    entries = batch_manifest.decode(
        raw, issuer=batch.issuer, root=bytes.fromhex(batch.root[2:]), count=batch.count
    )
    return [document_fields(batch, entry) for entry in entries]


def document_fields(batch: IndexedBatch, entry: ManifestEntry) -> DocumentFields:
    leaf = entry.leaf
    return (
        "0x" + leaf.document_id.hex(),
        "0x" + leaf.document_type.hex(),
        "0x" + leaf.digest.hex(),
        leaf.issuer,
        leaf.importer,
        leaf.issued_at,
        leaf.expires_at,
        leaf.quantities,
        entry.payload_cid,
        "0x" + entry.signature.hex(),
        entry.signer,
        batch.root,
        batch.block,
        batch.tx_hash,
        batch.timestamp,
        entry.type_name,
        entry.type_version,
        entry.quantity_units,
        entry.recipients,
    )


class ManifestPool(WorkerPool):
    def __init__(self, workers: int) -> None:
        super().__init__("manifest check", workers, __name__, _no_secrets)

    def submit_check(self, raw: bytes, batch: IndexedBatch) -> Future[list[DocumentFields]] | None:
        """Starts checking ``raw`` in a worker; None when the pool cannot be had just now."""
        return self.submit(document_fields_of, raw, batch)


def _no_secrets() -> Start:
    return _nothing, ()


def _nothing() -> None:
    return None
