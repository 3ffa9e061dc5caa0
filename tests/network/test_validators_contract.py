"""``Membership.getValidators()``, which Besu calls at every block: only active members' validators, each
once, whatever the members do, and a genesis of thirty members (more constructor data than one
transaction carries)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from genesis_support import GenesisAnvil, write_members
from origo_devnet.deploy import GenesisMember, deploy, send_transaction
from origo_network import generate_network, load_members
from origo_network.anvil import Anvil
from origo_node.chain.artifacts import load_abi
from origo_node.errors import ChainError
from web3 import Web3
from web3.contract import Contract

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _code(i: int) -> str:
    return chr(ord("A") + i // 26) + chr(ord("A") + i % 26)


@pytest.fixture
def five() -> Iterator[tuple[Web3, Contract, list[LocalAccount], list[str]]]:
    admins = [Account.create() for _ in range(5)]
    validators = [Account.create().address for _ in range(5)]
    members = [
        GenesisMember(
            code=_code(i),
            name=f"member {i}",
            admin=admins[i].address,
            validator=validators[i],
            issuers=(Account.create().address,),
            encryption_key=b"\x01" * 32,
        )
        for i in range(5)
    ]
    with Anvil() as chain:
        w3 = Web3(Web3.HTTPProvider(chain.url))
        for admin in admins:
            w3.provider.make_request("anvil_setBalance", [admin.address, hex(10**21)])  # type: ignore[arg-type]
        deployment = deploy(w3, w3.eth.accounts[0], members, quorum_bps=5001, voting_period=3600)
        yield (
            w3,
            w3.eth.contract(address=deployment.membership, abi=load_abi("Membership")),
            admins,
            validators,
        )


def _send(w3: Web3, account: LocalAccount, call: object) -> None:
    send_transaction(w3, account, call.build_transaction({"from": account.address, "gas": 500_000}))  # type: ignore[attr-defined]


def test_no_member_can_seat_its_validator_on_another_members(
    five: tuple[Web3, Contract, list[LocalAccount], list[str]],
) -> None:
    """AB pointing its validator at AA's would keep AA's validator in the set after AA's suspension."""
    w3, membership, admins, validators = five
    assert membership.functions.getValidators().call() == validators
    with pytest.raises(ChainError):
        _send(w3, admins[1], membership.functions.setValidator(validators[0]))
    assert membership.functions.getValidators().call() == validators
    # A validator given up is free for another member, and Besu still sees each address once.
    fresh = Account.create().address
    _send(w3, admins[0], membership.functions.setValidator(fresh))
    _send(w3, admins[1], membership.functions.setValidator(validators[0]))
    assert membership.functions.getValidators().call() == [fresh, validators[0], *validators[2:]]


def test_suspended_and_removed_members_leave_the_set_and_it_never_empties(
    five: tuple[Web3, Contract, list[LocalAccount], list[str]],
) -> None:
    w3, membership, admins, validators = five
    fns = membership.functions
    # Suspend AE (3 votes of 5), then remove it (3 of the 4 left).
    _send(w3, admins[0], fns.proposeStatusChange(1, b"AE"))
    _send(w3, admins[1], fns.vote(1))
    _send(w3, admins[2], fns.vote(1))
    assert fns.getValidators().call() == validators[:4]
    _send(w3, admins[0], fns.proposeStatusChange(3, b"AE"))
    _send(w3, admins[1], fns.vote(2))
    _send(w3, admins[2], fns.vote(2))
    assert fns.getValidators().call() == validators[:4]
    assert fns.memberCodes().call() == [
        _code(i).encode() for i in range(5)
    ]  # removed stays listed as a member


def test_a_thirty_member_genesis_loads_and_lists_thirty_validators(tmp_path: Path) -> None:
    specs = [
        {
            "code": _code(i),
            "name": f"Customs authority {i}",
            "admin": Account.create().address,
            "issuers": [Account.create().address],
            "encryption_key": "0x" + os.urandom(1216).hex(),
            "endpoint": f"https://origo.member-{i}.example",
        }
        for i in range(30)
    ]
    network = generate_network(
        load_members(write_members(tmp_path / "members.json", specs)), tmp_path / "out"
    )
    summary = json.loads((tmp_path / "out" / "network.json").read_text())
    with GenesisAnvil(tmp_path / "out" / "genesis.json") as chain:
        w3 = Web3(Web3.HTTPProvider(chain.url))
        membership = w3.eth.contract(address=summary["contracts"]["membership"], abi=load_abi("Membership"))
        assert membership.functions.getValidators().call() == list(network.validators.values())
        assert len(membership.functions.getValidators().call()) == 30
        assert membership.functions.requiredVotes().call() == 16
