"""The chain port: what the node needs from the consortium's chain, whichever adapter provides it.

Two adapters implement it: ``Web3Chain`` (the contracts over JSON-RPC, the reference, tested on anvil) and
``FakeChain`` (an in-memory chain for tests, which can also drop, delay, reorganise, front-run and refuse).
One conformance suite (tests/node/chain) runs against both.

Contract calls travel as ``Call`` values (contract, function, arguments) built by ``chain.calls``; the
adapter turns them into transactions. Transactions are signed by the adapter and handed back as bytes, so a
caller can persist them before they leave (see ``SignedTx``). Every read comes back as the typed values below,
never as an adapter's own objects.

Errors: a contract's refusal is ``ChainRuleViolated`` (the rule's name and arguments), anything else that is
not the caller's fault is ``ChainError``; ``TxRefused`` says why a transaction's bytes were not taken.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from origo_node.errors import ChainError

Contract = Literal["registry", "membership"]


@dataclass(frozen=True)
class Call:
    """One contract function and its arguments, as the contract's ABI takes them."""

    contract: Contract
    function: str
    args: tuple[Any, ...] = ()


@dataclass(frozen=True)
class SignedTx:
    """A transaction ready to broadcast: persist ``raw`` and ``tx_hash`` first."""

    tx_hash: str
    raw: bytes
    nonce: int
    gas_price: int = 0


@dataclass(frozen=True)
class ChainEvent:
    """One decoded contract event."""

    contract: Contract
    name: str
    args: dict[str, Any]
    block: int
    log_index: int
    tx_hash: str


@dataclass(frozen=True)
class Receipt:
    tx_hash: str
    ok: bool  # False: mined, but reverted
    block: int
    events: tuple[ChainEvent, ...] = ()


@dataclass(frozen=True)
class TxInfo:
    """A transaction the chain knows, pending or mined."""

    tx_hash: str
    sender: str
    nonce: int
    gas_price: int
    block: int | None  # None while pending


@dataclass(frozen=True)
class Block:
    number: int
    hash: str  # 0x-hex
    timestamp: int


@dataclass(frozen=True)
class AnchoredBatch:
    """A batch as the registry stores it."""

    issuer: str  # member code
    count: int
    block: int
    timestamp: int


@dataclass(frozen=True)
class MemberRecord:
    code: str
    name: str
    admin: str
    validator: str
    status: int  # 1 active, 2 suspended, 3 removed
    encryption_key: bytes
    endpoint: str
    joined_at_block: int
    issuers: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class ProposalRecord:
    id: int
    kind: int  # the contract's ProposalKind
    proposer: str
    target: str | None
    quorum_bps: int
    deadline: int
    yes_votes: int
    required_votes: int
    executed: bool
    expired: bool


class TxRefused(ChainError):
    """The chain did not take a transaction's bytes; ``reason`` is one of ``nonce-too-low``,
    ``underpriced`` or ``other``."""

    def __init__(self, message: str, reason: str, **details: Any) -> None:
        super().__init__(message, reason=reason, **details)
        self.reason = reason


@runtime_checkable
class TxAccount(Protocol):
    """An account that signs transactions (eth_account's LocalAccount is one)."""

    @property
    def address(self) -> Any: ...


@runtime_checkable
class ChainPort(Protocol):
    @property
    def chain_id(self) -> int: ...

    @property
    def registry_address(self) -> str: ...

    @property
    def membership_address(self) -> str: ...

    # ------------------------------------------------------------ blocks and events

    def head(self) -> int:
        """The number of the newest block."""
        ...

    def block(self, number: int) -> Block:
        """Block ``number``, which must exist."""
        ...

    def events(self, start: int, end: int) -> list[ChainEvent]:
        """Both contracts' events in blocks ``start``..``end`` (inclusive), in chain order."""
        ...

    # ------------------------------------------------------------ contract reads

    def batch(self, issuer: str, root: bytes) -> AnchoredBatch | None:
        """The batch member ``issuer`` anchored under Merkle root ``root``, or None (roots are per member)."""
        ...

    def members(self) -> list[MemberRecord]:
        """Every member the membership contract knows, with its issuer accounts."""
        ...

    def proposal_count(self) -> int: ...

    def proposal(self, proposal_id: int) -> ProposalRecord:
        """Raises ChainRuleViolated for an id that does not exist."""
        ...

    # ------------------------------------------------------------ transactions

    def simulate(self, sender: str, call: Call) -> int:
        """Runs ``call`` from ``sender`` against the current state; its gas, or ChainRuleViolated."""
        ...

    def nonce(self, address: str, *, pending: bool = True) -> int:
        """The next nonce of ``address`` (counting its pending transactions unless ``pending`` is False)."""
        ...

    def gas_price(self) -> int:
        """The fee per gas the chain asks for now."""
        ...

    def sign(self, account: TxAccount, call: Call, *, nonce: int, gas: int, gas_price: int) -> SignedTx:
        """Signs ``call`` as a transaction; nothing is sent."""
        ...

    def send_raw(self, raw: bytes) -> None:
        """Broadcasts signed bytes; bytes of a pending transaction are a success, bytes of a mined one are
        refused as ``nonce-too-low`` (as anvil and geth answer). TxRefused, ChainError."""
        ...

    def receipt(self, tx_hash: str) -> Receipt | None:
        """The receipt if the transaction is mined in the current chain, else None."""
        ...

    def transaction(self, tx_hash: str) -> TxInfo | None:
        """The transaction if the chain knows it (pending or mined), else None."""
        ...
