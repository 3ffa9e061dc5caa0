"""What the node has accepted but not yet anchored, read from its database (any process of the node can).

The batcher does not fail when the chain refuses its transaction: it signs the batch again and retries, which
is right for a dropped transaction and leaves a refused one retrying forever. What shows the problem whatever
its cause is the age of the oldest accepted document still waiting for the chain.
"""

from __future__ import annotations

from dataclasses import dataclass

from origo_node.store.db import Database


@dataclass(frozen=True)
class AnchoringBacklog:
    #: Accepted documents not in a mined batch yet (unbatched, or in a batch sent but not mined).
    pending: int
    #: When the oldest of them was accepted (unix time), None when nothing waits.
    oldest_at: float | None
    accepted_total: int
    anchored_total: int


def anchoring_backlog(db: Database) -> AnchoringBacklog:
    conn = db.read()
    unbatched, unbatched_oldest = conn.execute(
        "SELECT count(*), min(received_at) FROM outbox WHERE batch_root IS NULL"
    ).fetchone()
    # Batches sent but not mined: their own creation time stands for their documents' (a join on the outbox
    # has no index to use and /healthz is polled often).
    open_documents, open_oldest = conn.execute(
        "SELECT coalesce(sum(count), 0), min(created_at) FROM batches WHERE state != 'mined'"
    ).fetchone()
    accepted = int(conn.execute("SELECT count(*) FROM outbox").fetchone()[0])
    mined = int(
        conn.execute("SELECT coalesce(sum(count), 0) FROM batches WHERE state = 'mined'").fetchone()[0]
    )
    times = [t for t in (unbatched_oldest, open_oldest) if t is not None]
    return AnchoringBacklog(
        pending=int(unbatched) + int(open_documents),
        oldest_at=min(times) if times else None,
        accepted_total=accepted,
        anchored_total=mined,
    )


def anchoring_reasons(backlog: AnchoringBacklog, now: float, limit_s: float) -> list[str]:
    if backlog.oldest_at is None or now - backlog.oldest_at < limit_s:
        return []
    return [
        f"{backlog.pending} accepted document(s) are not anchored yet, the oldest for"
        f" {now - backlog.oldest_at:.0f} s (the chain may be refusing this node's transactions; see its log)"
    ]
