"""Besu's side of a generated network: the QBFT genesis in validator-contract mode, node keys and enodes, each
member's TOML configuration, its node allowlist and static nodes.

The genesis fields follow Besu's "Configure QBFT consensus" page (contract validator selection):
``config.qbft`` holds ``blockperiodseconds``, ``epochlength``, ``requesttimeoutseconds`` and
``validatorcontractaddress``; the header's ``extraData`` is the RLP list (32-byte vanity, no validators, no
vote, round 0, no seals), because in contract mode the validators come from the contract at every block, not
from the header; ``mixHash`` is QBFT's fixed value ("ctical byzantine fault tolerance") and ``difficulty``
is 1.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, Literal

from eth_keys import keys  # type: ignore[attr-defined]

from origo_network.genesis_state import ContractsState
from origo_network.members_file import MemberSpec

#: RLP([32 zero bytes, [], [], 0, []]): contract mode reads the validators from the contract, not the header.
CONTRACT_MODE_EXTRA_DATA = "0xe5a0" + "00" * 32 + "c0c080c0"
QBFT_MIX_HASH = "0x63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365"
#: What each member's admin and issuer accounts hold at genesis, so that they can pay for gas even if an
#: operator later turns on a minimum gas price (the generated nodes accept free transactions).
ACCOUNT_BALANCE_WEI = 10**24


Consensus = Literal["qbft", "clique"]


@dataclass(frozen=True)
class ChainSettings:
    consensus: Consensus = "qbft"
    chain_id: int = 1983
    block_period_s: int = 2
    request_timeout_s: int = 4
    epoch_length: int = 30000
    gas_limit: int = 30_000_000
    quorum_bps: int = 5001
    voting_period_s: int = 7 * 24 * 3600
    #: The genesis block's time (Unix seconds); None: the time of generating. Sealers seal nothing before it,
    #: so a launch time that every member starts its chain node ahead of lets them all peer before block 1.
    genesis_time: int | None = None

    def check(self) -> list[str]:
        problems = []
        if not 1 <= self.chain_id < 2**53:
            problems.append("the chain id must be a positive integer below 2^53")
        if self.block_period_s < 1:
            problems.append("the block period must be at least 1 second")
        if self.consensus not in ("qbft", "clique"):
            problems.append(f"the consensus must be qbft or clique, not {self.consensus!r}")
        if self.consensus == "qbft" and self.request_timeout_s < 2 * self.block_period_s:
            problems.append("the request timeout should be at least twice the block period (Besu's advice)")
        if self.epoch_length < 1:
            problems.append("the epoch length must be at least 1 block")
        if not 5_000_000 <= self.gas_limit < 2**63:
            problems.append("the block gas limit must be at least 5,000,000")
        if not 1 <= self.quorum_bps <= 10_000:
            problems.append("the quorum must be between 1 and 10000 basis points")
        if self.voting_period_s < 60:
            problems.append("the voting period must be at least 60 seconds")
        if self.genesis_time is not None and not 0 < self.genesis_time < 2**32:
            problems.append("the genesis time must be a time between 1970 and 2106")
        return problems


@dataclass(frozen=True)
class NodeKey:
    """A member's Besu node key: its address is the member's validator. ``private_key`` is None when the
    member made its own key and gave only the public half."""

    public_key: bytes
    private_key: bytes | None

    @classmethod
    def generate(cls) -> NodeKey:
        private = keys.PrivateKey(os.urandom(32))
        return cls(public_key=private.public_key.to_bytes(), private_key=private.to_bytes())

    @property
    def address(self) -> str:
        return str(keys.PublicKey(self.public_key).to_checksum_address())

    def enode(self, member: MemberSpec) -> str:
        return f"enode://{self.public_key.hex()}@{member.host}:{member.p2p_port}"


def genesis(
    settings: ChainSettings, contracts: ContractsState, members: list[MemberSpec], timestamp: int
) -> dict[str, Any]:
    """The genesis file's content (a JSON object)."""
    alloc: dict[str, Any] = {}
    for member in members:
        for account in member.accounts:
            alloc[account] = {"balance": hex(ACCOUNT_BALANCE_WEI)}
    # No "comment" fields (Besu's example has them): anvil's genesis parser refuses unknown account fields.
    alloc[contracts.membership.address] = contracts.membership.as_alloc()
    alloc[contracts.registry.address] = contracts.registry.as_alloc()
    return {
        "config": {
            "chainId": settings.chain_id,
            "homesteadBlock": 0,
            "eip150Block": 0,
            "eip155Block": 0,
            "eip158Block": 0,
            "byzantiumBlock": 0,
            "constantinopleBlock": 0,
            "petersburgBlock": 0,
            "istanbulBlock": 0,
            "berlinBlock": 0,
            "londonBlock": 0,
            # The contracts are compiled for Cancun (contracts/compiler.json: PUSH0, MCOPY).
            "shanghaiTime": 0,
            "cancunTime": 0,
            "zeroBaseFee": True,
            "qbft": {
                "blockperiodseconds": settings.block_period_s,
                "epochlength": settings.epoch_length,
                "requesttimeoutseconds": settings.request_timeout_s,
                "validatorcontractaddress": contracts.membership.address.lower(),
            },
        },
        "nonce": "0x0",
        "timestamp": hex(timestamp),
        "extraData": CONTRACT_MODE_EXTRA_DATA,
        "gasLimit": hex(settings.gas_limit),
        "difficulty": "0x1",
        "mixHash": QBFT_MIX_HASH,
        "coinbase": "0x" + "00" * 20,
        "number": "0x0",
        "gasUsed": "0x0",
        "parentHash": "0x" + "00" * 32,
        "alloc": alloc,
    }


