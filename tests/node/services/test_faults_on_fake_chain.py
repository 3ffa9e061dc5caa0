"""Exactly-once under the faults of issue 10, injected through the fake chain and the store adapters.

Each test accepts documents, injects one fault, lets the node's loops run (a loop survives any error and tries
again, as node.background's loops do) and then counts, from the chain alone: documents lost (accepted, never
anchored) and documents anchored twice. Both must be 0; the figures are printed at the end of the run.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from fakenode_support import Consortium, FakeNode, form_d, new_consortium
from origo_node.anchoring import batch_manifest
from origo_node.documents.action_params import Accept, Revoke
from origo_node.errors import OrigoError, StorageFull

FIGURES: Counter[str] = Counter()


def anchored_ids(consortium: Consortium) -> list[str]:
    """Every document id in every batch the chain holds now, from the events and the manifests."""
    ids: list[str] = []
    node = next(iter(consortium.nodes.values()))
    for event in consortium.chain.events(0, consortium.chain.head()):
        if event.name == "BatchAnchored":
            try:
                raw = node.payloads.get(event.args["manifestCid"])
            except OrigoError:  # a batch nobody can read (the tests' own stray roots): it holds no document
                continue
            entries = batch_manifest.decode(
                raw,
                issuer=event.args["issuer"].decode(),
                root=event.args["root"],
                count=event.args["count"],
            )
            ids.extend("0x" + e.leaf.document_id.hex() for e in entries)
    return ids


def run(consortium: Consortium, rounds: int = 40) -> int:
    """The loops' rounds, errors swallowed as the loops do (they log and retry); how many rounds failed."""
    failed = 0
    for _ in range(rounds):
        for node in consortium.nodes.values():
            try:
                node.step()
            except (OrigoError, sqlite3.Error, OSError):
                failed += 1
    return failed


def account(fault: str, consortium: Consortium, accepted: list[str]) -> None:
    """Counts what was lost and what was anchored twice; both must be nothing."""
    on_chain = Counter(anchored_ids(consortium))
    lost = [d for d in accepted if d not in on_chain]
    twice = [d for d, n in on_chain.items() if n > 1]
    FIGURES["faults injected"] += 1
    FIGURES["documents accepted"] += len(accepted)
    FIGURES["documents lost"] += len(lost)
    FIGURES["documents anchored twice"] += len(twice)
    assert (lost, twice) == ([], []), fault
    vn = consortium.nodes["VN"]
    assert vn.outbox_pending() == 0
    assert "pending" not in {vn.status.status(d).state for d in accepted}


def issue(node: FakeNode, prefix: str, count: int) -> list[str]:
    return [node.issuing.issue(form_d(f"VN-HCM-2026-{prefix}{i:04d}")).document_id for i in range(count)]


@pytest.fixture
def confirmed(tmp_path: Path) -> Consortium:
    """Nodes that count a batch or an action as done only two blocks deep."""
    return new_consortium(tmp_path, confirmations=2)


# ---------------------------------------------------------------- reorganisations


@pytest.mark.parametrize("requeue", [False, True], ids=["dropped", "back-in-mempool"])
def test_a_reorganisation_that_drops_a_mined_batch_sends_it_again(
    confirmed: Consortium, requeue: bool
) -> None:
    chain, vn = confirmed.chain, confirmed.nodes["VN"]
    docs = issue(vn, "R", 5)
    vn.batcher.run_once(force=True)
    assert len(anchored_ids(confirmed)) == 5
    assert vn.batcher.run_once() == 0  # mined, but not two blocks deep: not anchored yet
    assert vn.db.read().execute("SELECT state FROM batches").fetchone()[0] == "sent"
    undone = chain.reorganise(1, requeue=requeue)
    assert len(undone) == 1 and anchored_ids(confirmed) == []
    run(confirmed, 3)
    chain.mine(3)
    run(confirmed)
    account("reorganisation drops a batch", confirmed, docs)
    assert vn.db.read().execute("SELECT state FROM batches").fetchone()[0] == "mined"


