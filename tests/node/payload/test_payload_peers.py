"""Fetching from peers: only bytes that hash to the CID are ever returned or stored."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from origo_node.errors import NotFound, PayloadError
from origo_node.payload import LocalPayloadStore, PeerFetcher
from origo_node.payload.cid import Cid
from origo_node.payload.importer import DEFAULT_CHUNK_SIZE, build_file_dag
from origo_node.payload.peers import MAX_BLOCK_SIZE

Handler = Callable[[httpx.Request], httpx.Response]
PAYLOAD = os.urandom(2 * DEFAULT_CHUNK_SIZE + 1)
DAG = build_file_dag(PAYLOAD)
BLOCKS = {str(cid): block for cid, block in DAG.blocks}


def honest(request: httpx.Request) -> httpx.Response:
    assert request.url.params["format"] == "raw"
    block = BLOCKS.get(request.url.path.removeprefix("/ipfs/"))
    return httpx.Response(200, content=block) if block is not None else httpx.Response(404)


def lying(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=b"forged " + request.url.path.encode())


def empty(request: httpx.Request) -> httpx.Response:
    return httpx.Response(404)


def broken(request: httpx.Request) -> httpx.Response:
    return httpx.Response(500)


def unreachable(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def oversized(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=bytes(MAX_BLOCK_SIZE + 1))


def peers(*handlers: Handler) -> PeerFetcher:
    """Peers at http://peer0, http://peer1... each answering with its handler."""
    by_host = {f"peer{index}": handler for index, handler in enumerate(handlers)}
    transport = httpx.MockTransport(lambda request: by_host[request.url.host](request))
    return PeerFetcher([f"http://{host}" for host in by_host], client=httpx.Client(transport=transport))


def store_with(tmp_path: Path, *handlers: Handler) -> LocalPayloadStore:
    return LocalPayloadStore(tmp_path, peers=peers(*handlers))


@pytest.mark.parametrize("bad_peer", [lying, empty, broken, unreachable, oversized])
def test_a_bad_peer_is_skipped_for_the_next_one(tmp_path: Path, bad_peer: Handler) -> None:
    store = store_with(tmp_path, bad_peer, honest)

    assert store.get(str(DAG.root)) == PAYLOAD
    assert all(store.has_block(str(cid)) for cid, _ in DAG.blocks)


@pytest.mark.parametrize("bad_peer", [lying, broken, unreachable, oversized])
def test_no_valid_copy_is_a_payload_error_and_stores_nothing(tmp_path: Path, bad_peer: Handler) -> None:
    store = store_with(tmp_path, bad_peer, empty)

    with pytest.raises(PayloadError) as caught:
        store.get(str(DAG.root))

    assert set(caught.value.details["failures"]) == {"http://peer0"}
    assert not any(store.has_block(str(cid)) for cid, _ in DAG.blocks)
    assert list((tmp_path / "blocks").iterdir()) == []


def test_a_block_no_peer_holds_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        store_with(tmp_path, empty, empty).get(str(DAG.root))


def test_no_peers_at_all_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        LocalPayloadStore(tmp_path).get(str(DAG.root))


def test_a_peer_missing_some_children_is_completed_by_another(tmp_path: Path) -> None:
    last_leaf = str(DAG.blocks[2][0])

    def partial(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404) if request.url.path.endswith(last_leaf) else honest(request)

    assert store_with(tmp_path, partial, honest).get(str(DAG.root)) == PAYLOAD


def test_fetched_blocks_are_served_locally_afterwards(tmp_path: Path) -> None:
    calls: list[str] = []

    def counting(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return honest(request)

    store = store_with(tmp_path, counting)
    store.get(str(DAG.root))
    fetched = len(calls)

    assert store.get(str(DAG.root)) == PAYLOAD
    assert fetched == len(DAG.blocks)
    assert len(calls) == fetched


def test_fetch_block_returns_only_verified_bytes() -> None:
    cid, block = DAG.blocks[0]
    with peers(lying, honest) as fetcher:
        assert fetcher.fetch_block(cid) == block
    with peers(lying) as fetcher, pytest.raises(PayloadError):
        fetcher.fetch_block(Cid.parse(str(cid)))


def test_a_damaged_fetched_block_is_fetched_again_and_replaced(tmp_path: Path) -> None:
    store = store_with(tmp_path, honest)
    root = str(DAG.root)
    assert store.get(root) == PAYLOAD
    leaf_cid, _ = DAG.blocks[0]
    (store.blocks.directory / str(leaf_cid)).write_bytes(
        b""
    )  # what a crash can leave of a block written without fsync
    assert store.get(root) == PAYLOAD
    assert store.blocks.read(leaf_cid) == DAG.blocks[0][1]


def test_a_damaged_block_with_no_peer_to_ask_is_an_error(tmp_path: Path) -> None:
    store = LocalPayloadStore(tmp_path)
    cid = store.put(b"a payload")
    (store.blocks.directory / cid).write_bytes(b"x")  # a one-block payload: the block is the root
    with pytest.raises(PayloadError):
        store.get(cid)
