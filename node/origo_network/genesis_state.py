"""The contracts' state at genesis, taken from a real deployment instead of a hand-written storage layout.

The contracts are deployed exactly as ``chain/deploy.py`` deploys them, on a throw-away anvil, by a
throw-away deployer key that nobody keeps (so nobody can later deploy anything at addresses derived from
it). Then every account the deployment created is read back with ``anvil_dumpState``: runtime code, nonce
and every storage slot written. Each slot is cross-checked with ``eth_getStorageAt`` and the code with
``eth_getCode``, so that a change in anvil's dump format fails loudly instead of producing a genesis with
missing state.

The Solidity layout is therefore never computed here: when a contract's storage changes, the genesis
follows.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eth_account import Account
from origo_node.chain.deployment import GenesisMember, deploy
from web3 import Web3

from origo_network.anvil import Anvil
from origo_network.members_file import NetworkSpecError


@dataclass(frozen=True)
class AccountState:
    """An account as a genesis ``alloc`` entry wants it; keys and values are full 32-byte 0x-hex."""

    address: str
    code: str
    nonce: int
    storage: dict[str, str]

    def as_alloc(self) -> dict[str, Any]:
        return {"balance": "0x0", "nonce": hex(self.nonce), "code": self.code, "storage": dict(self.storage)}


@dataclass(frozen=True)
class ContractsState:
    membership: AccountState
    registry: AccountState
    #: The block of the throw-away chain the Membership was created in: its checkpoints (issuers, active
    #: history) carry this block number, so the real chain's first block must not be older than it.
    deployed_in_block: int


def deployed_state(
    members: Sequence[GenesisMember], *, quorum_bps: int, voting_period: int, chain_id: int
) -> ContractsState:
    """Deploys on a private anvil and returns the two contracts' code and storage."""
    deployer = Account.create()
    # No initcode size limit and a large block: eleven or thirty members with hybrid encryption keys are more
    # constructor data than one transaction may carry (49,152 bytes), and only the resulting state is kept.
    with Anvil(
        chain_id=chain_id, accounts=1, extra_args=["--disable-code-size-limit", "--gas-limit", "2000000000"]
    ) as anvil:
        w3 = Web3(Web3.HTTPProvider(anvil.url))
        w3.provider.make_request("anvil_setBalance", [deployer.address, hex(10**24)])  # type: ignore[arg-type]
        try:
            deployment = deploy(w3, deployer, members, quorum_bps=quorum_bps, voting_period=voting_period)
        except Exception as exc:  # the constructor's own checks: a bad member, a bad quorum
            raise NetworkSpecError(f"the contracts refuse these members or settings: {exc}") from None
        dump = _dump(w3)
        return ContractsState(
            membership=_account(w3, dump, deployment.membership),
            registry=_account(w3, dump, deployment.registry),
            deployed_in_block=deployment.block_number,
        )


def _dump(w3: Web3) -> dict[str, Any]:
    raw = w3.provider.make_request("anvil_dumpState", [])  # type: ignore[arg-type]
    blob = bytes.fromhex(str(raw["result"]).removeprefix("0x"))
    if blob[:2] == b"\x1f\x8b":
        blob = gzip.decompress(blob)
    accounts = json.loads(blob)["accounts"]
    return {Web3.to_checksum_address(address): value for address, value in accounts.items()}


def word(value: str | int) -> str:
    """A storage key or value as the full 32-byte 0x-hex anvil and Besu expect."""
    number = value if isinstance(value, int) else int(value, 16)
    return "0x" + number.to_bytes(32, "big").hex()


def _account(w3: Web3, dump: dict[str, Any], address: str) -> AccountState:
    entry = dump.get(Web3.to_checksum_address(address))
    if entry is None:
        raise RuntimeError(f"anvil's state dump has no account {address}")
    code = "0x" + str(entry["code"]).removeprefix("0x")
    if bytes.fromhex(code[2:]) != bytes(w3.eth.get_code(Web3.to_checksum_address(address))):
        raise RuntimeError(f"anvil's state dump disagrees with eth_getCode at {address}")
    storage = {word(k): word(v) for k, v in dict(entry.get("storage") or {}).items() if int(v, 16) != 0}
    for key, value in storage.items():
        live = w3.eth.get_storage_at(Web3.to_checksum_address(address), int(key, 16))
        if word("0x" + bytes(live).hex()) != value:
            raise RuntimeError(f"anvil's state dump disagrees with eth_getStorageAt at {address} slot {key}")
    nonce = entry.get("nonce", 1)
    return AccountState(
        address=Web3.to_checksum_address(address),
        code=code,
        nonce=int(nonce, 16) if isinstance(nonce, str) else int(nonce),
        storage=dict(sorted(storage.items())),
    )
