"""The faults the real chain can be made to show, on anvil through the web3 adapter (the reference).

anvil drops blocks on ``evm_revert`` (a reorganisation that forgets their transactions), queues a transaction
whose nonce leaves a gap, and leaves unmined a transaction that pays less than the block's base fee; a small
proxy in front of it makes the RPC endpoint flap.
"""

from __future__ import annotations

import contextlib
import http.server
import itertools
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakenode_support import CODES, FakeNode, admin_account, form_d, genesis, new_node
from origo_devnet.deploy import GenesisMember, deploy
from origo_network.anvil import Anvil
from origo_node.anchoring import batch_manifest
from origo_node.chain.web3_chain import Web3Chain
from origo_node.documents.action_params import Accept, ItemClaim
from origo_node.errors import OrigoError, StorageFull
from web3 import Web3

pytestmark = pytest.mark.integration


class Anvil1:
    def __init__(self, node: Anvil, chain: Web3Chain) -> None:
        self.node, self.chain = node, chain
        self.w3 = Web3(Web3.HTTPProvider(node.url))

    def rpc(self, method: str, *params: Any) -> Any:
        return self.w3.provider.make_request(method, list(params))["result"]  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def anvil_chain() -> Iterator[Anvil1]:
    with Anvil(accounts=2 * len(CODES) + 1) as node:
        w3 = Web3(Web3.HTTPProvider(node.url))
        members = [
            GenesisMember(
                code=m.code,
                name=m.name,
                admin=m.admin,
                validator=m.validator,
                issuers=list(m.issuers),
                encryption_key=m.encryption_key,
                endpoint=m.endpoint,
            )
            for m in genesis()
        ]
        deployment = deploy(w3, w3.eth.accounts[0], members, 5001, 24 * 3600)
        assert admin_account("VN").address in w3.eth.accounts
        yield Anvil1(node, Web3Chain(node.url, deployment.membership, deployment.registry))


@pytest.fixture
def real(anvil_chain: Anvil1) -> Iterator[Anvil1]:
    snapshot = anvil_chain.rpc("evm_snapshot")
    try:
        yield anvil_chain
    finally:
        anvil_chain.rpc("evm_setAutomine", True)
        anvil_chain.rpc("evm_revert", snapshot)


def anchored(chain: Web3Chain, node: FakeNode) -> Counter[str]:
    ids: Counter[str] = Counter()
    for event in chain.events(0, chain.head()):
        if event.name == "BatchAnchored":
            raw = node.payloads.get(event.args["manifestCid"])
            entries = batch_manifest.decode(
                raw, issuer=event.args["issuer"].decode(), root=event.args["root"], count=event.args["count"]
            )
            ids.update("0x" + e.leaf.document_id.hex() for e in entries)
    return ids


def rounds(node: FakeNode, count: int) -> None:
    for _ in range(count):
        with contextlib.suppress(OrigoError):
            node.batcher.run_once(force=True)


def mined(real: Anvil1, node: FakeNode) -> None:
    """Wait until automine has made what ``node`` sent readable: anvil answers a send before the block is."""
    deadline = time.monotonic() + 30
    while real.chain.nonce(node.sender.address, pending=False) != real.chain.nonce(node.sender.address):
        assert time.monotonic() < deadline, "anvil did not mine the node's transactions within 30 s"
        time.sleep(0.02)


def exactly_once(real: Anvil1, node: FakeNode, docs: list[str]) -> None:
    mined(real, node)
    rounds(node, 1)  # the node reads the receipt of its last send, which anvil may have made readable late
    on_chain = anchored(real.chain, node)
    assert [d for d in docs if d not in on_chain] == []  # lost
    assert [d for d, n in on_chain.items() if n > 1] == []  # anchored twice
    assert node.outbox_pending() == 0


def issue(node: FakeNode, prefix: str, count: int) -> list[str]:
    return [node.issuing.issue(form_d(f"VN-HCM-2026-{prefix}{i:04d}")).document_id for i in range(count)]


def test_a_batch_dropped_by_a_reorganisation_is_sent_again(real: Anvil1, tmp_path: Path) -> None:
    vn = new_node(tmp_path, real.chain, "VN", confirmations=2)
    docs = issue(vn, "AR", 4)
    before = real.rpc("evm_snapshot")
    vn.batcher.run_once(force=True)
    mined(real, vn)
    assert sum(anchored(real.chain, vn).values()) == 4
    assert vn.db.read().execute("SELECT state FROM batches").fetchone()[0] == "sent"  # not 2 blocks deep
    real.rpc("evm_revert", before)  # the block with the batch is gone, and its transaction with it
    assert sum(anchored(real.chain, vn).values()) == 0
    rounds(vn, 2)
    for _ in range(3):
        real.rpc("evm_mine")
    rounds(vn, 2)
    assert vn.db.read().execute("SELECT state FROM batches").fetchone()[0] == "mined"
    exactly_once(real, vn, docs)


