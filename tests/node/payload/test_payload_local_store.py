"""What only the local store promises: its on-disk layout and that it never believes a rotten disk."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from origo_node.errors import PayloadError
from origo_node.payload import LocalPayloadStore
from origo_node.payload.importer import build_file_dag


def test_blocks_are_files_named_by_cid(tmp_path: Path) -> None:
    payload = os.urandom(300_000)
    store = LocalPayloadStore(tmp_path)

    store.put(payload)

    expected = {str(cid): block for cid, block in build_file_dag(payload).blocks}
    files = {path.name: path.read_bytes() for path in (tmp_path / "blocks").iterdir()}
    assert files == expected  # and no temporary file left behind


def test_has_is_true_right_after_put(tmp_path: Path) -> None:
    store = LocalPayloadStore(tmp_path)
    assert store.has(store.put(b"payload"))


def test_a_corrupted_block_is_reported_not_returned(tmp_path: Path) -> None:
    store = LocalPayloadStore(tmp_path)
    cid = store.put(b"payload")
    (tmp_path / "blocks" / cid).write_bytes(b"rotten")

    with pytest.raises(PayloadError, match="corrupt"):
        store.get(cid)


def test_pin_is_recorded(tmp_path: Path) -> None:
    store = LocalPayloadStore(tmp_path)
    cid = store.put(b"payload")
    assert not store.is_pinned(cid)

    store.pin(cid)

    assert store.is_pinned(cid)
    assert LocalPayloadStore(tmp_path).is_pinned(cid)


def test_chunk_size_is_a_parameter(tmp_path: Path) -> None:
    payload = os.urandom(5000)
    store = LocalPayloadStore(tmp_path, chunk_size=64, max_links=4)

    cid = store.put(payload)

    assert cid == str(build_file_dag(payload, 64, 4).root)
    assert store.get(cid) == payload


def test_put_block_refuses_unknown_codecs(tmp_path: Path) -> None:
    with pytest.raises(PayloadError, match="codec"):
        LocalPayloadStore(tmp_path).put_block(b"x", codec="dag-cbor")


def test_pin_markers_are_links_to_one_empty_file(tmp_path: Path) -> None:
    store = LocalPayloadStore(tmp_path)
    cids = [store.put(f"payload {i}".encode()) for i in range(3)]
    for cid in cids:
        store.pin(cid)
    markers = [tmp_path / "pins" / cid for cid in cids]
    assert len({(m.stat().st_ino, m.stat().st_size) for m in markers}) == 1  # one inode, empty
    assert markers[0].stat().st_nlink == 4  # the shared file and three names


def test_a_pin_is_made_when_the_shared_marker_file_is_gone_or_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LocalPayloadStore(tmp_path)
    first, second, third = (store.put(f"payload {i}".encode()) for i in range(3))
    store.pin(first)
    for shared in (tmp_path / "pins").glob(".marker-*"):
        shared.unlink()
    store.pin(second)  # another shared file is made
    link = os.link

    def full(source: Path, target: Path) -> None:
        if Path(source).stat().st_nlink >= 2:
            raise OSError(errno.EMLINK, "Too many links")
        link(source, target)

    monkeypatch.setattr(os, "link", full)
    store.pin(third)  # as many links as allowed: yet another shared file
    assert all(store.is_pinned(cid) for cid in (first, second, third))
    assert len(list((tmp_path / "pins").glob(".marker-*"))) == 2


def test_a_pin_is_a_plain_file_where_hard_links_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(source: Path, target: Path) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", refused)
    store = LocalPayloadStore(tmp_path)
    cid = store.put(b"payload")
    store.pin(cid)
    assert store.is_pinned(cid) and LocalPayloadStore(tmp_path).is_pinned(cid)


def test_a_batch_is_stored_as_one_pack_that_every_process_reads(tmp_path: Path) -> None:
    payloads = [os.urandom(300_000), b"small", b"small", os.urandom(2_000)]  # a DAG, a repeat, a one-block
    store = LocalPayloadStore(tmp_path)

    cids = store.put_many(payloads)

    assert cids == [str(build_file_dag(payload).root) for payload in payloads]
    assert list((tmp_path / "blocks").iterdir()) == []  # no file per block
    assert [path.suffix for path in (tmp_path / "packs").iterdir() if path.suffix == ".car"] == [".car"]
    (tmp_path / "packs" / "index.sqlite").unlink()  # another process, or a restore: made again from the pack
    again = LocalPayloadStore(tmp_path)
    assert not again.blocks.packs.caught_up()  # the gateway reads on a worker thread until it is
    assert [again.get(cid) for cid in cids] == payloads
    assert again.blocks.packs.caught_up()
    assert all(again.blocks.has_block(cid) for cid in cids)  # what the gateway serves to other members
    for cid in cids:
        again.pin(cid)  # every block of each DAG is there
        assert again.is_pinned(cid)


def test_a_batch_stored_again_after_a_crash_reads_the_same(tmp_path: Path) -> None:
    payloads = [os.urandom(300_000), b"another"]
    store = LocalPayloadStore(tmp_path)
    first = store.put_many(payloads)

    assert store.put_many(payloads) == first  # the round is tried again: its CIDs do not change

    assert [LocalPayloadStore(tmp_path).get(cid) for cid in first] == payloads


def test_a_rotten_block_in_a_batch_s_pack_is_reported_not_returned(tmp_path: Path) -> None:
    store = LocalPayloadStore(tmp_path)
    [cid] = store.put_many([b"payload of a batch"])
    [pack] = (tmp_path / "packs").glob("*.car")
    data = pack.read_bytes()
    pack.write_bytes(data.replace(b"payload of a batch", b"payload of a botch"))

    with pytest.raises(PayloadError, match="corrupt"):
        LocalPayloadStore(tmp_path).get(cid)
