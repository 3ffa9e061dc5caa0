"""The webhook tables (subscriptions, events, the delivery queue, the collector's cursors) in the node's own
store (SQLite or PostgreSQL), and the reads of the index tables the collector follows.

They are not ``idx_`` tables: dropping the index to rebuild it keeps them, so a rebuilt index does not
send its events again (events are recorded once, by a key the chain fixes).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from typing import Any

from origo_node.store.database import StoreDatabase
from origo_node.store.document_ids import spelled_id, stored_id
from origo_node.store.document_rows import DOCUMENTS
from origo_node.store.webhook_rows import (
    ActiveSubscription,
    Delivery,
    DeliveryOutcome,
    DueDelivery,
    NotifyDocument,
    NotifyEvent,
    Subscription,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS notify_subscriptions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    url           TEXT NOT NULL,
    secret        TEXT NOT NULL,              -- HMAC key, shown once, when the subscription is created
    events        TEXT NOT NULL,              -- JSON list of event types
    description   TEXT NOT NULL DEFAULT '',
    created_at    REAL NOT NULL,
    deleted_at    REAL
);
-- Events concerning this member, in the order they were collected (per document: chain order).
CREATE TABLE IF NOT EXISTS notify_events (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    key           TEXT NOT NULL UNIQUE,       -- 'anchored:<id>' or '<tx>:<log index>:<id>'
    type          TEXT NOT NULL,
    document_id   TEXT NOT NULL,
    body          TEXT NOT NULL,              -- the JSON posted, byte for byte
    created_at    REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS notify_deliveries (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    subscription_id INTEGER NOT NULL,
    event_seq     INTEGER NOT NULL,
    document_id   TEXT NOT NULL,              -- ISSUER:0x<id>: deliveries of one document keep their order
    state         TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed', 'cancelled')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_at       REAL NOT NULL,
    last_status   INTEGER,
    last_error    TEXT,
    delivered_at  REAL,
    created_at    REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS notify_deliveries_due ON notify_deliveries (next_at) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS notify_deliveries_order
    ON notify_deliveries (subscription_id, document_id, id) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS notify_deliveries_by_subscription ON notify_deliveries (subscription_id, id);
-- Where the collector is in the index tables: a rowid and the key of the row it had, to notice a rebuild.
CREATE TABLE IF NOT EXISTS notify_cursor (
    name          TEXT PRIMARY KEY,
    last_rowid    INTEGER NOT NULL,
    last_key      TEXT NOT NULL
);
-- Events seen before the document they concern was indexed (its manifest came later).
CREATE TABLE IF NOT EXISTS notify_waiting (
    key           TEXT PRIMARY KEY,
    issuer        TEXT NOT NULL,
    document_id   TEXT NOT NULL,
    block         INTEGER NOT NULL,
    log_index     INTEGER NOT NULL,
    row           TEXT NOT NULL               -- JSON of the idx_events row
);
"""

_STATES = ("pending", "delivered", "failed", "cancelled")
#: An indexed document as the collector reads it, from ``DOCUMENTS`` (its row joined with its batch's).
_DOCUMENT_COLUMNS = (
    "d.rowid AS rowid, d.document_id, d.issuer, d.importer, d.type_name, b.root, d.block, b.tx_hash,"
    " b.timestamp, d.quantity_units"
)
_EVENT_KEY = "tx_hash || ':' || log_index || ':' || document_id"
_EVENT_COLUMNS = (
    f"rowid, {_EVENT_KEY} AS key, issuer, document_id, kind, member, block, log_index, tx_hash, timestamp,"
    " fields"
)
#: The collector's cursors: the index table each follows, what of a row it reads, and the row's key from it.
_CURSORS: dict[str, tuple[str, str, Callable[[Any], str]]] = {
    "documents": (
        "idx_documents",
        "issuer, document_id",
        lambda row: f"{row['issuer']}:{spelled_id(row['document_id'])}",
    ),
    "events": ("idx_events", f"{_EVENT_KEY} AS key", lambda row: str(row["key"])),
}


def _document(row: Any) -> NotifyDocument:
    fields = {name: row[name] for name in NotifyDocument.__dataclass_fields__}
    fields["document_id"] = spelled_id(row["document_id"])
    fields["quantity_units"] = tuple(json.loads(row["quantity_units"] or "[]"))
    return NotifyDocument(**fields)


