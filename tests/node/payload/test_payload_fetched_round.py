"""Prefetched blocks, kept for the pin and get that follow: served only under the CID they were checked
against on receipt, let go of once read or past a bound in bytes, and never standing in for a block on disk,
which is checked again on every read."""

from __future__ import annotations

from pathlib import Path

import pytest
from origo_node.errors import NotFound
from origo_node.payload import LocalPayloadStore, local
from origo_node.payload.cid import DAG_PB, RAW, Cid
from support.car_peer import BLOCKS, DAGS, PAYLOADS, Peer, reading_store, rot_in_pack


@pytest.fixture
def peer() -> Peer:
    return Peer()


def test_the_round_pins_and_reads_what_it_fetched_and_nothing_is_asked_again(
    tmp_path: Path, peer: Peer
) -> None:
    store = reading_store(tmp_path, peer)
    roots = [str(dag.root) for dag in DAGS]
    assert store.prefetch(roots) == len(BLOCKS)
    for root, data in zip(roots, PAYLOADS, strict=True):
        store.pin(root)
        assert store.get(root) == data
        assert store.is_pinned(root)
    assert peer.single == []
    restarted = LocalPayloadStore(tmp_path)  # what the round wrote is on disk, whole, for the next process
    assert [restarted.get(root) for root in roots] == PAYLOADS


def test_a_block_read_by_get_leaves_memory_and_the_disk_copy_is_checked_again(
    tmp_path: Path, peer: Peer
) -> None:
    store = reading_store(tmp_path, peer)
    root = DAGS[0].root
    store.prefetch([str(root)])
    assert store.get(str(root)) == PAYLOADS[0]
    rot_in_pack(tmp_path, root)

    assert store.get(str(root)) == PAYLOADS[0]
    assert peer.single == [str(root)]  # the rotten copy refused, fetched again
    assert (tmp_path / "blocks" / str(root)).read_bytes() == PAYLOADS[0]  # and replaced


def test_another_prefetch_between_a_round_and_its_reads_leaves_the_rounds_blocks_kept(
    tmp_path: Path, peer: Peer
) -> None:
    store = reading_store(tmp_path, peer)  # the checker's round and the indexer's manifest, side by side
    first, second = (dag.root for dag in DAGS)
    store.prefetch([str(first)])
    store.prefetch([str(second)])
    rot_in_pack(tmp_path, first)

    store.pin(str(first))
    assert store.get(str(first)) == PAYLOADS[0]
    assert peer.single == []


def test_blocks_not_read_are_let_go_of_oldest_first_past_the_bound(
    tmp_path: Path, peer: Peer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local, "FRESH_BYTES", sum(len(block) for _, block in DAGS[1].blocks))
    store = reading_store(tmp_path, peer)
    first, second = (dag.root for dag in DAGS)
    store.prefetch([str(first)])
    store.prefetch([str(second)])  # fills the bound: the first payload's block goes
    rot_in_pack(tmp_path, first)
    rot_in_pack(tmp_path, second)

    assert store.get(str(first)) == PAYLOADS[0]
    assert peer.single == [str(first)]  # from disk (refused there), not from memory
    assert store.get(str(second)) == PAYLOADS[1]
    assert peer.single == [str(first)]


def test_a_kept_block_is_never_served_under_another_cid(tmp_path: Path, peer: Peer) -> None:
    store = reading_store(tmp_path, peer)
    raw = DAGS[0].root
    assert raw.codec == RAW
    store.prefetch([str(raw)])
    same_digest = Cid(DAG_PB, raw.digest)  # another block's name, with the kept block's hash

    with pytest.raises(NotFound):
        store.get(str(same_digest))
    assert peer.single == [str(same_digest)]
    assert store.get(str(raw)) == PAYLOADS[0]
