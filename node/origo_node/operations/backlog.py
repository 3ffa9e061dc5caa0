"""What the node has accepted but not yet anchored, read from its database (any process of the node can).

The batcher does not fail when the chain refuses its transaction: it signs the batch again and retries, which
is right for a dropped transaction and leaves a refused one retrying forever. What shows the problem whatever
its cause is the age of the oldest accepted document still waiting for the chain.
"""

from __future__ import annotations

from origo_node.store.db import Database
from origo_node.store.outbox import OutboxRepository
from origo_node.store.rows import AnchoringBacklog

__all__ = ["AnchoringBacklog", "anchoring_backlog", "anchoring_reasons"]


def anchoring_backlog(db: Database) -> AnchoringBacklog:
    return OutboxRepository(db).anchoring_backlog()


def anchoring_reasons(backlog: AnchoringBacklog, now: float, limit_s: float) -> list[str]:
    if backlog.oldest_at is None or now - backlog.oldest_at < limit_s:
        return []
    return [
        f"{backlog.pending} accepted document(s) are not anchored yet, the oldest for"
        f" {now - backlog.oldest_at:.0f} s (the chain may be refusing this node's transactions; see its log)"
    ]
