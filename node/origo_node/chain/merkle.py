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

import string
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eth_abi.abi import encode

from origo_node.hashing import keccak256

#: The Solidity struct IDocumentRegistry.Leaf as one ABI tuple type.
LEAF_ABI_TYPE = "(bytes32,bytes32,bytes32,bytes2,bytes2,uint64,uint64,uint64,bytes32)"
_LEAF_FIELD_TYPES = [
    "bytes32",
    "bytes32",
    "bytes32",
    "bytes2",
    "bytes2",
    "uint64",
    "uint64",
    "uint64",
    "bytes32",
]
_UINT64_MAX = 2**64 - 1


@dataclass(frozen=True, slots=True)
class Leaf:
    """The facts of one document the chain commits to (mirrors ``IDocumentRegistry.Leaf``).

    ``issuer``/``importer`` are member codes such as "VN"; ``quantity`` is in thousandths of
    the unit, 0 for documents that can only be claimed in full; ``payload_cid`` is the keccak256
    of the encrypted payload's CID string.
    """

    document_id: bytes
    document_type: bytes
    digest: bytes
    issuer: str
    importer: str
    issued_at: int
    expires_at: int
    quantity: int
    payload_cid: bytes

    def __post_init__(self) -> None:
        # Leaves come from other members' manifests: every field is checked. Spelled out rather than looped
        # over names, because an indexer replaying the chain builds a hundred thousand of them.
        if not (_is_b32(self.document_id) and _is_b32(self.document_type)):
            raise ValueError("document_id and document_type must be 32 bytes")
        if not (_is_b32(self.digest) and _is_b32(self.payload_cid)):
            raise ValueError("digest and payload_cid must be 32 bytes")
        if not (_is_code(self.issuer) and _is_code(self.importer)):
            raise ValueError(
                f"issuer and importer must be two-letter member codes, got {self.issuer!r}, {self.importer!r}"
            )
        if not (_is_u64(self.issued_at) and _is_u64(self.expires_at) and _is_u64(self.quantity)):
            raise ValueError("issued_at, expires_at and quantity must fit in uint64")

    def to_abi_tuple(self) -> tuple[bytes, bytes, bytes, bytes, bytes, int, int, int, bytes]:
        """The leaf as web3/eth_abi take a ``Leaf`` struct argument."""
        return (
            self.document_id,
            self.document_type,
            self.digest,
            self.issuer.encode("ascii"),
            self.importer.encode("ascii"),
            self.issued_at,
            self.expires_at,
            self.quantity,
            self.payload_cid,
        )

    def abi_encode(self) -> bytes:
        """``abi.encode(leaf)`` as Solidity computes it.

        Every field is static, so the encoding is nine 32-byte words side by side; writing them directly is
        several times faster than a generic encoder, which matters when an indexer hashes 100,000 leaves (a
        property test keeps it equal to eth_abi's ``encode``).
        """
        return b"".join(
            (
                self.document_id,
                self.document_type,
                self.digest,
                self.issuer.encode("ascii").ljust(32, b"\0"),
                self.importer.encode("ascii").ljust(32, b"\0"),
                self.issued_at.to_bytes(32, "big"),
                self.expires_at.to_bytes(32, "big"),
                self.quantity.to_bytes(32, "big"),
                self.payload_cid,
            )
        )

    def abi_encode_generic(self) -> bytes:
        """The same encoding by eth_abi, the reference the fast path is tested against."""
        return encode(_LEAF_FIELD_TYPES, self.to_abi_tuple())

    @classmethod
    def from_abi_tuple(cls, values: Sequence[Any]) -> Leaf:
        """The inverse of :meth:`to_abi_tuple` (e.g. a struct web3 decoded)."""
        (doc_id, doc_type, digest, issuer, importer, issued_at, expires_at, quantity, cid) = values
        return cls(
            document_id=bytes(doc_id),
            document_type=bytes(doc_type),
            digest=bytes(digest),
            issuer=bytes(issuer).decode("ascii"),
            importer=bytes(importer).decode("ascii"),
            issued_at=int(issued_at),
            expires_at=int(expires_at),
            quantity=int(quantity),
            payload_cid=bytes(cid),
        )


def _is_b32(value: object) -> bool:
    return isinstance(value, bytes) and len(value) == 32


_CODES = frozenset(a + b for a in string.ascii_letters for b in string.ascii_letters)


def _is_code(value: object) -> bool:
    # Two ASCII letters, by a set lookup: str methods cost more, and a replay checks 200,000 codes.
    return isinstance(value, str) and value in _CODES


def _is_u64(value: object) -> bool:
    return type(value) is int and 0 <= value <= _UINT64_MAX


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