def besu_config(
    member: MemberSpec, peers: list[str], *, config_dir: str, data_path: str, consensus: Consensus = "qbft"
) -> str:
    """The member's Besu TOML configuration. Paths are where the files are put on the member's machine."""
    bootnodes = ", ".join(json.dumps(p) for p in peers)
    return "\n".join(
        [
            f"# Besu for member {member.code} ({member.name}). Generated by `origo network generate`.",
            f'data-path = "{data_path}"',
            f'genesis-file = "{config_dir}/genesis.json"',
            f'node-private-key-file = "{config_dir}/key"',
            "",
            "# Peer-to-peer: only the members' nodes, listed in the allowlist and as static nodes.",
            'p2p-host = "0.0.0.0"',
            f"p2p-port = {member.p2p_port}",
            f"bootnodes = [{bootnodes}]",
            f'static-nodes-file = "{config_dir}/static-nodes.json"',
            "permissions-nodes-config-file-enabled = true",
            f'permissions-nodes-config-file = "{config_dir}/permissions_config.toml"',
            "",
            "# JSON-RPC for this member's Origo node only: loopback, no admin methods.",
            "rpc-http-enabled = true",
            'rpc-http-host = "127.0.0.1"',
            f"rpc-http-port = {member.rpc_port}",
            f'rpc-http-api = ["ETH", "NET", "WEB3", "{consensus.upper()}"]',
            'host-allowlist = ["localhost", "127.0.0.1"]',
            "",
            "# Members' transactions are free; gas still bounds every block.",
            "min-gas-price = 0",
            'sync-mode = "FULL"',
            "",
            "metrics-enabled = true",
            'metrics-host = "127.0.0.1"',
            "metrics-port = 9545",
            "",
        ]
    )


def permissions_config(enodes: list[str]) -> str:
    """The local node allowlist: only the members' Besu nodes may connect."""
    listed = ",\n  ".join(json.dumps(e) for e in enodes)
    header = "# The consortium's nodes; a new member's enode is added here on every node.\n"
    return f"{header}nodes-allowlist = [\n  {listed}\n]\n"


def static_nodes(enodes: list[str]) -> str:
    return json.dumps(enodes, indent=2) + "\n"
