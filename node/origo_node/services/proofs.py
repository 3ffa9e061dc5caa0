"""Merkle proofs of indexed documents, worked out from their batch's manifest when someone needs one.

Storing every document's proof (twelve hashes for a batch of 4,096: 800 bytes a row) made a third of what an
indexer writes while replaying the chain, for proofs that are needed only when an officer acts on a document
or someone takes its file away. The manifest of every indexed batch is pinned in this node's payload store, so
the tree is rebuilt from it (a tenth of a second for 4,096 documents) and the last few trees are kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from origo_node.anchoring import batch_manifest
from origo_node.chain.merkle import MerkleTree
from origo_node.errors import NotFound
from origo_node.payload import PayloadStore
from origo_node.services.naming import DocumentKey
from origo_node.store.ports import IndexStore
from origo_node.store.rows import IndexedBatch, IndexedDocument

_TREES_KEPT = 8


class ProofService:
    def __init__(self, index: IndexStore, payloads: PayloadStore) -> None:
        self._index = index
        self._payloads = payloads
        # By (issuer, root): another member may anchor the same root (with other leaves, or none it can show).
        self._trees: OrderedDict[tuple[str, str], tuple[MerkleTree, dict[str, int]]] = OrderedDict()
        self._lock = threading.Lock()

    def proof(self, key: DocumentKey) -> tuple[IndexedDocument, bytes, list[bytes]]:
        """The document's index row, its batch root, and its proof up to that root."""
        document = self._index.document(key.issuer, key)
        batch = None if document is None else self._index.batch(document.issuer, document.root)
        if document is None or batch is None:
            raise NotFound(f"document {key.named} is not anchored (or not indexed yet)")
        tree, positions = self._tree(batch)
        return document, tree.root, tree.proof(positions[str.__str__(key)])

    def _tree(self, batch: IndexedBatch) -> tuple[MerkleTree, dict[str, int]]:
        root = batch.root
        cache_key = (batch.issuer, root)
        with self._lock:
            if cache_key in self._trees:
                self._trees.move_to_end(cache_key)
                return self._trees[cache_key]
        # The manifest was checked against the root when the batch was indexed; decoding checks it again.
        entries, tree = batch_manifest.decode_with_tree(
            self._payloads.get(batch.manifest_cid),
            issuer=batch.issuer,
            root=bytes.fromhex(root[2:]),
            count=batch.count,
        )
        positions = {"0x" + entry.leaf.document_id.hex(): i for i, entry in enumerate(entries)}
        with self._lock:
            self._trees[cache_key] = (tree, positions)
            while len(self._trees) > _TREES_KEPT:
                self._trees.popitem(last=False)
        return tree, positions
