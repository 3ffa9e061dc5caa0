"""Latencies: from VN's 202 to SG answering valid, and verification by id and by file at 1 and 64 clients."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import aiohttp
import httpx

from benchmarks.network import Bench
from benchmarks.stats import latency_summary
from benchmarks.workload import form_d

POLL_S = 0.01
IN_FLIGHT = 4  # documents followed at once: enough to overlap, few enough not to load SG with polling


def issue_to_verifiable(bench: Bench, samples: int, tag: str) -> dict[str, Any]:
    """Each sample: VN answers 202, then SG's public status is polled until it says valid."""
    latencies: list[float] = []
    lock = threading.Lock()
    todo = list(range(samples))

    def follow() -> None:
        with bench.officer(bench.vn) as vn, httpx.Client(base_url=bench.sg.url, timeout=30) as sg:
            while True:
                with lock:
                    if not todo:
                        return
                    todo.pop()
                response = vn.post("/api/v1/documents", json=form_d(tag))
                answered = time.perf_counter()
                response.raise_for_status()
                doc_id = response.json()["document_id"]
                while True:
                    status = sg.get(f"/api/v1/documents/{doc_id}")
                    if status.status_code == 200 and status.json()["state"] == "valid":
                        break
                    if time.perf_counter() - answered > 60:
                        raise TimeoutError(f"{doc_id} not valid at SG after 60 s")
                    time.sleep(POLL_S)
                with lock:
                    latencies.append((time.perf_counter() - answered) * 1000)
                    bench.issued.append(doc_id)
                time.sleep(0.137)  # spread issuing over the block interval instead of in step with it

    threads = [threading.Thread(target=follow, daemon=True) for _ in range(IN_FLIGHT)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {**latency_summary(latencies), "in_flight": IN_FLIGHT, "poll_ms": POLL_S * 1000}


#: One verification request: method, path, JSON body (None for a GET).
Probe = tuple[str, str, bytes | None]
_JSON = {"Content-Type": "application/json"}


def verify_latencies(url: str, probes: list[Probe], clients: int, per_client: int) -> dict[str, Any]:
    """p50/p99 of ``per_client`` requests by each of ``clients`` concurrent clients, each on its own
    kept-alive connection (opened and warmed by one request before timing starts, as a page or script has).

    aiohttp drives the load: on two cores shared with the nodes, httpx's async client spent more CPU than
    the server and measured itself (p50 210 ms at 64 clients against aiohttp's 40 ms).
    """
    samples = asyncio.run(_load(url, probes, clients, per_client))
    return {**latency_summary(samples), "clients": clients}


async def _load(url: str, probes: list[Probe], clients: int, per_client: int) -> list[float]:
    samples: list[float] = []
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(url, connector=connector, timeout=aiohttp.ClientTimeout(60)) as http:

        async def request(probe: Probe) -> tuple[int, bytes]:
            method, path, body = probe
            async with http.request(method, path, data=body, headers=_JSON if body else None) as response:
                return response.status, await response.read()

        await asyncio.gather(*(request(probes[k % len(probes)]) for k in range(clients)))

        async def client(offset: int) -> None:
            for i in range(per_client):
                started = time.perf_counter()
                status, answer = await request(probes[(offset + i) % len(probes)])
                samples.append((time.perf_counter() - started) * 1000)
                _checked(status, answer)

        await asyncio.gather(*(client(k) for k in range(clients)))
    return samples


def _checked(status: int, answer: bytes) -> None:
    if status != 200 or json.loads(answer).get("verdict") != "valid":
        raise RuntimeError(f"expected a valid verdict, got {status} {answer[:200]!r}")
