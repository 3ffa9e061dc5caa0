"""An officer's action stuck behind a fee too low is sent again paying more, as batches are, and counts as
done whichever of its transactions the chain mines."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakenode_support import Consortium, form_d, new_consortium, sqlite_store
from origo_node.documents.action_params import Accept, ItemClaim
from origo_node.store.database import StoreDatabase
from origo_node.store.postgres import PostgresDatabase

CLAIM = Accept(declaration="SG-IMP-FEE", claims=(ItemClaim(1, 100_000),))


@pytest.fixture(params=["sqlite", "postgres"])
def impatient(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Consortium]:
    """Nodes that send a pending transaction again at a higher fee on their next round."""

    def postgres_store(data: Path, code: str) -> StoreDatabase:
        return PostgresDatabase(request.getfixturevalue("pg_cluster").new_database())

    store = sqlite_store if request.param == "sqlite" else postgres_store
    network = new_consortium(tmp_path, replace_after_s=0.0, open_store=store)
    yield network
    for node in network.nodes.values():
        node.db.close()


def _anchored(consortium: Consortium, reference: str) -> str:
    vn = consortium.nodes["VN"]
    doc = vn.issuing.issue(form_d(reference)).document_id
    consortium.settle()
    return doc


def _claims_on_chain(consortium: Consortium) -> list[Any]:
    chain = consortium.chain
    return [e for e in chain.events(0, chain.head()) if e.name == "DocumentAccepted"]


def test_an_action_stuck_on_a_low_fee_is_replaced_with_a_higher_one(impatient: Consortium) -> None:
    consortium = impatient
    chain, sg = consortium.chain, consortium.nodes["SG"]
    doc = _anchored(consortium, "VN-HCM-2026-FEE001")
    chain.min_gas_price = chain.price * 3  # the chain now wants three times what the node offers
    action = sg.actions.submit(sg.status.resolver.resolve(doc), CLAIM, wait_s=0)
    sg.actions.run_once()
    assert sg.actions.get(action.id).state == "sent" and len(chain.pending()) == 1
    for _ in range(10):  # each round still pending: the same claim again at 1.25 x the fee
        sg.actions.run_once()
    done = sg.actions.get(action.id)
    assert done.state == "done" and chain.pending() == []
    info = chain.transaction(done.tx)
    assert info is not None and info.gas_price >= chain.min_gas_price
    assert len(_claims_on_chain(consortium)) == 1  # claimed once, however many times it was signed
    earlier = sg.db.read().execute("SELECT count(*) FROM action_earlier_txs").fetchone()[0]
    assert earlier >= 4  # 1.25^5 > 3: at least five transactions before the one mined


def test_the_replaced_transaction_mined_instead_still_counts_as_done(
    impatient: Consortium, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A validator may take the first transaction before it sees the replacement: the action is done by it,
    never failed (signing it again would be refused: this declaration claimed the certificate already)."""
    consortium = impatient
    chain, sg = consortium.chain, consortium.nodes["SG"]
    doc = _anchored(consortium, "VN-HCM-2026-FEE002")
    sent: list[bytes] = []
    send_raw = chain.send_raw

    def recording(raw: bytes) -> None:
        sent.append(raw)
        send_raw(raw)

    monkeypatch.setattr(chain, "send_raw", recording)
    chain.min_gas_price = chain.price * 10
    action = sg.actions.submit(sg.status.resolver.resolve(doc), CLAIM, wait_s=0)
    sg.actions.run_once()  # sent, still pending, so sent again at a higher fee
    replacement = sg.actions.get(action.id).tx
    first = sent[0]
    assert chain.transaction(replacement) is not None and len(set(sent)) == 2
    # The replacement vanishes from the mempool and the first one is mined after all.
    chain.drop(replacement)
    chain.min_gas_price = 0
    send_raw(first)
    assert chain.pending() == []
    for _ in range(3):
        sg.actions.run_once()
    done = sg.actions.get(action.id)
    assert done.state == "done" and done.error is None
    assert done.tx == replacement  # the action keeps its last hash; the chain mined the first
    assert len(_claims_on_chain(consortium)) == 1
