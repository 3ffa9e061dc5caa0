"""The loops' health record: consecutive failures, the plain-words reasons, and the heartbeat other processes
of the node read from the database."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from origo_node.errors import ChainError
from origo_node.operations.backlog import anchoring_backlog, anchoring_reasons
from origo_node.operations.loop_health import LoopHealth, degraded_reasons, stored_snapshot
from origo_node.operations.sealer_sync import SealerDifference, SealerReport
from origo_node.store.db import Database
from origo_node.store.facts import NodeFacts


def failing() -> int:
    raise ChainError("the chain refused the transaction: insufficient funds")


def test_a_loop_failing_again_and_again_is_reported_with_its_last_error() -> None:
    health = LoopHealth()
    step = health.wrap("batcher", failing)
    for _ in range(3):
        with pytest.raises(ChainError):
            step()
    snapshot = health.snapshot()
    assert degraded_reasons(snapshot, time.time(), expect_heartbeat=False) == []  # not for long enough yet
    (reason,) = degraded_reasons(snapshot, time.time() + 6, expect_heartbeat=False)
    assert reason.startswith("anchoring (the batcher) has failed 3 times in a row")
    assert reason.endswith("insufficient funds")
    assert snapshot.loops["batcher"].chain_errors == 3


def test_one_success_clears_the_failures_but_keeps_the_error_counts() -> None:
    health = LoopHealth()
    outcomes = iter([failing, failing, failing, lambda: 1])
    step = health.wrap("indexer", lambda: next(outcomes)())
    for _ in range(3):
        with pytest.raises(ChainError):
            step()
    assert step() == 1
    snapshot = health.snapshot()
    assert degraded_reasons(snapshot, time.time() + 60, expect_heartbeat=False) == []
    assert snapshot.loops["indexer"].failures_in_a_row == 0
    assert snapshot.loops["indexer"].chain_errors == 3


def test_other_processes_read_the_record_and_notice_when_it_stops(tmp_path: Path) -> None:
    db = Database(tmp_path / "node.db")
    assert stored_snapshot(db) is None
    assert degraded_reasons(None, time.time(), expect_heartbeat=True) == [
        "the background process (anchoring, indexing) has not reported yet"
    ]
    LoopHealth().flush(db, chain_head=7, chain_head_at=123.0)
    stored = stored_snapshot(db)
    assert stored is not None and stored.chain_head == 7
    assert degraded_reasons(stored, time.time(), expect_heartbeat=True) == []
    (reason,) = degraded_reasons(stored, time.time() + 45, expect_heartbeat=True)
    assert "has not reported for 45 s" in reason


def test_the_anchoring_backlog_counts_unbatched_and_unmined_documents(tmp_path: Path) -> None:
    db = Database(tmp_path / "node.db")
    assert anchoring_backlog(db).oldest_at is None
    now = time.time()
    with db.transaction() as conn:
        for i, root in enumerate((None, None, "0xmined")):
            conn.execute(
                "INSERT INTO outbox (document_id, reference, doc_type, version, issuer, importer, leaf,"
                " payload_cid, signature, signer, batch_root, received_at)"
                " VALUES (?, 'r', 't', '1', 'VN', 'SG', '{}', 'c', 's', 'a', ?, ?)",
                (f"0x{i}", root, now - 100 + i),
            )
        conn.executemany(
            "INSERT INTO batches (root, manifest_cid, count, state, created_at) VALUES (?, 'm', ?, ?, ?)",
            [("0xmined", 1, "mined", now), ("0xopen", 4, "sent", now - 500)],
        )
    backlog = anchoring_backlog(db)
    assert (backlog.pending, backlog.accepted_total, backlog.anchored_total) == (6, 3, 1)
    assert backlog.oldest_at == pytest.approx(now - 500)
    (reason,) = anchoring_reasons(backlog, now, 30)
    assert reason.startswith("6 accepted document(s) are not anchored yet, the oldest for 500 s")
    assert anchoring_reasons(backlog, now - 480, 30) == []


def test_the_stored_record_reads_back_whole_with_its_sealer_report(tmp_path: Path) -> None:
    """The API workers read what the background process wrote: every field comes back typed, the sealers'
    report included (a stored record written before the record was typed has the same keys)."""
    db = Database(tmp_path / "node.db")
    health = LoopHealth()
    step = health.wrap("indexer", failing)
    with pytest.raises(ChainError):
        step()
    report = SealerReport(
        consensus="clique",
        missing=[SealerDifference("0x" + "ab" * 20, "ID", "active")],
        disagreeing_since=100.0,
        checked_at=130.0,
        head=42,
        head_since=120.0,
        sealers=4,
    )
    health.flush(db, chain_head=42, chain_head_at=131.5, sealers=report)
    stored = stored_snapshot(db)
    assert stored is not None
    assert (stored.chain_head, stored.chain_head_at, stored.sealers) == (42, 131.5, report)
    assert stored.loops["indexer"].chain_errors == 1
    assert stored.loops["indexer"].last_error == "the chain refused the transaction: insufficient funds"
    raw = NodeFacts(db).get("loop_health")
    assert list(raw) == ["chain_head", "chain_head_at", "sealers", "at", "loops"]
    assert raw["sealers"]["disagreeing"] == 1 and raw["sealers"]["missing"][0]["member"] == "ID"
