"""Merkle batches of document leaves, built exactly as OpenZeppelin's StandardMerkleTree builds them.

- leaf hash: ``keccak256(keccak256(abi.encode(leaf)))`` (the double hash keeps a leaf from
  passing for an inner node);
- inner node: ``keccak256(min(a, b) ++ max(a, b))`` (sorted pairs, so a proof needs no
  left/right flags; this is what ``MerkleProof.verify`` checks on chain);
- layout: leaf hashes sorted, stored at the end of one array in reverse, parents filled in
  from the back. A batch of one has the leaf hash as its root and an empty proof.

The same leaves give the same root as ``StandardMerkleTree.of(values, [LEAF_ABI_TYPE])`` from
the npm package ``@openzeppelin/merkle-tree``.
"""

from __future__ import annotations

from collections.abc import Sequence

from origo_node.documents.leaf import LEAF_ABI_TYPE, Leaf
from origo_node.hashing import keccak256

__all__ = ["LEAF_ABI_TYPE", "Leaf", "MerkleTree", "leaf_hash", "merkle_root", "process_proof", "verify"]


def leaf_hash(leaf: Leaf) -> bytes:
    """What the tree commits to for ``leaf``; equals ``DocumentRegistry.leafHash(leaf)``."""
    return keccak256(keccak256(leaf.abi_encode()))


def hash_pair(a: bytes, b: bytes) -> bytes:
    return keccak256(a + b if a < b else b + a)


def process_proof(proof: Sequence[bytes], leaf: bytes) -> bytes:
    """The root that ``proof`` leads to from leaf hash ``leaf``."""
    computed = leaf
    for sibling in proof:
        computed = hash_pair(computed, sibling)
    return computed


def verify(proof: Sequence[bytes], root: bytes, leaf: bytes) -> bool:
    """Whether leaf hash ``leaf`` is in the tree of ``root`` by ``proof`` (``MerkleProof.verify``)."""
    return process_proof(proof, leaf) == root


class MerkleTree:
    """A batch of leaves with its root and each leaf's proof. Indices are those of the input order."""

    def __init__(self, leaves: Sequence[Leaf]) -> None:
        self.leaves: tuple[Leaf, ...] = tuple(leaves)
        self._build([leaf_hash(leaf) for leaf in self.leaves])

    @classmethod
    def from_hashes(cls, hashes: Sequence[bytes]) -> MerkleTree:
        """A tree over leaf hashes computed elsewhere (``leaves`` is then empty)."""
        tree = cls.__new__(cls)
        tree.leaves = ()
        tree._build(list(hashes))
        return tree

    def _build(self, hashes: list[bytes]) -> None:
        if not hashes:
            raise ValueError("a Merkle tree needs at least one leaf")
        self.leaf_hashes: tuple[bytes, ...] = tuple(hashes)
        order = sorted(range(len(hashes)), key=hashes.__getitem__)
        size = 2 * len(hashes) - 1
        nodes: list[bytes] = [b""] * size
        self._position = [0] * len(hashes)
        for rank, i in enumerate(order):
            self._position[i] = size - 1 - rank
            nodes[size - 1 - rank] = hashes[i]
        for k in range(size - 1 - len(hashes), -1, -1):
            left, right = nodes[2 * k + 1], nodes[2 * k + 2]
            nodes[k] = keccak256(left + right if left < right else right + left)
        self._nodes = nodes

    @property
    def root(self) -> bytes:
        return self._nodes[0]

    def __len__(self) -> int:
        return len(self.leaf_hashes)

    def proof(self, index: int) -> list[bytes]:
        """The sibling hashes from leaf ``index`` (input order) up to the root."""
        k = self._position[index]
        path = []
        while k > 0:
            path.append(self._nodes[k + 1 if k % 2 else k - 1])
            k = (k - 1) // 2
        return path

    def proofs(self) -> list[list[bytes]]:
        """Every leaf's proof, in input order."""
        return [self.proof(i) for i in range(len(self))]


def merkle_root(leaves: Sequence[Leaf]) -> bytes:
    """The root of the batch of ``leaves``."""
    return MerkleTree(leaves).root
