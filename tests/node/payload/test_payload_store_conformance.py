"""One suite, every adapter of the PayloadStore port: what services may rely on whichever is configured.

- ``local``: the default store on a temporary directory.
- ``peer``: an empty local store that gets everything from another local store through the real
  gateway, over a real uvicorn server (what one member's node does with another's).
- ``kubo``: a real kubo daemon (the ``kubo_api`` fixture: the project's own build, started for the session).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from origo_node.errors import NotFound
from origo_node.payload import KuboPayloadStore, LocalPayloadStore, PayloadStore, PeerFetcher
from origo_node.payload.cid import DAG_PB, RAW, Cid, InvalidCid
from origo_node.payload.dagpb import decode_node
from origo_node.payload.importer import DEFAULT_CHUNK_SIZE, file_cid
from origo_node.payload.port import BlockReader

# A CID nobody has stored: the raw block of these bytes is never put by the suite.
UNKNOWN = file_cid(b"never stored by the conformance suite")
PAYLOADS = {
    "empty": b"",
    "one byte": b"x",
    "one chunk": os.urandom(DEFAULT_CHUNK_SIZE),
    "four chunks": os.urandom(3 * DEFAULT_CHUNK_SIZE + 7),
}


class PutThereReadHere:
    """Writes go to the serving node, reads to the fetching one: every read crosses the gateway."""

    def __init__(self, serving: LocalPayloadStore, fetching: LocalPayloadStore) -> None:
        self.serving = serving
        self.fetching = fetching

    def put(self, data: bytes) -> str:
        return self.serving.put(data)

    def get(self, cid: str) -> bytes:
        return self.fetching.get(cid)

    def has(self, cid: str) -> bool:
        return self.fetching.has(cid)

    def pin(self, cid: str) -> None:
        self.fetching.pin(cid)

    def get_block(self, cid: str) -> bytes:
        return self.fetching.get_block(cid)

    def put_block(self, block: bytes, codec: str = "raw") -> str:
        return self.serving.put_block(block, codec)

    def has_block(self, cid: str) -> bool:
        return self.fetching.has_block(cid)

    def prefetch(self, cids: list[str]) -> int:
        return self.fetching.prefetch(cids)


@pytest.fixture(
    params=[
        "local",
        "peer",
        pytest.param(
            "kubo",
            marks=[pytest.mark.kubo, pytest.mark.integration],
        ),
    ]
)
def store(
    request: pytest.FixtureRequest, tmp_path: Path, serve_gateway: Callable[[BlockReader], str]
) -> Iterator[PayloadStore]:
    if request.param == "local":
        yield LocalPayloadStore(tmp_path)
    elif request.param == "peer":
        serving = LocalPayloadStore(tmp_path / "serving")
        url = serve_gateway(serving.blocks)
        with PeerFetcher([url], timeout=5) as fetcher:
            yield PutThereReadHere(serving, LocalPayloadStore(tmp_path / "fetching", peers=fetcher))
    else:
        kubo = KuboPayloadStore(request.getfixturevalue("kubo_api"), timeout=30, lookup_timeout=2)
        yield kubo
        kubo.close()


@pytest.mark.parametrize("name", PAYLOADS)
def test_put_returns_the_cid_kubo_gives_and_get_returns_the_payload(store: PayloadStore, name: str) -> None:
    payload = PAYLOADS[name]

    cid = store.put(payload)

    assert cid == file_cid(payload)
    assert store.get(cid) == payload
    assert store.has(cid)


def test_putting_twice_is_harmless(store: PayloadStore) -> None:
    payload = PAYLOADS["four chunks"]
    assert store.put(payload) == store.put(payload)
    assert store.get(file_cid(payload)) == payload


def test_an_unknown_cid_is_not_found(store: PayloadStore) -> None:
    assert not store.has(UNKNOWN)
    assert not store.has_block(UNKNOWN)
    with pytest.raises(NotFound):
        store.get(UNKNOWN)
    with pytest.raises(NotFound):
        store.get_block(UNKNOWN)
    with pytest.raises(NotFound):
        store.pin(UNKNOWN)


@pytest.mark.parametrize("bad", ["", "not-a-cid", "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG", "bafy"])
def test_a_malformed_cid_is_refused(store: PayloadStore, bad: str) -> None:
    with pytest.raises(InvalidCid):
        store.get(bad)
    with pytest.raises(InvalidCid):
        store.has(bad)


def test_pin_keeps_every_block_of_the_payload(store: PayloadStore) -> None:
    payload = PAYLOADS["four chunks"]
    cid = store.put(payload)

    store.pin(cid)

    root = store.get_block(cid)
    for link in decode_node(root).links:
        assert store.has_block(str(link.cid))
    assert store.get(cid) == payload


def test_blocks_are_those_of_the_unixfs_dag(store: PayloadStore) -> None:
    small, large = PAYLOADS["one byte"], PAYLOADS["four chunks"]

    assert store.get_block(store.put(small)) == small
    root = Cid.parse(store.put(large))
    assert root.codec == DAG_PB
    links = decode_node(store.get_block(str(root))).links
    assert len(links) == 4
    assert all(link.cid.codec == RAW for link in links)
    assert store.get_block(str(links[-1].cid)) == large[3 * DEFAULT_CHUNK_SIZE :]


def test_put_block_returns_the_blocks_cid(store: PayloadStore) -> None:
    block = b"a raw block put on its own"

    cid = store.put_block(block)

    assert cid == str(Cid.of_block(RAW, block))
    assert store.get_block(cid) == block
    assert store.has_block(cid)


def test_prefetch_then_reading_gives_the_payloads(store: PayloadStore) -> None:
    cids = [store.put(data) for data in PAYLOADS.values()]

    stored = store.prefetch([*cids, UNKNOWN])  # an unknown CID is no error: it is read (and missed) later

    assert stored >= 0
    assert [store.get(cid) for cid in cids] == list(PAYLOADS.values())
    assert store.prefetch(cids) == 0  # all held now: nothing asked for again
