"""The index: everything learnt from the chain and the batch manifests, safe to drop and rebuild.

Writes come from the indexer (events, batches, documents, the checkpoint) and the payload checker; reads
from the services that answer the API. A document is named by its issuer and its id together, a batch by its
issuer and its root, as on chain: another member's leaf carrying the same id is another document. A
document's anchored facts are read in one query (``document``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

from origo_node.documents.event_fields import fields_of
from origo_node.membership_fields import membership_fields_of
from origo_node.store.database import StoreDatabase
from origo_node.store.document_ids import spelled_id, stored_id
from origo_node.store.document_rows import (
    DOCUMENT_COLUMNS,
    DOCUMENT_READ,
    DOCUMENTS,
    DocumentRow,
    JsonLists,
    document_of,
    row_of,
)
from origo_node.store.rows import DocumentEvent, IndexedBatch, IndexedDocument, MembershipEvent, PayloadCheck

CHECKPOINT = "events"


def _event(row: Any) -> DocumentEvent:
    return DocumentEvent(
        block=int(row["block"]),
        log_index=int(row["log_index"]),
        tx_hash=row["tx_hash"],
        document_id=row["document_id"],
        issuer=row["issuer"],
        kind=row["kind"],
        member=row["member"],
        account=row["account"],
        timestamp=int(row["timestamp"]),
        fields=fields_of(row["kind"], json.loads(row["fields"])),
    )


class IndexRepository:
    def __init__(self, db: StoreDatabase) -> None:
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
                "INSERT OR IGNORE INTO idx_events (block, log_index, tx_hash, document_id, issuer, kind,"
                " member, account, timestamp, fields) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        e.block,
                        e.log_index,
                        e.tx_hash,
                        e.document_id,
                        e.issuer,
                        e.kind,
                        e.member,
                        e.account,
                        e.timestamp,
                        json.dumps(e.fields.as_json()),
                    )
                    for e in events
                ],
            )
            conn.executemany(
                "INSERT OR IGNORE INTO idx_membership_events (block, log_index, tx_hash, kind, member,"
                " timestamp, fields) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        m.block,
                        m.log_index,
                        m.tx_hash,
                        m.kind,
                        m.member,
                        m.timestamp,
                        json.dumps(m.fields.as_json()),
                    )
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

    def manifest_failed(self, issuer: str, root: str, state: str, error: str, retry_base_s: float) -> None:
        """The manifest could not be had (``pending``: retried with a growing delay) or is ``invalid``."""
        with self._db.transaction() as conn:
            attempts = conn.execute(
                "SELECT attempts FROM idx_batches WHERE issuer = ? AND root = ?", (issuer, root)
            ).fetchone()[0]
            retry_at = time.time() + min(30.0, retry_base_s * 2 ** min(int(attempts), 10) / 4)
            conn.execute(
                "UPDATE idx_batches SET manifest_state = ?, manifest_error = ?, attempts = attempts + 1,"
                " retry_at = ? WHERE issuer = ? AND root = ?",
                (state, error, retry_at, issuer, root),
            )

    def store_documents(self, batch: IndexedBatch, documents: Sequence[IndexedDocument]) -> None:
        """A batch's documents (the batch stored by ``store_chunk``; its root, block, transaction and time are
        theirs), and the batch marked indexed. First anchoring by the same issuer wins: a later batch of that
        issuer repeating an id cannot replace its facts (another member's leaf with the id is another
        document, with a row of its own)."""
        as_json = JsonLists()
        self.store_rows([(batch.issuer, batch.root, [row_of(d, batch, as_json) for d in documents])])

    def store_rows(self, batches: Sequence[tuple[str, str, Sequence[DocumentRow]]]) -> None:
        """(issuer, root, rows) of several batches, each stored as ``store_documents`` stores one, in the
        order given and in one transaction: each commit writes every page its batches touched (the id key's
        pages are all over the B-tree), so a member catching up commits several batches at once."""
        with self._db.transaction() as conn:
            conn.executemany(
                f"INSERT OR IGNORE INTO idx_documents ({DOCUMENT_COLUMNS})"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [row for _, _, rows in batches for row in rows],
            )
            conn.executemany(
                "UPDATE idx_batches SET manifest_state = 'indexed', manifest_error = NULL"
                " WHERE issuer = ? AND root = ?",
                [(issuer, root) for issuer, root, _ in batches],
            )

    # ------------------------------------------------------------ documents

    def document(self, issuer: str, document_id: str) -> IndexedDocument | None:
        key = stored_id(str(document_id))
        if key is None:
            return None
        row = (
            self._db.read()
            .execute(
                f"SELECT {DOCUMENT_READ} FROM {DOCUMENTS} WHERE d.issuer = ? AND d.document_id = ?",
                (issuer, key),
            )
            .fetchone()
        )
        return None if row is None else document_of(row)

    def has_document(self, issuer: str, document_id: str) -> bool:
        key = stored_id(str(document_id))
        query = "SELECT 1 FROM idx_documents WHERE issuer = ? AND document_id = ?"
        return key is not None and self._db.read().execute(query, (issuer, key)).fetchone() is not None

    def issuers_holding(self, documents: Sequence[tuple[str, str]]) -> set[str]:
        stored = ((issuer, stored_id(str(document_id))) for issuer, document_id in documents)
        wanted = {(issuer, key) for issuer, key in stored if key is not None}
        ids = sorted({key for _, key in wanted})
        if not ids:
            return set()
        marks = ", ".join("?" * len(ids))
        query = f"SELECT issuer, document_id FROM idx_documents WHERE document_id IN ({marks})"
        rows = self._db.read().execute(query, ids)
        return {str(issuer) for issuer, key in rows.fetchall() if (str(issuer), bytes(key)) in wanted}

    def issuers_of_id(self, document_id: str) -> set[str]:
        """Every member whose anchored leaf carries ``document_id``."""
        key = stored_id(str(document_id))
        if key is None:
            return set()
        rows = self._db.read().execute("SELECT issuer FROM idx_documents WHERE document_id = ?", (key,))
        return {str(row[0]) for row in rows.fetchall()}

    def batch(self, issuer: str, root: str) -> IndexedBatch | None:
        row = (
            self._db.read()
            .execute(
                "SELECT root, issuer, account, count, manifest_cid, block, tx_hash, log_index, timestamp,"
                " attempts FROM idx_batches WHERE issuer = ? AND root = ?",
                (issuer, root),
            )
            .fetchone()
        )
        return None if row is None else IndexedBatch(**dict(row))

    def events(self, issuer: str, document_id: str) -> list[DocumentEvent]:
        rows = self._db.read().execute(
            "SELECT * FROM idx_events WHERE issuer = ? AND document_id = ? ORDER BY block, log_index",
            (issuer, str(document_id)),
        )
        return [_event(row) for row in rows.fetchall()]

    def predecessor_of(self, issuer: str, replacement_id: str) -> str | None:
        """The document of ``issuer`` that ``replacement_id`` superseded, if any."""
        row = (
            self._db.read()
            .execute(
                "SELECT document_id FROM idx_events WHERE issuer = ? AND kind = 'superseded'"
                " AND json_extract(fields, '$.replacementId') = ?",
                (issuer, str(replacement_id)),
            )
            .fetchone()
        )
        return None if row is None else str(row[0])

    def document_keys_of(self, member: str, role: str, offset: int, limit: int) -> list[tuple[str, str]]:
        """(issuer, id) of ``member``'s documents as issuer or importer, newest first."""
        column = "issuer" if role == "issuer" else "importer"
        rows = self._db.read().execute(
            f"SELECT issuer, document_id FROM idx_documents WHERE {column} = ?"
            " ORDER BY block DESC, document_id LIMIT ? OFFSET ?",
            (member, limit, offset),
        )
        return [(str(row[0]), spelled_id(row[1])) for row in rows.fetchall()]

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
                membership_fields_of(r["kind"], json.loads(r["fields"])),
            )
            for r in rows.fetchall()
        ]

    # ------------------------------------------------------------ payload checks

    def queue_payload_checks(self, keys: Sequence[tuple[str, str]]) -> None:
        """(issuer, id) of documents whose payload this node may read and should check."""
        with self._db.transaction() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO idx_payload_checks (issuer, document_id, state)"
                " VALUES (?, ?, 'pending')",
                keys,
            )

    def payload_checks_due(self, retry_unavailable_after_s: float, limit: int) -> list[tuple[str, str]]:
        rows = self._db.read().execute(
            "SELECT issuer, document_id FROM idx_payload_checks"
            " WHERE state = 'pending' OR (state = 'unavailable' AND checked_at < ?) LIMIT ?",
            (time.time() - retry_unavailable_after_s, limit),
        )
        return [(str(row[0]), str(row[1])) for row in rows.fetchall()]

    def record_payload_checks(self, results: Sequence[tuple[str, str, PayloadCheck]]) -> None:
        """(issuer, id, what was found) for a round of checks, in one commit (each commit is an fsync)."""
        with self._db.transaction() as conn:
            conn.executemany(
                "UPDATE idx_payload_checks SET state = ?, detail = ?, reference = ?, checked_at = ?,"
                " attempts = attempts + 1 WHERE issuer = ? AND document_id = ?",
                [(c.state, c.detail, c.reference, c.checked_at, issuer, d) for issuer, d, c in results],
            )

    def payload_checks_waiting(self) -> int:
        query = "SELECT count(*) FROM idx_payload_checks WHERE state = 'pending'"
        return int(self._db.read().execute(query).fetchone()[0])

    def payload_check(self, issuer: str, document_id: str) -> PayloadCheck | None:
        row = (
            self._db.read()
            .execute(
                "SELECT state, detail, reference, checked_at FROM idx_payload_checks"
                " WHERE issuer = ? AND document_id = ?",
                (issuer, str(document_id)),
            )
            .fetchone()
        )
        return None if row is None else PayloadCheck(**dict(row))

    def issuers_with_check(self, document_id: str, state: str) -> set[str]:
        """The members whose leaf carrying ``document_id`` had its payload check end in ``state``."""
        rows = self._db.read().execute(
            "SELECT issuer FROM idx_payload_checks WHERE document_id = ? AND state = ?", (document_id, state)
        )
        return {str(row[0]) for row in rows.fetchall()}

    def readable_document_keys(self, excluding_type: str) -> list[tuple[str, str]]:
        """(issuer, id) of documents whose payload this node opened and found good, in chain order."""
        rows = self._db.read().execute(
            "SELECT c.issuer, c.document_id FROM idx_payload_checks c JOIN idx_documents d"
            " ON d.issuer = c.issuer AND d.document_id = id_bytes(c.document_id)"
            " WHERE c.state = 'ok' AND d.type_name != ? ORDER BY d.block",
            (excluding_type,),
        )
        return [(str(row[0]), str(row[1])) for row in rows.fetchall()]