class NotifyRepository:
    def __init__(self, db: StoreDatabase) -> None:
        self._db = db
        db.ensure_tables(SCHEMA)

    # ------------------------------------------------------------------ subscriptions

    def add_subscription(
        self, url: str, secret: str, events: Sequence[str], description: str, now: float
    ) -> int:
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO notify_subscriptions (url, secret, events, description, created_at)"
                " VALUES (?, ?, ?, ?, ?) RETURNING id",
                (url, secret, json.dumps(sorted(set(events))), description, now),
            )
            return int(cursor.fetchone()[0])

    def subscription(self, subscription_id: int) -> Subscription | None:
        """A subscription not deleted, with its deliveries counted by state."""
        row = (
            self._db.read()
            .execute(
                "SELECT * FROM notify_subscriptions WHERE id = ? AND deleted_at IS NULL", (subscription_id,)
            )
            .fetchone()
        )
        return None if row is None else self._subscription(row)

    def secret(self, subscription_id: int) -> str | None:
        row = (
            self._db.read()
            .execute("SELECT secret FROM notify_subscriptions WHERE id = ?", (subscription_id,))
            .fetchone()
        )
        return None if row is None else str(row["secret"])

    def subscriptions(self) -> list[Subscription]:
        rows = (
            self._db.read()
            .execute("SELECT * FROM notify_subscriptions WHERE deleted_at IS NULL ORDER BY id")
            .fetchall()
        )
        return [self._subscription(row) for row in rows]

    def active(self) -> list[ActiveSubscription]:
        rows = (
            self._db.read()
            .execute("SELECT id, events, created_at FROM notify_subscriptions WHERE deleted_at IS NULL")
            .fetchall()
        )
        return [
            ActiveSubscription(
                id=int(r["id"]), events=frozenset(json.loads(r["events"])), created_at=float(r["created_at"])
            )
            for r in rows
        ]

    def delete_subscription(self, subscription_id: int, now: float) -> None:
        """Deleted, and its pending deliveries cancelled, in one transaction."""
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE notify_subscriptions SET deleted_at = ? WHERE id = ?", (now, subscription_id)
            )
            conn.execute(
                "UPDATE notify_deliveries SET state = 'cancelled', last_error = 'subscription deleted'"
                " WHERE subscription_id = ? AND state = 'pending'",
                (subscription_id,),
            )

    def _subscription(self, row: Any) -> Subscription:
        counts = {
            r["state"]: int(r["n"])
            for r in self._db.read().execute(
                "SELECT state, COUNT(*) AS n FROM notify_deliveries WHERE subscription_id = ? GROUP BY state",
                (row["id"],),
            )
        }
        return Subscription(
            id=int(row["id"]),
            url=row["url"],
            events=json.loads(row["events"]),
            description=row["description"],
            created_at=float(row["created_at"]),
            deliveries={s: counts.get(s, 0) for s in _STATES},
        )

    # ------------------------------------------------------------------ deliveries

    def deliveries(self, subscription_id: int, *, state: str | None, limit: int) -> list[Delivery]:
        """A subscription's deliveries, newest first."""
        sql = (
            "SELECT d.*, e.type, e.key FROM notify_deliveries d JOIN notify_events e ON e.seq = d.event_seq"
            " WHERE d.subscription_id = ?"
        )
        params: list[Any] = [subscription_id]
        if state is not None:
            sql += " AND d.state = ?"
            params.append(state)
        sql += " ORDER BY d.id DESC LIMIT ?"
        params.append(limit)
        return [
            Delivery(
                id=int(r["id"]),
                event_key=r["key"],
                type=r["type"],
                document_id=r["document_id"],
                state=r["state"],
                attempts=int(r["attempts"]),
                last_status=r["last_status"],
                last_error=r["last_error"],
                next_at=float(r["next_at"]),
                delivered_at=None if r["delivered_at"] is None else float(r["delivered_at"]),
                created_at=float(r["created_at"]),
            )
            for r in self._db.read().execute(sql, params)
        ]

    def due(self, now: float, limit: int) -> list[DueDelivery]:
        """Pending deliveries whose time has come and with no earlier one of the same document to the same
        subscriber still pending (a receiver sees "anchored" before "revoked", even across retries)."""
        rows = (
            self._db.read()
            .execute(
                "SELECT d.id, d.subscription_id, d.attempts, e.body, e.type, s.url, s.secret"
                " FROM notify_deliveries d"
                " JOIN notify_events e ON e.seq = d.event_seq"
                " JOIN notify_subscriptions s ON s.id = d.subscription_id"
                " WHERE d.state = 'pending' AND d.next_at <= ? AND NOT EXISTS ("
                "   SELECT 1 FROM notify_deliveries p WHERE p.state = 'pending'"
                "   AND p.subscription_id = d.subscription_id AND p.document_id = d.document_id"
                "   AND p.id < d.id)"
                " ORDER BY d.id LIMIT ?",
                (now, limit),
            )
            .fetchall()
        )
        return [
            DueDelivery(
                id=int(r["id"]),
                subscription_id=int(r["subscription_id"]),
                attempts=int(r["attempts"]),
                body=str(r["body"]),
                type=str(r["type"]),
                url=str(r["url"]),
                secret=str(r["secret"]),
            )
            for r in rows
        ]

    def record_outcomes(self, outcomes: Sequence[DeliveryOutcome]) -> None:
        """A round's attempts, in one transaction."""
        with self._db.transaction() as conn:
            for o in outcomes:
                if o.state == "delivered":
                    conn.execute(
                        "UPDATE notify_deliveries SET state = 'delivered', attempts = ?, last_status = ?,"
                        " last_error = NULL, delivered_at = ? WHERE id = ?",
                        (o.attempts, o.status, o.at, o.id),
                    )
                else:
                    conn.execute(
                        "UPDATE notify_deliveries SET state = ?, attempts = ?, last_status = ?,"
                        " last_error = ?, next_at = ? WHERE id = ?",
                        (o.state, o.attempts, o.status, o.error, o.next_at, o.id),
                    )

    # ------------------------------------------------------------------ what the collector follows

    def new_documents(self, limit: int) -> list[NotifyDocument]:
        """Indexed documents after the collector's ``documents`` cursor, in index order."""
        start = self._cursor("documents")
        rows = (
            self._db.read()
            .execute(
                f"SELECT {_DOCUMENT_COLUMNS} FROM {DOCUMENTS} WHERE d.rowid > ? ORDER BY d.rowid LIMIT ?",
                (start, limit),
            )
            .fetchall()
        )
        return [_document(row) for row in rows]

    def skip_unwatched_documents(self) -> bool:
        """With no subscription, the documents cursor moves past every document indexed so far (True, also
        when it is past them already); False, and nothing moved, when there is one.

        Read 500 at a time, a member catching up with no subscription committed a cursor move every 500
        documents for nothing (about 490 fsynced commits in 200,000 documents). The subscriptions are looked
        at again inside the move's transaction, so a subscription created before it is seen."""
        last = self._db.read().execute("SELECT max(rowid) FROM idx_documents").fetchone()[0]
        if last is None or int(last) <= self._cursor("documents"):
            return True  # the cursor is past everything already
        with self._db.transaction() as writing:
            query = "SELECT 1 FROM notify_subscriptions WHERE deleted_at IS NULL LIMIT 1"
            if writing.execute(query).fetchone() is not None:
                return False
            _, columns, key_of = _CURSORS["documents"]
            row = writing.execute(f"SELECT {columns} FROM idx_documents WHERE rowid = ?", (last,)).fetchone()
            NotifyWriter(writing).move("documents", int(last), key_of(row))
        return True

    def new_events(self, limit: int) -> tuple[list[NotifyEvent], int | None]:
        """Indexed life-cycle events after the ``events`` cursor, and the rowid of the last of them."""
        start = self._cursor("events")
        rows = (
            self._db.read()
            .execute(
                f"SELECT {_EVENT_COLUMNS} FROM idx_events WHERE rowid > ? ORDER BY rowid LIMIT ?",
                (start, limit),
            )
            .fetchall()
        )
        return [NotifyEvent.of(dict(row)) for row in rows], (int(rows[-1]["rowid"]) if rows else None)

    def waiting_ready(self) -> list[NotifyEvent]:
        """Events put aside because their document was not indexed yet, whose document is now."""
        rows = (
            self._db.read()
            .execute(
                "SELECT w.key, w.row FROM notify_waiting w"
                " JOIN idx_documents d ON d.issuer = w.issuer AND d.document_id = id_bytes(w.document_id)"
                " ORDER BY w.block, w.log_index"
            )
            .fetchall()
        )
        return [NotifyEvent.of(json.loads(w["row"]) | {"key": w["key"]}) for w in rows]

    def _cursor(self, name: str) -> int:
        table, columns, key_of = _CURSORS[name]
        conn = self._db.read()
        row = conn.execute(
            "SELECT last_rowid, last_key FROM notify_cursor WHERE name = ?", (name,)
        ).fetchone()
        if row is None:
            return 0
        current = conn.execute(
            f"SELECT {columns} FROM {table} WHERE rowid = ?", (row["last_rowid"],)
        ).fetchone()
        if current is None or key_of(current) != row["last_key"]:
            return 0  # the index was dropped and rebuilt: scan it again (recorded events are not sent twice)
        return int(row["last_rowid"])

    @contextmanager
    def collecting(self) -> Iterator[NotifyWriter]:
        """One write transaction for a round of the collector: events, deliveries and cursor together."""
        with self._db.transaction() as conn:
            yield NotifyWriter(conn)


