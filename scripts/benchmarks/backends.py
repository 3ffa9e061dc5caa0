"""The payload store's own figures, each backend on a network of its own, side by side in one run.

For ``local`` (each node's embedded store; SG fetches from VN's trustless gateway) and ``kubo`` (one kubo
daemon per member in a private swarm; SG's daemon fetches from VN's over bitswap):

- ``payload_fetch_ms``: one 4 KiB payload held only by VN, read whole by SG's store (p50/p99);
- ``issue_to_verifiable_ms`` and ``importer_read_per_s``: as in the main table, on this network.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from origo_node.payload import KuboPayloadStore, LocalPayloadStore, PayloadStore, PeerFetcher

from benchmarks import latency, throughput
from benchmarks.network import Bench, bench_network
from benchmarks.stats import latency_summary, median_of
from benchmarks.workload import form_ds

BACKENDS = ("local", "kubo")
PAYLOAD_BYTES = 4096  # about a Form D's encrypted envelope


def compare(
    plan: Any, root: Path, node_settings: dict[str, Any], say: Any, backends: tuple[str, ...] = BACKENDS
) -> dict[str, Any]:
    results = {}
    for backend in backends:
        with bench_network(root / f"backend-{backend}", node_settings, ipfs=backend) as bench:
            say(f"[{backend}] seeding 200 documents")
            bench_seed(bench)
            say(f"[{backend}] payload fetch latency")
            samples = plan.issue_to_verifiable_samples * 5
            fetch = payload_fetch(bench, backend, root / f"fetch-{backend}", samples)
            say(f"[{backend}] issue to verifiable")
            i2v = latency.issue_to_verifiable(bench, plan.issue_to_verifiable_samples, f"K{backend}")
            runs = []
            for r in range(plan.repetitions):
                say(f"[{backend}] importer reading {plan.importer_documents:,} payloads")
                runs.append(throughput.importer_read(bench, plan.importer_documents, f"KR{backend}{r}"))
        results[backend] = {
            "payload_fetch_ms": fetch,
            "issue_to_verifiable_ms": i2v,
            "importer_read_per_s": median_of(runs, "documents_per_s", "duration_s", value="documents_per_s"),
        }
    return results


def bench_seed(bench: Bench) -> None:
    with bench.officer(bench.vn) as http:
        http.post("/api/v1/documents/bulk", json={"documents": form_ds("KS", 200)}).raise_for_status()
    bench.wait_settled()


def payload_fetch(bench: Bench, backend: str, scratch: Path, samples: int) -> dict[str, Any]:
    """Each sample: a fresh payload written to VN's store only, then read whole through SG's store."""
    network = bench.network
    latencies = []
    writer: PayloadStore
    reader: PayloadStore
    if backend == "kubo":
        assert network.kubo is not None
        writer = KuboPayloadStore(network.kubo.daemons["VN"].api)
        reader = KuboPayloadStore(network.kubo.daemons["SG"].api)
    else:
        # VN's node serves its block directory through its gateway; SG's side starts empty each run.
        writer = LocalPayloadStore(bench.vn.data_dir / "payloads")
        reader = LocalPayloadStore(scratch, peers=PeerFetcher([bench.vn.url], timeout=10))
    for _ in range(samples):
        payload = os.urandom(PAYLOAD_BYTES)
        cid = writer.put(payload)
        started = time.perf_counter()
        if reader.get(cid) != payload:
            raise RuntimeError(f"{backend}: SG read back other bytes for {cid}")
        latencies.append((time.perf_counter() - started) * 1000)
    return {**latency_summary(latencies), "payload_bytes": PAYLOAD_BYTES}


def rows(compared: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """One row per backend for the main table."""
    found = []
    for backend, figures in compared.items():
        fetch, i2v, read = (
            figures["payload_fetch_ms"],
            figures["issue_to_verifiable_ms"],
            figures["importer_read_per_s"],
        )
        how = (
            "SG's embedded store fetching from VN's trustless gateway"
            if backend == "local"
            else "SG's kubo fetching from VN's kubo over bitswap (private swarm)"
        )
        found.append(
            (
                f"payloads on {backend}",
                f"fetch p50 {fetch['p50']:.1f} ms · p99 {fetch['p99']:.1f} ms\n"
                f"issue to verifiable p50 {i2v['p50']:.0f} ms · p99 {i2v['p99']:.0f} ms\n"
                f"importer read {read['value']:,.0f} payloads/s",
                "",
                f"{how}; fetch: {fetch['samples']} payloads of {fetch['payload_bytes']} bytes held by VN;"
                f" {i2v['samples']} documents to verifiable; {read['documents']:,} payloads read by SG",
            )
        )
    return found
