"""Stored answers to requests that carried an ``Idempotency-Key`` (the SQL of ``api.idempotency_keys``).

A key is claimed (a ``running`` row, committed) before the request is handled, and its answer stored after, so
a retry, in this process or another worker of the node, after a crash or not, never acts twice.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from origo_node.store.database import StoreDatabase

#: How long an answer is kept: a client retries within minutes, not days.
KEEP_S = 24 * 3600
#: A claim still running after this long belongs to a process that died while handling it.
ABANDONED_S = 120.0


@dataclass(frozen=True)
class StoredAnswer:
    request_hash: str
    state: str  # "running" or "done"
    status_code: int | None
    response: bytes | None
    content_type: str | None


def claim(db: StoreDatabase, scope: str, key: str, request_hash: str) -> StoredAnswer | None:
    """Claims ``key`` for this request; None if claimed now, else what is stored under it."""
    now = time.time()
    with db.transaction() as conn:
        conn.execute("DELETE FROM idempotency_keys WHERE created_at < ?", (now - KEEP_S,))
        conn.execute(
            "DELETE FROM idempotency_keys WHERE state = 'running' AND created_at < ?", (now - ABANDONED_S,)
        )
        row = conn.execute(
            "SELECT request_hash, state, status_code, response, content_type FROM idempotency_keys"
            " WHERE api_key_hash = ? AND idem_key = ?",
            (scope, key),
        ).fetchone()
        if row is not None:
            response = None if row["response"] is None else bytes(row["response"])
            return StoredAnswer(
                row["request_hash"], row["state"], row["status_code"], response, row["content_type"]
            )
        conn.execute(
            "INSERT INTO idempotency_keys (api_key_hash, idem_key, request_hash, state, created_at)"
            " VALUES (?, ?, ?, 'running', ?)",
            (scope, key, request_hash, now),
        )
    return None


def finish(
    db: StoreDatabase, scope: str, key: str, status_code: int, response: bytes, content_type: str
) -> None:
    with db.transaction() as conn:
        conn.execute(
            "UPDATE idempotency_keys SET state = 'done', status_code = ?, response = ?, content_type = ?"
            " WHERE api_key_hash = ? AND idem_key = ?",
            (status_code, response, content_type, scope, key),
        )


def release(db: StoreDatabase, scope: str, key: str) -> None:
    """Forgets a claim whose request got no answer worth repeating (a server error): it may be retried."""
    with db.transaction() as conn:
        conn.execute(
            "DELETE FROM idempotency_keys WHERE api_key_hash = ? AND idem_key = ? AND state = 'running'",
            (scope, key),
        )
