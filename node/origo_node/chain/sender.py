"""One account's transactions over the chain port: nonces assigned here, fees raised when one sticks.

The sender is the only place that hands out the account's nonces (one sender per account and process), so it
is also where a nonce that never reached the chain is given back (``release``) and where a transaction whose
fee is too low is replaced by the same transaction at a higher fee (``replace``).
"""

from __future__ import annotations

import threading
import time

from origo_node.chain.port import Call, ChainPort, Receipt, SignedTx, TxAccount, TxRefused
from origo_node.errors import ChainError

_GAS_MARGIN = 1.25
# Chains take a replacement at the same nonce only if it pays at least 10% more; 25% leaves room.
_FEE_BUMP = 1.25


class TxSender:
    def __init__(self, chain: ChainPort, account: TxAccount) -> None:
        self.chain = chain
        self.account = account
        self._lock = threading.Lock()
        self._next_nonce: int | None = None

    @property
    def address(self) -> str:
        return str(self.account.address)

    def simulate(self, call: Call) -> int:
        """Runs ``call`` against the chain's state without sending it; its gas, or ``ChainRuleViolated``."""
        return self.chain.simulate(self.address, call)

    def prepare(self, call: Call) -> SignedTx:
        """Simulates ``call`` (a refusal raises ``ChainRuleViolated`` here, before anything is sent) and signs
        it with the next nonce. If the signed bytes are then not recorded, hand the nonce back
        (``release``)."""
        gas = self.simulate(call)
        gas_price = self.chain.gas_price()
        with self._lock:
            if self._next_nonce is None:
                self._next_nonce = self.chain.nonce(self.address, pending=True)
            nonce = self._next_nonce
            signed = self.chain.sign(
                self.account, call, nonce=nonce, gas=int(gas * _GAS_MARGIN) + 10_000, gas_price=gas_price
            )
            self._next_nonce = nonce + 1
        return signed

    def release(self, signed: SignedTx) -> None:
        """``signed`` will never be sent (its record could not be written): its nonce must not stay a gap
        that every later transaction of the account waits behind."""
        with self._lock:
            if self._next_nonce == signed.nonce + 1:
                self._next_nonce = signed.nonce
            else:  # later nonces were handed out meanwhile: ask the chain again
                self._next_nonce = None

    def replace(self, signed: SignedTx, call: Call) -> SignedTx | None:
        """The same ``call`` at the same nonce with a higher fee, for a transaction that sits unmined because
        its fee is too low; None when the original is no longer pending (mined or gone: nothing to
        replace)."""
        pending = self.chain.transaction(signed.tx_hash)
        if pending is None or pending.block is not None:
            return None
        gas = self.simulate(call)
        gas_price = max(int(pending.gas_price * _FEE_BUMP) + 1, self.chain.gas_price())
        return self.chain.sign(
            self.account, call, nonce=pending.nonce, gas=int(gas * _GAS_MARGIN) + 10_000, gas_price=gas_price
        )

    def broadcast(self, raw: bytes) -> None:
        """Sends signed bytes; sending the same bytes again is harmless."""
        try:
            self.chain.send_raw(raw)
        except TxRefused as exc:
            if exc.reason == "nonce-too-low":
                self.resync()
            raise

    def resend(self, signed: SignedTx) -> bool:
        """Sends ``signed`` again, harmless if the chain has it already. False if the chain refuses the bytes
        and knows nothing of the transaction: it was dropped, and the action must be signed again."""
        try:
            self.broadcast(signed.raw)
        except TxRefused:
            return self.receipt(signed.tx_hash) is not None or self.is_known(signed.tx_hash)
        return True

    def resync(self) -> None:
        """Forget the local nonce; the next transaction asks the chain again."""
        with self._lock:
            self._next_nonce = None

    def receipt(self, tx_hash: str) -> Receipt | None:
        return self.chain.receipt(tx_hash)

    def is_known(self, tx_hash: str) -> bool:
        """Whether the chain still knows the transaction (pending or mined)."""
        return self.chain.transaction(tx_hash) is not None

    def wait(self, tx_hash: str, timeout: float, poll: float = 0.1) -> Receipt | None:
        """Polls for the receipt until ``timeout``; None if not mined by then."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                receipt = self.receipt(tx_hash)
            except ChainError:
                if time.monotonic() >= deadline:
                    raise
                receipt = None
            if receipt is not None or time.monotonic() >= deadline:
                return receipt
            time.sleep(poll)

    def send_and_wait(self, call: Call, timeout: float, what: str = "the transaction") -> Receipt:
        """Simulates, signs, sends ``call`` and waits for it to be mined: its receipt, or ``ChainError`` (a
        rule's refusal raises ``ChainRuleViolated`` before anything is sent)."""
        signed = self.prepare(call)
        self.broadcast(signed.raw)
        receipt = self.wait(signed.tx_hash, timeout)
        if receipt is None:
            raise ChainError(f"{what} was not mined in time", tx=signed.tx_hash)
        if not receipt.ok:
            raise ChainError(f"{what} reverted", tx=signed.tx_hash)
        return receipt
