"""The chain port's adapters side by side: the fake in memory, and web3 with the real contracts on anvil and
on a Clique proof-of-authority chain (two geth sealers, 1-second blocks).

Every test in this folder that takes ``world`` runs against all three; anvil (started once per process, each
test in a snapshot) is the reference the fake is held to. Clique has no snapshots: each test gets contracts
deployed afresh (about two blocks), so that what one test votes or spends is not seen by the next.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import rlp
from eth_account import Account
from origo_devnet.clique import CliqueNetwork
from origo_devnet.deploy import Deployer, GenesisMember, accept_poa_blocks, deploy
from origo_network.anvil import TEST_MNEMONIC, Anvil
from origo_node.chain.artifacts import load_artifact
from origo_node.chain.fake import FakeChain
from origo_node.chain.port import ChainPort, MemberRecord
from origo_node.chain.web3_chain import Web3Chain
from origo_node.hashing import keccak256
from web3 import Web3

Account.enable_unaudited_hdwallet_features()
#: anvil's first accounts, from its public development mnemonic: 0 deploys, then admin and issuer per member.
KEYS = [Account.from_mnemonic(TEST_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}") for i in range(6)]
ROLES = {"VN": (KEYS[1], KEYS[2]), "SG": (KEYS[3], KEYS[4])}
OUTSIDER = KEYS[5]


def genesis_records() -> list[MemberRecord]:
    return [
        MemberRecord(
            code=code,
            name=f"Customs {code}",
            admin=admin.address,
            validator=admin.address,
            status=1,
            encryption_key=bytes([i + 1]) * 32,
            endpoint=f"http://127.0.0.1:{9000 + i}",
            joined_at_block=0,
            issuers=(issuer.address,),
        )
        for i, (code, (admin, issuer)) in enumerate(ROLES.items())
    ]


@dataclass
class World:
    """One chain behind the port, with the accounts of a two-member consortium (VN, SG)."""

    kind: str
    chain: ChainPort

    def admin(self, code: str) -> Any:
        return ROLES[code][0]

    def issuer(self, code: str) -> Any:
        return ROLES[code][1]

    @property
    def outsider(self) -> Any:
        return OUTSIDER


def _genesis() -> list[GenesisMember]:
    return [
        GenesisMember(
            code=r.code,
            name=r.name,
            admin=r.admin,
            validator=r.validator,
            issuers=list(r.issuers),
            encryption_key=r.encryption_key,
            endpoint=r.endpoint,
        )
        for r in genesis_records()
    ]


def _deploy(url: str, deployer: Deployer) -> Web3Chain:
    deployment = deploy(Web3(Web3.HTTPProvider(url)), deployer, _genesis(), 5001, 24 * 3600)
    return Web3Chain(url, deployment.membership, deployment.registry)


def _deploy_in_one_block(url: str, account: Any) -> Web3Chain:
    """Both contracts in one block (the registry names the address the membership will get): a fresh
    consortium per test costs one block of a chain that seals one a second, not two."""
    w3 = accept_poa_blocks(Web3(Web3.HTTPProvider(url)))
    nonce = w3.eth.get_transaction_count(account.address, "pending")
    sender = bytes.fromhex(account.address[2:])
    membership = Web3.to_checksum_address(keccak256(rlp.encode([sender, nonce]))[12:])
    constructors = [
        ("Membership", ([m.to_abi_tuple() for m in _genesis()], 5001, 24 * 3600)),
        ("DocumentRegistry", (membership,)),
    ]
    hashes = []
    for offset, (name, args) in enumerate(constructors):
        abi, bytecode = load_artifact(name)
        tx = (
            w3.eth.contract(abi=abi, bytecode=bytecode)
            .constructor(*args)
            .build_transaction(
                {
                    "from": account.address,
                    "nonce": nonce + offset,
                    "gas": 12_000_000,
                    "chainId": w3.eth.chain_id,
                }
            )
        )
        hashes.append(w3.eth.send_raw_transaction(account.sign_transaction(tx).raw_transaction))
    receipts = [w3.eth.wait_for_transaction_receipt(h, timeout=60, poll_latency=0.05) for h in hashes]
    assert all(r["status"] == 1 for r in receipts)
    assert receipts[0]["contractAddress"] == membership
    return Web3Chain(url, membership, str(receipts[1]["contractAddress"]))


@pytest.fixture(scope="session")
def anvil_world() -> Iterator[tuple[Anvil, Web3Chain]]:
    with Anvil(accounts=len(KEYS)) as node:
        yield node, _deploy(node.url, KEYS[0].address)


@pytest.fixture(scope="session")
def clique_network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CliqueNetwork]:
    # One sealer: the port's conformance is about real Clique blocks (extraData, sealing, receipts); forks
    # between sealers are the fault tests' part (tests/e2e/test_clique_consortium.py). Two sealers started at
    # once can each seal their own block 1 and then wait for the other forever ("signed recently").
    root = Path(tmp_path_factory.mktemp("clique"))
    network = CliqueNetwork.plan(root, ["VN"]).create(funded=[k.address for k in KEYS])
    with network:
        yield network


def _rpc(url: str, method: str, *params: Any) -> Any:
    return Web3(Web3.HTTPProvider(url)).provider.make_request(method, list(params))["result"]  # type: ignore[arg-type]


@pytest.fixture(
    params=[
        "fake",
        pytest.param("web3", marks=pytest.mark.integration),
        pytest.param("clique", marks=[pytest.mark.integration, pytest.mark.xdist_group("clique")]),
    ]
)
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    if request.param == "fake":
        yield World("fake", FakeChain(genesis_records()))
        return
    if request.param == "clique":
        network: CliqueNetwork = request.getfixturevalue("clique_network")
        yield World("clique", _deploy_in_one_block(network.rpc_url("VN"), KEYS[0]))
        return
    node, chain = request.getfixturevalue("anvil_world")
    snapshot = _rpc(node.url, "evm_snapshot")
    try:
        yield World("web3", chain)
    finally:
        _rpc(node.url, "evm_revert", snapshot)
