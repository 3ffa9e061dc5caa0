"""Merkle proofs of indexed documents, worked out from their batch's manifest when someone needs one.

Storing every document's proof (twelve hashes for a batch of 4,096: 800 bytes a row) made a third of what an
indexer writes while replaying the chain, for proofs that are needed only when an officer acts on a document
or someone takes its file away. The manifest of every indexed batch is pinned in this node's payload store, so
the tree is rebuilt from it (a tenth of a second for 4,096 documents) and the last few trees are kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from origo_node.anchoring import manifest
from origo_node.chain.merkle import MerkleTree
from origo_node.errors import NotFound
from origo_node.payload import PayloadStore
from origo_node.services.naming import DocumentKey
from origo_node.store.db import Database

_TREES_KEPT = 8


class ProofService:
    def __init__(self, db: Database, payloads: PayloadStore) -> None:
        self._db = db
        self._payloads = payloads
        # By (issuer, root): another member may anchor the same root (with other leaves, or none it can show).
        self._trees: OrderedDict[tuple[str, str], tuple[MerkleTree, dict[str, int]]] = OrderedDict()
        self._lock = threading.Lock()

    def proof(self, key: DocumentKey) -> tuple[Any, bytes, list[bytes]]:
        """The document's index row, its batch root, and its proof up to that root."""
        row = (
            self._db.read()
            .execute(
                "SELECT d.*, b.manifest_cid, b.count AS batch_count FROM idx_documents d"
                " JOIN idx_batches b ON b.issuer = d.issuer AND b.root = d.root"
                " WHERE d.issuer = ? AND d.document_id = ?",
                (key.issuer, key),
            )
            .fetchone()
        )
        if row is None:
            raise NotFound(f"document {key.qualified} is not anchored (or not indexed yet)")
        tree, positions = self._tree(row)
        return row, tree.root, tree.proof(positions[str.__str__(key)])

    def _tree(self, row: Any) -> tuple[MerkleTree, dict[str, int]]:
        root = str(row["root"])
        cache_key = (str(row["issuer"]), root)
        with self._lock:
            if cache_key in self._trees:
                self._trees.move_to_end(cache_key)
                return self._trees[cache_key]
        # The manifest was checked against the root when the batch was indexed; decoding checks it again.
        entries, tree = manifest.decode_with_tree(
            self._payloads.get(row["manifest_cid"]),
            issuer=row["issuer"],
            root=bytes.fromhex(root[2:]),
            count=int(row["batch_count"]),
        )
        positions = {"0x" + entry.leaf.document_id.hex(): i for i, entry in enumerate(entries)}
        with self._lock:
            self._trees[cache_key] = (tree, positions)
            while len(self._trees) > _TREES_KEPT:
                self._trees.popitem(last=False)
        return tree, positions
