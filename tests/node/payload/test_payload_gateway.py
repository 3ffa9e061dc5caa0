"""The trustless gateway: raw blocks by CID, problem+json otherwise; tested over real HTTP.

(starlette's TestClient warns on import with plain httpx, and ``filterwarnings = error`` is on.)
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from origo_node.payload import LocalPayloadStore
from origo_node.payload.gateway import gateway_router
from origo_node.payload.importer import file_cid
from origo_node.payload.port import BlockReader
from support.event_loop import run_coroutine

RAW = "application/vnd.ipld.raw"


@pytest.fixture
def store(tmp_path: Path) -> LocalPayloadStore:
    return LocalPayloadStore(tmp_path)


@pytest.fixture
def client(store: LocalPayloadStore, serve_gateway: Callable[[BlockReader], str]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=serve_gateway(store.blocks), timeout=5) as client:
        yield client


def test_serves_a_raw_block_for_format_raw(store: LocalPayloadStore, client: httpx.Client) -> None:
    cid = store.put(b"block bytes")

    response = client.get(f"/ipfs/{cid}", params={"format": "raw"})

    assert response.status_code == 200
    assert response.headers["content-type"] == RAW
    assert "immutable" in response.headers["cache-control"]
    assert response.content == b"block bytes"


def test_serves_a_raw_block_for_the_accept_header(store: LocalPayloadStore, client: httpx.Client) -> None:
    cid = store.put(b"block bytes")

    response = client.get(f"/ipfs/{cid}", headers={"Accept": f"text/html, {RAW};q=0.9"})

    assert response.status_code == 200
    assert response.content == b"block bytes"


def test_missing_block_is_a_404_problem(client: httpx.Client) -> None:
    cid = file_cid(b"not here")

    response = client.get(f"/ipfs/{cid}", params={"format": "raw"})

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 404
    assert {"type", "title", "detail"} <= problem.keys()


@pytest.mark.parametrize("bad", ["nonsense", "bafyzzzz", "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG"])
def test_malformed_cid_is_a_400_problem(client: httpx.Client, bad: str) -> None:
    response = client.get(f"/ipfs/{bad}", params={"format": "raw"})

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 400


def test_other_formats_are_not_acceptable(store: LocalPayloadStore, client: httpx.Client) -> None:
    cid = store.put(b"block bytes")

    assert client.get(f"/ipfs/{cid}").status_code == 406
    assert client.get(f"/ipfs/{cid}", params={"format": "car"}).status_code == 406


def test_a_read_that_may_scan_the_packs_leaves_the_event_loop_free() -> None:
    """Until the packs' index is made again (after a restore: every pack is read), a block is read on a worker
    thread: a request for another block is answered meanwhile, and the slow one still gets its block."""
    cid = file_cid(b"packed block")
    scanning = threading.Event()
    scanned = threading.Event()

    class ScanningBlocks:
        def get_block(self, asked: str) -> bytes:
            scanning.set()
            assert scanned.wait(5), "the test never let the scan finish"
            return b"packed block"

    app = FastAPI()
    app.include_router(gateway_router(ScanningBlocks(), quick=lambda: False))

    @app.get("/ping")
    async def ping() -> dict[str, str]:
        return {"answered": "while the scan ran"}

    async def exchange() -> tuple[httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            slow = asyncio.create_task(client.get(f"/ipfs/{cid}", params={"format": "raw"}))
            while not scanning.is_set():
                await asyncio.sleep(0.01)
            other = await asyncio.wait_for(client.get("/ping"), 5)
            assert not slow.done()  # answered while the block's read was still scanning
            scanned.set()
            return await asyncio.wait_for(slow, 5), other

    slow, other = run_coroutine(exchange)
    assert other.json() == {"answered": "while the scan ran"}
    assert slow.status_code == 200 and slow.content == b"packed block"
