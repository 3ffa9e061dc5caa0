"""Shared helpers for the payload store tests: the reference importer, a real gateway server, a real kubo."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from origo_devnet.kubo_swarm import KuboDaemon, new_swarm_key
from origo_node.errors import NotFound
from origo_node.payload.gateway import gateway_router
from origo_node.payload.port import BlockReader

REPO = Path(__file__).resolve().parents[3]
SCRIPT = REPO / "scripts" / "unixfs_cids.mjs"

ReferenceCids = Callable[..., list[str]]
ServeGateway = Callable[[BlockReader], str]


@pytest.fixture(scope="session")
def reference_cids(tmp_path_factory: pytest.TempPathFactory) -> ReferenceCids:
    """CIDs the reference importer (ipfs-unixfs-importer, as kubo) gives each payload, in one node run."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not on PATH: cannot run the reference UnixFS importer (scripts/unixfs_cids.mjs)")
    directory = tmp_path_factory.mktemp("reference")

    def run(*payloads: bytes, chunk_size: int | None = None, max_links: int | None = None) -> list[str]:
        files = []
        for index, payload in enumerate(payloads):
            path = directory / f"payload-{index}"
            path.write_bytes(payload)
            files.append(str(path))
        options = []
        if chunk_size is not None:
            options += ["--chunk-size", str(chunk_size)]
        if max_links is not None:
            options += ["--max-links", str(max_links)]
        result = subprocess.run(
            [node, str(SCRIPT), *options, *files], cwd=REPO, capture_output=True, text=True, check=True
        )
        return result.stdout.split()

    return run


def _free_loopback_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


class GatewayServer:
    """A real uvicorn server on a free loopback port, serving one block source through the gateway."""

    def __init__(self, blocks: BlockReader) -> None:
        app = FastAPI()
        app.include_router(gateway_router(blocks))
        config = uvicorn.Config(app, log_level="warning", lifespan="off", ws="none")
        self._server = uvicorn.Server(config)
        self._socket = _free_loopback_socket()
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]})

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("gateway server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()


class SwappableBlocks:
    """The block source behind the shared server; each test points it at its own store."""

    def __init__(self) -> None:
        self.target: BlockReader | None = None

    def get_block(self, cid: str) -> bytes:
        if self.target is None:
            raise NotFound("no block source configured")
        return self.target.get_block(cid)


@pytest.fixture(scope="session")
def _shared_gateway() -> Iterator[tuple[GatewayServer, SwappableBlocks]]:
    # One server for the session: starting and stopping uvicorn costs ~0.2 s a test.
    blocks = SwappableBlocks()
    server = GatewayServer(blocks)
    server.start()
    yield server, blocks
    server.stop()


@pytest.fixture
def serve_gateway(_shared_gateway: tuple[GatewayServer, SwappableBlocks]) -> Iterator[ServeGateway]:
    """Serve the given blocks through the real gateway over HTTP, for this test; returns the base URL."""
    server, blocks = _shared_gateway

    def serve(target: BlockReader) -> str:
        blocks.target = target
        return server.url

    yield serve
    blocks.target = None


@pytest.fixture(scope="session")
def kubo_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The RPC API of a real kubo daemon: ORIGO_TEST_KUBO_API if set, else one started for the session (the
    project's build, see ``make kubo``) in a temporary repository on free loopback ports, stopped by its
    pid."""
    named = os.environ.get("ORIGO_TEST_KUBO_API")
    if named:
        yield named
        return
    daemon = KuboDaemon(tmp_path_factory.mktemp("kubo") / "repo").init(new_swarm_key()).start()
    try:
        yield daemon.api
    finally:
        daemon.stop()
