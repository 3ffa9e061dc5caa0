"""Issue throughput: concurrent officers send bulk requests to VN for a fixed time; every document the API
accepted must then be anchored. The figure is documents accepted *and* anchored per second of the run.

The documents are for TH, whose node is not on this machine: what is measured is one authority issuing (VN)
while another indexes everything it anchors (SG), on two cores. An importing node also fetches, decrypts and
checks every payload meant for it, which on a machine of its own costs the issuer only the gateway requests;
sharing these two cores it would take a third of them, so it is measured apart (``importer_read``)."""

from __future__ import annotations

import threading
import time
from typing import Any

from benchmarks.network import Bench
from benchmarks.workload import form_ds

CLIENTS = 4
BULK_SIZE = 250


def run(bench: Bench, duration_s: float, tag: str) -> dict[str, Any]:
    accepted: list[list[str]] = [[] for _ in range(CLIENTS)]
    refused = [0] * CLIENTS
    started = time.monotonic()
    stop_at = started + duration_s

    def officer(slot: int) -> None:
        with bench.officer(bench.vn) as http:
            while time.monotonic() < stop_at:
                body = {"documents": form_ds(f"{tag}{slot}", BULK_SIZE, importer="TH")}
                response = http.post("/api/v1/documents/bulk", json=body)
                response.raise_for_status()
                for result in response.json()["results"]:
                    if result["accepted"]:
                        accepted[slot].append(result["document_id"])
                    else:
                        refused[slot] += 1

    threads = [threading.Thread(target=officer, args=(i,), daemon=True) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    accepting_ended = time.monotonic()
    ids = [doc_id for part in accepted for doc_id in part]
    if refused != [0] * CLIENTS or not ids:
        raise RuntimeError(f"the node refused {sum(refused)} documents of the workload")
    # The last document each officer got accepted; VN anchors its outbox in order.
    anchored_at = max(bench.wait_anchored(part[-1]) for part in accepted if part)
    bench.issued.extend(ids)
    accept_s = accepting_ended - started
    total_s = anchored_at - started
    return {
        "documents": len(ids),
        "accepted_per_s": round(len(ids) / accept_s, 1),
        "anchored_per_s": round(len(ids) / total_s, 1),
        "sending_s": round(accept_s, 2),
        "until_all_anchored_s": round(total_s, 2),
        "clients": CLIENTS,
        "bulk_size": BULK_SIZE,
    }


def importer_read(bench: Bench, count: int, tag: str) -> dict[str, Any]:
    """``count`` documents for SG issued at once; how fast SG's node fetches (from VN), decrypts and checks
    their payloads, from VN's first answer until SG has none left to read.

    Beside it, when VN had accepted them all (one client, a bulk of 1,000 at a time), when SG had indexed the
    last, and how long SG's reading went on after that: the whole figure includes VN's issuing on the same
    two cores, the tail is what SG is behind once the issuer stops."""
    started = time.monotonic()
    ids = _issue_for_sg(bench, count, tag)
    accepted = time.monotonic() - started
    bench.wait_anchored(ids[-1], node=bench.sg)
    indexed = time.monotonic() - started
    bench.wait_settled()
    elapsed = time.monotonic() - started
    bench.issued.extend(ids)
    return {
        "documents": count,
        "documents_per_s": round(count / elapsed, 1),
        "duration_s": round(elapsed, 2),
        "accepted_s": round(accepted, 2),
        "last_indexed_s": round(indexed, 2),
        "read_after_last_indexed_s": round(elapsed - indexed, 2),
    }


def importer_backlog(bench: Bench, count: int, tag: str) -> dict[str, Any]:
    """``count`` documents for SG issued and anchored while SG's node is stopped; how fast SG reads them when
    it is back, from its first health answer until it has read every payload (its index first takes in the
    few new batches). This is SG's reading with the two cores to itself, as on a member's own machine, and
    what an importer back from an outage drains its backlog at; ``importer_read`` has VN issuing beside it."""
    bench.network.stop_node("SG")
    try:
        ids = _issue_for_sg(bench, count, tag)
        bench.wait_anchored(ids[-1])
    finally:
        started = time.monotonic()
        bench.network.start_node("SG")
    healthy = time.monotonic()
    bench.wait_anchored(ids[-1], node=bench.sg)
    indexed = time.monotonic()
    bench.wait_settled()
    done = time.monotonic()
    bench.issued.extend(ids)
    return {
        "documents": count,
        "documents_per_s": round(count / (done - healthy), 1),
        "from_process_start_per_s": round(count / (done - started), 1),
        "healthy_s": round(healthy - started, 2),
        "last_indexed_s": round(indexed - started, 2),
        "read_s": round(done - started, 2),
    }


def _issue_for_sg(bench: Bench, count: int, tag: str) -> list[str]:
    """Issues ``count`` documents for SG at VN, a bulk of 1,000 at a time; the ids VN accepted, in order."""
    ids: list[str] = []
    with bench.officer(bench.vn) as http:
        while len(ids) < count:
            size = min(1000, count - len(ids))
            response = http.post("/api/v1/documents/bulk", json={"documents": form_ds(tag, size)})
            response.raise_for_status()
            ids.extend(r["document_id"] for r in response.json()["results"] if r["accepted"])
    return ids
