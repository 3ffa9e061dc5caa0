"""A backup of a node that fetched rounds of payloads into packs: the packs go into the archive as plain
files, their index (derived, and possibly mid-write) does not, and the restored node reads every pinned
payload without asking anyone, its index made again from the packs."""

from __future__ import annotations

import sqlite3
import tarfile
from pathlib import Path

from origo_node.operations.backup import backup, restore
from origo_node.payload import LocalPayloadStore
from support.car_peer import DAGS, PAYLOADS, Peer, reading_store

ROOTS = [str(dag.root) for dag in DAGS]


def test_a_restored_node_reads_the_pinned_payloads_of_its_packs(tmp_path: Path) -> None:
    node = tmp_path / "node"
    node.mkdir()
    with sqlite3.connect(node / "node.db") as db:
        db.execute("CREATE TABLE kept (x)")
    store = reading_store(node / "payloads", Peer())
    assert store.prefetch(ROOTS) > 0
    for root in ROOTS:
        store.pin(root)
    assert (node / "payloads" / "packs" / "index.sqlite").is_file()  # open: the node runs on meanwhile

    archive = tmp_path / "node.tar.gz"
    backup(node, archive)
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert any(name.startswith("payloads/packs/") and name.endswith(".car") for name in names)
    assert not any("index.sqlite" in name for name in names)

    restored = tmp_path / "restored"
    restore(archive, restored)
    again = LocalPayloadStore(restored / "payloads")  # no peers: everything must be on its disk
    assert [again.get(root) for root in ROOTS] == PAYLOADS
    assert all(again.is_pinned(root) for root in ROOTS)
