"""The sealer port's test double: one Clique chain's votes, shared by one port per member's chain node.

It keeps Clique's rule as geth applies it: a vote counts once the node's sealer seals a block with it, a
change takes effect when more than half of the current sealers voted for it, the sealers' votes on that
address are then cleared, and a dropped sealer's own votes go with it. ``seal_round()`` lets every sealer seal
one block.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from web3 import Web3

from origo_node.chain.sealers import Consensus
from origo_node.errors import ChainError


@dataclass
class FakeClique:
    sealers: set[str]
    #: Votes sealed into the chain: voter -> {address: authorize}.
    tally: dict[str, dict[str, bool]] = field(default_factory=dict)
    blocks: int = 0

    def port(self, sealer: str) -> FakeSealerNode:
        return FakeSealerNode(self, Web3.to_checksum_address(sealer))

    def seal_round(self, nodes: list[FakeSealerNode]) -> None:
        """Every node whose address seals now seals one block, casting one of its valid proposals."""
        for node in nodes:
            if node.sealer not in self.sealers or node.down:
                continue
            self.blocks += 1
            for address, authorize in sorted(node.votes.items()):
                if (address in self.sealers) != authorize:  # a valid vote: it would change something
                    self._cast(node.sealer, address, authorize)
                    break

    def _cast(self, voter: str, address: str, authorize: bool) -> None:
        self.tally.setdefault(voter, {})[address] = authorize
        yes = sum(1 for v in self.sealers if self.tally.get(v, {}).get(address) == authorize)
        if yes * 2 > len(self.sealers):
            if authorize:
                self.sealers.add(address)
            else:
                self.sealers.discard(address)
                self.tally.pop(address, None)
            for votes in self.tally.values():
                votes.pop(address, None)


@dataclass
class FakeSealerNode:
    """One member's chain node as the sealer port sees it."""

    chain: FakeClique
    sealer: str
    votes: dict[str, bool] = field(default_factory=dict)
    down: bool = False
    kind: Consensus = "clique"
    qbft_validators: list[str] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)

    def consensus(self) -> Consensus:
        self._answer("consensus")
        return self.kind

    def signers(self) -> list[str]:
        self._answer("clique_getSigners")
        return sorted(self.chain.sealers, key=lambda a: int(a, 16))

    def proposals(self) -> dict[str, bool]:
        self._answer("clique_proposals")
        return dict(self.votes)

    def propose(self, address: str, authorize: bool) -> None:
        self._answer("clique_propose")
        self.votes[Web3.to_checksum_address(address)] = authorize

    def discard(self, address: str) -> None:
        self._answer("clique_discard")
        self.votes.pop(Web3.to_checksum_address(address), None)

    def validators(self) -> list[str]:
        self._answer("qbft_getValidatorsByBlockNumber")
        return list(self.qbft_validators)

    def _answer(self, method: str) -> None:
        if self.down:
            raise ChainError(f"the chain node of {self.sealer} did not answer {method}")
        self.calls.append(method)
