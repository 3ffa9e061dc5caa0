"""The outbox and this node's own batches: what it accepted, and how far each batch is on its way.

A document belongs to exactly one batch: ``record_batch`` writes the batch (with its signed transaction) and
assigns the documents to it in one transaction, before anything is sent.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from typing import Any

from origo_node.store.db import Database
from origo_node.store.rows import OutboxEntry, OwnBatch

_COLUMNS = (
    "document_id, reference, doc_type, version, issuer, importer, leaf, payload_cid, envelope, signature,"
    " signer, supersedes, received_at, batch_root"
)


def _entry(row: Any) -> OutboxEntry:
    return OutboxEntry(
        document_id=row["document_id"],
        reference=row["reference"],
        doc_type=row["doc_type"],
        version=row["version"],
        issuer=row["issuer"],
        importer=row["importer"],
        leaf=json.loads(row["leaf"]),
        payload_cid=row["payload_cid"],
        envelope=None if row["envelope"] is None else bytes(row["envelope"]),
        signature=row["signature"],
        signer=row["signer"],
        supersedes=row["supersedes"],
        received_at=float(row["received_at"]),
        batch_root=row["batch_root"],
    )


class OutboxRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    # ------------------------------------------------------------ accepting

    def add(self, entries: Sequence[OutboxEntry], *, all_or_nothing: bool) -> set[str]:
        """Adds the entries whose id is not taken (in the outbox or the index); the ids that were. With
        ``all_or_nothing``, one taken id means nothing is added."""
        ids = [e.document_id for e in entries]
        with self._db.transaction() as conn:
            taken = _taken(conn, ids)
            if taken and all_or_nothing:
                return taken
            conn.executemany(
                "INSERT INTO outbox (document_id, reference, doc_type, version, issuer, importer, leaf,"
                " payload_cid, envelope, signature, signer, supersedes, received_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        e.document_id,
                        e.reference,
                        e.doc_type,
                        e.version,
                        e.issuer,
                        e.importer,
                        json.dumps(e.leaf),
                        e.payload_cid,
                        e.envelope,
                        e.signature,
                        e.signer,
                        e.supersedes,
                        e.received_at,
                    )
                    for e in entries
                    if e.document_id not in taken
                ],
            )
        return taken

    def get(self, document_id: str) -> OutboxEntry | None:
        row = (
            self._db.read()
            .execute(f"SELECT {_COLUMNS} FROM outbox WHERE document_id = ?", (document_id,))
            .fetchone()
        )
        return None if row is None else _entry(row)

    def reference(self, document_id: str) -> str | None:
        row = (
            self._db.read()
            .execute("SELECT reference FROM outbox WHERE document_id = ?", (document_id,))
            .fetchone()
        )
        return None if row is None else str(row[0])

    # ------------------------------------------------------------ batching

    def unbatched_count(self) -> int:
        return int(
            self._db.read().execute("SELECT count(*) FROM outbox WHERE batch_root IS NULL").fetchone()[0]
        )

    def oldest_unbatched(self) -> tuple[int, float | None]:
        """How many documents wait for a batch, and when the oldest of them was accepted."""
        row = (
            self._db.read()
            .execute("SELECT count(*), min(received_at) FROM outbox WHERE batch_root IS NULL")
            .fetchone()
        )
        return int(row[0]), None if row[1] is None else float(row[1])

    def unbatched(self, limit: int) -> list[OutboxEntry]:
        """The oldest documents not in a batch yet, in the order they were accepted."""
        rows = (
            self._db.read()
            .execute(
                f"SELECT {_COLUMNS} FROM outbox WHERE batch_root IS NULL"
                " ORDER BY received_at, document_id LIMIT ?",
                (limit,),
            )
            .fetchall()
        )
        return [_entry(row) for row in rows]

    def record_batch(
        self, root: str, manifest_cid: str, document_ids: Iterable[str], tx_hash: str, raw_tx: bytes
    ) -> None:
        """The batch and its signed transaction, and every document assigned to it: all or nothing."""
        ids = list(document_ids)
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO batches (root, manifest_cid, count, state, tx_hash, raw_tx, created_at)"
                " VALUES (?, ?, ?, 'sent', ?, ?, ?)",
                (root, manifest_cid, len(ids), tx_hash, raw_tx, time.time()),
            )
            conn.executemany(
                "UPDATE outbox SET batch_root = ? WHERE document_id = ? AND batch_root IS NULL",
                [(root, document_id) for document_id in ids],
            )

    def open_batches(self) -> list[OwnBatch]:
        """Batches signed but not yet counted as anchored, oldest first."""
        rows = (
            self._db.read()
            .execute(
                "SELECT root, manifest_cid, count, tx_hash, raw_tx FROM batches WHERE state != 'mined'"
                " ORDER BY created_at"
            )
            .fetchall()
        )
        return [_batch(row) for row in rows]

    def batch(self, root: str) -> OwnBatch | None:
        row = (
            self._db.read()
            .execute("SELECT root, manifest_cid, count, tx_hash, raw_tx FROM batches WHERE root = ?", (root,))
            .fetchone()
        )
        return None if row is None else _batch(row)

    def replace_batch_tx(self, root: str, tx_hash: str, raw_tx: bytes) -> None:
        with self._db.transaction() as conn:
            conn.execute("UPDATE batches SET tx_hash = ?, raw_tx = ? WHERE root = ?", (tx_hash, raw_tx, root))

    def mark_anchored(self, root: str, block: int | None) -> int:
        """The batch counts as anchored; its documents' envelopes are in the payload store now, so the outbox
        forgets them. Returns the batch's size."""
        with self._db.transaction() as conn:
            conn.execute("UPDATE batches SET state = 'mined', block = ? WHERE root = ?", (block, root))
            conn.execute("UPDATE outbox SET envelope = NULL WHERE batch_root = ?", (root,))
            count = conn.execute("SELECT count FROM batches WHERE root = ?", (root,)).fetchone()[0]
        return int(count)


def _batch(row: Any) -> OwnBatch:
    return OwnBatch(row["root"], row["manifest_cid"], int(row["count"]), row["tx_hash"], bytes(row["raw_tx"]))


def _taken(conn: Any, ids: list[str]) -> set[str]:
    taken: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for table in ("outbox", "idx_documents"):
            rows = conn.execute(f"SELECT document_id FROM {table} WHERE document_id IN ({marks})", chunk)
            taken.update(row[0] for row in rows)
    return taken
