"""A deployed consortium on anvil and the helpers the contract tests share."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from eth_abi.abi import decode
from origo_devnet.deploy import GenesisMember, deploy
from origo_node.chain.artifacts import load_abi
from origo_node.chain.merkle import Leaf, MerkleTree
from origo_node.chain.revert import canonical_type, decode_custom_error
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractCustomError
from web3.logs import DISCARD
from web3.types import TxReceipt

CODES = ("VN", "SG", "TH", "MY")
QUORUM_BPS = 5001
VOTING_PERIOD = 24 * 3600
FORM_D = Web3.keccak(text="atiga-form-d/1")
ZERO32 = b"\0" * 32

# Some id material that never repeats within a process.
_counter = itertools.count(1)


@dataclass
class MemberAccounts:
    code: str
    admin: str
    validator: str
    issuers: list[str]


@dataclass
class Consortium:
    w3: Web3
    deployer: str
    members: dict[str, MemberAccounts]
    spare: list[str]  # funded accounts that belong to nobody
    membership: Contract
    registry: Contract
    deploy_block: int
    abi: list[dict[str, Any]] = field(default_factory=list)

    # ------------------------------------------------------------ chain control

    def rpc(self, method: str, *params: Any) -> Any:
        return self.w3.provider.make_request(method, list(params))["result"]  # type: ignore[arg-type]

    def snapshot(self) -> str:
        return str(self.rpc("evm_snapshot"))

    def revert_to(self, snap: str) -> None:
        assert self.rpc("evm_revert", snap) is True

    @contextmanager
    def isolated(self) -> Iterator[None]:
        snap = self.snapshot()
        try:
            yield
        finally:
            self.revert_to(snap)

    def now(self) -> int:
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def travel(self, seconds: int) -> None:
        self.rpc("evm_increaseTime", seconds)
        self.rpc("evm_mine")

    def mine(self) -> int:
        self.rpc("evm_mine")
        return int(self.w3.eth.block_number)

    # ------------------------------------------------------------ transactions

    def send(self, fn: ContractFunction, sender: str) -> TxReceipt:
        # A fixed gas limit skips the estimate (a round trip); a revert then shows as status 0.
        tx_hash = fn.transact({"from": sender, "gas": 3_000_000})
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, poll_latency=0.01)
        assert receipt["status"] == 1
        return receipt

    def error_of(self, fn: ContractFunction, sender: str) -> tuple[str, tuple[Any, ...]]:
        """The custom error ``fn`` reverts with when ``sender`` sends it (nothing is mined)."""
        with pytest.raises(ContractCustomError) as info:
            fn.call({"from": sender})
        data = info.value.data
        assert isinstance(data, str)
        return decode_custom_error(self.abi, data)

    def view(self, contract: Contract, name: str, *args: Any) -> Callable[[], Any]:
        """A prepared read of ``contract.name(*args)``: one raw eth_call per use, without web3's
        per-call overhead (the stateful tests read the whole state after every step)."""
        data = contract.encode_abi(name, args=list(args))
        abi = next(i for i in contract.abi if i.get("type") == "function" and i["name"] == name)
        types = [canonical_type(o) for o in abi["outputs"]]
        target = contract.address

        def call() -> Any:
            out = self.rpc("eth_call", {"to": target, "data": data}, "latest")
            values = decode(types, bytes.fromhex(out[2:]))
            return values[0] if len(values) == 1 else values

        return call

    def events(self, contract: Contract, receipt: TxReceipt, name: str) -> list[dict[str, Any]]:
        event = getattr(contract.events, name)()
        return [dict(e["args"]) for e in event.process_receipt(receipt, errors=DISCARD)]

    # ------------------------------------------------------------ documents

    def issuer(self, code: str, i: int = 0) -> str:
        return self.members[code].issuers[i]

    def admin(self, code: str) -> str:
        return self.members[code].admin

    def anchor(self, leaves: list[Leaf], sender: str | None = None, cid: str = "bafy-manifest") -> MerkleTree:
        tree = MerkleTree(leaves)
        self.send(
            self.registry.functions.anchorBatch(tree.root, len(leaves), cid),
            sender or self.issuer(leaves[0].issuer),
        )
        return tree

    def args(self, tree: MerkleTree, i: int) -> tuple[tuple[Any, ...], bytes, list[bytes]]:
        """(leaf, root, proof) for leaf ``i`` of ``tree``, as the registry's functions take them."""
        return tree.leaves[i].to_abi_tuple(), tree.root, tree.proof(i)


def declaration(text: str) -> bytes:
    """An import declaration number as the registry takes it: canonical (upper case), zero padded."""
    return text.upper().encode("ascii").ljust(32, b"\0")


def claim(quantity: int, item: int = 0) -> list[tuple[int, int]]:
    """The claims argument of ``accept``: ``quantity`` of ``item``, or the whole certificate for 0."""
    return [(item, quantity)] if quantity else []


def make_leaf(
    issuer: str = "VN",
    importer: str = "SG",
    *,
    quantity: int = 0,
    quantities: tuple[int, ...] | None = None,
    expires_at: int = 0,
    issued_at: int = 1_700_000_000,
    document_id: bytes | None = None,
) -> Leaf:
    n = next(_counter)
    return Leaf(
        document_id=document_id or Web3.keccak(text=f"origo:{issuer}:REF-{os.getpid()}-{n}"),
        document_type=FORM_D,
        digest=Web3.keccak(text=f"digest-{n}"),
        issuer=issuer,
        importer=importer,
        issued_at=issued_at,
        expires_at=expires_at,
        # ``quantity`` is the one-item shorthand; 0 = a document without items (claimed only as a whole).
        quantities=quantities if quantities is not None else ((quantity,) if quantity else ()),
        payload_cid=Web3.keccak(text=f"bafy-payload-{n}"),
    )


def new_consortium(w3: Web3) -> Consortium:
    accounts = list(w3.eth.accounts)
    deployer, rest = accounts[0], accounts[1:]
    members: dict[str, MemberAccounts] = {}
    for code in CODES:
        admin, validator, issuer_a, issuer_b, rest = rest[0], rest[1], rest[2], rest[3], rest[4:]
        members[code] = MemberAccounts(code, admin, validator, [issuer_a, issuer_b])
    genesis = [
        GenesisMember(
            code=m.code,
            name=f"Customs {m.code}",
            admin=m.admin,
            validator=m.validator,
            issuers=m.issuers,
            encryption_key=bytes([i + 1]) * 32,
            endpoint=f"http://127.0.0.1:{9000 + i}",
        )
        for i, m in enumerate(members.values())
    ]
    deployment = deploy(w3, deployer, genesis, QUORUM_BPS, VOTING_PERIOD)
    membership_abi = load_abi("Membership")
    registry_abi = load_abi("DocumentRegistry")
    return Consortium(
        w3=w3,
        deployer=deployer,
        members=members,
        spare=rest,
        membership=w3.eth.contract(address=deployment.membership, abi=membership_abi),
        registry=w3.eth.contract(address=deployment.registry, abi=registry_abi),
        deploy_block=deployment.block_number,
        abi=membership_abi + registry_abi,
    )
