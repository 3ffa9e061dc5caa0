"""The chain port's reference adapter: the two contracts over JSON-RPC with web3.py, transactions signed here.

Transactions are signed locally and broadcast as raw bytes, so the caller can persist the exact signed
transaction before it leaves: after a crash, rebroadcasting the same bytes is idempotent, which is what makes
"anchored exactly once" hold. Custom errors from the contracts come back as ``ChainRuleViolated`` with the
error's name and arguments; transport failures as ``ChainError``. Nothing of web3 leaves this module.

What a real consortium chain needs, beside anvil: blocks of a proof-of-authority chain carry the sealers in
``extraData`` (97 bytes on Clique, more on QBFT), which web3 refuses unless its proof-of-authority middleware
is in the stack; nodes cap ``eth_getLogs`` (by blocks or results), so events are read in bounded block ranges;
every request has a timeout; and the fee follows the chain's base fee instead of a number written here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import requests
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.exceptions import (
    BadFunctionCallOutput,
    BlockNotFound,
    ContractCustomError,
    ContractLogicError,
    ContractPanicError,
    TransactionNotFound,
    Web3RPCError,
)
from web3.middleware import ExtraDataToPOAMiddleware

from origo_node.chain.artifacts import load_artifact
from origo_node.chain.events import EventDecoder
from origo_node.chain.port import (
    AnchoredBatch,
    Block,
    Call,
    ChainEvent,
    MemberRecord,
    ProposalRecord,
    Receipt,
    SignedTx,
    TxAccount,
    TxInfo,
    TxRefused,
)
from origo_node.chain.revert import decode_custom_error
from origo_node.chain.rpc_failure import rpc_error_message, why
from origo_node.errors import ChainError, ChainRuleViolated

T = TypeVar("T")

#: How many blocks one ``eth_getLogs`` request covers at most; geth and Besu answer wide ranges slowly or not.
DEFAULT_LOGS_BLOCK_RANGE = 2_000


class Web3Chain:
    """The membership and registry contracts at ``rpc_url``."""

    def __init__(
        self,
        rpc_url: str,
        membership: str,
        registry: str,
        *,
        timeout: float = 10.0,
        logs_block_range: int = DEFAULT_LOGS_BLOCK_RANGE,
    ) -> None:
        if logs_block_range < 1:
            raise ValueError("logs_block_range must be at least 1")
        self.rpc_url = rpc_url
        self.logs_block_range = logs_block_range
        self._w3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": timeout}))
        # Innermost (next to the provider), so that a block's sealers' extraData is moved aside before the
        # other middleware, validation included, reads the block.
        self._w3.middleware_onion.inject(ExtraDataToPOAMiddleware, name="proof_of_authority", layer=0)
        self._membership: Contract = self._w3.eth.contract(
            address=Web3.to_checksum_address(membership), abi=load_artifact("Membership")[0]
        )
        self._registry: Contract = self._w3.eth.contract(
            address=Web3.to_checksum_address(registry), abi=load_artifact("DocumentRegistry")[0]
        )
        self._abi = [*self._membership.abi, *self._registry.abi]
        self._decoder = EventDecoder(
            {
                "membership": (self._membership.address, self._membership.abi),
                "registry": (self._registry.address, self._registry.abi),
            }
        )
        self._chain_id: int | None = None

    def __repr__(self) -> str:
        return f"Web3Chain({self.rpc_url!r})"

    @property
    def chain_id(self) -> int:
        if self._chain_id is None:
            self._chain_id = self._call(lambda: self._w3.eth.chain_id)
        return self._chain_id

    @property
    def registry_address(self) -> str:
        return str(self._registry.address)

    @property
    def membership_address(self) -> str:
        return str(self._membership.address)

    # ------------------------------------------------------------ blocks and events

    def head(self) -> int:
        return self._call(lambda: self._w3.eth.block_number)

    def block(self, number: int) -> Block:
        try:
            found = self._call(lambda: self._w3.eth.get_block(number))
        except BlockNotFound as exc:
            raise ChainError(f"block {number} does not exist on the chain at {self.rpc_url}") from exc
        return Block(int(found["number"]), "0x" + bytes(found["hash"]).hex(), int(found["timestamp"]))

    def events(self, start: int, end: int) -> list[ChainEvent]:
        found: list[ChainEvent] = []
        for first in range(start, end + 1, self.logs_block_range):
            last = min(end, first + self.logs_block_range - 1)
            params: Any = {"address": self._decoder.addresses, "fromBlock": first, "toBlock": last}
            logs = self._call(lambda params=params: self._w3.eth.get_logs(params))  # type: ignore[misc]
            found += [e for e in (self._decoder.decode(entry) for entry in logs) if e is not None]
        return found

    # ------------------------------------------------------------ contract reads

    def batch(self, issuer: str, root: bytes) -> AnchoredBatch | None:
        stored = self._call(lambda: self._registry.functions.batch(issuer.encode("ascii"), root).call())
        if int(stored[1]) == 0:
            return None
        return AnchoredBatch(bytes(stored[0]).decode("ascii"), int(stored[1]), int(stored[2]), int(stored[3]))

    def members(self) -> list[MemberRecord]:
        fns = self._membership.functions
        codes: list[bytes] = self._call(lambda: fns.memberCodes().call())
        members = []
        for raw in codes:
            info = self._call(lambda raw=raw: fns.member(raw).call())  # type: ignore[misc]
            issuers = self._call(lambda raw=raw: fns.issuers(raw).call())  # type: ignore[misc]
            members.append(
                MemberRecord(
                    code=bytes(info[0]).decode("ascii"),
                    name=str(info[1]),
                    admin=str(info[2]),
                    validator=str(info[3]),
                    status=int(info[4]),
                    encryption_key=bytes(info[5]),
                    endpoint=str(info[6]),
                    joined_at_block=int(info[7]),
                    issuers=tuple(str(a) for a in issuers),
                )
            )
        return members

    def proposal_count(self) -> int:
        return int(self._call(lambda: self._membership.functions.proposalCount().call()))

    def proposal(self, proposal_id: int) -> ProposalRecord:
        info = self._call(lambda: self._membership.functions.proposal(proposal_id).call())
        return ProposalRecord(
            id=int(info[0]),
            kind=int(info[1]),
            proposer=bytes(info[2]).decode("ascii"),
            target=bytes(info[3]).decode("ascii") if bytes(info[3]) != b"\0\0" else None,
            quorum_bps=int(info[4]),
            deadline=int(info[5]),
            yes_votes=int(info[6]),
            required_votes=int(info[7]),
            executed=bool(info[8]),
            expired=bool(info[9]),
        )

    # ------------------------------------------------------------ transactions

    def simulate(self, sender: str, call: Call) -> int:
        fn = self._function(call)
        return int(self._call(lambda: fn.estimate_gas({"from": Web3.to_checksum_address(sender)})))

    def nonce(self, address: str, *, pending: bool = True) -> int:
        checksummed = Web3.to_checksum_address(address)
        return int(
            self._call(
                lambda: self._w3.eth.get_transaction_count(checksummed, "pending" if pending else "latest")
            )
        )

    def gas_price(self) -> int:
        """The chain's own price, raised on a London chain to what the next block may ask: its base fee can
        rise by an eighth per block, and a transaction paying less than the base fee waits in the pool."""
        suggested = int(self._call(lambda: self._w3.eth.gas_price))
        base_fee = self._call(lambda: self._w3.eth.get_block("latest")).get("baseFeePerGas")
        if base_fee is None:  # a chain without EIP-1559 (or Besu's free-gas networks): its price is all
            return suggested
        tip = int(self._call(lambda: self._w3.eth.max_priority_fee))
        return max(suggested, -(-int(base_fee) * 9 // 8) + tip)

    def sign(self, account: TxAccount, call: Call, *, nonce: int, gas: int, gas_price: int) -> SignedTx:
        tx = self._function(call).build_transaction(
            {  # type: ignore[arg-type]
                "from": account.address,
                "nonce": nonce,
                "gas": gas,
                "gasPrice": gas_price,
                "chainId": self.chain_id,
            }
        )
        signed = account.sign_transaction(tx)  # type: ignore[attr-defined]
        return SignedTx(
            tx_hash="0x" + bytes(signed.hash).hex(),
            raw=bytes(signed.raw_transaction),
            nonce=nonce,
            gas_price=gas_price,
        )

    def send_raw(self, raw: bytes) -> None:
        try:
            self._w3.eth.send_raw_transaction(raw)
        except Web3RPCError as exc:
            message = str(exc).lower()
            if "already known" in message or "already imported" in message or "known transaction" in message:
                return
            if "nonce too low" in message:
                reason = "nonce-too-low"
            elif "underpriced" in message or "fee too low" in message:
                reason = "underpriced"
            else:
                reason = "other"
            said = rpc_error_message(exc) or str(exc)
            raise TxRefused(f"the chain refused the transaction: {said}", reason) from exc
        except (requests.RequestException, OSError) as exc:
            raise ChainError(f"the chain at {self.rpc_url} did not answer: {why(exc)}") from exc

    def receipt(self, tx_hash: str) -> Receipt | None:
        try:
            found: Any = self._call(lambda: self._w3.eth.get_transaction_receipt(tx_hash))  # type: ignore[arg-type]
        except TransactionNotFound:
            return None
        events = [e for e in (self._decoder.decode(entry) for entry in found["logs"]) if e is not None]
        return Receipt(
            tx_hash=tx_hash,
            ok=int(found["status"]) == 1,
            block=int(found["blockNumber"]),
            events=tuple(events),
        )

    def transaction(self, tx_hash: str) -> TxInfo | None:
        try:
            found: Any = self._call(lambda: self._w3.eth.get_transaction(tx_hash))  # type: ignore[arg-type]
        except TransactionNotFound:
            return None
        block = found.get("blockNumber")
        return TxInfo(
            tx_hash=tx_hash,
            sender=str(found["from"]),
            nonce=int(found["nonce"]),
            gas_price=int(found.get("gasPrice") or 0),
            block=None if block is None else int(block),
        )

    # ------------------------------------------------------------ internals

    def _function(self, call: Call) -> ContractFunction:
        contract = self._registry if call.contract == "registry" else self._membership
        function: ContractFunction = contract.get_function_by_name(call.function)(*call.args)
        return function

    def _call(self, fn: Callable[[], T]) -> T:
        """Runs a read against the node, translating failures into the node's errors."""
        try:
            return fn()
        except (TransactionNotFound, BlockNotFound):
            raise  # an answer, not a failure: the caller decides what "not found" means
        except (ContractCustomError, ContractLogicError, ContractPanicError) as exc:
            raise self._rule_error(exc) from exc
        except BadFunctionCallOutput as exc:
            # An empty answer: this chain node has no contract code there (yet): it has not synced the block
            # that deployed the contracts, or the addresses are for another chain.
            raise ChainError(
                f"the chain at {self.rpc_url} has no Origo contract at the configured address (head block "
                f"{self._head_or_unknown()}): it may still be syncing, or the addresses are another chain's"
            ) from exc
        except (requests.RequestException, OSError, Web3RPCError) as exc:
            raise ChainError(f"the chain at {self.rpc_url} did not answer: {why(exc)}") from exc

    def _head_or_unknown(self) -> str:
        try:
            return str(self._w3.eth.block_number)
        except (requests.RequestException, OSError, Web3RPCError):
            return "unknown"

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


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value