class NotifyWriter:
    """The collector's writes (and the reads it makes between them) inside one transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def document(self, issuer: str, document_id: str) -> NotifyDocument | None:
        row = self._conn.execute(
            f"SELECT {_DOCUMENT_COLUMNS} FROM {DOCUMENTS} WHERE d.issuer = ? AND d.document_id = ?",
            (issuer, stored_id(document_id)),
        ).fetchone()
        return None if row is None else _document(row)

    def reference(self, issuer: str, document_id: str) -> str | None:
        """The reference where this node knows it: it issued the document, or it decrypted the payload."""
        row = self._conn.execute(
            "SELECT reference FROM outbox WHERE document_id = ? AND issuer = ?", (document_id, issuer)
        ).fetchone()
        if row is None:
            row = self._conn.execute(
                "SELECT reference FROM idx_payload_checks WHERE issuer = ? AND document_id = ?"
                " AND state = 'ok' AND reference IS NOT NULL",
                (issuer, document_id),
            ).fetchone()
        return None if row is None else str(row["reference"])

    def stop_waiting(self, key: str) -> None:
        self._conn.execute("DELETE FROM notify_waiting WHERE key = ?", (key,))

    def wait(self, event: NotifyEvent) -> None:
        """Put aside until its document is indexed (its batch's manifest comes later)."""
        self._conn.execute(
            "INSERT OR IGNORE INTO notify_waiting"
            " (key, issuer, document_id, block, log_index, row) VALUES (?, ?, ?, ?, ?, ?)",
            (
                event.key,
                event.issuer,
                event.document_id,
                event.block,
                event.log_index,
                json.dumps(asdict(event)),
            ),
        )

    def record_event(self, key: str, event_type: str, document_id: str, body: str, now: float) -> int | None:
        """The event's sequence number; None if it was recorded before (a rebuilt index)."""
        cursor = self._conn.execute(
            "INSERT OR IGNORE INTO notify_events (key, type, document_id, body, created_at)"
            " VALUES (?, ?, ?, ?, ?) RETURNING seq",
            (key, event_type, document_id, body, now),
        )
        row = cursor.fetchone()
        return None if row is None else int(row[0])

    def queue(self, subscription_id: int, event_seq: int, document_key: str, now: float) -> None:
        self._conn.execute(
            "INSERT INTO notify_deliveries (subscription_id, event_seq, document_id, state, next_at,"
            " created_at) VALUES (?, ?, ?, 'pending', ?, ?)",
            (subscription_id, event_seq, document_key, now, now),
        )

    def move(self, name: str, rowid: int, key: str) -> None:
        self._conn.execute(
            "INSERT INTO notify_cursor (name, last_rowid, last_key) VALUES (?, ?, ?) ON CONFLICT (name)"
            " DO UPDATE SET last_rowid = excluded.last_rowid, last_key = excluded.last_key",
            (name, rowid, key),
        )
