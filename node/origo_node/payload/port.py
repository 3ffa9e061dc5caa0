"""The payload store port: what services need from IPFS, whichever adapter provides it.

``put`` and ``get`` deal in whole payloads (UnixFS files, CIDs as kubo gives them); the block methods
are what the trustless gateway and peer fetching are made of.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable


@runtime_checkable
class BlockReader(Protocol):
    def get_block(self, cid: str) -> bytes:
        """The block's bytes, already checked against ``cid``. Raises NotFound, InvalidCid, PayloadError."""
        ...


@runtime_checkable
class BlockStore(BlockReader, Protocol):
    def put_block(self, block: bytes, codec: str = "raw") -> str:
        """Store one block of codec ``raw`` or ``dag-pb``; returns its CID."""
        ...

    def has_block(self, cid: str) -> bool:
        """Whether the block is held here, without asking anyone else."""
        ...


@runtime_checkable
class PayloadStore(BlockStore, Protocol):
    def put(self, data: bytes) -> str:
        """Store ``data`` as a UnixFS file; returns its CIDv1, as kubo would give it."""
        ...

    def put_many(self, payloads: Sequence[bytes]) -> list[str]:
        """Store several payloads; durable when it returns (an adapter may sync once for all of them)."""
        ...

    def get(self, cid: str) -> bytes:
        """The whole payload. Raises NotFound if nobody has it, PayloadError if it cannot be had intact."""
        ...

    def has(self, cid: str) -> bool:
        """Whether the payload's root block is held here (not whether a peer has it)."""
        ...

    def pin(self, cid: str) -> None:
        """Make sure every block of the payload is held here, fetching what is missing, and keep it."""
        ...

    def prefetch(self, cids: Sequence[str]) -> int:
        """Fetch, in as few requests as the adapter can, the payloads of ``cids`` not held here, ahead of
        reading them one by one; returns the blocks stored. A hint: reading works the same without it."""
        ...
