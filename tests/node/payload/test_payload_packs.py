"""Packs: a prefetch round's blocks in one file, found through an index on disk that every process reads, and
made again from the packs when it is missing, unreadable or behind; what a crash leaves reads back whole or
is fetched again, and every block read from a pack is checked against its CID."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from origo_node.errors import PayloadError
from origo_node.payload import LocalPayloadStore, PeerFetcher, packs
from origo_node.payload.car import write_car
from origo_node.payload.cid import DAG_PB, RAW, Cid
from origo_node.payload.port import BlockReader
from origo_node.store.pack_index import PackIndex
from support.car_peer import BLOCKS, DAGS, PAYLOADS, Peer, reading_store, rot_in_pack

ROOTS = [str(dag.root) for dag in DAGS]


@pytest.fixture
def peer() -> Peer:
    return Peer()


def fetched_and_pinned(tmp_path: Path, peer: Peer) -> None:
    store = reading_store(tmp_path, peer)
    assert store.prefetch(ROOTS) == len(BLOCKS)
    for root in ROOTS:
        store.pin(root)
    store.blocks.packs.close()
    assert [path.name for path in (tmp_path / "blocks").iterdir()] == []  # no file per block
    assert len(list((tmp_path / "packs").glob("*.car"))) == 1


def reads_back_alone(tmp_path: Path, *, pinned: bool = True) -> None:
    """A store with no peer to ask (a restarted process) holds and reads every payload of the round."""
    store = LocalPayloadStore(tmp_path)
    assert [store.get(root) for root in ROOTS] == PAYLOADS
    assert all(store.is_pinned(root) == pinned and store.has(root) for root in ROOTS)
    assert all(store.has_block(str(cid)) for cid in BLOCKS)


def test_a_pinned_round_reads_back_after_a_restart(tmp_path: Path, peer: Peer) -> None:
    fetched_and_pinned(tmp_path, peer)
    reads_back_alone(tmp_path)


@pytest.mark.parametrize("index", ["missing", "unreadable"])
def test_an_index_missing_or_unreadable_is_made_again_from_the_packs(
    tmp_path: Path, peer: Peer, index: str
) -> None:
    fetched_and_pinned(tmp_path, peer)
    for path in (tmp_path / "packs").glob(f"{packs.INDEX_FILE}*"):
        path.unlink()
    if index == "unreadable":
        (tmp_path / "packs" / packs.INDEX_FILE).write_bytes(b"not a database at all" * 100)
    reads_back_alone(tmp_path)


def test_a_crash_between_the_pack_and_its_index_is_caught_up_at_the_next_start(
    tmp_path: Path, peer: Peer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*args: object) -> None:
        raise KeyboardInterrupt("the process dies")

    store = reading_store(tmp_path, peer)
    store.blocks.packs.has(DAGS[0].root)  # the index open before the crash, as in a running node
    monkeypatch.setattr(PackIndex, "record", crash)
    with pytest.raises(KeyboardInterrupt):
        store.prefetch(ROOTS)
    monkeypatch.undo()
    assert not store.has(ROOTS[0])  # renamed, not indexed: the index is behind
    reads_back_alone(tmp_path, pinned=False)


def test_a_crash_mid_write_leaves_nothing_and_the_round_is_fetched_again(
    tmp_path: Path, peer: Peer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(src: object, dst: object) -> None:
        raise KeyboardInterrupt("the process dies")

    with monkeypatch.context() as patched:
        patched.setattr(packs.write_atomically.__globals__["os"], "replace", crash)
        with pytest.raises(KeyboardInterrupt):
            reading_store(tmp_path, peer).prefetch(ROOTS)
    assert list((tmp_path / "packs").glob("*.car")) == []
    # What ``write_atomically`` cleans up on an exception a real crash (power, kill -9) would leave.
    left = tmp_path / "packs" / ".0000000000000000-000000000000.car.0123.tmp"
    left.write_bytes(b"half a pack")
    os.utime(left, (time.time() - 3600, time.time() - 3600))

    store = reading_store(tmp_path, peer)
    assert not store.has(ROOTS[0])
    assert not left.exists()
    assert store.prefetch(ROOTS) == len(BLOCKS)
    assert [store.get(root) for root in ROOTS] == PAYLOADS


def test_a_damaged_block_in_a_pack_is_refused_and_fetched_again_into_a_file(
    tmp_path: Path, peer: Peer
) -> None:
    fetched_and_pinned(tmp_path, peer)
    root = DAGS[0].root
    rot_in_pack(tmp_path, root)

    with pytest.raises(PayloadError, match="no longer hashes"):
        LocalPayloadStore(tmp_path).get(str(root))
    store = reading_store(tmp_path, peer)
    assert store.get(str(root)) == PAYLOADS[0]
    assert peer.single == [str(root)]
    assert (tmp_path / "blocks" / str(root)).read_bytes() == PAYLOADS[0]
    assert LocalPayloadStore(tmp_path).get(str(root)) == PAYLOADS[0]  # the file is read before the pack


def test_a_pack_a_power_loss_cut_short_is_refused_where_cut_and_fetched_again(
    tmp_path: Path, peer: Peer
) -> None:
    fetched_and_pinned(tmp_path, peer)
    [pack] = (tmp_path / "packs").glob("*.car")
    data = pack.read_bytes()
    cut = data.find(PAYLOADS[0]) + 10  # the first payload's one block cut, and every block after it lost
    pack.write_bytes(data[:cut])
    lost = {str(cid) for cid, block in BLOCKS.items() if data.find(block) + len(block) > cut}

    store = reading_store(tmp_path, peer)
    assert [store.get(root) for root in ROOTS] == PAYLOADS
    assert set(peer.single) == lost and str(DAGS[0].root) in lost  # refused from the pack, fetched again
    for path in (tmp_path / "packs").glob(f"{packs.INDEX_FILE}*"):
        path.unlink()
    assert [LocalPayloadStore(tmp_path).get(root) for root in ROOTS] == PAYLOADS  # made again: no error


def test_an_index_made_again_leaves_out_a_damaged_block_and_keeps_the_rest(
    tmp_path: Path, peer: Peer
) -> None:
    fetched_and_pinned(tmp_path, peer)
    damaged, whole = DAGS[0].root, DAGS[1].root
    rot_in_pack(tmp_path, damaged)
    for path in (tmp_path / "packs").glob(f"{packs.INDEX_FILE}*"):
        path.unlink()

    store = LocalPayloadStore(tmp_path)
    assert not store.has(str(damaged))
    assert store.get(str(whole)) == PAYLOADS[1]


def test_an_index_that_cannot_be_opened_is_a_payload_error_and_the_payload_is_fetched_again(
    tmp_path: Path, peer: Peer
) -> None:
    fetched_and_pinned(tmp_path, peer)
    for path in (tmp_path / "packs").glob(f"{packs.INDEX_FILE}*"):
        path.unlink()
    (tmp_path / "packs" / packs.INDEX_FILE).mkdir()  # not a file SQLite can open

    with pytest.raises(PayloadError, match="index of fetched payloads"):
        LocalPayloadStore(tmp_path).blocks.get_block(ROOTS[0])
    assert reading_store(tmp_path, peer).get(ROOTS[0]) == PAYLOADS[0]
    assert peer.single == [ROOTS[0]]


def test_another_process_reads_a_round_while_the_writer_has_the_index_open(
    tmp_path: Path, peer: Peer
) -> None:
    writer = reading_store(tmp_path, peer)
    writer.prefetch(ROOTS[:1])
    writer.prefetch(ROOTS[1:])  # the writer's index open, a round written after the reader might have looked
    program = (
        "import sys; from pathlib import Path; from origo_node.payload import LocalPayloadStore\n"
        "store = LocalPayloadStore(Path(sys.argv[1]))\n"
        "sys.stdout.buffer.write(b''.join(store.get(root) for root in sys.argv[2:]))\n"
    )
    read = subprocess.run(
        [sys.executable, "-c", program, str(tmp_path), *ROOTS], capture_output=True, timeout=60, check=True
    )
    assert read.stdout == b"".join(PAYLOADS)


def test_a_recipients_gateway_serves_what_it_fetched_in_a_pack(
    tmp_path: Path, peer: Peer, serve_gateway: Callable[[BlockReader], str]
) -> None:
    recipient = reading_store(tmp_path / "recipient", peer)
    recipient.prefetch(ROOTS)
    url = serve_gateway(recipient.blocks)
    with PeerFetcher([url]) as fetcher:
        other = LocalPayloadStore(tmp_path / "other", peers=fetcher)
        assert other.prefetch(ROOTS) == len(BLOCKS)
        assert [other.get(root) for root in ROOTS] == PAYLOADS
        assert other.get_block(str(DAGS[1].blocks[0][0])) == DAGS[1].blocks[0][1]


def test_which_of_many_cids_are_packed_is_asked_in_parts_and_answered_exactly(
    tmp_path: Path, peer: Peer
) -> None:
    fetched_and_pinned(tmp_path, peer)
    unknown = [Cid.of_block(RAW, i.to_bytes(4, "big")) for i in range(1200)]
    renamed = [
        Cid(DAG_PB, cid.digest) for cid in BLOCKS if cid.codec == RAW
    ]  # a packed block's hash, not its name
    asked = [*unknown[:700], *BLOCKS, *renamed, *unknown[700:], *BLOCKS]
    assert LocalPayloadStore(tmp_path).blocks.packs.held(asked) == set(BLOCKS)


def test_a_payload_that_is_no_dag_node_does_not_cost_the_round_its_pack(tmp_path: Path) -> None:
    garbage = b"\xff\xfe anchored by a hostile issuer, hashing to its CID"
    bad = Cid.of_block(DAG_PB, garbage)
    good = [(dag.root, dag.blocks) for dag in DAGS]

    def answer(request: httpx.Request) -> httpx.Response:
        blocks = [(bad, garbage), *(pair for _, dag_blocks in good for pair in dag_blocks)]
        return httpx.Response(200, content=b"".join(write_car([bad, *(root for root, _ in good)], blocks)))

    client = httpx.Client(transport=httpx.MockTransport(answer))
    store = LocalPayloadStore(tmp_path, peers=PeerFetcher(["http://peer0"], client=client))
    assert store.prefetch([str(bad), *ROOTS]) == len(BLOCKS) + 1
    assert [LocalPayloadStore(tmp_path).get(root) for root in ROOTS] == PAYLOADS
    with pytest.raises(PayloadError):
        LocalPayloadStore(tmp_path).get(str(bad))
