"""The chain port's adapter: the two contracts over JSON-RPC with web3.py, and transactions signed locally.

Transactions are signed here and broadcast as raw bytes, so the caller can persist the exact signed
transaction
before it leaves (see ``SignedTx``): after a crash, rebroadcasting the same bytes is idempotent, which is what
makes "anchored exactly once" hold. Custom errors from the contracts come back as ``ChainRuleViolated``
with the
error's name and arguments; transport failures as ``ChainError``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import requests
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.exceptions import (
    ContractCustomError,
    ContractLogicError,
    ContractPanicError,
    TransactionNotFound,
    Web3RPCError,
)
from web3.types import TxReceipt

from origo_node.chain.artifacts import load_artifact
from origo_node.chain.revert import decode_custom_error
from origo_node.errors import ChainError, ChainRuleViolated

T = TypeVar("T")
_GAS_MARGIN = 1.25


@dataclass(frozen=True)
class SignedTx:
    """A transaction ready to broadcast: persist ``raw`` and ``tx_hash`` first."""

    tx_hash: str
    raw: bytes
    nonce: int


class ChainClient:
    """Read access to the membership and registry contracts, and gas estimation that surfaces their rules."""

    def __init__(self, rpc_url: str, membership: str, registry: str, *, timeout: float = 10.0) -> None:
        self.rpc_url = rpc_url
        self.w3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": timeout}))
        self.membership: Contract = self.w3.eth.contract(
            address=Web3.to_checksum_address(membership), abi=load_artifact("Membership")[0]
        )
        self.registry: Contract = self.w3.eth.contract(
            address=Web3.to_checksum_address(registry), abi=load_artifact("DocumentRegistry")[0]
        )
        self._abi = [*self.membership.abi, *self.registry.abi]
        self._chain_id: int | None = None

    def __repr__(self) -> str:
        return f"ChainClient({self.rpc_url!r})"

    @property
    def chain_id(self) -> int:
        if self._chain_id is None:
            self._chain_id = self.call(lambda: self.w3.eth.chain_id)
        return self._chain_id

    def block_number(self) -> int:
        return self.call(lambda: self.w3.eth.block_number)

    def call(self, fn: Callable[[], T]) -> T:
        """Runs a read against the node, translating failures into the node's errors."""
        try:
            return fn()
        except TransactionNotFound:
            raise  # an answer, not a failure: the caller decides what "not found" means
        except (ContractCustomError, ContractLogicError, ContractPanicError) as exc:
            raise self._rule_error(exc) from exc
        except (requests.RequestException, OSError, Web3RPCError) as exc:
            raise ChainError(f"the chain at {self.rpc_url} did not answer: {exc}") from exc

    def _rule_error(self, exc: Exception) -> ChainRuleViolated:
        data = getattr(exc, "data", None)
        if isinstance(data, str) and data.startswith("0x") and len(data) >= 10:
            decoded = decode_custom_error(self._abi, data)  # type: ignore[arg-type]
            if decoded is not None:
                name, args = decoded
                return ChainRuleViolated(
                    f"the chain refused: {name}", rule=name, args=[_jsonable(a) for a in args]
                )
        return ChainRuleViolated(f"the chain refused: {exc}", rule="Revert", args=[])


class TxSender:
    """Signs and broadcasts one account's transactions, assigning nonces itself (one sender per account)."""

    def __init__(self, client: ChainClient, account: LocalAccount) -> None:
        self.client = client
        self.account = account
        self._lock = threading.Lock()
        self._next_nonce: int | None = None

    @property
    def address(self) -> str:
        return str(self.account.address)

    def simulate(self, fn: ContractFunction) -> int:
        """Runs ``fn`` against the chain's state without sending it; its gas, or ``ChainRuleViolated``."""
        return int(self.client.call(lambda: fn.estimate_gas({"from": self.account.address})))

    def prepare(self, fn: ContractFunction) -> SignedTx:
        """Simulates ``fn`` (a refusal raises ``ChainRuleViolated`` here, before anything is sent) and
        signs it."""
        w3 = self.client.w3
        gas = self.simulate(fn)
        with self._lock:
            if self._next_nonce is None:
                self._next_nonce = self.client.call(
                    lambda: w3.eth.get_transaction_count(self.account.address, "pending")
                )
            nonce = self._next_nonce
            tx = fn.build_transaction(
                {  # type: ignore[arg-type]
                    "from": self.account.address,
                    "nonce": nonce,
                    "gas": int(gas * _GAS_MARGIN) + 10_000,
                    "gasPrice": self.client.call(lambda: w3.eth.gas_price),
                    "chainId": self.client.chain_id,
                }
            )
            signed = self.account.sign_transaction(tx)  # type: ignore[arg-type]
            self._next_nonce = nonce + 1
        return SignedTx(
            tx_hash="0x" + bytes(signed.hash).hex(), raw=bytes(signed.raw_transaction), nonce=nonce
        )

    def broadcast(self, raw: bytes) -> None:
        """Sends signed bytes; sending the same bytes again is harmless ("already known" is success)."""
        try:
            self.client.w3.eth.send_raw_transaction(raw)
        except Web3RPCError as exc:
            message = str(exc).lower()
            if "already known" in message or "already imported" in message or "known transaction" in message:
                return
            if "nonce too low" in message:
                self.resync()
            raise ChainError(f"the chain refused the transaction: {exc}") from exc
        except (requests.RequestException, OSError) as exc:
            raise ChainError(f"the chain at {self.client.rpc_url} did not answer: {exc}") from exc

    def resend(self, signed: SignedTx) -> bool:
        """Sends ``signed`` again, harmless if the chain has it already. False if the chain refuses the bytes
        and knows nothing of the transaction: it was dropped, and the action must be signed again."""
        try:
            self.broadcast(signed.raw)
        except ChainError:
            return self.receipt(signed.tx_hash) is not None or self.is_known(signed.tx_hash)
        return True

    def resync(self) -> None:
        """Forget the local nonce; the next transaction asks the chain again."""
        with self._lock:
            self._next_nonce = None

    def receipt(self, tx_hash: str) -> TxReceipt | None:
        """The receipt if mined, else None."""
        try:
            return self.client.call(lambda: self.client.w3.eth.get_transaction_receipt(tx_hash))  # type: ignore[arg-type]
        except TransactionNotFound:
            return None

    def is_known(self, tx_hash: str) -> bool:
        """Whether the chain still knows the transaction (pending or mined)."""
        try:
            self.client.call(lambda: self.client.w3.eth.get_transaction(tx_hash))  # type: ignore[arg-type]
        except TransactionNotFound:
            return False
        return True

    def wait(self, tx_hash: str, timeout: float, poll: float = 0.1) -> TxReceipt | None:
        """Polls for the receipt until ``timeout``; None if not mined by then."""
        deadline = time.monotonic() + timeout
        while True:
            receipt = self.receipt(tx_hash)
            if receipt is not None or time.monotonic() >= deadline:
                return receipt
            time.sleep(poll)


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value
