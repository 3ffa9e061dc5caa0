"""The default payload store: blocks in the node's data directory, missing ones fetched from peers.

Layout under ``data_dir``: ``blocks/<cid>`` holds blocks stored one at a time (``put``, and those fetched
one at a time); ``packs/`` the blocks stored or fetched many at a time, one file each time (``payload.packs``,
with an index on disk): this member's batches (payloads and manifest) and the rounds of other members'
payloads fetched in one CAR; ``pins/<cid>`` marks payloads the node has promised to keep whole (each marker
a hard link to one empty file, ``pins/.marker-*``). Nothing is ever garbage-collected yet, so a pin is a
promise that every block is present, made good at pin time.
"""

from __future__ import annotations

import errno
import os
import secrets
from collections.abc import Sequence
from pathlib import Path

from origo_node.errors import NotFound, PayloadError
from origo_node.payload.blocks import FileBlockStore, write_atomically
from origo_node.payload.cid import Cid
from origo_node.payload.dag import links_of, read_file, walk_blocks
from origo_node.payload.held import HeldBlocks
from origo_node.payload.importer import DEFAULT_CHUNK_SIZE, DEFAULT_MAX_LINKS, build_file_dag
from origo_node.payload.packs import PackStore
from origo_node.payload.peers import PeerFetcher
from origo_node.payload.received import ReceivedBlocks

#: The most bytes of prefetched blocks kept in memory for the pin and get that follow (a checker's round is up
#: to 1,024 payloads of a few KiB, a manifest 3 MB; what does not fit is read from disk as before).
FRESH_BYTES = 32 * 1024 * 1024


