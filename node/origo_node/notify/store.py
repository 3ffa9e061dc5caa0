"""The webhook tables (subscriptions, events, the delivery queue) in the node's own SQLite database.

They are not ``idx_`` tables: dropping the index to rebuild it keeps them, so a rebuilt index does not
send its events again (events are recorded once, by a key the chain fixes).
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any
from urllib.parse import urlsplit

from origo_node.errors import NotFound, ValidationFailed
from origo_node.store.db import Database

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

_MAX_URL = 2048
_MAX_DESCRIPTION = 200


class SubscriptionInvalid(ValidationFailed):
    """A subscription request an operator typed is not usable (URL, event types, description)."""


def check_url(url: Any) -> str:
    """An http(s) URL with a host and no credentials in it (the secret signs deliveries instead)."""
    problem = None
    if not isinstance(url, str) or not url.strip():
        problem = "give the receiver's URL, e.g. https://nsw.example/origo-events"
    elif len(url) > _MAX_URL:
        problem = f"the URL is longer than {_MAX_URL} characters"
    else:
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError:
            parts, port = None, None
            problem = "the URL is not well formed"
        if parts is not None:
            if parts.scheme not in ("http", "https"):
                problem = "only http:// and https:// URLs can receive webhooks"
            elif not parts.hostname:
                problem = "the URL names no host"
            elif parts.username or parts.password:
                problem = "put no user name or password in the URL; deliveries are signed instead"
            elif any(ch.isspace() for ch in url.strip()):
                problem = "the URL contains spaces"
            elif port == 0:
                problem = "the URL's port is not valid"
    if problem is not None:
        raise SubscriptionInvalid(problem, errors=[{"pointer": "/url", "message": problem}])
    return str(url).strip()


class NotifyStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        with db.transaction() as conn:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)

    # ------------------------------------------------------------------ subscriptions

    def create(
        self, url: Any, events: Any, description: Any, known_events: tuple[str, ...]
    ) -> dict[str, Any]:
        checked_url = check_url(url)
        chosen = list(known_events) if events is None else events
        if (
            not isinstance(chosen, list)
            or not chosen
            or not all(isinstance(e, str) and e in known_events for e in chosen)
        ):
            message = "events must be a non-empty list of: " + ", ".join(known_events)
            raise SubscriptionInvalid(message, errors=[{"pointer": "/events", "message": message}])
        text = "" if description is None else description
        if not isinstance(text, str) or len(text) > _MAX_DESCRIPTION:
            message = f"description must be text of at most {_MAX_DESCRIPTION} characters"
            raise SubscriptionInvalid(message, errors=[{"pointer": "/description", "message": message}])
        secret = "whsec_" + secrets.token_hex(32)
        with self.db.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO notify_subscriptions (url, secret, events, description, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (checked_url, secret, json.dumps(sorted(set(chosen))), text, time.time()),
            )
            new_id = int(cursor.lastrowid or 0)
        created = self.get(new_id)
        created["secret"] = secret  # shown this once
        return created

    def get(self, subscription_id: int) -> dict[str, Any]:
        row = (
            self.db.read()
            .execute(
                "SELECT * FROM notify_subscriptions WHERE id = ? AND deleted_at IS NULL", (subscription_id,)
            )
            .fetchone()
        )
        if row is None:
            raise NotFound(f"there is no webhook subscription {subscription_id}")
        return self._public(row)

    def secret(self, subscription_id: int) -> str:
        row = (
            self.db.read()
            .execute("SELECT secret FROM notify_subscriptions WHERE id = ?", (subscription_id,))
            .fetchone()
        )
        if row is None:
            raise NotFound(f"there is no webhook subscription {subscription_id}")
        return str(row["secret"])

    def subscriptions(self) -> list[dict[str, Any]]:
        rows = (
            self.db.read()
            .execute("SELECT * FROM notify_subscriptions WHERE deleted_at IS NULL ORDER BY id")
            .fetchall()
        )
        return [self._public(row) for row in rows]

    def active(self) -> list[dict[str, Any]]:
        rows = (
            self.db.read()
            .execute("SELECT id, events, created_at FROM notify_subscriptions WHERE deleted_at IS NULL")
            .fetchall()
        )
        return [
            {"id": int(r["id"]), "events": set(json.loads(r["events"])), "created_at": float(r["created_at"])}
            for r in rows
        ]

    def delete(self, subscription_id: int) -> None:
        self.get(subscription_id)
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE notify_subscriptions SET deleted_at = ? WHERE id = ?", (time.time(), subscription_id)
            )
            conn.execute(
                "UPDATE notify_deliveries SET state = 'cancelled', last_error = 'subscription deleted'"
                " WHERE subscription_id = ? AND state = 'pending'",
                (subscription_id,),
            )

    def _public(self, row: Any) -> dict[str, Any]:
        counts = {
            r["state"]: int(r["n"])
            for r in self.db.read().execute(
                "SELECT state, COUNT(*) AS n FROM notify_deliveries WHERE subscription_id = ? GROUP BY state",
                (row["id"],),
            )
        }
        return {
            "id": int(row["id"]),
            "url": row["url"],
            "events": json.loads(row["events"]),
            "description": row["description"],
            "created_at": _iso(float(row["created_at"])),
            "deliveries": {s: counts.get(s, 0) for s in ("pending", "delivered", "failed", "cancelled")},
        }

    # ------------------------------------------------------------------ deliveries

    def deliveries(self, subscription_id: int, *, state: str | None, limit: int) -> list[dict[str, Any]]:
        self.get(subscription_id)
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
            {
                "id": int(r["id"]),
                "event": r["key"],
                "type": r["type"],
                "document_id": r["document_id"],
                "state": r["state"],
                "attempts": int(r["attempts"]),
                "last_status": r["last_status"],
                "last_error": r["last_error"],
                "next_attempt_at": _iso(float(r["next_at"])) if r["state"] == "pending" else None,
                "delivered_at": None if r["delivered_at"] is None else _iso(float(r["delivered_at"])),
                "created_at": _iso(float(r["created_at"])),
            }
            for r in self.db.read().execute(sql, params)
        ]


def _iso(moment: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))
