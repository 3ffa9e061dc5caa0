"""An in-memory chain behind the chain port, for tests: the contracts' rules, blocks, a mempool, and faults.

Like anvil it mines every transaction at once by default (``automine``). Turned off, transactions wait in the
mempool until ``mine()``. Faults a test can inject:

- ``drop(tx)`` / ``drop_pending()``: the mempool forgets transactions, as a node that restarts does;
- ``reorganise(depth)``: the last ``depth`` blocks are replaced by longer empty ones; their transactions go
  back to the mempool (``requeue=True``) or are lost;
- ``min_gas_price``: transactions paying less stay pending (a fee too low);
- ``front_run(sender, call)``: another account's transaction lands first in the next block;
- ``refuse(function, rule)``: every call of ``function`` is refused with the custom error ``rule``;
- ``fail_calls(n)`` / ``flapping(every)``: the endpoint fails the next ``n`` requests, or one in ``every``;
- ``reorder``: each block takes its transactions newest sender first (a sender's own nonces stay in order).

State is rebuilt by replaying the blocks, so a reorganisation undoes exactly what the dropped blocks did.
This module is selected only by tests (the node's runtime takes a chain adapter; settings never name it).
"""

from __future__ import annotations

import copy
import itertools
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from origo_node.chain.fake_contracts import ContractState, member_added, refuse
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
from origo_node.errors import ChainError, ChainRuleViolated
from origo_node.hashing import keccak256

_GAS = 90_000


@dataclass(frozen=True)
class _Tx:
    tx_hash: str
    sender: str
    nonce: int
    gas_price: int
    call: Call


@dataclass
class _Block:
    number: int
    hash: str
    timestamp: int
    txs: list[_Tx] = field(default_factory=list)


