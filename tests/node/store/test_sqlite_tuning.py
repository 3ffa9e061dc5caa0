"""The indexer's SQLite connection is set for bulk writes of what the chain can give again; the others not."""

from __future__ import annotations

import threading
from pathlib import Path

from origo_node.store.db import Database


def _settings(db: Database) -> tuple[int, int]:
    conn = db.connection()
    return int(conn.execute("PRAGMA cache_size").fetchone()[0]), int(
        conn.execute("PRAGMA synchronous").fetchone()[0]
    )


def test_only_the_relaxed_thread_gets_the_large_cache_and_normal_sync(tmp_path: Path) -> None:
    db = Database(tmp_path / "node.db")
    other: list[tuple[int, int]] = []
    db.relax_durability_for_this_thread()
    worker = threading.Thread(target=lambda: other.append(_settings(db)))
    worker.start()
    worker.join(10)
    assert _settings(db) == (-262144, 1)  # 256 MiB, NORMAL
    assert other == [(-2000, 2)]  # SQLite's default cache, FULL: an API thread's commits wait for fsync
    db.close()