def test_a_reorganisation_that_drops_an_action_sends_it_again(confirmed: Consortium) -> None:
    chain, vn, sg = confirmed.chain, confirmed.nodes["VN"], confirmed.nodes["SG"]
    docs = issue(vn, "A", 2)
    chain.mine(1)
    run(confirmed, 4)
    chain.mine(3)
    run(confirmed, 4)
    action = vn.actions.submit(
        vn.status.resolver.resolve(docs[0]), Revoke(reason_code=1, reason="typo"), wait_s=0
    )
    vn.actions.run_once()
    assert vn.actions.get(action.id).state == "sent"  # mined, not yet two blocks deep
    chain.reorganise(1)
    assert vn.actions.get(action.id).state == "sent"
    run(confirmed, 3)
    chain.mine(3)
    run(confirmed)
    assert vn.actions.get(action.id).state == "done"
    revocations = [e for e in chain.events(0, chain.head()) if e.name == "DocumentRevoked"]
    assert len(revocations) == 1
    assert sg.status.status(docs[0]).state == "revoked"
    FIGURES["faults injected"] += 1


# ---------------------------------------------------------------- nonces and fees


def test_a_nonce_whose_record_failed_to_commit_does_not_stall_anchoring(consortium: Consortium) -> None:
    vn = consortium.nodes["VN"]
    docs = issue(vn, "N", 3)
    real_transaction = vn.db.transaction
    failures = {"left": 1}

    def failing_transaction() -> Any:
        if failures["left"]:
            failures["left"] -= 1
            raise StorageFull("injected: the database has no space left")
        return real_transaction()

    vn.db.transaction = failing_transaction  # type: ignore[method-assign]
    with pytest.raises(StorageFull):
        vn.batcher.run_once(force=True)  # signed with nonce n, then the batch could not be recorded
    vn.db.transaction = real_transaction  # type: ignore[method-assign]
    more = issue(vn, "N1", 2)
    run(consortium)
    assert consortium.chain.pending() == []  # nothing waits behind a nonce nobody sends
    account("nonce consumed, commit failed", consortium, docs + more)


def test_a_batch_stuck_on_a_low_fee_is_replaced_with_a_higher_one(tmp_path: Path) -> None:
    consortium = new_consortium(tmp_path, replace_after_s=0.0)
    chain, vn = consortium.chain, consortium.nodes["VN"]
    chain.min_gas_price = chain.price * 3  # the chain now wants three times what the node offers
    docs = issue(vn, "F", 4)
    vn.batcher.run_once(force=True)
    assert len(chain.pending()) == 1 and anchored_ids(consortium) == []
    run(consortium, 10)  # each round still pending: the same batch again at 1.25 x the fee
    assert chain.pending() == []
    sent = vn.db.read().execute("SELECT tx_hash FROM batches").fetchone()[0]
    info = chain.transaction(sent)
    assert info is not None and info.gas_price >= chain.min_gas_price
    account("fee too low", consortium, docs)


def test_a_dropped_transaction_is_sent_again(consortium: Consortium) -> None:
    chain, vn = consortium.chain, consortium.nodes["VN"]
    chain.automine = False
    docs = issue(vn, "D", 3)
    vn.batcher.run_once(force=True)
    chain.drop_pending()  # the chain's node restarted and forgot its mempool
    run(consortium, 2)
    chain.mine()
    run(consortium)
    chain.automine = True
    run(consortium)
    account("dropped transaction", consortium, docs)


# ---------------------------------------------------------------- refusals, front-running, reordering


def test_a_refused_batch_waits_and_goes_once_the_chain_takes_it(
    consortium: Consortium, monkeypatch: pytest.MonkeyPatch
) -> None:
    from origo_node.anchoring import batcher

    monkeypatch.setattr(batcher, "_REFUSAL_RETRY_S", 0.0)
    chain, vn = consortium.chain, consortium.nodes["VN"]
    chain.refuse("anchorBatch", "RegistryNotIssuer")
    docs = issue(vn, "X", 3)
    run(consortium, 3)
    assert anchored_ids(consortium) == []
    assert {vn.status.status(d).state for d in docs} == {"refused"}
    refused = vn.batcher.refusal()
    assert refused is not None and refused.documents == 3
    assert refused.reason is not None and "not an issuing account" in refused.reason
    assert refused.as_json() == {"documents": 3, "reason": refused.reason}  # as /healthz shows it
    chain.refuse("anchorBatch", None)
    run(consortium)
    assert vn.batcher.refusal() is None
    account("refusal", consortium, docs)


def test_another_transaction_landing_first_takes_the_nonce_and_the_batch_is_signed_again(
    consortium: Consortium,
) -> None:
    from fakenode_support import issuer_account
    from origo_node.chain import calls

    chain, vn = consortium.chain, consortium.nodes["VN"]
    vn.sender.prepare(calls.anchor_batch(b"\1" * 32, 1, "bafy-warm"))  # the node's nonce is cached now
    # Another process holding the same issuer key sends first: the node's cached nonce is taken.
    chain.front_run(issuer_account("VN").address, calls.anchor_batch(b"\2" * 32, 1, "bafy-other"))
    chain.mine()
    docs = issue(vn, "P", 3)
    run(consortium)
    account("front-run nonce", consortium, docs)