class FakeChain:
    def __init__(
        self,
        members: Iterable[MemberRecord],
        *,
        chain_id: int = 31337,
        quorum_bps: int = 5001,
        registry_address: str = "0x" + "5e" * 20,
        membership_address: str = "0x" + "3b" * 20,
    ) -> None:
        self._genesis = ContractState({m.code: m for m in members}, quorum_bps=quorum_bps)
        self._chain_id = chain_id
        self._registry_address = registry_address
        self._membership_address = membership_address
        self._fork = 0
        self._blocks = [_Block(0, self._hash(0), int(time.time()))]
        # The deployment's events, as the membership contract's constructor emits them.
        deployed = [e for m in self._genesis.members.values() for e in member_added(m, 0)]
        self._genesis_events = [
            ChainEvent(contract, name, args, 0, i, "0x" + "00" * 32)  # type: ignore[arg-type]
            for i, (contract, name, args) in enumerate(deployed)
        ]
        self._mempool: dict[str, _Tx] = {}
        self._raw: dict[bytes, _Tx] = {}
        self._known: dict[str, _Tx] = {}
        self._receipts: dict[str, Receipt] = {}
        self._state = copy.deepcopy(self._genesis)
        self._front_runs: list[_Tx] = []
        self._refusals: dict[str, str] = {}
        self._failures = 0
        self._flap_every = 0
        self._requests = itertools.count(1)
        self.automine = True
        self.reorder = False
        self.min_gas_price = 0
        self.price = 1_000_000_000

    # ------------------------------------------------------------ faults a test injects

    def drop(self, tx_hash: str) -> None:
        self._mempool.pop(tx_hash, None)

    def drop_pending(self) -> None:
        self._mempool.clear()

    def reorganise(self, depth: int, *, requeue: bool = False) -> list[str]:
        """Replaces the last ``depth`` blocks with ``depth + 1`` empty ones; the hashes of the transactions
        they held (back in the mempool if ``requeue``, else gone)."""
        removed = self._blocks[-depth:]
        del self._blocks[-depth:]
        self._fork += 1
        undone = [tx for block in removed for tx in block.txs]
        for tx in undone:
            self._receipts.pop(tx.tx_hash, None)
            if requeue:
                self._mempool[tx.tx_hash] = tx
        self._replay()
        for _ in range(depth + 1):
            self._seal([])
        return [tx.tx_hash for tx in undone]

    def front_run(self, sender: str, call: Call) -> None:
        nonce = self._next_nonce(sender, pending=True) + len(
            [t for t in self._front_runs if t.sender == sender]
        )
        self._front_runs.append(_Tx(self._tx_hash(sender, nonce, 0, call), sender, nonce, self.price, call))

    def refuse(self, function: str, rule: str | None) -> None:
        if rule is None:
            self._refusals.pop(function, None)
        else:
            self._refusals[function] = rule

    def fail_calls(self, count: int) -> None:
        self._failures = count

    def flapping(self, every: int) -> None:
        """One request in ``every`` fails (0: none)."""
        self._flap_every = every

    def mine(self, blocks: int = 1) -> int:
        for _ in range(blocks):
            self._seal(self._executable())
        return self.head()

    def pending(self) -> list[str]:
        return list(self._mempool)

    # ------------------------------------------------------------ the port: blocks and events

    @property
    def chain_id(self) -> int:
        return self._chain_id

    @property
    def registry_address(self) -> str:
        return self._registry_address

    @property
    def membership_address(self) -> str:
        return self._membership_address

    def head(self) -> int:
        self._request()
        return self._blocks[-1].number

    def block(self, number: int) -> Block:
        self._request()
        if not 0 <= number < len(self._blocks):
            raise ChainError(f"block {number} does not exist")
        b = self._blocks[number]
        return Block(b.number, b.hash, b.timestamp)

    def events(self, start: int, end: int) -> list[ChainEvent]:
        self._request()
        found: list[ChainEvent] = list(self._genesis_events) if start <= 0 <= end else []
        for block in self._blocks[max(start, 0) : end + 1]:
            for tx in block.txs:
                found.extend(self._receipts[tx.tx_hash].events)
        return found

    # ------------------------------------------------------------ the port: reads

    def batch(self, issuer: str, root: bytes) -> AnchoredBatch | None:
        self._request()
        return self._state.batches.get((issuer, root))

    def members(self) -> list[MemberRecord]:
        self._request()
        return list(self._state.members.values())

    def proposal_count(self) -> int:
        self._request()
        return len(self._state.proposals)

    def proposal(self, proposal_id: int) -> ProposalRecord:
        self._request()
        return self._state.proposal_record(proposal_id, self._blocks[-1].timestamp)

    # ------------------------------------------------------------ the port: transactions

    def simulate(self, sender: str, call: Call) -> int:
        self._request()
        self._check_refusal(call)
        copy.deepcopy(self._state).apply(sender, call, len(self._blocks), int(time.time()))
        return _GAS

    def nonce(self, address: str, *, pending: bool = True) -> int:
        self._request()
        return self._next_nonce(address, pending=pending)

    def gas_price(self) -> int:
        self._request()
        return self.price

    def sign(self, account: TxAccount, call: Call, *, nonce: int, gas: int, gas_price: int) -> SignedTx:
        sender = str(account.address)
        tx = _Tx(self._tx_hash(sender, nonce, gas_price, call), sender, nonce, gas_price, call)
        raw = f"fake-tx {tx.tx_hash}".encode()
        self._raw[raw] = tx
        return SignedTx(tx.tx_hash, raw, nonce, gas_price)

    def send_raw(self, raw: bytes) -> None:
        self._request()
        tx = self._raw.get(raw)
        if tx is None:
            raise TxRefused("the chain refused the transaction: undecodable bytes", "other")
        if tx.tx_hash in self._mempool:
            return  # already known
        if tx.nonce < self._next_nonce(tx.sender, pending=False):  # mined already, as anvil answers
            raise TxRefused("the chain refused the transaction: nonce too low", "nonce-too-low")
        rival = next(
            (t for t in self._mempool.values() if (t.sender, t.nonce) == (tx.sender, tx.nonce)), None
        )
        if rival is not None:
            if tx.gas_price * 10 < rival.gas_price * 11:
                raise TxRefused("the chain refused the transaction: replacement underpriced", "underpriced")
            del self._mempool[rival.tx_hash]
        self._mempool[tx.tx_hash] = tx
        self._known[tx.tx_hash] = tx
        if self.automine:
            self.mine()

    def receipt(self, tx_hash: str) -> Receipt | None:
        self._request()
        return self._receipts.get(tx_hash)

    def transaction(self, tx_hash: str) -> TxInfo | None:
        self._request()
        receipt = self._receipts.get(tx_hash)
        tx = self._known.get(tx_hash)
        if tx is None or (receipt is None and tx_hash not in self._mempool):
            return None
        block = None if receipt is None else receipt.block
        return TxInfo(tx_hash, tx.sender, tx.nonce, tx.gas_price, block)

    # ------------------------------------------------------------ internals

    def _request(self) -> None:
        n = next(self._requests)
        if self._failures > 0 or (self._flap_every and n % self._flap_every == 0):
            self._failures = max(0, self._failures - 1)
            raise ChainError("the chain at fake://chain did not answer: connection refused")

    def _check_refusal(self, call: Call) -> None:
        rule = self._refusals.get(call.function)
        if rule is not None:
            raise refuse(rule)

    def _hash(self, number: int) -> str:
        return "0x" + keccak256(f"block {number} fork {self._fork}".encode()).hex()

    def _tx_hash(self, sender: str, nonce: int, gas_price: int, call: Call) -> str:
        return "0x" + keccak256(repr((sender.lower(), nonce, gas_price, call)).encode()).hex()

    def _next_nonce(self, address: str, *, pending: bool) -> int:
        mined = sum(1 for b in self._blocks for tx in b.txs if tx.sender.lower() == address.lower())
        if not pending:
            return mined
        waiting = {tx.nonce for tx in self._mempool.values() if tx.sender.lower() == address.lower()}
        while mined in waiting:
            mined += 1
        return mined

    def _executable(self) -> list[_Tx]:
        """Front-runners first, then each sender's transactions in nonce order while they pay enough."""
        chosen = list(self._front_runs)
        self._front_runs.clear()
        senders = list(dict.fromkeys(tx.sender for tx in self._mempool.values()))
        if self.reorder:
            senders.reverse()
        for sender in senders:
            nonce = self._next_nonce(sender, pending=False)
            mine = sorted((t for t in self._mempool.values() if t.sender == sender), key=lambda t: t.nonce)
            for tx in mine:
                if tx.nonce != nonce or tx.gas_price < self.min_gas_price:
                    break
                chosen.append(tx)
                nonce += 1
        for tx in chosen:
            self._mempool.pop(tx.tx_hash, None)
            self._known[tx.tx_hash] = tx
        return chosen

    def _seal(self, txs: list[_Tx]) -> None:
        number = len(self._blocks)
        block = _Block(number, self._hash(number), max(int(time.time()), self._blocks[-1].timestamp + 1), txs)
        self._blocks.append(block)
        for index, tx in enumerate(txs):
            self._execute(block, index, tx)

    def _execute(self, block: _Block, index: int, tx: _Tx) -> None:
        try:
            self._check_refusal(tx.call)
            emitted = self._state.apply(tx.sender, tx.call, block.number, block.timestamp)
        except ChainRuleViolated:  # a refused transaction is mined as reverted, as on a chain
            emitted = None
        events = tuple(
            ChainEvent(contract, name, args, block.number, index * 10 + i, tx.tx_hash)  # type: ignore[arg-type]
            for i, (contract, name, args) in enumerate(emitted or [])
        )
        self._receipts[tx.tx_hash] = Receipt(tx.tx_hash, emitted is not None, block.number, events)

    def _replay(self) -> None:
        self._state = copy.deepcopy(self._genesis)
        for block in self._blocks[1:]:
            for index, tx in enumerate(block.txs):
                self._execute(block, index, tx)


@dataclass(frozen=True)
class FakeAccount:
    """A signing account for the fake chain: only its address matters."""

    address: str
