"""The outbox and this node's own batches: what it accepted, and how far each batch is on its way.

A document belongs to exactly one batch: ``record_batch`` writes the batch (with its signed transaction) and
assigns the documents to it in one transaction, before anything is sent.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from typing import Any

from origo_node.documents.leaf_json import leaf_from_json, leaf_to_json
from origo_node.store.database import StoreDatabase
from origo_node.store.document_ids import stored_id
from origo_node.store.rows import AnchoringBacklog, BatchRefusal, OutboxEntry, OutboxLeaf, OwnBatch

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
        leaf=_leaf(json.loads(row["leaf"])),
        payload_cid=row["payload_cid"],
        envelope=None if row["envelope"] is None else bytes(row["envelope"]),
        signature=row["signature"],
        signer=row["signer"],
        supersedes=row["supersedes"],
        received_at=float(row["received_at"]),
        batch_root=row["batch_root"],
    )


def _leaf(data: dict[str, Any]) -> OutboxLeaf:
    meta = data["meta"]
    return OutboxLeaf(
        leaf=leaf_from_json(data),
        type_name=meta["type"],
        type_version=meta["version"],
        quantity_units=tuple(meta["quantity_units"]),
        recipients=tuple(meta["recipients"]),
    )


def _leaf_json(entry: OutboxEntry) -> str:
    """As the outbox has always stored it: the leaf's JSON with the manifest's facts under "meta"."""
    value = entry.leaf
    meta = {
        "type": value.type_name,
        "version": value.type_version,
        "quantity_units": list(value.quantity_units),
        "recipients": list(value.recipients),
        "reference": entry.reference,
    }
    return json.dumps({**leaf_to_json(value.leaf), "meta": meta})


class OutboxRepository:
    def __init__(self, db: StoreDatabase) -> None:
        self._db = db

    # ------------------------------------------------------------ accepting

    def add(self, entries: Sequence[OutboxEntry], *, all_or_nothing: bool) -> set[str]:
        """Adds the entries whose id their issuer has not used already (in the outbox, or anchored); the ids
        that were. Another member's leaf carrying one of these ids (a squat) is another document and takes
        nothing. With ``all_or_nothing``, one taken id means nothing is added."""
        with self._db.transaction() as conn:
            taken = _taken(conn, entries)
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
                        _leaf_json(e),
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

    def not_anchored_count(self) -> int:
        """Documents accepted and not anchored yet: not in a batch, or in one not counted as anchored (refused
        ones apart). Zero: every document is on chain."""
        row = (
            self._db.read()
            .execute(
                "SELECT count(*) FROM outbox WHERE batch_root IS NULL OR batch_root IN"
                " (SELECT root FROM batches WHERE state != 'mined'"
                " AND root NOT IN (SELECT root FROM batch_refusals))"
            )
            .fetchone()
        )
        return int(row[0])

    def anchoring_backlog(self) -> AnchoringBacklog:
        """What waits for the chain, and since when (health and metrics read it from any process)."""
        conn = self._db.read()
        unbatched, unbatched_oldest = conn.execute(
            "SELECT count(*), min(received_at) FROM outbox WHERE batch_root IS NULL"
        ).fetchone()
        # Batches sent but not mined: their own creation time stands for their documents' (a join on the
        # outbox has no index to use and /healthz is polled often).
        open_documents, open_oldest = conn.execute(
            "SELECT coalesce(sum(count), 0), min(created_at) FROM batches WHERE state != 'mined'"
        ).fetchone()
        accepted = int(conn.execute("SELECT count(*) FROM outbox").fetchone()[0])
        mined = int(
            conn.execute("SELECT coalesce(sum(count), 0) FROM batches WHERE state = 'mined'").fetchone()[0]
        )
        times = [t for t in (unbatched_oldest, open_oldest) if t is not None]
        return AnchoringBacklog(
            pending=int(unbatched) + int(open_documents),
            oldest_at=min(times) if times else None,
            accepted_total=accepted,
            anchored_total=mined,
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
        self,
        root: str,
        manifest_cid: str,
        document_ids: Iterable[str],
        tx_hash: str | None,
        raw_tx: bytes | None,
    ) -> None:
        """The batch and its signed transaction (None: the chain refused to sign it, it stays built), and
        every document assigned to it: all or nothing."""
        ids = list(document_ids)
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO batches (root, manifest_cid, count, state, tx_hash, raw_tx, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    root,
                    manifest_cid,
                    len(ids),
                    "built" if tx_hash is None else "sent",
                    tx_hash,
                    raw_tx,
                    time.time(),
                ),
            )
            conn.executemany(
                "UPDATE outbox SET batch_root = ? WHERE document_id = ? AND batch_root IS NULL",
                [(root, document_id) for document_id in ids],
            )

    def open_batches(self) -> list[OwnBatch]:
        """Batches built but not yet counted as anchored (refused ones included), oldest first."""
        rows = self._db.read().execute(f"{_BATCH_QUERY} WHERE b.state != 'mined' ORDER BY b.created_at")
        return [_batch(row) for row in rows.fetchall()]

    def batch(self, root: str) -> OwnBatch | None:
        row = self._db.read().execute(f"{_BATCH_QUERY} WHERE b.root = ?", (root,)).fetchone()
        return None if row is None else _batch(row)

    def replace_batch_tx(self, root: str, tx_hash: str, raw_tx: bytes) -> bool:
        """The batch's transaction, signed again (or for the first time, once the chain takes it); whether
        this lifted a refusal."""
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE batches SET state = 'sent', tx_hash = ?, raw_tx = ? WHERE root = ?",
                (tx_hash, raw_tx, root),
            )
            lifted = conn.execute("DELETE FROM batch_refusals WHERE root = ?", (root,)).rowcount
        return bool(lifted)

    def record_refusal(self, root: str, rule: str, reason: str) -> str | None:
        """Records (or refreshes) why the chain refuses the batch; the reason recorded before, if any."""
        now = time.time()
        with self._db.transaction() as conn:
            known = conn.execute("SELECT reason FROM batch_refusals WHERE root = ?", (root,)).fetchone()
            conn.execute(
                "INSERT INTO batch_refusals (root, rule, reason, refused_at, tried_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (root) DO UPDATE SET rule = excluded.rule, reason = excluded.reason,"
                " tried_at = excluded.tried_at",
                (root, rule, reason, now, now),
            )
        return None if known is None else str(known["reason"])

    def refused_documents(self) -> tuple[int, str | None]:
        """How many documents sit in refused batches, and the latest refusal's reason."""
        conn = self._db.read()
        count = conn.execute(
            "SELECT count(*) FROM outbox WHERE batch_root IN (SELECT root FROM batch_refusals)"
        ).fetchone()[0]
        last = conn.execute("SELECT reason FROM batch_refusals ORDER BY refused_at DESC LIMIT 1").fetchone()
        return int(count), None if last is None else str(last["reason"])

    def unanchored_ids(self, *, refused: bool, limit: int, offset: int) -> list[str]:
        """This member's documents not in the index yet, newest first: those in refused batches, or the
        others (still pending)."""
        which = "IN" if refused else "NOT IN"
        rows = self._db.read().execute(
            "SELECT o.document_id FROM outbox o"
            " WHERE NOT EXISTS (SELECT 1 FROM idx_documents d WHERE d.issuer = o.issuer"
            " AND d.document_id = id_bytes(o.document_id))"
            f" AND coalesce(o.batch_root, '') {which} (SELECT root FROM batch_refusals)"
            " ORDER BY o.received_at DESC, o.document_id LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [str(row[0]) for row in rows.fetchall()]

    def mark_anchored(self, root: str, block: int | None) -> int:
        """The batch counts as anchored; its documents' envelopes are in the payload store now, so the outbox
        forgets them. Returns the batch's size."""
        with self._db.transaction() as conn:
            conn.execute("UPDATE batches SET state = 'mined', block = ? WHERE root = ?", (block, root))
            conn.execute("UPDATE outbox SET envelope = NULL WHERE batch_root = ?", (root,))
            count = conn.execute("SELECT count FROM batches WHERE root = ?", (root,)).fetchone()[0]
        return int(count)


_BATCH_QUERY = (
    "SELECT b.root, b.manifest_cid, b.count, b.tx_hash, b.raw_tx, r.rule, r.reason, r.refused_at, r.tried_at"
    " FROM batches b LEFT JOIN batch_refusals r ON r.root = b.root"
)


def _batch(row: Any) -> OwnBatch:
    refusal = (
        None
        if row["rule"] is None
        else BatchRefusal(row["rule"], row["reason"], float(row["refused_at"]), float(row["tried_at"]))
    )
    raw = None if row["raw_tx"] is None else bytes(row["raw_tx"])
    return OwnBatch(row["root"], row["manifest_cid"], int(row["count"]), row["tx_hash"], raw, refusal)


def _taken(conn: Any, entries: Sequence[OutboxEntry]) -> set[str]:
    taken: set[str] = set()
    by_issuer: dict[str, list[str]] = {}
    for e in entries:
        by_issuer.setdefault(e.issuer, []).append(e.document_id)
    for issuer, ids in by_issuer.items():
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = conn.execute(f"SELECT document_id FROM outbox WHERE document_id IN ({marks})", chunk)
            taken.update(row[0] for row in rows)
            keys = [stored_id(document_id) for document_id in chunk]
            spelled = dict(zip(keys, chunk, strict=True))
            rows = conn.execute(
                f"SELECT document_id FROM idx_documents WHERE issuer = ? AND document_id IN ({marks})",
                [issuer, *keys],
            )
            taken.update(spelled[bytes(row[0])] for row in rows)
    return taken
