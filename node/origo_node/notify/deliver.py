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
from collections.abc import Callable

import httpx

from origo_node.notify.subscriptions import NotifyStore
from origo_node.notify.webhook_signature import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    sign,
)
from origo_node.store.webhook_rows import DeliveryOutcome, DueDelivery

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
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._repository = store.repository
        # What is due and when to retry is read from ``clock`` (a test moves it instead of sleeping through a
        # backoff); the signed timestamp is always the real time, which receivers check.
        self._clock = clock
        self._base = base_backoff_s
        self._max_backoff = max_backoff_s
        self._max_attempts = max_attempts
        # No redirects: a receiver's URL is what the operator registered, nothing else gets the events.
        self._http = httpx.Client(timeout=timeout_s, follow_redirects=False, trust_env=False)

    def close(self) -> None:
        self._http.close()

    def due(self) -> list[DueDelivery]:
        return self._repository.due(self._clock(), _ROUND)

    def run_once(self) -> int:
        delivered = 0
        failing: set[int] = set()  # a receiver that failed this round is not tried again in the same round
        outcomes: list[tuple[DueDelivery, int | None, str | None]] = []
        for row in self.due():
            if row.subscription_id in failing:
                continue
            status, error = self._post(row)
            outcomes.append((row, status, error))
            if error is None:
                delivered += 1
            else:
                failing.add(row.subscription_id)
        if outcomes:
            # One commit per round, not per delivery: a crash before it sends the round again (at least once).
            self._record(outcomes)
        return delivered

    def _record(self, outcomes: list[tuple[DueDelivery, int | None, str | None]]) -> None:
        now = self._clock()
        recorded: list[DeliveryOutcome] = []
        retried: list[tuple[DueDelivery, str, float]] = []
        given_up: list[tuple[DueDelivery, int, str]] = []
        for row, status, error in outcomes:
            attempts = row.attempts + 1
            if error is None:
                recorded.append(DeliveryOutcome(row.id, "delivered", attempts, status, None, now, now))
                continue
            gave_up = attempts >= self._max_attempts
            delay = min(self._max_backoff, self._base * 2 ** (attempts - 1))
            state = "failed" if gave_up else "pending"
            recorded.append(DeliveryOutcome(row.id, state, attempts, status, error, now, now + delay))
            if gave_up:
                given_up.append((row, attempts, error))
            else:
                retried.append((row, error, delay))
        self._repository.record_outcomes(recorded)
        for row, error, delay in retried:
            log.warning(
                "webhook delivery %s to %s failed (%s); retrying in %.0f s", row.id, row.url, error, delay
            )
        for row, attempts, error in given_up:
            log.error(
                "webhook delivery %s to %s given up after %d attempts: %s",
                row.id,
                row.url,
                attempts,
                error,
            )

    def _post(self, row: DueDelivery) -> tuple[int | None, str | None]:
        """Posts one delivery; its HTTP status and, if it was not a 2xx, why."""
        body = row.body.encode()
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "origo-webhooks/1",
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(row.secret, timestamp, body),
            DELIVERY_HEADER: str(row.id),
            EVENT_HEADER: row.type,
        }
        try:
            response = self._http.post(row.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return None, f"could not reach the receiver: {type(exc).__name__}: {exc}"[:500]
        status = response.status_code
        return status, None if 200 <= status < 300 else f"the receiver answered HTTP {status}"