class LocalPayloadStore:
    def __init__(
        self,
        data_dir: Path,
        *,
        peers: PeerFetcher | None = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        max_links: int = DEFAULT_MAX_LINKS,
    ) -> None:
        #: Every block held here (never a peer's): what the gateway should serve.
        self.blocks = HeldBlocks(FileBlockStore(data_dir / "blocks"), PackStore(data_dir / "packs"))
        self._pins = data_dir / "pins"
        self._pins.mkdir(parents=True, exist_ok=True)
        self._marker: Path | None = None  # the empty file pin markers link to, made at the first pin
        self._peers = peers
        self._chunk_size = chunk_size
        self._max_links = max_links
        self._fresh = ReceivedBlocks(FRESH_BYTES)

    def __repr__(self) -> str:
        return f"LocalPayloadStore({self.blocks!r}, peers={self._peers!r})"

    def put(self, data: bytes) -> str:
        dag = build_file_dag(data, self._chunk_size, self._max_links)
        # Leaves first, root last: a crash mid-way never leaves a root whose children are missing.
        for cid, block in dag.blocks:
            self.blocks.put_verified(cid, block)
        return str(dag.root)

    def put_many(self, payloads: Sequence[bytes]) -> list[str]:
        """Stores several payloads (a batch's, and its manifest) as one pack, durable before it returns: one
        file for the lot instead of a file per block, which cost the issuer more than the rest of storing a
        batch (a file's creation took up to 0.3 ms on this project's disks). Only that file and its name are
        fsynced, not every file system of the machine (``os.sync()``)."""
        dags = [build_file_dag(data, self._chunk_size, self._max_links) for data in payloads]
        roots = [dag.root for dag in dags]
        # Each block once, though two payloads share it; every CID was just computed from its block. A batch
        # stored again (its round crashed before the root was sent) is a second pack, not asked about first
        # (a look-up per payload cost half as much as packing it): the index reads the first copy.
        blocks = {cid: block for dag in dags for cid, block in dag.blocks}
        self.blocks.packs.write(roots, list(blocks.items()), durable=True)
        return [str(root) for root in roots]

    def get(self, cid: str) -> bytes:
        return read_file(Cid.parse(cid), self._load_once)

    def has(self, cid: str) -> bool:
        return self.blocks.has_block(cid)

    def pin(self, cid: str) -> None:
        root = Cid.parse(cid)
        walk_blocks(root, self._load)
        marker = self._pins / str(root)
        if not marker.exists():
            # Without fsync: a recipient pins every payload it reads, and one fsync each would halve the
            # reader's pace. The blocks are what matters and nothing is garbage-collected yet; a marker lost
            # in a crash is made again the next time the payload is read.
            self._mark(marker)

    def _mark(self, marker: Path) -> None:
        # A marker is a hard link to one empty file: a new name, no new file. On this project's disks making
        # a file cost ten times what a link does (0.5-0.8 ms against 0.02-0.07), and an importing member
        # pins every payload it reads. A link is made whole or not at all, as the renamed file was.
        for _ in range(3):
            try:
                os.link(self._marker_file(), marker)
                return
            except FileExistsError:  # pinned meanwhile by another thread
                return
            except FileNotFoundError:  # the shared file is gone: make another
                self._marker = None
            except OSError as exc:
                if exc.errno != errno.EMLINK:  # no hard links on this file system
                    break
                self._marker = None  # as many links as the file system allows: start another file
        write_atomically(marker, b"", durable=False)

    def _marker_file(self) -> Path:
        if self._marker is None:
            marker = self._pins / f".marker-{secrets.token_hex(8)}"
            write_atomically(marker, b"", mode=0o444)
            self._marker = marker
        return self._marker

    def prefetch(self, cids: Sequence[str]) -> int:
        """Fetches the payloads of ``cids`` not held here from the peers in one CAR request (instead of one
        request per block) and stores them as one pack; returns how many blocks were stored. Only blocks of
        the DAGs asked for are kept, each one checked against its CID; what no peer sent is fetched block by
        block when read."""
        if self._peers is None:
            return 0
        roots = [Cid.parse(cid) for cid in cids]
        packed = self.blocks.packs.held(roots)
        missing = [
            root for root in roots if root not in packed and not self.blocks.files.has_block(str(root))
        ]
        if not missing:
            return 0
        received = self._peers.fetch_many(missing)
        sent = [root for root in missing if root in received]
        wanted: list[tuple[Cid, bytes]] = []
        pending = list(sent)
        while pending:
            cid = pending.pop()
            block = received.pop(cid, None)  # popped: a block two DAGs share is stored once
            if block is None:
                continue
            # Not hashed again: ``fetch_many`` answers only blocks it checked against their CID on receipt (a
            # manifest's 3 MB hashed twice on the indexer's fetch thread was a tenth of its time).
            wanted.append((cid, block))
            try:
                pending.extend(links_of(cid, block))
            except PayloadError:  # no DAG node: reading it says so; the round's other payloads are kept
                continue
        self.blocks.packs.write(sent, wanted)
        self._fresh.keep(wanted)
        return len(wanted)

    def is_pinned(self, cid: str) -> bool:
        return (self._pins / str(Cid.parse(cid))).exists()

    def get_block(self, cid: str) -> bytes:
        return self._load(Cid.parse(cid))

    def put_block(self, block: bytes, codec: str = "raw") -> str:
        return self.blocks.put_block(block, codec)

    def has_block(self, cid: str) -> bool:
        return self.blocks.has_block(cid)

    def _load_once(self, cid: Cid) -> bytes:
        """``_load``, letting go of the round's copy of the block: ``get`` is the round's last use of it."""
        block = self._fresh.take(cid)
        return block if block is not None else self._load(cid)

    def _load(self, cid: Cid) -> bytes:
        fresh = self._fresh.peek(cid)
        if fresh is not None:  # checked against ``cid`` when it was received, never written over since
            return fresh
        try:
            return self.blocks.read(cid)
        except NotFound:
            if self._peers is None:
                raise
        except PayloadError:  # our copy is damaged: another member's is as good
            if self._peers is None:
                raise
        block = self._peers.fetch_block(cid)
        # A fetched block is a copy of what others hold: written without fsync (one per block would make the
        # reader disk-bound). Should a crash leave it damaged, the read above says so and it is fetched again.
        self.blocks.put_verified(cid, block, durable=False, replace_damaged=True)
        return block
