"""How the node's background loops fare, so that ``/healthz`` can say "degraded" and why.

A loop that fails retries forever (``workers.Loop``): right for an outage, but a node whose batcher the chain
keeps refusing must not keep answering "ok". Each loop's step is wrapped to count consecutive failures and to
remember the last error. The process that runs the loops writes that record into the database every few
seconds (a heartbeat too), because with several API worker processes the one answering ``/healthz`` is usually
not the one running the loops.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from origo_node.errors import ChainError, OrigoError, StorageFull, StoreError
from origo_node.store.database import StoreDatabase
from origo_node.store.facts import NodeFacts
from origo_node.store.snapshot import ENGINE_ERRORS

_FACT = "loop_health"
#: A loop is reported once it has failed this many times in a row and for at least this long: one failed poll
#: during a chain hiccup is not worth an alert.
FAILURES_BEFORE_DEGRADED = 3
SECONDS_BEFORE_DEGRADED = 5.0
#: The background process writes its record at least this often; older means it is gone or stuck.
HEARTBEAT_S = 2.0
#: An unchanged record is written again only this often (the heartbeat other processes check for).
REWRITE_S = 10.0
STALE_AFTER_S = 30.0

PLAIN_NAMES = {
    "batcher": "anchoring (the batcher)",
    "indexer": "following the chain (the indexer)",
    "reader": "reading payloads",
    "actions": "sending officers' actions",
    "members": "reading the membership",
    "sealers": "voting the chain's sealers after the membership",
}


@dataclass
class LoopRecord:
    failures_in_a_row: int = 0
    failing_since: float | None = None
    last_error: str | None = None
    chain_errors: int = 0
    store_errors: int = 0
    other_errors: int = 0


class LoopHealth:
    """The loops' records in the process that runs them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: dict[str, LoopRecord] = {}
        self._written: tuple[float, str] | None = None  # when the record was last written, and its loops part

    def wrap(self, name: str, step: Callable[[], int]) -> Callable[[], int]:
        """``step``, recording each outcome under ``name``; exceptions go on to the loop, which backs off."""
        with self._lock:
            self._records.setdefault(name, LoopRecord())

        def tracked() -> int:
            try:
                result = step()
            except Exception as exc:
                self._failed(name, exc)
                raise
            self._succeeded(name)
            return result

        return tracked

    def _failed(self, name: str, exc: Exception) -> None:
        with self._lock:
            record = self._records.setdefault(name, LoopRecord())
            record.failures_in_a_row += 1
            record.failing_since = record.failing_since or time.time()
            record.last_error = exc.message if isinstance(exc, OrigoError) else f"{type(exc).__name__}: {exc}"
            if isinstance(exc, ChainError):
                record.chain_errors += 1
            elif isinstance(exc, (*ENGINE_ERRORS, StoreError, StorageFull)):
                record.store_errors += 1
            else:
                record.other_errors += 1

    def _succeeded(self, name: str) -> None:
        with self._lock:
            record = self._records[name]
            if record.failures_in_a_row:
                record.failures_in_a_row = 0
                record.failing_since = None

    def snapshot(self, **facts: Any) -> dict[str, Any]:
        """The loops' records now, with ``facts`` the process adds (the chain head it last saw)."""
        with self._lock:
            return {
                **facts,
                "at": time.time(),
                "loops": {name: asdict(r) for name, r in self._records.items()},
            }

    def flush(self, db: StoreDatabase, **facts: Any) -> int:
        """Writes the record (the background process calls this every :data:`HEARTBEAT_S`)."""
        snapshot = self.snapshot(**facts)
        loops = json.dumps(snapshot["loops"], sort_keys=True)
        now = float(snapshot["at"])
        if self._written is not None and self._written[1] == loops and now - self._written[0] < REWRITE_S:
            return 0  # nothing new: the outbox's writers need the write lock more than this record does
        # A heartbeat is rewritten in seconds anyway: no fsync per write, so it never holds up the outbox's
        # durable commits on the shared write lock.
        db.relax_durability_for_this_thread()
        NodeFacts(db).put(_FACT, snapshot)
        self._written = (now, loops)
        return 0


def stored_snapshot(db: StoreDatabase) -> dict[str, Any] | None:
    """The record the background process last wrote, if any."""
    value: dict[str, Any] | None = NodeFacts(db).get(_FACT)
    return value


def degraded_reasons(snapshot: dict[str, Any] | None, now: float, *, expect_heartbeat: bool) -> list[str]:
    """Plain-words reasons for "degraded" found in ``snapshot``; none when all is well."""
    if snapshot is None:
        return (
            ["the background process (anchoring, indexing) has not reported yet"] if expect_heartbeat else []
        )
    reasons = []
    age = now - float(snapshot["at"])
    if expect_heartbeat and age > STALE_AFTER_S:
        reasons.append(f"the background process (anchoring, indexing) has not reported for {age:.0f} s")
    for name, record in sorted(snapshot["loops"].items()):
        since = record.get("failing_since")
        failures = int(record.get("failures_in_a_row", 0))
        if since is None or failures < FAILURES_BEFORE_DEGRADED or now - since < SECONDS_BEFORE_DEGRADED:
            continue
        reasons.append(
            f"{PLAIN_NAMES.get(name, name)} has failed {failures} times in a row for {now - since:.0f} s;"
            f" last error: {record.get('last_error')}"
        )
    return reasons