def test_a_nonce_whose_record_failed_to_commit_does_not_stall_anchoring(real: Anvil1, tmp_path: Path) -> None:
    vn = new_node(tmp_path, real.chain, "VN")
    docs = issue(vn, "AN", 3)
    real_transaction = vn.db.transaction
    calls = {"n": 0}

    def failing_once() -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise StorageFull("injected: the database has no space left")
        return real_transaction()

    vn.db.transaction = failing_once  # type: ignore[method-assign]
    with pytest.raises(StorageFull):
        vn.batcher.run_once(force=True)
    vn.db.transaction = real_transaction  # type: ignore[method-assign]
    docs += issue(vn, "AN1", 2)
    rounds(vn, 3)
    mined(real, vn)  # no nonce left stuck in the pool
    exactly_once(real, vn, docs)


def test_a_batch_stuck_below_the_base_fee_is_replaced_with_a_higher_fee(real: Anvil1, tmp_path: Path) -> None:
    vn = new_node(tmp_path, real.chain, "VN", replace_after_s=0.0)
    docs = issue(vn, "AF", 3)
    real.rpc("evm_setAutomine", False)
    vn.batcher.run_once(force=True)  # signed at today's price, waiting in the pool
    sent = vn.db.read().execute("SELECT tx_hash FROM batches").fetchone()[0]
    first = real.chain.transaction(sent)
    assert first is not None and first.block is None
    real.rpc("anvil_setNextBlockBaseFeePerGas", hex(first.gas_price * 20))
    real.rpc("evm_mine")  # the fee jumped: the batch stays out of the block
    assert real.chain.receipt(sent) is None
    for _ in range(6):
        rounds(vn, 1)
        real.rpc("evm_mine")
    rounds(vn, 1)
    replaced = real.chain.transaction(vn.db.read().execute("SELECT tx_hash FROM batches").fetchone()[0])
    assert replaced is not None and replaced.nonce == first.nonce and replaced.gas_price > first.gas_price
    exactly_once(real, vn, docs)


def test_a_claim_stuck_below_the_base_fee_is_replaced_and_done_once(real: Anvil1, tmp_path: Path) -> None:
    vn = new_node(tmp_path, real.chain, "VN")
    sg = new_node(tmp_path, real.chain, "SG", replace_after_s=0.0)
    [doc] = issue(vn, "AC", 1)
    vn.batcher.run_once(force=True)
    for _ in range(3):
        sg.indexer.run_once()
    real.rpc("evm_setAutomine", False)
    claim = Accept(declaration="SG-IMP-ANVIL", claims=(ItemClaim(1, 100_000),))
    action = sg.actions.submit(sg.status.resolver.resolve(doc), claim, wait_s=0)
    sg.actions.run_once()  # signed at today's price, waiting in the pool
    first = real.chain.transaction(sg.actions.get(action.id).tx)
    assert first is not None and first.block is None
    real.rpc("anvil_setNextBlockBaseFeePerGas", hex(first.gas_price * 20))
    real.rpc("evm_mine")  # the fee jumped: the claim stays out of the block
    for _ in range(6):
        sg.actions.run_once()
        real.rpc("evm_mine")
    sg.actions.run_once()
    done = sg.actions.get(action.id)
    assert done.state == "done", done
    final = real.chain.transaction(done.tx)
    assert final is not None and final.nonce == first.nonce and final.gas_price > first.gas_price
    # It was sent again paying more (what it replaced is kept in case the chain mines one of those),
    # not only signed afresh once anvil dropped the underpriced one from its pool.
    assert sg.db.read().execute("SELECT count(*) FROM action_earlier_txs").fetchone()[0] >= 1
    claims = [e for e in real.chain.events(0, real.chain.head()) if e.name == "DocumentAccepted"]
    assert len(claims) == 1  # claimed once, however many times it was signed


class FlappingProxy(http.server.ThreadingHTTPServer):
    """Forwards JSON-RPC to anvil, but answers one request in ``every`` with a 503 (a flapping endpoint)."""

    def __init__(self, target: str, every: int) -> None:
        self.target, self.every, self.count, self.failed = target, every, itertools.count(1), 0
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    server: FlappingProxy

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.server.every and next(self.server.count) % self.server.every == 0:
            self.server.failed += 1
            self.send_error(503, "flapping")
            return
        request = urllib.request.Request(self.server.target, body, {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            data = answer.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


def test_an_rpc_endpoint_that_flaps_while_batches_are_checked(real: Anvil1, tmp_path: Path) -> None:
    proxy = FlappingProxy(real.node.url, every=4)
    try:
        chain = Web3Chain(proxy.url, real.chain.membership_address, real.chain.registry_address, timeout=5)
        chain.chain_id  # noqa: B018 - read once, before the flapping can hit the node's start
        vn = new_node(tmp_path, chain, "VN")
        docs: list[str] = []
        for i in range(6):
            docs += issue(vn, f"AQ{i}", 4)
            rounds(vn, 3)
        assert proxy.failed > 0
        proxy.every = 0
        rounds(vn, 3)
        exactly_once(real, vn, docs)
    finally:
        proxy.shutdown()
        proxy.server_close()
