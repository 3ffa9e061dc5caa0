"""Posts queued events to their subscribers: signed, in order per document, retried with backoff.

A delivery is due when its time has come and no earlier delivery of the same document to the same
subscriber is still pending, so a receiver sees "anchored" before "revoked" even across retries. A 2xx
answer delivers it; anything else (or no answer) is retried after 1, 2, 4... seconds up to
``max_backoff_s``, and given up (state ``failed``, logged) after ``max_attempts``. The queue lives in the
database, so a restart loses nothing: what was not acknowledged is sent again (at least once; receivers drop
repeats by the ``Origo-Delivery`` id).
"""

from __future__ import annotations

import logging
import time
from typing import Any

import httpx

from origo_node.notify.signing import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from origo_node.notify.store import NotifyStore

log = logging.getLogger(__name__)
_ROUND = 50


class Deliverer:
    def __init__(
        self,
        store: NotifyStore,
        *,
        timeout_s: float = 5.0,
        base_backoff_s: float = 1.0,
        max_backoff_s: float = 600.0,
        max_attempts: int = 20,
    ) -> None:
        self._store = store
        self._db = store.db
        self._base = base_backoff_s
        self._max_backoff = max_backoff_s
        self._max_attempts = max_attempts
        # No redirects: a receiver's URL is what the operator registered, nothing else gets the events.
        self._http = httpx.Client(timeout=timeout_s, follow_redirects=False, trust_env=False)

    def close(self) -> None:
        self._http.close()

    def due(self) -> list[Any]:
        return (
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
                (time.time(), _ROUND),
            )
            .fetchall()
        )

    def run_once(self) -> int:
        delivered = 0
        failing: set[int] = set()  # a receiver that failed this round is not tried again in the same round
        outcomes: list[tuple[Any, int | None, str | None]] = []
        for row in self.due():
            if row["subscription_id"] in failing:
                continue
            status, error = self._post(row)
            outcomes.append((row, status, error))
            if error is None:
                delivered += 1
            else:
                failing.add(row["subscription_id"])
        if outcomes:
            # One commit per round, not per delivery: a crash before it sends the round again (at least once).
            self._record(outcomes)
        return delivered

    def _record(self, outcomes: list[tuple[Any, int | None, str | None]]) -> None:
        now = time.time()
        given_up = []
        with self._db.transaction() as conn:
            for row, status, error in outcomes:
                attempts = int(row["attempts"]) + 1
                if error is None:
                    conn.execute(
                        "UPDATE notify_deliveries SET state = 'delivered', attempts = ?, last_status = ?,"
                        " last_error = NULL, delivered_at = ? WHERE id = ?",
                        (attempts, status, now, row["id"]),
                    )
                    continue
                gave_up = attempts >= self._max_attempts
                delay = min(self._max_backoff, self._base * 2 ** (attempts - 1))
                conn.execute(
                    "UPDATE notify_deliveries SET state = ?, attempts = ?, last_status = ?, last_error = ?,"
                    " next_at = ? WHERE id = ?",
                    ("failed" if gave_up else "pending", attempts, status, error, now + delay, row["id"]),
                )
                if gave_up:
                    given_up.append((row, attempts, error))
                else:
                    log.warning(
                        "webhook delivery %s to %s failed (%s); retrying in %.0f s",
                        row["id"],
                        row["url"],
                        error,
                        delay,
                    )
        for row, attempts, error in given_up:
            log.error(
                "webhook delivery %s to %s given up after %d attempts: %s",
                row["id"],
                row["url"],
                attempts,
                error,
            )

    def _post(self, row: Any) -> tuple[int | None, str | None]:
        """Posts one delivery; its HTTP status and, if it was not a 2xx, why."""
        body = str(row["body"]).encode()
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "origo-webhooks/1",
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(str(row["secret"]), timestamp, body),
            DELIVERY_HEADER: str(row["id"]),
            EVENT_HEADER: str(row["type"]),
        }
        try:
            response = self._http.post(str(row["url"]), content=body, headers=headers)
        except httpx.HTTPError as exc:
            return None, f"could not reach the receiver: {type(exc).__name__}: {exc}"[:500]
        status = response.status_code
        return status, None if 200 <= status < 300 else f"the receiver answered HTTP {status}"
