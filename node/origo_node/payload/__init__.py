"""Encrypted payloads, stored content-addressed: locally with peer fetching by default, or in kubo.

The gateway (``payload.gateway``, the HTTP routes that serve this member's blocks) is imported where the API
is built, not here: it pulls in FastAPI, which the node's background process never needs.
"""

from origo_node.payload.cid import InvalidCid
from origo_node.payload.importer import build_file_dag, file_cid
from origo_node.payload.kubo import KuboPayloadStore
from origo_node.payload.local import LocalPayloadStore
from origo_node.payload.peers import PeerFetcher
from origo_node.payload.port import BlockReader, BlockStore, PayloadStore

__all__ = [
    "BlockReader",
    "BlockStore",
    "InvalidCid",
    "KuboPayloadStore",
    "LocalPayloadStore",
    "PayloadStore",
    "PeerFetcher",
    "build_file_dag",
    "file_cid",
]