def test_blocks_that_take_transactions_in_another_order_change_nothing(consortium: Consortium) -> None:
    chain, vn, sg = consortium.chain, consortium.nodes["VN"], consortium.nodes["SG"]
    chain.automine, chain.reorder = False, True
    docs = issue(vn, "O", 4)
    for _ in range(12):
        run(consortium, 1)
        chain.mine()
    action = sg.actions.submit(sg.status.resolver.resolve(docs[0]), Accept(declaration="SG-1"), wait_s=0)
    for _ in range(6):
        run(consortium, 1)
        chain.mine()
    chain.automine = True
    run(consortium)
    assert sg.actions.get(action.id).state == "done"
    account("reordered blocks", consortium, docs)


# ---------------------------------------------------------------- the RPC endpoint flaps


def test_an_rpc_endpoint_that_flaps_while_batches_are_checked(consortium: Consortium) -> None:
    chain, vn = consortium.chain, consortium.nodes["VN"]
    docs = issue(vn, "Q", 10)
    chain.flapping(every=3)
    failed = 0
    for i in range(6):
        docs += issue(vn, f"Q{i}", 5)
        failed += run(consortium, 5)
    assert failed > 0  # the flapping did hit the rounds
    chain.flapping(every=0)
    run(consortium)
    account("RPC flapping", consortium, docs)


def test_an_rpc_endpoint_down_for_a_while(consortium: Consortium) -> None:
    chain, vn = consortium.chain, consortium.nodes["VN"]
    docs = issue(vn, "Z", 4)
    chain.fail_calls(25)
    run(consortium, 10)
    run(consortium)
    account("RPC down", consortium, docs)


# ---------------------------------------------------------------- disk full


class FullDisk:
    """``os.fdopen`` whose files take half of what is written and then fail with ENOSPC, while armed."""

    def __init__(self) -> None:
        self.armed = True
        self._fdopen = os.fdopen

    def __call__(self, fd: int, *args: Any, **kwargs: Any) -> Any:
        file = self._fdopen(fd, *args, **kwargs)
        if not self.armed:
            return file
        write = file.write

        def half_then_full(data: bytes) -> int:
            write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")

        file.write = half_then_full
        return file


def test_a_full_payload_store_anchors_nothing_leaves_nothing_half_written_and_recovers(
    consortium: Consortium, monkeypatch: pytest.MonkeyPatch
) -> None:
    vn = consortium.nodes["VN"]
    docs = issue(vn, "S", 3)
    full = FullDisk()
    monkeypatch.setattr(os, "fdopen", full)
    assert run(consortium, 3) >= 3
    monkeypatch.undo()
    blocks = consortium.root / "payloads"
    assert [p.name for p in blocks.rglob(".*.tmp")] == []  # no half-written block under any name
    assert anchored_ids(consortium) == [] and vn.outbox_pending() == 3
    assert vn.db.read().execute("SELECT count(*) FROM batches").fetchone()[0] == 0
    run(consortium)
    account("payload store full", consortium, docs)


# SQLite's own "database or disk is full" (max_page_count): on SQLite only.
@pytest.mark.parametrize("consortium", ["sqlite"], indirect=True)
def test_a_full_outbox_answers_507_writes_nothing_and_recovers(consortium: Consortium) -> None:
    vn = consortium.nodes["VN"]
    conn = vn.db.connection()
    pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
    conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own "database or disk is full"
    with pytest.raises(StorageFull) as full:
        vn.issuing.issue_many([form_d(f"VN-HCM-2026-W{i:04d}") for i in range(40)])
    assert full.value.status == 507 and "no space left" in full.value.message
    assert vn.db.read().execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
    conn.execute("PRAGMA max_page_count = 1073741823")
    docs = issue(vn, "W", 40)
    run(consortium)
    account("outbox full", consortium, docs)


def test_the_figures(request: pytest.FixtureRequest) -> None:
    """Runs last in this module: prints what was injected and counted (both losses must be 0)."""
    if FIGURES["faults injected"] == 0:
        pytest.skip("run with the other fault tests to get figures")
    summary = ", ".join(f"{k}: {v}" for k, v in FIGURES.items())
    print(f"\nfault tests: {summary}")
    assert FIGURES["documents lost"] == 0 and FIGURES["documents anchored twice"] == 0
