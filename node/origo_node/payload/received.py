"""Blocks a prefetch just received, each checked against its CID on receipt, kept for the pin and get that
follow it: reading back what was just written and hashing it twice more cost more than the rest of the
store's reading. Shared by the node's threads (the checker's round and the indexer's manifests prefetch
side by side): a block leaves when ``take`` hands it to a ``get``, or, oldest first, when more than
``limit`` bytes are kept. Keyed by the whole CID (codec and digest), so a block is never served under
another name.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from origo_node.payload.cid import Cid


class ReceivedBlocks:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._blocks: dict[Cid, bytes] = {}  # in the order kept: the first to go when over the limit
        self._bytes = 0
        self._lock = threading.Lock()

    def keep(self, blocks: Iterable[tuple[Cid, bytes]]) -> None:
        with self._lock:
            for cid, block in blocks:
                if cid in self._blocks or len(block) > self.limit:
                    continue
                self._blocks[cid] = block
                self._bytes += len(block)
                while self._bytes > self.limit:
                    self._bytes -= len(self._blocks.pop(next(iter(self._blocks))))

    def peek(self, cid: Cid) -> bytes | None:
        return self._blocks.get(cid)

    def take(self, cid: Cid) -> bytes | None:
        with self._lock:
            block = self._blocks.pop(cid, None)
            if block is not None:
                self._bytes -= len(block)
            return block

    @property
    def held_bytes(self) -> int:
        return self._bytes
