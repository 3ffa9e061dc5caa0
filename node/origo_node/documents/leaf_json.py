"""A leaf as JSON (hex fields, camelCase as the contract names them): how the manifest, the outbox and the
trail export write it, and how it is read back, checked, from another member's manifest.
"""

from __future__ import annotations

from typing import Any

from origo_node.documents.leaf import Leaf


def leaf_to_json(leaf: Leaf) -> dict[str, Any]:
    return {
        "documentId": "0x" + leaf.document_id.hex(),
        "documentType": "0x" + leaf.document_type.hex(),
        "digest": "0x" + leaf.digest.hex(),
        "issuer": leaf.issuer,
        "importer": leaf.importer,
        "issuedAt": leaf.issued_at,
        "expiresAt": leaf.expires_at,
        # Decimal strings: thousandths of a large quantity pass 2^53, past which JSON readers round numbers.
        "quantities": [str(q) for q in leaf.quantities],
        "payloadCid": "0x" + leaf.payload_cid.hex(),
    }


def text(value: Any) -> str:
    """A manifest's text field. A NUL character is refused: no honest manifest has one, and PostgreSQL's text
    cannot hold it, so a member's manifest carrying one would otherwise stall the index of every node on
    PostgreSQL."""
    written = str(value)
    if "\x00" in written:
        raise ValueError("a text field of a leaf holds a NUL character")
    return written


def _b32(value: Any) -> bytes:
    raw = bytes.fromhex(str(value).removeprefix("0x"))
    if len(raw) != 32:
        raise ValueError("expected 32 bytes")
    return raw


def _quantities(value: Any) -> tuple[int, ...]:
    if not isinstance(value, list) or not all(
        isinstance(q, str) and q.isascii() and q.isdigit() for q in value
    ):
        raise ValueError("quantities must be a list of decimal strings, one per item")
    return tuple(int(q) for q in value)


def leaf_from_json(data: dict[str, Any]) -> Leaf:
    return Leaf(
        document_id=_b32(data["documentId"]),
        document_type=_b32(data["documentType"]),
        digest=_b32(data["digest"]),
        issuer=text(data["issuer"]),
        importer=text(data["importer"]),
        issued_at=int(data["issuedAt"]),
        expires_at=int(data["expiresAt"]),
        quantities=_quantities(data["quantities"]),
        payload_cid=_b32(data["payloadCid"]),
    )
