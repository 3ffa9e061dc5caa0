"""The sealer port: who seals the chain, and the vote that changes it, on the member's own chain node.

On Clique (geth, or Besu's Clique) the sealers live in the chain and change only by votes: each sealer
proposes ``clique_propose(address, authorize)`` to its own node, which casts the vote in the blocks it seals,
and a change takes effect once more than half of the sealers voted for it. On QBFT in contract mode Besu reads
the validators from the Membership contract at every block, so there is nothing to vote and the node only
reads ``qbft_getValidatorsByBlockNumber`` to compare. anvil has neither: no sealers to follow.

``JsonRpcSealers`` is the adapter over JSON-RPC; ``FakeClique`` (``sealers_fake``) is the test double, one
shared chain of votes with one port per member's node. Errors: ``ChainError`` when the node does not answer or
refuses; a method the node does not have is the answer "no such consensus" (``consensus()``), not an error.
"""

from __future__ import annotations

import itertools
from typing import Any, Literal, Protocol, runtime_checkable

import requests
from web3 import Web3

from origo_node.chain.rpc_failure import why
from origo_node.errors import ChainError

Consensus = Literal["clique", "qbft", "none"]

#: JSON-RPC's "method not found" (geth: "the method X does not exist/is not available"; anvil and Besu alike).
_METHOD_NOT_FOUND = -32601


@runtime_checkable
class SealerPort(Protocol):
    def consensus(self) -> Consensus:
        """Which consensus the chain node runs, from the methods it answers; ChainError if it is down."""
        ...

    def signers(self) -> list[str]:
        """Clique: the sealers at the head (checksummed)."""
        ...

    def proposals(self) -> dict[str, bool]:
        """Clique: the votes this node casts while it seals (address -> authorize)."""
        ...

    def propose(self, address: str, authorize: bool) -> None:
        """Clique: vote to add (``authorize``) or drop ``address`` in every block this node seals."""
        ...

    def discard(self, address: str) -> None:
        """Clique: stop voting on ``address``."""
        ...

    def validators(self) -> list[str]:
        """QBFT: the validators at the head."""
        ...


class MethodMissing(ChainError):
    """The chain node has no such JSON-RPC method (a consensus it does not run, or a module not enabled)."""


class JsonRpcSealers:
    """The sealer methods of the chain node at ``rpc_url``."""

    def __init__(self, rpc_url: str, *, timeout: float = 5.0) -> None:
        self.rpc_url = rpc_url
        self._timeout = timeout
        self._session = requests.Session()
        self._ids = itertools.count(1)

    def consensus(self) -> Consensus:
        for method, params, found in (
            ("clique_getSigners", [], "clique"),
            ("qbft_getValidatorsByBlockNumber", ["latest"], "qbft"),
        ):
            try:
                self._call(method, params)
            except MethodMissing:
                continue
            return found  # type: ignore[return-value]
        return "none"

    def signers(self) -> list[str]:
        return _addresses(self._call("clique_getSigners", []))

    def proposals(self) -> dict[str, bool]:
        raw = self._call("clique_proposals", [])
        if not isinstance(raw, dict):
            raise ChainError(f"the chain node at {self.rpc_url} answered clique_proposals with {raw!r}")
        return {Web3.to_checksum_address(a): bool(v) for a, v in raw.items()}

    def propose(self, address: str, authorize: bool) -> None:
        self._call("clique_propose", [Web3.to_checksum_address(address), authorize])

    def discard(self, address: str) -> None:
        self._call("clique_discard", [Web3.to_checksum_address(address)])

    def validators(self) -> list[str]:
        return _addresses(self._call("qbft_getValidatorsByBlockNumber", ["latest"]))

    def close(self) -> None:
        self._session.close()

    def _call(self, method: str, params: list[Any]) -> Any:
        body: dict[str, Any] = {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params}
        try:
            response = self._session.post(self.rpc_url, json=body, timeout=self._timeout)
            answer = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise ChainError(f"the chain node at {self.rpc_url} did not answer {method}: {why(exc)}") from exc
        error = answer.get("error") if isinstance(answer, dict) else None
        if error is not None:
            code = error.get("code") if isinstance(error, dict) else None
            text = error.get("message") if isinstance(error, dict) else error
            if code == _METHOD_NOT_FOUND or "does not exist" in str(text) or "not available" in str(text):
                raise MethodMissing(f"the chain node at {self.rpc_url} has no {method}", method=method)
            raise ChainError(f"the chain node at {self.rpc_url} refused {method}: {text}", method=method)
        if not isinstance(answer, dict) or "result" not in answer:
            raise ChainError(f"the chain node at {self.rpc_url} answered {method} without a result")
        return answer["result"]


def _addresses(raw: Any) -> list[str]:
    if not isinstance(raw, list):
        raise ChainError(f"expected a list of addresses, got {raw!r}")
    return [Web3.to_checksum_address(a) for a in raw]
