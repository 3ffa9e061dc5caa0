"""The leaf: the facts of one document the chain commits to, and their ABI layout, defined once.

Everything that encodes a leaf derives from ``LEAF_FIELDS``: the ABI encoding (``Leaf.abi_encode``), the
Merkle leaf hash (``chain.merkle``), the EIP-712 type an issuer signs (``chain.eip712``). A change to the
contract's ``Leaf`` struct is made here.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from origo_node.hashing import keccak256

#: The Solidity struct ``IDocumentRegistry.Leaf``: its fields' names and ABI types, in the struct's order. The
#: one definition: the ABI encoding, the Merkle leaf hash and the EIP-712 type are all derived from it.
LEAF_FIELDS: tuple[tuple[str, str], ...] = (
    ("documentId", "bytes32"),
    ("documentType", "bytes32"),
    ("digest", "bytes32"),
    ("issuer", "bytes2"),
    ("importer", "bytes2"),
    ("issuedAt", "uint64"),
    ("expiresAt", "uint64"),
    ("quantities", "uint64[]"),
    ("payloadCid", "bytes32"),
)
_LEAF_FIELD_TYPES = [kind for _, kind in LEAF_FIELDS]
#: The struct as one ABI tuple type.
LEAF_ABI_TYPE = "(" + ",".join(_LEAF_FIELD_TYPES) + ")"
_UINT64_MAX = 2**64 - 1
#: Claims name an item by a uint8 index, so items past the 256th could only be claimed with the whole
#: certificate: documents are refused with more.
MAX_ITEMS = 256
#: Where the ``quantities`` array's data starts, counted from the start of the struct's encoding: after the
#: nine head words (ABI offsets of dynamic members are relative to the enclosing tuple).
_QUANTITIES_OFFSET = (9 * 32).to_bytes(32, "big")
#: ``abi.encode`` of one struct with a dynamic member starts with the offset of the struct itself.
_STRUCT_OFFSET = (32).to_bytes(32, "big")


@dataclass(frozen=True, slots=True)
class Leaf:
    """The facts of one document the chain commits to (mirrors ``IDocumentRegistry.Leaf``).

    ``issuer``/``importer`` are member codes such as "VN"; ``quantities`` has one entry per item of the
    document, in its order, in thousandths of that item's own unit (0 for an item that gives no quantity,
    which is claimed only with the whole certificate); ``payload_cid`` is the keccak256 of the encrypted
    payload's CID string.
    """

    document_id: bytes
    document_type: bytes
    digest: bytes
    issuer: str
    importer: str
    issued_at: int
    expires_at: int
    quantities: tuple[int, ...]
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
        if not (_is_u64(self.issued_at) and _is_u64(self.expires_at)):
            raise ValueError("issued_at and expires_at must fit in uint64")
        if type(self.quantities) is not tuple or not all(_is_u64(q) for q in self.quantities):
            raise ValueError("quantities must be a tuple of uint64 values, one per item")
        if len(self.quantities) > MAX_ITEMS:
            raise ValueError(f"a document has at most {MAX_ITEMS} items, this one has {len(self.quantities)}")

    def to_abi_tuple(self) -> tuple[bytes, bytes, bytes, bytes, bytes, int, int, list[int], bytes]:
        """The leaf as web3/eth_abi take a ``Leaf`` struct argument."""
        return (
            self.document_id,
            self.document_type,
            self.digest,
            self.issuer.encode("ascii"),
            self.importer.encode("ascii"),
            self.issued_at,
            self.expires_at,
            list(self.quantities),
            self.payload_cid,
        )

    def abi_encode(self) -> bytes:
        """``abi.encode(leaf)`` as Solidity computes it.

        The struct has one dynamic member, so the encoding is the struct's offset, nine head words (the
        ``quantities`` word holding where its data starts), then the array's length and its elements. Writing
        the words directly is several times faster than a generic encoder, which matters when an indexer
        hashes 100,000 leaves (a property test keeps it equal to eth_abi's ``encode``).
        """
        return b"".join(
            (
                _STRUCT_OFFSET,
                *self._head_words(_QUANTITIES_OFFSET),
                len(self.quantities).to_bytes(32, "big"),
                *(q.to_bytes(32, "big") for q in self.quantities),
            )
        )

    def eip712_encode_data(self) -> bytes:
        """EIP-712's ``encodeData`` of the leaf: an array member is the keccak256 of its encoded elements."""
        quantities = keccak256(b"".join(q.to_bytes(32, "big") for q in self.quantities))
        return b"".join(self._head_words(quantities))

    def _head_words(self, quantities_word: bytes) -> tuple[bytes, ...]:
        return (
            self.document_id,
            self.document_type,
            self.digest,
            self.issuer.encode("ascii").ljust(32, b"\0"),
            self.importer.encode("ascii").ljust(32, b"\0"),
            self.issued_at.to_bytes(32, "big"),
            self.expires_at.to_bytes(32, "big"),
            quantities_word,
            self.payload_cid,
        )

    @classmethod
    def from_abi_tuple(cls, values: Sequence[Any]) -> Leaf:
        """The inverse of :meth:`to_abi_tuple` (e.g. a struct web3 decoded)."""
        (doc_id, doc_type, digest, issuer, importer, issued_at, expires_at, quantities, cid) = values
        return cls(
            document_id=bytes(doc_id),
            document_type=bytes(doc_type),
            digest=bytes(digest),
            issuer=bytes(issuer).decode("ascii"),
            importer=bytes(importer).decode("ascii"),
            issued_at=int(issued_at),
            expires_at=int(expires_at),
            quantities=tuple(int(q) for q in quantities),
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
