"""Documents put in a node's index as its indexer puts them: the batch's anchoring first (``store_chunk``),
then the batch's documents (``store_documents``), which take their root, block, transaction and time from
it."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from origo_node.store.index import IndexRepository
from origo_node.store.rows import IndexedBatch, IndexedDocument

#: A distinct log index for every batch a test anchors: the chain gives each anchoring event its own.
_log_indexes: Iterator[int] = itertools.count()


def store_anchored(index: IndexRepository, *documents: IndexedDocument) -> IndexedBatch:
    """Anchors ``documents`` as one batch of the first one's issuer, root, block, transaction and time; a
    batch of that issuer and root anchored already gets them instead (with its block, transaction and
    time)."""
    first = documents[0]
    batch = index.batch(first.issuer, first.root)
    if batch is None:
        batch = IndexedBatch(
            root=first.root,
            issuer=first.issuer,
            account=first.signer,
            count=len(documents),
            manifest_cid="bafymanifest",
            block=first.block,
            tx_hash=first.tx_hash,
            log_index=next(_log_indexes),
            timestamp=first.timestamp,
        )
        checkpoint = index.checkpoint()
        end, end_hash = checkpoint if checkpoint is not None else (first.block, "0x" + "00" * 32)
        index.store_chunk([batch], [], [], max(end, first.block), end_hash)
    index.store_documents(batch, documents)
    return batch
