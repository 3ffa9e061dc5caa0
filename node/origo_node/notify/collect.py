"""Turns what the indexer wrote into events for this member's subscriptions, after the fact.

The indexer is left alone: the collector follows ``idx_documents`` and ``idx_events`` by rowid (a cursor that
also remembers the key of the row it stopped at, so that a dropped and rebuilt index is noticed and scanned
again). Every event is recorded once under a key the chain fixes, so rescanning sends nothing twice; a
subscription receives only events that happened on chain after it was created (a rebuilt index does not
send history to it).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from origo_node import reasons
from origo_node.notify.store import NotifyStore

#: Index event kinds and the event types subscribers see.
_KINDS = {
    "revoked": "document.revoked",
    "superseded": "document.superseded",
    "accepted": "document.claimed",
    "rejected": "document.rejected",
    "verification_requested": "verification.requested",
    "verification_answered": "verification.answered",
}
EVENT_TYPES = ("document.anchored", *_KINDS.values())
_CHUNK = 500
#: Block timestamps may lag the node's clock: events this much older than a subscription still reach it.
_CLOCK_SLACK_S = 60.0


class Collector:
    def __init__(
        self,
        store: NotifyStore,
        member: str,
        describe: Callable[[str, dict[str, Any]], dict[str, Any]] | None = None,
    ) -> None:
        self._store = store
        self._db = store.db
        self._member = member
        #: Adds plain-language facts to an event's fields; by default the reason's label.
        self._describe = describe or _with_label

    def run_once(self) -> int:
        subscriptions = self._store.active()
        collected = self._collect_documents(subscriptions)
        collected += self._collect_events(subscriptions)
        return collected

    # ------------------------------------------------------------------ cursors

    def _cursor(self, name: str, table: str, key_sql: str) -> int:
        conn = self._db.read()
        row = conn.execute(
            "SELECT last_rowid, last_key FROM notify_cursor WHERE name = ?", (name,)
        ).fetchone()
        if row is None:
            return 0
        current = conn.execute(
            f"SELECT {key_sql} AS key FROM {table} WHERE rowid = ?", (row["last_rowid"],)
        ).fetchone()
        if current is None or current["key"] != row["last_key"]:
            return 0  # the index was dropped and rebuilt: scan it again (recorded events are not sent twice)
        return int(row["last_rowid"])

    @staticmethod
    def _move(conn: Any, name: str, rowid: int, key: str) -> None:
        conn.execute(
            "INSERT INTO notify_cursor (name, last_rowid, last_key) VALUES (?, ?, ?) ON CONFLICT (name)"
            " DO UPDATE SET last_rowid = excluded.last_rowid, last_key = excluded.last_key",
            (name, rowid, key),
        )

    # ------------------------------------------------------------------ anchored documents

    def _collect_documents(self, subscriptions: list[dict[str, Any]]) -> int:
        start = self._cursor("documents", "idx_documents", "issuer || ':' || document_id")
        rows = (
            self._db.read()
            .execute(
                "SELECT rowid, * FROM idx_documents WHERE rowid > ? ORDER BY rowid LIMIT ?", (start, _CHUNK)
            )
            .fetchall()
        )
        if not rows:
            return 0
        collected = 0
        with self._db.transaction() as conn:
            for row in rows:
                if self._member in (row["issuer"], row["importer"]) and subscriptions:
                    body = self._body(conn, row, "document.anchored", row["issuer"], None)
                    body["anchor"] = {"root": row["root"], "block": row["block"], "tx": row["tx_hash"]}
                    key = f"anchored:{row['issuer']}:{row['document_id']}"
                    collected += self._record(conn, subscriptions, key, body, row["timestamp"])
            last = rows[-1]
            self._move(conn, "documents", int(last["rowid"]), f"{last['issuer']}:{last['document_id']}")
        return collected

    # ------------------------------------------------------------------ life-cycle events

    def _collect_events(self, subscriptions: list[dict[str, Any]]) -> int:
        key_sql = "tx_hash || ':' || log_index || ':' || document_id"
        start = self._cursor("events", "idx_events", key_sql)
        conn = self._db.read()
        new = conn.execute(
            f"SELECT rowid, {key_sql} AS key, * FROM idx_events WHERE rowid > ? ORDER BY rowid LIMIT ?",
            (start, _CHUNK),
        ).fetchall()
        waiting = conn.execute(
            "SELECT w.key, w.row FROM notify_waiting w"
            " JOIN idx_documents d ON d.issuer = w.issuer AND d.document_id = w.document_id"
            " ORDER BY w.block, w.log_index"
        ).fetchall()
        if not new and not waiting:
            return 0
        events = [json.loads(w["row"]) | {"key": w["key"]} for w in waiting]
        events += [{k: v for k, v in dict(row).items() if k != "rowid"} for row in new]
        collected = 0
        with self._db.transaction() as tx:
            for event in events:
                tx.execute("DELETE FROM notify_waiting WHERE key = ?", (event["key"],))
                document = tx.execute(
                    "SELECT * FROM idx_documents WHERE issuer = ? AND document_id = ?",
                    (event["issuer"], event["document_id"]),
                ).fetchone()
                if document is None:  # its batch's manifest is not indexed yet: the document comes later
                    tx.execute(
                        "INSERT OR IGNORE INTO notify_waiting"
                        " (key, issuer, document_id, block, log_index, row) VALUES (?, ?, ?, ?, ?, ?)",
                        (
                            event["key"],
                            event["issuer"],
                            event["document_id"],
                            event["block"],
                            event["log_index"],
                            json.dumps(event),
                        ),
                    )
                    continue
                if self._member not in (document["issuer"], document["importer"]) or not subscriptions:
                    continue
                kind = str(event["kind"])
                fields = self._describe(kind, json.loads(event["fields"]))
                body = self._body(tx, document, _KINDS[kind], event["member"], fields)
                body["block"], body["tx"] = event["block"], event["tx_hash"]
                collected += self._record(tx, subscriptions, event["key"], body, event["timestamp"])
            if new:
                self._move(tx, "events", int(new[-1]["rowid"]), str(new[-1]["key"]))
        return collected

    # ------------------------------------------------------------------ recording

    def _body(
        self, conn: Any, document: Any, event_type: str, by: str, fields: dict[str, Any] | None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": event_type,
            "document_id": document["document_id"],
            "reference": _reference(conn, document["issuer"], document["document_id"]),
            "document_type": document["type_name"],
            "issuer": document["issuer"],
            "importer": document["importer"],
            "by": by,
            "role": "issuer" if document["issuer"] == self._member else "importer",
        }
        if fields is not None:
            body["details"] = fields
        return body

    def _record(
        self, conn: Any, subscriptions: list[dict[str, Any]], key: str, body: dict[str, Any], chain_time: int
    ) -> int:
        body = {
            "id": key,
            **body,
            "occurred_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(chain_time)),
        }
        encoded = json.dumps(body, separators=(",", ":"), sort_keys=True)
        now = time.time()
        cursor = conn.execute(
            "INSERT OR IGNORE INTO notify_events (key, type, document_id, body, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (key, body["type"], body["document_id"], encoded, now),
        )
        if cursor.rowcount == 0:
            return 0  # recorded before (a rebuilt index): its deliveries exist already
        seq = int(cursor.lastrowid or 0)
        for subscription in subscriptions:
            if (
                body["type"] in subscription["events"]
                and chain_time >= subscription["created_at"] - _CLOCK_SLACK_S
            ):
                conn.execute(
                    "INSERT INTO notify_deliveries (subscription_id, event_seq, document_id, state, next_at,"
                    " created_at) VALUES (?, ?, ?, 'pending', ?, ?)",
                    (subscription["id"], seq, f"{body['issuer']}:{body['document_id']}", now, now),
                )
        return 1


def _with_label(kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    """A revocation's or rejection's fields with the label of its reason code."""
    if kind in ("revoked", "rejected") and "reasonCode" in fields:
        return {
            **fields,
            "label": reasons.label("revoke" if kind == "revoked" else "reject", fields["reasonCode"]),
        }
    return fields


def _reference(conn: Any, issuer: str, document_id: str) -> str | None:
    """The reference where this node knows it: it issued the document, or it decrypted the payload."""
    row = conn.execute(
        "SELECT reference FROM outbox WHERE document_id = ? AND issuer = ?", (document_id, issuer)
    ).fetchone()
    if row is None:
        row = conn.execute(
            "SELECT reference FROM idx_payload_checks WHERE issuer = ? AND document_id = ?"
            " AND state = 'ok' AND reference IS NOT NULL",
            (issuer, document_id),
        ).fetchone()
    return None if row is None else str(row["reference"])
