"""The public batch manifest: the leaves of one anchored batch, so that every member can index it.

The chain stores only the batch's root; the event names this manifest by CID. Anyone holding the manifest
recomputes the Merkle root from its leaves and compares it with the anchored root, so the manifest needs no
trust in whoever served it. Besides the leaves' fields it carries what a verifier wants without the
payload: the CID string of each encrypted payload, the issuer's EIP-712 signature, the type's name, the unit
of each item's quantity and the members who can decrypt.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from origo_node.chain.merkle import Leaf, MerkleTree
from origo_node.documents.checks import is_unit_code
from origo_node.documents.leaf_json import leaf_from_json as leaf_from_json  # importable from here as before
from origo_node.documents.leaf_json import leaf_to_json as leaf_to_json
from origo_node.documents.leaf_json import text as _text
from origo_node.hashing import keccak256

FORMAT = "origo-batch/1"


class ManifestInvalid(ValueError):
    """A manifest that is not what its batch's event says it is."""


@dataclass(frozen=True)
class ManifestEntry:
    leaf: Leaf
    payload_cid: str
    signature: bytes
    signer: str
    type_name: str
    type_version: str
    # One per item of the leaf's quantities: the unit the item counts in, None where it gives no quantity.
    quantity_units: tuple[str | None, ...]
    recipients: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            **leaf_to_json(self.leaf),
            "payloadCidString": self.payload_cid,
            "signature": "0x" + self.signature.hex(),
            "signer": self.signer,
            "type": self.type_name,
            "version": self.type_version,
            "quantityUnits": list(self.quantity_units),
            "recipients": list(self.recipients),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ManifestEntry:
        leaf = leaf_from_json(data)
        return cls(
            leaf=leaf,
            payload_cid=_text(data["payloadCidString"]),
            signature=bytes.fromhex(str(data["signature"]).removeprefix("0x")),
            signer=_text(data["signer"]),
            type_name=_text(data["type"]),
            type_version=_text(data["version"]),
            quantity_units=_units(data["quantityUnits"], leaf),
            recipients=tuple(_text(code) for code in data["recipients"]),
        )


def _units(value: Any, leaf: Leaf) -> tuple[str | None, ...]:
    """The units of a leaf's items: one per quantity the leaf commits to, each a UN/ECE Rec. 20 code or null.

    Other members' manifests are read here: a list of another length would show one item's quantity in another
    item's unit, and free text would reach every member's status pages."""
    which = f"the leaf of document 0x{leaf.document_id.hex()}"
    if not isinstance(value, list):
        raise ManifestInvalid(f"{which} gives quantityUnits as {type(value).__name__}, not as a list")
    items = len(leaf.quantities)
    if len(value) != items:
        raise ManifestInvalid(f"{which} lists {len(value)} quantity unit(s) for its {items} item(s)")
    for unit in value:
        if unit is not None and not is_unit_code(unit):
            raise ManifestInvalid(f"{which} gives {str(unit)[:20]!r} as a unit, not a UN/ECE Rec. 20 code")
    return tuple(value)


def encode(issuer: str, root: bytes, entries: list[ManifestEntry]) -> bytes:
    body = {
        "format": FORMAT,
        "issuer": issuer,
        "root": "0x" + root.hex(),
        "leaves": [entry.as_json() for entry in entries],
    }
    return json.dumps(body, separators=(",", ":"), sort_keys=True).encode("utf-8")


def decode(raw: bytes, *, issuer: str, root: bytes, count: int) -> list[ManifestEntry]:
    """Parses a manifest and checks it against its batch event: format, issuer, count, root."""
    return decode_with_tree(raw, issuer=issuer, root=root, count=count)[0]


def decode_with_tree(
    raw: bytes, *, issuer: str, root: bytes, count: int
) -> tuple[list[ManifestEntry], MerkleTree]:
    """As :func:`decode`, also returning the tree it built to check the root (its proofs are the leaves')."""

    try:
        body = json.loads(raw)
        if body.get("format") != FORMAT:
            raise ManifestInvalid(f"format is {body.get('format')!r}, expected {FORMAT}")
        entries = [ManifestEntry.from_json(item) for item in body["leaves"]]
    except ManifestInvalid:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ManifestInvalid(f"unreadable manifest: {exc}") from exc
    if len(entries) != count:
        raise ManifestInvalid(f"{len(entries)} leaves, the batch event says {count}")
    strangers = {entry.leaf.issuer for entry in entries} - {issuer}
    if strangers:
        raise ManifestInvalid(f"leaves issued by {sorted(strangers)} in a batch of {issuer}")
    if any(keccak256(entry.payload_cid.encode()) != entry.leaf.payload_cid for entry in entries):
        raise ManifestInvalid("a leaf's payload CID hash does not match its CID")
    tree = MerkleTree([entry.leaf for entry in entries])
    if tree.root != root:
        raise ManifestInvalid("the leaves do not hash to the anchored root")
    return entries, tree
