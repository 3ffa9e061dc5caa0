"""What the web3 adapter does for a real chain beyond the port's contract: bounded log queries, fees."""

from __future__ import annotations

import itertools
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from chain_worlds import ROLES, _rpc
from origo_network.anvil import Anvil
from origo_node.chain import calls
from origo_node.chain.merkle import MerkleTree
from origo_node.chain.web3_chain import Web3Chain
from origo_node.errors import ChainError
from test_chain_conformance import CID, leaf

pytestmark = pytest.mark.integration


@pytest.fixture
def anvil_chain(anvil_world: tuple[Anvil, Web3Chain]) -> Iterator[tuple[Anvil, Web3Chain]]:
    node, _ = anvil_world
    snapshot = _rpc(node.url, "evm_snapshot")
    try:
        yield anvil_world
    finally:
        _rpc(node.url, "evm_revert", snapshot)


def _anchor(chain: Web3Chain) -> int:
    issuer = ROLES["VN"][1]
    call = calls.anchor_batch(MerkleTree([leaf()]).root, 1, CID)
    gas = chain.simulate(issuer.address, call) * 2
    signed = chain.sign(issuer, call, nonce=chain.nonce(issuer.address), gas=gas, gas_price=chain.gas_price())
    chain.send_raw(signed.raw)
    deadline = time.monotonic() + 30
    while (receipt := chain.receipt(signed.tx_hash)) is None:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    return receipt.block


def test_events_are_read_in_bounded_block_ranges(anvil_chain: tuple[Anvil, Web3Chain]) -> None:
    node, chain = anvil_chain
    start = chain.head() + 1
    blocks = []
    for _ in range(3):
        blocks.append(_anchor(chain))
        _rpc(node.url, "anvil_mine", "0x2")  # empty blocks between the anchors
    end = chain.head()
    narrow = Web3Chain(node.url, chain.membership_address, chain.registry_address, logs_block_range=2)
    ranges: list[tuple[int, int]] = []
    send = narrow._w3.provider.make_request

    def recording(method: Any, params: Any) -> Any:
        if method == "eth_getLogs":
            ranges.append((int(params[0]["fromBlock"], 16), int(params[0]["toBlock"], 16)))
        return send(method, params)

    narrow._w3.provider.make_request = recording  # type: ignore[method-assign]
    events = narrow.events(start, end)
    assert events == chain.events(start, end)
    assert [e.block for e in events if e.name == "BatchAnchored"] == blocks
    assert ranges[0][0] == start and ranges[-1][1] == end
    assert all(last - first + 1 <= 2 for first, last in ranges)
    assert all(b[0] == a[1] + 1 for a, b in itertools.pairwise(ranges))


def test_the_fee_covers_the_next_blocks_base_fee(anvil_chain: tuple[Anvil, Web3Chain]) -> None:
    node, chain = anvil_chain
    base_fee = int(_rpc(node.url, "eth_getBlockByNumber", "latest", False)["baseFeePerGas"], 16)
    assert chain.gas_price() >= base_fee * 9 // 8
    _rpc(node.url, "anvil_setNextBlockBaseFeePerGas", hex(base_fee * 40))
    _rpc(node.url, "anvil_mine", "0x1")
    raised = int(_rpc(node.url, "eth_getBlockByNumber", "latest", False)["baseFeePerGas"], 16)
    assert raised > base_fee * 10 and chain.gas_price() >= raised * 9 // 8
    assert _anchor(chain) > 0  # a transaction at that price is mined, not left waiting


def test_a_chain_node_without_the_contracts_is_told_in_words(anvil_chain: tuple[Anvil, Web3Chain]) -> None:
    """A member's own chain node that has not synced the deployment block answers calls with nothing: the
    node says so (and starts anyway, retrying), never a web3 exception."""
    node, chain = anvil_chain
    empty = "0x" + "ab" * 20  # no code there
    lagging = Web3Chain(node.url, empty, empty)
    with pytest.raises(ChainError) as raised:
        lagging.members()
    assert "has no Origo contract at the configured address" in raised.value.message
    assert f"head block {chain.head()}" in raised.value.message


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_chain_node_that_does_not_answer_is_told_in_words() -> None:
    """Logs, /healthz and error answers say why in words, not in the HTTP library's terms."""
    url = f"http://127.0.0.1:{_closed_port()}"
    chain = Web3Chain(url, "0x" + "ab" * 20, "0x" + "cd" * 20, timeout=2)
    with pytest.raises(ChainError) as raised:
        chain.head()
    said = raised.value.message
    assert said == f"the chain at {url} did not answer: nothing listens there (connection refused)"
    with pytest.raises(ChainError) as sent:
        chain.send_raw(b"\x01")
    assert "HTTPConnectionPool" not in sent.value.message and "connection refused" in sent.value.message


def test_a_chain_node_that_hangs_is_said_to_be_slow() -> None:
    with socket.socket() as listening:  # accepts connections, never answers
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        url = f"http://127.0.0.1:{listening.getsockname()[1]}"
        with pytest.raises(ChainError) as raised:
            Web3Chain(url, "0x" + "ab" * 20, "0x" + "cd" * 20, timeout=0.5).head()
    said = raised.value.message
    assert said == f"the chain at {url} did not answer: no answer came within the time allowed"
