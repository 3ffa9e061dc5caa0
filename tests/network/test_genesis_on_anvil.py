"""The generated genesis proved without Besu: anvil started on it (``anvil --init``) holds contracts that
answer exactly as freshly deployed ones, ``getValidators()`` gives the members' node keys, real node
processes anchor and verify on it, and a membership vote changes the validator set."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from genesis_support import GenesisAnvil, make_members, write_members
from origo_devnet.deploy import GenesisMember, deploy
from origo_devnet.network import Network, prepare_member
from origo_network import ChainSettings, generate_network, load_members
from origo_network.anvil import Anvil, free_port
from origo_node.chain.artifacts import load_abi
from origo_node.operator_tasks import update_config
from origo_node.settings import CONFIG_FILE
from support.network import Client, sample, wait_for, wait_state
from web3 import Web3
from web3.contract import Contract

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.xdist_group("genesis")]
CODES = ["VN", "SG", "TH"]


@dataclass
class OnGenesis:
    network: Network
    summary: dict[str, Any]
    specs: list[dict[str, Any]]
    w3: Web3

    def membership(self) -> Contract:
        return self.w3.eth.contract(
            address=self.summary["contracts"]["membership"], abi=load_abi("Membership")
        )


@pytest.fixture(scope="module")
def on_genesis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OnGenesis]:
    root = tmp_path_factory.mktemp("genesis")
    nodes, specs = make_members(root, CODES, [free_port() for _ in CODES])
    members = load_members(write_members(root / "members.json", specs))
    generate_network(
        members, root / "out", ChainSettings(chain_id=4321, quorum_bps=5001, voting_period_s=3600)
    )
    summary = json.loads((root / "out" / "network.json").read_text())
    anvil = GenesisAnvil(root / "out" / "genesis.json", block_time=None, log_path=root / "anvil.log").start()
    network = Network(
        root=root,
        rpc_url=anvil.url,
        chain_id=4321,
        membership=summary["contracts"]["membership"],
        registry=summary["contracts"]["registry"],
        deployment_block=0,
        anvil=anvil,
    )
    for code, node in nodes.items():
        # The generated node.toml with this machine's paths: anvil instead of the member's own Besu, the
        # embedded payload store instead of kubo.
        generated = (root / "out" / "members" / code / "origo" / CONFIG_FILE).read_text()
        update_config(
            node.data_dir / CONFIG_FILE,
            **{
                k: v
                for k, v in _toml(generated).items()
                if k not in ("data_dir", "host", "port", "public_url")
            },
        )
        update_config(node.data_dir / CONFIG_FILE, chain_rpc=anvil.url, payload_backend="local")
        network.members[code] = node
    try:
        yield OnGenesis(network, summary, specs, Web3(Web3.HTTPProvider(anvil.url)))
    finally:
        network.stop()


def _toml(text: str) -> dict[str, Any]:
    import tomllib

    return tomllib.loads(text)


VIEWS = ("memberCodes", "quorumBps", "requiredVotes", "votingPeriod", "proposalCount", "getValidators")


def test_the_chain_keeps_the_genesis_chain_id_and_funds(on_genesis: OnGenesis) -> None:
    assert on_genesis.w3.eth.chain_id == 4321
    for spec in on_genesis.specs:
        assert on_genesis.w3.eth.get_balance(spec["admin"]) >= 10**24


def test_the_contracts_at_genesis_answer_exactly_as_deployed_ones(on_genesis: OnGenesis) -> None:
    at_genesis = on_genesis.membership()
    validators = {m["code"]: m["validator"] for m in on_genesis.summary["members"]}
    genesis_members = [
        GenesisMember(
            code=s["code"],
            name=s["name"],
            admin=s["admin"],
            validator=validators[s["code"]],
            issuers=tuple(s["issuers"]),
            encryption_key=bytes.fromhex(s["encryption_key"][2:]),
            endpoint=s["endpoint"],
        )
        for s in on_genesis.specs
    ]
    with Anvil(chain_id=4321) as fresh:
        w3 = Web3(Web3.HTTPProvider(fresh.url))
        deployment = deploy(w3, w3.eth.accounts[0], genesis_members, quorum_bps=5001, voting_period=3600)
        deployed = w3.eth.contract(address=deployment.membership, abi=load_abi("Membership"))
        for view in VIEWS:
            assert (
                getattr(at_genesis.functions, view)().call() == getattr(deployed.functions, view)().call()
            ), view
        for spec in on_genesis.specs:
            code = spec["code"].encode()
            assert at_genesis.functions.member(code).call() == deployed.functions.member(code).call()
            assert at_genesis.functions.issuers(code).call() == deployed.functions.issuers(code).call()
            issuer = spec["issuers"][0]
            for fn, args in (
                ("activeIssuerMember", (issuer,)),
                ("memberOfAdmin", (spec["admin"],)),
                ("wasIssuerAt", (issuer, code, 3)),
                ("wasActiveAt", (code, 3)),
                ("isActive", (code,)),
            ):
                assert (
                    getattr(at_genesis.functions, fn)(*args).call()
                    == getattr(deployed.functions, fn)(*args).call()
                )
        assert on_genesis.w3.eth.get_code(at_genesis.address) == w3.eth.get_code(deployment.membership)
        registry_code = bytes(on_genesis.w3.eth.get_code(on_genesis.summary["contracts"]["registry"]))
        fresh_code = bytes(w3.eth.get_code(deployment.registry))
        # The registry holds the Membership's address as an immutable: the only difference allowed.
        assert registry_code == fresh_code.replace(
            bytes.fromhex(deployment.membership[2:]), bytes.fromhex(at_genesis.address[2:])
        )
    registry = on_genesis.w3.eth.contract(
        address=on_genesis.summary["contracts"]["registry"], abi=load_abi("DocumentRegistry")
    )
    assert registry.functions.membership().call() == at_genesis.address
    assert at_genesis.functions.getValidators().call() == [validators[c] for c in CODES]


def test_a_batch_anchors_and_verifies_through_real_nodes(on_genesis: OnGenesis) -> None:
    network = on_genesis.network
    network.start_node("VN")
    network.start_node("SG")
    doc = sample("form-d/vn-sg-coffee.json")
    response = Client(network.members["VN"]).post("/api/v1/documents", json=doc)
    assert response.status_code == 202, response.text
    doc_id = response.json()["document_id"]
    wait_state(network.members["SG"], doc_id, {"valid"}, timeout=60)
    verdict = httpx.post(f"{network.members['SG'].url}/api/v1/verify", json=doc, timeout=30).json()
    assert verdict["verdict"] == "valid"
    assert verdict["checks"]["issuer_member_at_issue"] is True


def test_the_validator_set_follows_a_membership_vote(on_genesis: OnGenesis, tmp_path: Path) -> None:
    network = on_genesis.network
    for code in ("VN", "SG"):
        if network.members[code].process is None:
            network.start_node(code)
    membership = on_genesis.membership()
    before = membership.functions.getValidators().call()
    node, keys = prepare_member(tmp_path, "MY", free_port())
    new_validator = Web3.to_checksum_address("0x" + "5a" * 20)
    vn_admin, sg_admin = Client(network.members["VN"], "admin"), Client(network.members["SG"], "admin")
    proposal = vn_admin.post(
        "/api/v1/consortium/proposals",
        json={
            "kind": "add_member",
            "member": {
                "code": "MY",
                "name": "Royal Malaysian Customs Department",
                "admin": keys["admin_address"],
                "validator": new_validator,
                "issuers": [keys["issuer_address"]],
                "encryption_key": keys["encryption_public_key"],
                "endpoint": node.url,
            },
        },
    )
    assert proposal.status_code == 201, proposal.text
    assert membership.functions.getValidators().call() == before  # one vote of three: not yet
    voted = sg_admin.post(f"/api/v1/consortium/proposals/{proposal.json()['id']}/vote")
    assert voted.status_code == 200 and voted.json()["executed"] is True
    assert membership.functions.getValidators().call() == [*before, new_validator]
    suspend = vn_admin.post("/api/v1/consortium/proposals", json={"kind": "suspend_member", "target": "TH"})
    assert suspend.status_code == 201, suspend.text
    sg_admin.post(f"/api/v1/consortium/proposals/{suspend.json()['id']}/vote")
    # Four active members at 50.01 %: a third vote, TH's own, executes it.
    assert membership.functions.getValidators().call() == [*before, new_validator]
    network.start_node("TH")
    th_vote = Client(network.members["TH"], "admin").post(
        f"/api/v1/consortium/proposals/{suspend.json()['id']}/vote"
    )
    assert th_vote.status_code == 200 and th_vote.json()["executed"] is True, th_vote.text
    th_validator = next(m["validator"] for m in on_genesis.summary["members"] if m["code"] == "TH")
    wait_for(
        lambda: th_validator not in membership.functions.getValidators().call(),
        what="TH's validator to leave the set once it is suspended",
    )
    assert membership.functions.getValidators().call() == [
        v for v in [*before, new_validator] if v != th_validator
    ]
