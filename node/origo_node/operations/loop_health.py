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
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from origo_node.errors import ChainError, OrigoError, StorageFull, StoreError
from origo_node.operations.sealer_sync import SealerReport
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

    @classmethod
    def from_json(cls, stored: Mapping[str, Any]) -> LoopRecord:
        return cls(
            failures_in_a_row=int(stored.get("failures_in_a_row", 0)),
            failing_since=stored.get("failing_since"),
            last_error=stored.get("last_error"),
            chain_errors=int(stored.get("chain_errors", 0)),
            store_errors=int(stored.get("store_errors", 0)),
            other_errors=int(stored.get("other_errors", 0)),
        )


@dataclass(frozen=True)
class LoopSnapshot:
    """The loops' records at one moment, with what the background process saw of the chain then: what
    ``/healthz`` and ``/metrics`` read, from memory or from the record in the database."""

    at: float
    loops: Mapping[str, LoopRecord] = field(default_factory=dict)
    #: The chain head the indexer saw at its last poll, and when (the API workers judge the chain by it).
    chain_head: int | None = None
    chain_head_at: float | None = None
    #: The last comparison of the chain's sealers with the membership.
    sealers: SealerReport | None = None

    def as_json(self) -> dict[str, Any]:
        """The record as the database keeps it."""
        return {
            "chain_head": self.chain_head,
            "chain_head_at": self.chain_head_at,
            "sealers": None if self.sealers is None else self.sealers.as_json(),
            "at": self.at,
            "loops": {name: asdict(record) for name, record in self.loops.items()},
        }

    @classmethod
    def from_json(cls, stored: Mapping[str, Any]) -> LoopSnapshot:
        sealers = stored.get("sealers")
        head = stored.get("chain_head")
        head_at = stored.get("chain_head_at")
        return cls(
            at=float(stored["at"]),
            loops={name: LoopRecord.from_json(r) for name, r in stored.get("loops", {}).items()},
            chain_head=None if head is None else int(head),
            chain_head_at=None if head_at is None else float(head_at),
            sealers=None if not sealers else SealerReport.from_json(sealers),
        )


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

    def snapshot(
        self,
        *,
        chain_head: int | None = None,
        chain_head_at: float | None = None,
        sealers: SealerReport | None = None,
    ) -> LoopSnapshot:
        """The loops' records now (copies), with what the process saw of the chain."""
        with self._lock:
            loops = {name: replace(record) for name, record in self._records.items()}
        return LoopSnapshot(time.time(), loops, chain_head, chain_head_at, sealers)

    def flush(
        self,
        db: StoreDatabase,
        *,
        chain_head: int | None = None,
        chain_head_at: float | None = None,
        sealers: SealerReport | None = None,
    ) -> int:
        """Writes the record (the background process calls this every :data:`HEARTBEAT_S`)."""
        snapshot = self.snapshot(chain_head=chain_head, chain_head_at=chain_head_at, sealers=sealers)
        stored = snapshot.as_json()
        loops = json.dumps(stored["loops"], sort_keys=True)
        now = snapshot.at
        if self._written is not None and self._written[1] == loops and now - self._written[0] < REWRITE_S:
            return 0  # nothing new: the outbox's writers need the write lock more than this record does
        # A heartbeat is rewritten in seconds anyway: no fsync per write, so it never holds up the outbox's
        # durable commits on the shared write lock.
        db.relax_durability_for_this_thread()
        NodeFacts(db).put(_FACT, stored)
        self._written = (now, loops)
        return 0


def stored_snapshot(db: StoreDatabase) -> LoopSnapshot | None:
    """The record the background process last wrote, if any."""
    value = NodeFacts(db).get(_FACT)
    return None if value is None else LoopSnapshot.from_json(value)


def degraded_reasons(snapshot: LoopSnapshot | None, now: float, *, expect_heartbeat: bool) -> list[str]:
    """Plain-words reasons for "degraded" found in ``snapshot``; none when all is well."""
    if snapshot is None:
        return (
            ["the background process (anchoring, indexing) has not reported yet"] if expect_heartbeat else []
        )
    reasons = []
    age = now - snapshot.at
    if expect_heartbeat and age > STALE_AFTER_S:
        reasons.append(f"the background process (anchoring, indexing) has not reported for {age:.0f} s")
    for name, record in sorted(snapshot.loops.items()):
        since = record.failing_since
        failures = record.failures_in_a_row
        if since is None or failures < FAILURES_BEFORE_DEGRADED or now - since < SECONDS_BEFORE_DEGRADED:
            continue
        reasons.append(
            f"{PLAIN_NAMES.get(name, name)} has failed {failures} times in a row for {now - since:.0f} s;"
            f" last error: {record.last_error}"
        )
    return reasons
