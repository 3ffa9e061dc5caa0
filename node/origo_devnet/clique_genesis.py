"""The genesis file of a Clique proof-of-authority chain, as geth v1.13.15 (and Besu) read it.

Clique names its first sealers in the genesis block's ``extraData``: 32 bytes of vanity (zero here), the
sealers' addresses (20 bytes each, in ascending order, as Clique keeps them), then 65 zero bytes where a
block's seal goes. The forks stop at London, the EVM level the contracts are compiled for
(``origo_node.chain.evm``): geth's Clique rejects Shanghai blocks and panics at Cancun.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from origo_node.chain.evm import LONDON_FORK_BLOCKS, evm_version

#: Blocks for which a sealer's vote (``clique_propose``) counts; votes are cleared at every epoch.
DEFAULT_EPOCH = 30_000
#: 30 million gas, as on anvil: a batch of 4,096 anchors and the contracts' deployment fit with room to spare.
DEFAULT_GAS_LIMIT = 30_000_000


def clique_extra_data(sealers: Sequence[str]) -> str:
    """The genesis ``extraData`` naming ``sealers`` (0x addresses)."""
    if not sealers:
        raise ValueError("a Clique chain needs at least one sealer")
    raw = sorted(bytes.fromhex(address.removeprefix("0x")) for address in sealers)
    if any(len(address) != 20 for address in raw):
        raise ValueError("a sealer's address is 20 bytes")
    if len(set(raw)) != len(raw):
        raise ValueError("a sealer is named twice")
    return "0x" + (b"\0" * 32 + b"".join(raw) + b"\0" * 65).hex()


def clique_genesis(
    *,
    chain_id: int,
    sealers: Sequence[str],
    balances: Mapping[str, int],
    period_s: int = 1,
    epoch: int = DEFAULT_EPOCH,
    gas_limit: int = DEFAULT_GAS_LIMIT,
) -> dict[str, Any]:
    """A genesis: ``sealers`` seal every ``period_s`` seconds; ``balances`` (address: wei) are funded."""
    if period_s < 1:
        # Period 0 seals only when a transaction waits: no steady blocks, so no confirmations ever arrive.
        raise ValueError("the block period must be at least 1 second")
    if evm_version() != "london":
        raise ValueError(f"the contracts are compiled for {evm_version()}, which Clique cannot run")
    config: dict[str, Any] = {"chainId": chain_id}
    config.update(dict.fromkeys(LONDON_FORK_BLOCKS, 0))
    config["clique"] = {"period": period_s, "epoch": epoch}
    return {
        "config": config,
        "nonce": "0x0",
        "timestamp": "0x0",
        "extraData": clique_extra_data(sealers),
        "gasLimit": hex(gas_limit),
        "difficulty": "0x1",
        "alloc": {
            address.removeprefix("0x").lower(): {"balance": hex(wei)} for address, wei in balances.items()
        },
    }
