"""Every block this node holds, wherever on its disk: block files first, then the packs of fetched rounds.

Block files are the blocks stored or fetched one at a time; packs are this member's batches and the rounds
of other members' payloads fetched in one CAR (``payload.packs``). The gateway serves from this, so a
recipient can pass on what it fetched when the issuer's store is gone; it never asks a peer, or two members
missing a block would ask each other round in circles.
"""

from __future__ import annotations

from origo_node.errors import NotFound, PayloadError
from origo_node.payload.blocks import FileBlockStore
from origo_node.payload.cid import Cid
from origo_node.payload.packs import PackStore


class HeldBlocks:
    def __init__(self, files: FileBlockStore, packs: PackStore) -> None:
        self.files = files
        self.packs = packs
        self.directory = files.directory

    def __repr__(self) -> str:
        return f"HeldBlocks({self.files!r}, {self.packs!r})"

    def read(self, cid: Cid) -> bytes:
        """The block, checked against ``cid``: NotFound if held nowhere here, PayloadError if every copy here
        is damaged."""
        try:
            return self.files.read(cid)
        except NotFound:
            block = self.packs.read(cid)
            if block is None:
                raise
            return block
        except PayloadError as damaged:  # a copy in a pack may still be whole
            try:
                packed = self.packs.read(cid)
            except PayloadError:
                packed = None
            if packed is None:
                raise damaged from None
            return packed

    def get_block(self, cid: str) -> bytes:
        return self.read(Cid.parse(cid))

    def has_block(self, cid: str) -> bool:
        return self.files.has_block(cid) or self.packs.has(Cid.parse(cid))

    def put_block(self, block: bytes, codec: str = "raw") -> str:
        return self.files.put_block(block, codec)

    def put_verified(
        self, cid: Cid, block: bytes, *, durable: bool = True, replace_damaged: bool = False
    ) -> None:
        """Stores ``block`` as a block file (see ``FileBlockStore.put_verified``): a block file is read before
        any pack, so a copy fetched again stands in for a damaged one in a pack."""
        self.files.put_verified(cid, block, durable=durable, replace_damaged=replace_damaged)
