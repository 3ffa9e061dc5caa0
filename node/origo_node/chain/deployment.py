"""Deploy the consortium's contracts: Membership with its genesis members, then DocumentRegistry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from web3 import Web3
from web3.middleware import ExtraDataToPOAMiddleware
from web3.types import TxParams, TxReceipt

from origo_node.chain.artifacts import load_artifact
from origo_node.errors import ChainError


@dataclass(frozen=True)
class GenesisMember:
    """A first member of the consortium (``IMembership.MemberInit``)."""

    code: str  # "VN"
    name: str
    admin: str
    validator: str
    issuers: Sequence[str] = field(default_factory=tuple)
    encryption_key: bytes = b""
    endpoint: str = ""

    def to_abi_tuple(
        self,
    ) -> tuple[bytes, str, ChecksumAddress, ChecksumAddress, list[ChecksumAddress], bytes, str]:
        """The member as web3 takes a ``MemberInit`` struct argument."""
        if len(self.code) != 2 or not self.code.isascii():
            raise ValueError(f"member code must be two ASCII letters, got {self.code!r}")
        return (
            self.code.encode("ascii"),
            self.name,
            Web3.to_checksum_address(self.admin),
            Web3.to_checksum_address(self.validator),
            [Web3.to_checksum_address(a) for a in self.issuers],
            bytes(self.encryption_key),
            self.endpoint,
        )


@dataclass(frozen=True)
class Deployment:
    """Where the contracts are, and the block from which to read their events."""

    membership: ChecksumAddress
    registry: ChecksumAddress
    block_number: int

    def as_dict(self) -> dict[str, Any]:
        return {"membership": self.membership, "registry": self.registry, "block_number": self.block_number}


Deployer = LocalAccount | str


def send_transaction(w3: Web3, sender: Deployer, tx: TxParams, timeout: float = 120.0) -> TxReceipt:
    """Send ``tx`` from ``sender`` (a local account that signs, or an address the node unlocks)
    and wait for its receipt; a failed transaction raises :class:`ChainError`."""
    address = sender.address if isinstance(sender, LocalAccount) else Web3.to_checksum_address(sender)
    tx = {**tx, "from": address}
    if isinstance(sender, LocalAccount):
        tx.setdefault("nonce", w3.eth.get_transaction_count(address, "pending"))
        tx.setdefault("chainId", w3.eth.chain_id)
        if "gas" not in tx:
            tx["gas"] = w3.eth.estimate_gas(tx)
        if "gasPrice" not in tx and "maxFeePerGas" not in tx:
            tx["gasPrice"] = w3.eth.gas_price
        signed = sender.sign_transaction(dict(tx))  # type: ignore[arg-type]
        tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
    else:
        tx_hash = w3.eth.send_transaction(tx)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=timeout, poll_latency=0.05)
    if receipt["status"] != 1:
        raise ChainError("transaction failed", tx_hash=tx_hash.to_0x_hex())
    return receipt


def accept_poa_blocks(w3: Web3) -> Web3:
    """``w3`` able to read the blocks of a proof-of-authority chain (Clique, QBFT): their ``extraData``
    carries the sealers, which web3 refuses without this middleware. Harmless on anvil."""
    if "proof_of_authority" not in {name for _, name in w3.middleware_onion.middleware}:
        w3.middleware_onion.inject(ExtraDataToPOAMiddleware, name="proof_of_authority", layer=0)
    return w3


def deploy_contract(w3: Web3, deployer: Deployer, name: str, *args: Any) -> TxReceipt:
    """Deploy contract ``name`` from its artifact; the receipt carries ``contractAddress``."""
    accept_poa_blocks(w3)  # building the transaction reads the latest block for its fees
    abi, bytecode = load_artifact(name)
    tx = (
        w3.eth.contract(abi=abi, bytecode=bytecode)
        .constructor(*args)
        .build_transaction(
            {
                "from": deployer.address
                if isinstance(deployer, LocalAccount)
                else Web3.to_checksum_address(deployer)
            }
        )
    )
    return send_transaction(w3, deployer, tx)


def deploy(
    w3: Web3,
    deployer: Deployer,
    genesis: Sequence[GenesisMember],
    quorum_bps: int = 5001,
    voting_period: int = 7 * 24 * 3600,
) -> Deployment:
    """Deploy Membership (with ``genesis``, ``quorum_bps`` and ``voting_period`` seconds) and the
    DocumentRegistry that reads it. The deployer gets no role in either contract."""
    members = [m.to_abi_tuple() for m in genesis]
    m_receipt = deploy_contract(w3, deployer, "Membership", members, quorum_bps, voting_period)
    membership = m_receipt["contractAddress"]
    if membership is None:
        raise ChainError("Membership deployment created no contract")
    r_receipt = deploy_contract(w3, deployer, "DocumentRegistry", membership)
    registry = r_receipt["contractAddress"]
    if registry is None:
        raise ChainError("DocumentRegistry deployment created no contract")
    return Deployment(
        membership=Web3.to_checksum_address(membership),
        registry=Web3.to_checksum_address(registry),
        block_number=int(m_receipt["blockNumber"]),
    )
