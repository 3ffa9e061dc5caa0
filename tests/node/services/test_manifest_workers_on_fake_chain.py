"""A member catching up checks other members' manifests in worker processes (``indexer.manifest_checks``)
while its indexer stores the batch before: the index it builds is the one it builds alone, row for row and
batch state for batch state, with a hostile issuer's batches among the honest ones (a manifest that lies
about its units, a later batch of the same issuer repeating an id with other facts). A worker that dies
costs nothing: the indexer checks the rest itself.
"""

from __future__ import annotations

import json
import os
import signal
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fakenode_support import Consortium, form_d, new_consortium
from origo_node.anchoring import batch_manifest
from origo_node.anchoring.batch_manifest import ManifestEntry
from origo_node.chain import calls
from origo_node.chain.merkle import MerkleTree
from origo_node.hashing import keccak256
from origo_node.indexer.indexer import Indexer
from origo_node.payload import LocalPayloadStore
from origo_node.store.db import Database
from origo_node.store.document_rows import IndexedReaders
from origo_node.store.facts import NodeFacts
from origo_node.store.index import IndexRepository

BATCHES_OF_64 = 5


@pytest.fixture(scope="module")
def consortium(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """VN issues five honest batches, then anchors two hostile ones, then one more honest one."""
    consortium = new_consortium(tmp_path_factory.mktemp("manifest-workers"))
    vn = consortium.nodes["VN"]
    for number in range(BATCHES_OF_64):
        vn.issuing.issue_many([form_d(f"VN-CATCH-UP-{number}-{i}") for i in range(64)])
        consortium.settle()
    _anchor_hostile(consortium, _units_that_do_not_fit)
    _anchor_hostile(consortium, _an_earlier_id_with_other_facts)
    vn.issuing.issue(form_d("VN-CATCH-UP-LAST"))
    consortium.settle()
    yield consortium
    for node in consortium.nodes.values():
        node.db.close()


def _manifests(consortium: Consortium) -> list[bytes]:
    vn = consortium.nodes["VN"]
    chain = consortium.chain
    return [
        vn.payloads.get(e.args["manifestCid"])
        for e in chain.events(0, chain.head())
        if e.name == "BatchAnchored"
    ]


def _units_that_do_not_fit(consortium: Consortium) -> tuple[ManifestEntry, dict[str, Any]]:
    honest = ManifestEntry.from_json(json.loads(_manifests(consortium)[0])["leaves"][0])
    leaf = replace(honest.leaf, document_id=keccak256(b"VN-CATCH-UP-HOSTILE-UNITS"))
    return replace(honest, leaf=leaf), {"quantityUnits": ["PR", "a very long unit"]}


def _an_earlier_id_with_other_facts(consortium: Consortium) -> tuple[ManifestEntry, dict[str, Any]]:
    honest = ManifestEntry.from_json(json.loads(_manifests(consortium)[1])["leaves"][3])
    return replace(honest, leaf=replace(honest.leaf, digest=keccak256(b"other facts"))), {}


def _anchor_hostile(consortium: Consortium, make: Any) -> None:
    """VN's own account anchors a batch of one leaf whose manifest ``make`` gives (no honest node would)."""
    vn = consortium.nodes["VN"]
    entry, changed = make(consortium)
    root = MerkleTree([entry.leaf]).root
    body = json.loads(batch_manifest.encode("VN", root, [entry]))
    body["leaves"][0].update(changed)
    cid = vn.payloads.put_many([json.dumps(body).encode()])[-1]
    vn.sender.send_and_wait(calls.anchor_batch(root, 1, cid), timeout=5)
    consortium.settle()


class _LateMember:
    """A member joining now: an empty index, the chain from the start, the shared payload store."""

    def __init__(
        self, consortium: Consortium, data: Path, workers: int, documents_per_commit: int = 32_768
    ) -> None:
        self.db = Database(data / "index.db")
        self.index = IndexRepository(self.db)
        self.queued: list[IndexedReaders] = []
        self.indexer = Indexer(
            self.index,
            NodeFacts(self.db),
            consortium.chain,
            LocalPayloadStore(consortium.root / "payloads"),
            deployment_block=0,
            confirmations=0,
            on_membership_change=lambda: None,
            on_documents_indexed=self.queued.extend,
            manifest_workers=workers,
            workers_from_documents=1,  # these rounds are small: the workers take them all the same
            documents_per_commit=documents_per_commit,
        )

    def workers_ready(self) -> None:
        """Starts the workers and waits for them, so that the round hands them manifests from its start."""
        pool = self.indexer._pool
        assert pool is not None
        pool.warm_up()
        deadline = time.monotonic() + 60
        while not pool.ready:
            assert time.monotonic() < deadline, "the manifest check workers did not start in a minute"
            time.sleep(0.05)

    def catch_up(self) -> None:
        for _ in range(10):
            if self.indexer.run_once() == 0:
                return
        raise AssertionError("still indexing after 10 rounds")

    def rows(self) -> list[tuple[Any, ...]]:
        return [
            tuple(row)
            for row in self.db.read()
            .execute("SELECT * FROM idx_documents ORDER BY issuer, document_id")
            .fetchall()
        ]

    def batches(self) -> list[tuple[Any, ...]]:
        query = (
            "SELECT root, count, manifest_state, manifest_error FROM idx_batches ORDER BY block, log_index"
        )
        return [tuple(row) for row in self.db.read().execute(query).fetchall()]

    def close(self) -> None:
        self.indexer.close()
        self.db.close()


def _alone_and_helped(consortium: Consortium, root: Path, workers: int) -> tuple[_LateMember, _LateMember]:
    """Two late members: one checking every manifest itself, one with ``workers`` workers."""
    (root / "alone").mkdir()
    (root / "workers").mkdir()
    return _LateMember(consortium, root / "alone", workers=0), _LateMember(
        consortium, root / "workers", workers
    )


def test_the_index_built_with_workers_is_the_one_built_alone(consortium: Consortium, tmp_path: Path) -> None:
    alone, helped = _alone_and_helped(consortium, tmp_path, workers=2)
    try:
        helped.workers_ready()
        alone.catch_up()
        helped.catch_up()
        assert helped.indexer.checked_in_workers > 0 and alone.indexer.checked_in_workers == 0
        assert helped.rows() == alone.rows()
        assert helped.batches() == alone.batches()
        assert helped.queued == alone.queued
        states = [state for _, _, state, _ in helped.batches()]
        assert states == ["indexed"] * BATCHES_OF_64 + ["invalid", "indexed", "indexed"]
        assert "unit" in str(helped.batches()[BATCHES_OF_64][3])
        assert len(helped.rows()) == 64 * BATCHES_OF_64 + 1  # neither hostile batch added a row
    finally:
        alone.close()
        helped.close()


def test_the_first_anchoring_of_an_id_keeps_its_facts_with_workers(
    consortium: Consortium, tmp_path: Path
) -> None:
    repeated, _ = _an_earlier_id_with_other_facts(consortium)
    first = ManifestEntry.from_json(json.loads(_manifests(consortium)[1])["leaves"][3])
    member = _LateMember(consortium, tmp_path, workers=2)
    try:
        member.workers_ready()
        member.catch_up()
        assert member.indexer.checked_in_workers > 0
        found = member.index.document("VN", "0x" + repeated.leaf.document_id.hex())
        assert found is not None and found.digest == "0x" + first.leaf.digest.hex()
    finally:
        member.close()


def test_a_killed_worker_leaves_no_batch_unindexed_and_the_indexer_checks_them_itself(
    consortium: Consortium, tmp_path: Path
) -> None:
    alone, helped = _alone_and_helped(consortium, tmp_path, workers=1)
    try:
        helped.workers_ready()
        pool = helped.indexer._pool
        assert pool is not None and pool._pool is not None
        for process in list(pool._pool._processes.values()):
            os.kill(process.pid, signal.SIGKILL)
            process.join(timeout=10)
        alone.catch_up()
        helped.catch_up()
        assert helped.rows() == alone.rows() and helped.batches() == alone.batches()
        assert not pool.running  # and none started again at once: a minute's pause first
        assert helped.indexer.checked_in_workers == 0
    finally:
        alone.close()
        helped.close()


def test_a_small_round_is_checked_by_the_indexer_itself(consortium: Consortium, tmp_path: Path) -> None:
    member = _LateMember(consortium, tmp_path, workers=1)
    member.indexer._workers_from = 64 * BATCHES_OF_64 + 4  # one more than the batches hold (323)
    try:
        member.catch_up()
        assert member.indexer.checked_in_workers == 0 and member.indexer._pool is not None
        assert not member.indexer._pool.running  # never started for it
        assert len(member.rows()) == 64 * BATCHES_OF_64 + 1
    finally:
        member.close()


def test_closing_the_indexer_ends_its_workers(consortium: Consortium, tmp_path: Path) -> None:
    member = _LateMember(consortium, tmp_path, workers=1)
    member.workers_ready()
    member.catch_up()
    pool = member.indexer._pool
    assert pool is not None and pool.running and pool._pool is not None
    processes = list(pool._pool._processes.values())
    member.close()
    assert not pool.running and all(not process.is_alive() for process in processes)


def test_a_crash_before_a_commit_of_several_batches_resumes_from_the_last_commit_with_the_same_index(
    consortium: Consortium, tmp_path: Path
) -> None:
    """Batches after a round's first are stored several a commit (here two of 64 documents): a crash before
    a commit leaves its batches pending, and the next run stores them with the same rows."""
    (tmp_path / "alone").mkdir()
    (tmp_path / "crashing").mkdir()
    alone = _LateMember(consortium, tmp_path / "alone", workers=0)
    crashing = _LateMember(consortium, tmp_path / "crashing", workers=0, documents_per_commit=128)
    commits: list[int] = []
    store_rows = crashing.index.store_rows

    def crash_at_the_third_commit(batches: Any) -> None:
        commits.append(len(batches))
        if len(commits) == 3:
            raise RuntimeError("the process dies before this commit")
        store_rows(batches)

    crashing.index.store_rows = crash_at_the_third_commit  # type: ignore[method-assign]
    try:
        alone.catch_up()
        with pytest.raises(RuntimeError, match="dies"):
            crashing.catch_up()
        assert commits == [1, 2, 2]  # the round's first batch alone, then two a commit
        states = [state for _, _, state, _ in crashing.batches()]
        assert states == ["indexed"] * 3 + ["pending"] * 5
        assert len(crashing.rows()) == 3 * 64
        crashing.close()
        restarted = _LateMember(consortium, tmp_path / "crashing", workers=0, documents_per_commit=128)
        restarted.catch_up()
        assert restarted.rows() == alone.rows()
        assert restarted.batches() == alone.batches()
        restarted.close()
    finally:
        alone.close()
