"""Index catch-up: a new node of SG (its keys, an empty database and block store) replays the chain's events
from the deployment block, fetching each batch's manifest from VN, until its index reaches the head.

The headline rate counts from process start (imports included; no keystore is opened before the replay, see
``origo_node.crypto.deferred``) to the last document being in the new node's index. On SQLite the index is
watched in the node's database file itself (read-only, every 20 ms), so neither end waits for the node's API:
the background process replays while the API's workers are still starting. The watch also gives the time to
the first replayed document (the start-up) and the replay's own rate; the first health answer and the API
showing the last document are given beside them. On PostgreSQL the API is the only witness."""

from __future__ import annotations

import sqlite3
import threading
import time
import tomllib
from pathlib import Path
from typing import Any

import httpx
from origo_devnet.network import wait_healthy
from origo_node.settings import CONFIG_FILE
from origo_node.store.document_ids import stored_id

from benchmarks.network import Bench, cpu_s_by_role, launch_fresh_node, peak_rss_mb
from benchmarks.workload import form_ds


def top_up(bench: Bench, anchored_at_least: int, tag: str, importer: str = "SG") -> None:
    """Issues at VN until at least ``anchored_at_least`` documents are anchored (what earlier runs issued
    counts), so that the new node has that many to replay."""
    with bench.officer(bench.vn) as http:
        while len(bench.issued) < anchored_at_least:
            count = min(1000, anchored_at_least - len(bench.issued))
            response = http.post("/api/v1/documents/bulk", json={"documents": form_ds(tag, count, importer)})
            response.raise_for_status()
            bench.issued.extend(r["document_id"] for r in response.json()["results"] if r["accepted"])
    bench.wait_anchored(bench.issued[-1])


def run(bench: Bench, root: Path) -> dict[str, Any]:
    head = bench.chain_head()
    documents = len(bench.issued)
    last = bench.issued[-1]
    started = time.monotonic()
    node = launch_fresh_node(bench.sg, root)
    watch = _IndexWatch(root / "node.db", last) if _on_sqlite(root) else None
    try:
        wait_healthy(node.url, 60, node.process)
        healthy = time.monotonic()
        with httpx.Client(base_url=node.url, timeout=30) as http:
            # The index reaches the head first; each batch's documents appear once its manifest is fetched
            # (from VN) and checked against the root: done when the last document issued is there.
            while not _caught_up(http, head, last):
                if time.monotonic() - started > 1200:
                    raise TimeoutError("the new node did not catch up in 20 minutes")
                time.sleep(0.05)
        shown = time.monotonic()
        if watch is not None:
            watch.wait_found(10)
        rss = peak_rss_mb(node.process.pid)
        cpu = cpu_s_by_role(node.process.pid)
    finally:
        if watch is not None:
            watch.stop()
        node.stop()
    found = {
        "documents": documents,
        "blocks": head,
        "healthy_s": round(healthy - started, 2),
        "shown_by_api_s": round(shown - started, 2),
        "peak_rss_mb": rss,
        "cpu_s": cpu,
    }
    if watch is None or watch.first_at is None or watch.last_at is None:
        return {
            **found,
            "witness": "api",
            "watch_error": None if watch is None else watch.error,
            "from_process_start_s": found["shown_by_api_s"],
            "from_process_start_per_s": round(documents / (shown - started), 1),
            "first_document_s": None,
            "replay_s": round(shown - healthy, 2),
            "replay_per_s": round(documents / (shown - healthy), 1),
        }
    replay = max(watch.last_at - watch.first_at, 1e-3)
    return {
        **found,
        "witness": "index",
        "from_process_start_s": round(watch.last_at - started, 2),
        "from_process_start_per_s": round(documents / (watch.last_at - started), 1),
        "first_document_s": round(watch.first_at - started, 2),
        "replay_s": round(replay, 2),
        "replay_per_s": round(documents / replay, 1),
    }


def _on_sqlite(data_dir: Path) -> bool:
    settings = tomllib.loads((data_dir / CONFIG_FILE).read_text(encoding="utf-8"))
    return bool(settings.get("store_backend", "sqlite") == "sqlite")


class _IndexWatch:
    """Watches a node's SQLite index from outside: when its first document appeared, and when ``last`` did."""

    def __init__(self, database: Path, last: str, every_s: float = 0.02) -> None:
        self.first_at: float | None = None
        self.last_at: float | None = None
        #: The last reason the watch could not read the index (the file not there yet, a lock), if any.
        self.error: str | None = None
        self._database, self._last, self._every_s = database, last, every_s
        self._stop = threading.Event()
        self._found = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="index-watch", daemon=True)
        self._thread.start()

    def wait_found(self, timeout_s: float) -> None:
        """Waits until the watch has seen the last document (the API may see it first: a poll of the watch's
        thread can come late on two busy cores)."""
        self._found.wait(timeout_s)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def _watch(self) -> None:
        connection: sqlite3.Connection | None = None
        while not self._stop.is_set() and self.last_at is None:
            try:
                if connection is None:
                    if not self._database.exists():
                        raise sqlite3.OperationalError("not created yet")
                    # Read-write, never create (it only ever reads): a read-only connection may not make the
                    # WAL's shared-memory file; twice a watch saw nothing for a whole run.
                    connection = sqlite3.connect(f"file:{self._database}?mode=rw", uri=True, timeout=1)
                self._look(connection)
            except sqlite3.Error as exc:  # the file or its tables are not there yet, or a lock: look again
                self.error = f"{type(exc).__name__}: {exc}"
                if connection is not None:  # opened before the node set the database up: open it afresh
                    connection.close()
                    connection = None
            self._stop.wait(self._every_s)
        if connection is not None:
            connection.close()

    def _look(self, connection: sqlite3.Connection) -> None:
        now = time.monotonic()
        if self.first_at is None and connection.execute("SELECT 1 FROM idx_documents LIMIT 1").fetchone():
            self.first_at = now
        if (
            self.first_at is not None
            and connection.execute(
                "SELECT 1 FROM idx_documents WHERE document_id = ?", (stored_id(self._last),)
            ).fetchone()
        ):
            self.last_at = now


def _caught_up(http: httpx.Client, head: int, last_document: str) -> bool:
    indexed = http.get("/healthz").json()["indexed_block"]
    if indexed is None or indexed < head:
        return False
    return http.get(f"/api/v1/documents/{last_document}").status_code == 200
