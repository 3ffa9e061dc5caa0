"""What an auditor can take away and re-check against the chain alone: facts, proof, signature, events."""

from __future__ import annotations

from typing import Any

from origo_api.answers import LeafFacts, ProofBundle, TrailExport

from origo_node.chain import eip712
from origo_node.chain.port import ChainPort
from origo_node.documents.leaf_json import leaf_to_json
from origo_node.services.naming import DocumentKey
from origo_node.services.proofs import ProofService
from origo_node.services.reading import leaf_of
from origo_node.services.status import StatusService

EXPORT_FORMAT = "origo-trail/1"


class ExportService:
    def __init__(self, chain: ChainPort, status: StatusService, proofs: ProofService, chain_id: int) -> None:
        self._proofs = proofs
        self._chain = chain
        self._status = status
        self._chain_id = chain_id

    def proof_bundle(self, key: DocumentKey) -> ProofBundle:
        """The anchoring proof that travels with an issued file and lets anyone check it offline."""
        row, _, proof = self._proofs.proof(key)
        leaf = leaf_of(row)
        registry = self._chain.registry_address
        # The issuer is sent after the model's own fields, as it was before the model named them.
        unnamed: dict[str, Any] = {"issuer": key.issuer}
        return ProofBundle(
            document_id=str.__str__(key),
            digest=row.digest,
            leaf=LeafFacts.model_validate(leaf_to_json(leaf)),  # the manifest's JSON of a leaf is the API's
            payload_cid=row.payload_cid,
            root=row.root,
            proof=["0x" + p.hex() for p in proof],
            signature=row.signature,
            signer=row.signer,
            anchor_block=row.block,
            anchor_tx=row.tx_hash,
            chain_id=self._chain_id,
            registry=registry,
            membership=self._chain.membership_address,
            eip712=eip712.typed_data(leaf, self._chain_id, registry),
            **unnamed,
        )

    def export(self, key: DocumentKey) -> TrailExport:
        events = [event.answer() for event in self._status.trail(key).events]
        return TrailExport(**dict(self.proof_bundle(key)), format=EXPORT_FORMAT, events=events)
