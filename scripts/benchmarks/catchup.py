"""Index catch-up: a new node of SG (its keys, an empty database and block store) replays the chain's events
from the deployment block, fetching each batch's manifest from VN, until its index reaches the head.

The rate counts from the node's first health answer (its API up) to the last document being indexed; the time
from process start, which adds the start-up (imports; no keystore is opened before the replay, see
``origo_node.crypto.deferred``), is given too, and ``startup`` times the start-up's steps."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.network import Bench, peak_rss_mb, start_fresh_node
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
    started = time.monotonic()
    node = start_fresh_node(bench.sg, root)
    last = bench.issued[-1]
    try:
        healthy = time.monotonic()
        with httpx.Client(base_url=node.url, timeout=30) as http:
            # The index reaches the head first; each batch's documents appear once its manifest is fetched
            # (from VN) and checked against the root: done when the last document issued is there.
            while not _caught_up(http, head, last):
                if time.monotonic() - started > 1200:
                    raise TimeoutError("the new node did not catch up in 20 minutes")
                time.sleep(0.05)
        done = time.monotonic()
        rss = peak_rss_mb(node.process.pid)
    finally:
        node.stop()
    return {
        "documents": documents,
        "blocks": head,
        "documents_per_s": round(documents / (done - healthy), 1),
        "replay_s": round(done - healthy, 2),
        "from_process_start_s": round(done - started, 2),
        "from_process_start_per_s": round(documents / (done - started), 1),
        "peak_rss_mb": rss,
    }


def _caught_up(http: httpx.Client, head: int, last_document: str) -> bool:
    indexed = http.get("/healthz").json()["indexed_block"]
    if indexed is None or indexed < head:
        return False
    return http.get(f"/api/v1/documents/{last_document}").status_code == 200
