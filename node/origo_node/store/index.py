"""The index: everything learnt from the chain and the batch manifests, safe to drop and rebuild.

Writes come from the indexer (events, batches, documents, the checkpoint) and the payload checker; reads
from the services that answer the API. A document's anchored facts are read in one query (``document``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

from origo_node.store.db import Database
from origo_node.store.rows import DocumentEvent, IndexedBatch, IndexedDocument, MembershipEvent, PayloadCheck

CHECKPOINT = "events"
_DOCUMENT_COLUMNS = (
    "document_id, document_type, digest, issuer, importer, issued_at, expires_at, quantity, payload_cid,"
    " signature, signer, root, block, tx_hash, timestamp, type_name, type_version, quantity_unit, recipients"
)


def _document(row: Any) -> IndexedDocument:
    return IndexedDocument(**{**dict(row), "recipients": tuple(json.loads(row["recipients"]))})


def _event(row: Any) -> DocumentEvent:
    return DocumentEvent(
        block=int(row["block"]),
        log_index=int(row["log_index"]),
        tx_hash=row["tx_hash"],
        document_id=row["document_id"],
        kind=row["kind"],
        member=row["member"],
        account=row["account"],
        timestamp=int(row["timestamp"]),
        fields=json.loads(row["fields"]),
    )


class IndexRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    # ------------------------------------------------------------ following the chain

    def relax_durability(self) -> None:
        """Everything written here can be read from the chain again: commits need not wait for fsync."""
        self._db.relax_durability_for_this_thread()

    def checkpoint(self) -> tuple[int, str] | None:
        """The last block fully indexed and its hash; None before the first chunk."""
        row = (
            self._db.read()
            .execute("SELECT block, block_hash FROM idx_checkpoint WHERE name = ?", (CHECKPOINT,))
            .fetchone()
        )
        return None if row is None else (int(row["block"]), str(row["block_hash"]))

    def drop(self) -> None:
        """Forget everything: the indexer replays the chain from the deployment block."""
        self._db.drop_index()

    def store_chunk(
        self,
        batches: Sequence[IndexedBatch],
        events: Sequence[DocumentEvent],
        membership: Sequence[MembershipEvent],
        end: int,
        end_hash: str,
    ) -> None:
        """One chunk of blocks' events and the checkpoint after it, in one transaction (replays are
        harmless: the primary keys ignore what is there already)."""
        with self._db.transaction() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO idx_batches (root, issuer, account, count, manifest_cid, block,"
                " tx_hash, log_index, timestamp, manifest_state)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')",
                [
                    (
                        b.root,
                        b.issuer,
                        b.account,
                        b.count,
                        b.manifest_cid,
                        b.block,
                        b.tx_hash,
                        b.log_index,
                        b.timestamp,
                    )
                    for b in batches
                ],
            )
            conn.executemany(
                "INSERT OR IGNORE INTO idx_events (block, log_index, tx_hash, document_id, kind, member,"
                " account, timestamp, fields) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        e.block,
                        e.log_index,
                        e.tx_hash,
                        e.document_id,
                        e.kind,
                        e.member,
                        e.account,
                        e.timestamp,
                        json.dumps(e.fields),
                    )
                    for e in events
                ],
            )
            conn.executemany(
                "INSERT OR IGNORE INTO idx_membership_events (block, log_index, tx_hash, kind, member,"
                " timestamp, fields) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (m.block, m.log_index, m.tx_hash, m.kind, m.member, m.timestamp, json.dumps(m.fields))
                    for m in membership
                ],
            )
            conn.execute(
                "INSERT INTO idx_checkpoint (name, block, block_hash) VALUES (?, ?, ?)"
                " ON CONFLICT (name) DO UPDATE SET block = excluded.block, block_hash = excluded.block_hash",
                (CHECKPOINT, end, end_hash),
            )

    # ------------------------------------------------------------ manifests

    def manifests_due(self, limit: int) -> list[IndexedBatch]:
        """Batches whose manifest is still to be read, and may be tried now, in chain order."""
        rows = (
            self._db.read()
            .execute(
                "SELECT root, issuer, account, count, manifest_cid, block, tx_hash, log_index, timestamp,"
                " attempts FROM idx_batches WHERE manifest_state = 'pending' AND retry_at <= ?"
                " ORDER BY block, log_index LIMIT ?",
                (time.time(), limit),
            )
            .fetchall()
        )
        return [IndexedBatch(**dict(row)) for row in rows]

    def has_untried_manifest(self) -> bool:
        row = (
            self._db.read()
            .execute("SELECT 1 FROM idx_batches WHERE manifest_state = 'pending' AND attempts = 0 LIMIT 1")
            .fetchone()
        )
        return row is not None

    def manifest_failed(self, root: str, state: str, error: str, retry_base_s: float) -> None:
        """The manifest could not be had (``pending``: retried with a growing delay) or is ``invalid``."""
        with self._db.transaction() as conn:
            attempts = conn.execute("SELECT attempts FROM idx_batches WHERE root = ?", (root,)).fetchone()[0]
            retry_at = time.time() + min(30.0, retry_base_s * 2 ** min(int(attempts), 10) / 4)
            conn.execute(
                "UPDATE idx_batches SET manifest_state = ?, manifest_error = ?, attempts = attempts + 1,"
                " retry_at = ? WHERE root = ?",
                (state, error, retry_at, root),
            )

    def store_documents(self, root: str, documents: Sequence[IndexedDocument]) -> None:
        """A batch's documents (first anchoring wins: a later batch repeating an id cannot replace its
        facts), and the batch marked indexed."""
        recipients: dict[tuple[str, ...], str] = {}  # a batch has few distinct recipient lists
        rows = []
        for d in documents:
            if d.recipients not in recipients:
                recipients[d.recipients] = json.dumps(list(d.recipients))
            rows.append(
                (
                    d.document_id,
                    d.document_type,
                    d.digest,
                    d.issuer,
                    d.importer,
                    d.issued_at,
                    d.expires_at,
                    d.quantity,
                    d.payload_cid,
                    d.signature,
                    d.signer,
                    d.root,
                    d.block,
                    d.tx_hash,
                    d.timestamp,
                    d.type_name,
                    d.type_version,
                    d.quantity_unit,
                    recipients[d.recipients],
                )
            )
        with self._db.transaction() as conn:
            conn.executemany(
                f"INSERT OR IGNORE INTO idx_documents ({_DOCUMENT_COLUMNS})"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            conn.execute(
                "UPDATE idx_batches SET manifest_state = 'indexed', manifest_error = NULL WHERE root = ?",
                (root,),
            )

    # ------------------------------------------------------------ documents

    def document(self, document_id: str) -> IndexedDocument | None:
        row = (
            self._db.read()
            .execute(f"SELECT {_DOCUMENT_COLUMNS} FROM idx_documents WHERE document_id = ?", (document_id,))
            .fetchone()
        )
        return None if row is None else _document(row)

    def has_document(self, document_id: str) -> bool:
        query = "SELECT 1 FROM idx_documents WHERE document_id = ?"
        return self._db.read().execute(query, (document_id,)).fetchone() is not None

    def batch(self, root: str) -> IndexedBatch | None:
        row = (
            self._db.read()
            .execute(
                "SELECT root, issuer, account, count, manifest_cid, block, tx_hash, log_index, timestamp,"
                " attempts FROM idx_batches WHERE root = ?",
                (root,),
            )
            .fetchone()
        )
        return None if row is None else IndexedBatch(**dict(row))

    def events(self, document_id: str) -> list[DocumentEvent]:
        rows = self._db.read().execute(
            "SELECT * FROM idx_events WHERE document_id = ? ORDER BY block, log_index", (document_id,)
        )
        return [_event(row) for row in rows.fetchall()]

    def predecessor_of(self, replacement_id: str) -> str | None:
        """The document that ``replacement_id`` superseded, if any."""
        row = (
            self._db.read()
            .execute(
                "SELECT document_id FROM idx_events"
                " WHERE kind = 'superseded' AND json_extract(fields, '$.replacementId') = ?",
                (replacement_id,),
            )
            .fetchone()
        )
        return None if row is None else str(row[0])

    def document_ids_of(self, member: str, role: str, offset: int, limit: int) -> list[str]:
        """``member``'s documents as issuer or importer, newest first."""
        column = "issuer" if role == "issuer" else "importer"
        rows = self._db.read().execute(
            f"SELECT document_id FROM idx_documents WHERE {column} = ?"
            " ORDER BY block DESC, document_id LIMIT ? OFFSET ?",
            (member, limit, offset),
        )
        return [str(row[0]) for row in rows.fetchall()]

    def issuer_history(self, member: str, up_to_block: int) -> list[MembershipEvent]:
        """``member``'s IssuerAdded and IssuerRemoved events up to ``up_to_block``, in chain order."""
        rows = self._db.read().execute(
            "SELECT * FROM idx_membership_events WHERE member = ? AND block <= ?"
            " AND kind IN ('IssuerAdded', 'IssuerRemoved') ORDER BY block, log_index",
            (member, up_to_block),
        )
        return [
            MembershipEvent(
                r["block"],
                r["log_index"],
                r["tx_hash"],
                r["kind"],
                r["member"],
                r["timestamp"],
                json.loads(r["fields"]),
            )
            for r in rows.fetchall()
        ]

    # ------------------------------------------------------------ payload checks

    def queue_payload_checks(self, document_ids: Sequence[str]) -> None:
        with self._db.transaction() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO idx_payload_checks (document_id, state) VALUES (?, 'pending')",
                [(d,) for d in document_ids],
            )

    def payload_checks_due(self, retry_unavailable_after_s: float, limit: int) -> list[str]:
        rows = self._db.read().execute(
            "SELECT document_id FROM idx_payload_checks"
            " WHERE state = 'pending' OR (state = 'unavailable' AND checked_at < ?) LIMIT ?",
            (time.time() - retry_unavailable_after_s, limit),
        )
        return [str(row[0]) for row in rows.fetchall()]

    def record_payload_checks(self, results: Sequence[tuple[str, PayloadCheck]]) -> None:
        """One commit for a round of checks (each commit is an fsync)."""
        with self._db.transaction() as conn:
            conn.executemany(
                "UPDATE idx_payload_checks SET state = ?, detail = ?, reference = ?, checked_at = ?,"
                " attempts = attempts + 1 WHERE document_id = ?",
                [(c.state, c.detail, c.reference, c.checked_at, d) for d, c in results],
            )

    def payload_checks_waiting(self) -> int:
        query = "SELECT count(*) FROM idx_payload_checks WHERE state = 'pending'"
        return int(self._db.read().execute(query).fetchone()[0])

    def payload_check(self, document_id: str) -> PayloadCheck | None:
        row = (
            self._db.read()
            .execute(
                "SELECT state, detail, reference, checked_at FROM idx_payload_checks WHERE document_id = ?",
                (document_id,),
            )
            .fetchone()
        )
        return None if row is None else PayloadCheck(**dict(row))

    def readable_document_ids(self, excluding_type: str) -> list[str]:
        """Documents whose payload this node opened and found good, in chain order."""
        rows = self._db.read().execute(
            "SELECT d.document_id FROM idx_documents d JOIN idx_payload_checks c USING (document_id)"
            " WHERE c.state = 'ok' AND d.type_name != ? ORDER BY d.block",
            (excluding_type,),
        )
        return [str(row[0]) for row in rows.fetchall()]
