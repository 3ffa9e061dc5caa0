"""The leaf of a document as the registry hashes and the issuer signs it, worked out on the auditor's side.

The node has its own definition (origo_node.documents.leaf); this one is kept apart on purpose: a re-check
that shared the node's code would repeat the node's mistakes. tests/clients/test_cli_trail_check.py holds the
two to the same answers (leaf hash, Merkle proofs, EIP-712 signatures).
"""

from __future__ import annotations

from typing import Any

from eth_abi.abi import encode
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils.crypto import keccak
from origo_sdk import LeafFacts

#: abi.encode(leaf) of a struct with a dynamic member: the encoding of one tuple.
LEAF_TYPES = ["(bytes32,bytes32,bytes32,bytes2,bytes2,uint64,uint64,uint64[],bytes32)"]
LEAF_FIELDS = (
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
PRIMARY_TYPE = "AnchoredDocument"


class ExportUnreadable(ValueError):
    """The file is not an Origo trail export."""


def bytes32_of(hex_text: str) -> bytes:
    raw = bytes.fromhex(hex_text.removeprefix("0x"))
    if len(raw) != 32:
        raise ExportUnreadable(f"expected 32 bytes, got {len(raw)}: {hex_text}")
    return raw


def member_code_bytes(code: str) -> bytes:
    raw = code.encode("ascii")
    if len(raw) != 2:
        raise ExportUnreadable(f"a member code is two letters, got {code!r}")
    return raw


def leaf_tuple(leaf: LeafFacts) -> tuple[bytes, bytes, bytes, bytes, bytes, int, int, list[int], bytes]:
    return (
        bytes32_of(leaf.document_id),
        bytes32_of(leaf.document_type),
        bytes32_of(leaf.digest),
        member_code_bytes(leaf.issuer),
        member_code_bytes(leaf.importer),
        leaf.issued_at,
        leaf.expires_at,
        [_thousandths(q) for q in leaf.quantities],
        bytes32_of(leaf.payload_cid),
    )


def _thousandths(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) >= 2**64:
        raise ExportUnreadable(f"an item quantity is a whole number of thousandths below 2^64, got {text!r}")
    return int(text)


def leaf_hash(leaf: LeafFacts) -> bytes:
    """keccak256(bytes.concat(keccak256(abi.encode(leaf)))), as OpenZeppelin's StandardMerkleTree."""
    return keccak(keccak(encode(LEAF_TYPES, [leaf_tuple(leaf)])))


def process_proof(leaf: bytes, proof: list[bytes]) -> bytes:
    computed = leaf
    for sibling in proof:
        computed = keccak(computed + sibling if computed < sibling else sibling + computed)
    return computed


def typed_data(leaf: LeafFacts, chain_id: int, registry: str) -> dict[str, Any]:
    """The EIP-712 message an issuer signs for ``leaf``, built here from the leaf (not taken on trust)."""
    values = leaf_tuple(leaf)
    message: dict[str, Any] = {}
    for (name, _kind), value in zip(LEAF_FIELDS, values, strict=True):
        message[name] = "0x" + value.hex() if isinstance(value, bytes) else value
    return {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            PRIMARY_TYPE: [{"name": name, "type": kind} for name, kind in LEAF_FIELDS],
        },
        "primaryType": PRIMARY_TYPE,
        "domain": {"name": "Origo", "version": "1", "chainId": chain_id, "verifyingContract": registry},
        "message": message,
    }


def recover_signer(full_message: dict[str, Any], signature: str) -> str:
    signable = encode_typed_data(full_message=full_message)
    return str(Account.recover_message(signable, signature=bytes.fromhex(signature.removeprefix("0x"))))


def same_message(exported: dict[str, Any], ours: dict[str, Any]) -> bool:
    def norm(value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value

    mine, theirs = ours["message"], exported.get("message") or {}
    same_message = all(norm(theirs.get(k)) == norm(v) for k, v in mine.items())
    d_mine, d_theirs = ours["domain"], exported.get("domain") or {}
    same_domain = all(norm(d_theirs.get(k)) == norm(v) for k, v in d_mine.items())
    return same_message and same_domain and exported.get("primaryType") == PRIMARY_TYPE


def jsonable(value: Any) -> Any:
    """An event argument as the node writes it in a trail (bytes2 as letters, other bytes as 0x-hex)."""
    if isinstance(value, bytes):
        if len(value) == 2:
            return value.decode("ascii", errors="replace")
        return "0x" + value.hex()
    return value
