"""What an auditor can take away and re-check against the chain alone: facts, proof, signature, events."""

from __future__ import annotations

from typing import Any

from origo_node.anchoring.manifest import leaf_to_json
from origo_node.chain import eip712
from origo_node.chain.client import ChainClient
from origo_node.services.naming import DocumentKey
from origo_node.services.proofs import ProofService
from origo_node.services.reading import leaf_of
from origo_node.services.status import StatusService

EXPORT_FORMAT = "origo-trail/1"


class ExportService:
    def __init__(
        self, client: ChainClient, status: StatusService, proofs: ProofService, chain_id: int
    ) -> None:
        self._proofs = proofs
        self._client = client
        self._status = status
        self._chain_id = chain_id

    def proof_bundle(self, key: DocumentKey) -> dict[str, Any]:
        """The anchoring proof that travels with an issued file and lets anyone check it offline."""
        row, _, proof = self._proofs.proof(key)
        leaf = leaf_of(row)
        registry = str(self._client.registry.address)
        return {
            "document_id": str.__str__(key),
            "issuer": key.issuer,
            "digest": row["digest"],
            "leaf": leaf_to_json(leaf),
            "payload_cid": row["payload_cid"],
            "root": row["root"],
            "proof": ["0x" + p.hex() for p in proof],
            "signature": row["signature"],
            "signer": row["signer"],
            "anchor_block": row["block"],
            "anchor_tx": row["tx_hash"],
            "chain_id": self._chain_id,
            "registry": registry,
            "membership": str(self._client.membership.address),
            "eip712": eip712.typed_data(leaf, self._chain_id, registry),
        }

    def export(self, key: DocumentKey) -> dict[str, Any]:
        trail = self._status.trail(key)
        return {"format": EXPORT_FORMAT, **self.proof_bundle(key), "events": trail["events"]}
