"""Blocks stored many at a time: a file each time (``packs/<name>.car``), an index on disk.

Two kinds of round write a pack: a prefetch of other members' payloads (each block checked against its CID on
receipt), and this member's own batch, its payloads and manifest (``LocalPayloadStore.put_many``). A pack is
written as one CAR v1 to a temporary name and renamed, so that a process that dies leaves the whole round or
none of it: making one file per block cost more than everything else the store did for a payload. A
prefetched pack is not fsynced, like the block files fetched before them (a 3 MB manifest's fsync takes
50 ms on this project's disks, and the indexer fetches one a batch): what a power loss tears is found out by
the CID check on every read, and fetched again. A batch's pack is fsynced, it and its name, before the
batch's root leaves for the chain.

``packs/index.sqlite`` (``store.pack_index``) says where each block lies, for every process of the node (the
gateway answers from the API's workers, the checker writes from the background process), without growing in
memory with the years. The index is only a cache of the packs: each process, at its first use of it, adds
what it lacks from the packs (a pack renamed, then a crash before its rows were committed; a restore, which
does not copy the index; an index found unreadable and made again), so that a backup copies plain files.
Every block read from a pack is checked against its CID again.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from origo_node.errors import PayloadError, StoreError
from origo_node.payload.blocks import sync_directory, write_atomically
from origo_node.payload.car import CarInvalid, car_sections, write_car
from origo_node.payload.cid import Cid
from origo_node.store.pack_index import BlockRow, PackIndex

log = logging.getLogger(__name__)

INDEX_FILE = "index.sqlite"
_SUFFIX = ".car"
_NAME = re.compile(r"[0-9a-f]{16}-[0-9a-f]{12}")
#: A temporary pack older than this is what a crash left mid-write (a write takes milliseconds).
_STALE_TEMPORARY_S = 600.0


def is_index_file(path: Path) -> bool:
    """Whether ``path`` is the packs' index (or its journal): derived data, which a backup leaves out."""
    return path.parent.name == "packs" and path.name.startswith(INDEX_FILE)


class PackStore:
    """Only ever looks at its own directory, like ``FileBlockStore``: it never fans out to peers."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._index = PackIndex(directory / INDEX_FILE)
        self._catching_up = threading.Lock()
        self._caught_up_in = 0  # the process that added the packs on disk to the index

    def __repr__(self) -> str:
        return f"PackStore({str(self.directory)!r})"

    def write(
        self, roots: Sequence[Cid], blocks: Sequence[tuple[Cid, bytes]], *, durable: bool = False
    ) -> None:
        """Stores ``blocks`` (each already checked against its CID) as one pack, whole or not at all; with
        ``durable``, on disk before it returns (the pack and its name fsynced)."""
        if not blocks:
            return
        with self._caught_up() as index:
            name = f"{time.time_ns():016x}-{secrets.token_hex(6)}"  # in the order written, and unique
            chunks = list(write_car(roots, blocks))
            rows: list[BlockRow] = []
            position = len(chunks[0])
            for (cid, block), chunk in zip(blocks, chunks[1:], strict=True):
                position += len(chunk)
                rows.append((bytes(cid), name, position - len(block), len(block)))
            write_atomically(self.directory / f"{name}{_SUFFIX}", b"".join(chunks), durable=durable)
            # A crash here leaves a pack the index does not know: the next process to open it adds it.
            index.record(name, position, rows)

    def read(self, cid: Cid) -> bytes | None:
        """The block, checked against ``cid``; None if no pack holds it; PayloadError if it is damaged."""
        with self._caught_up() as index:
            found = index.locate(bytes(cid))
        if found is None:
            return None
        pack, offset, length = found
        if not _NAME.fullmatch(pack):
            raise PayloadError("the packs' index names no pack file", cid=str(cid))
        try:
            fd = os.open(self.directory / f"{pack}{_SUFFIX}", os.O_RDONLY)
            try:
                block = os.pread(fd, length, offset)
            finally:
                os.close(fd)
        except OSError as exc:
            raise PayloadError(f"cannot read block from its pack: {exc.strerror}", cid=str(cid)) from exc
        if not cid.matches(block):
            raise PayloadError("stored block is corrupt: it no longer hashes to its CID", cid=str(cid))
        return block

    def has(self, cid: Cid) -> bool:
        with self._caught_up() as index:
            return bool(index.held([bytes(cid)]))

    def held(self, cids: Sequence[Cid]) -> set[Cid]:
        """Which of ``cids`` a pack holds (one question to the index for a few hundred)."""
        with self._caught_up() as index:
            found = index.held([bytes(cid) for cid in cids])
        return {cid for cid in cids if bytes(cid) in found}

    def caught_up(self) -> bool:
        """Whether this process has added the packs on disk to the index (until then, the first read may scan
        every pack: after a restore, or when the index was found unreadable)."""
        return self._caught_up_in == os.getpid()

    def close(self) -> None:
        self._index.close()

    @contextmanager
    def _caught_up(self) -> Iterator[PackIndex]:
        """The index, with every pack on disk in it once this process first opens it; the engine's errors
        (a lock held too long, a full disk) are a PayloadError, so the caller fetches again."""
        try:
            if self._caught_up_in != os.getpid():
                with self._catching_up:
                    if self._caught_up_in != os.getpid():
                        if not self.directory.is_dir():  # made durably: a batch's pack is written in it
                            self.directory.mkdir(parents=True, exist_ok=True)
                            sync_directory(self.directory.parent)
                        self._catch_up()
                        self._caught_up_in = os.getpid()
            yield self._index
        except StoreError as exc:
            raise PayloadError(exc.message) from exc

    def _catch_up(self) -> None:
        known = self._index.packs()
        for path in sorted(self.directory.iterdir()):
            name = path.name.removesuffix(_SUFFIX)
            if path.name.endswith(_SUFFIX) and _NAME.fullmatch(name) and name not in known:
                if not self._index.has_pack(name):  # by another process catching up beside this one
                    self._index.record(name, *_rows_of(path, name))
            elif path.name.endswith(".tmp") and _older_than(path, _STALE_TEMPORARY_S):
                path.unlink(missing_ok=True)  # what a crash left mid-write: that round is fetched again


def _rows_of(path: Path, name: str) -> tuple[int, list[BlockRow]]:
    """The size of the pack at ``path`` and where its blocks lie: only blocks that still hash to their CID,
    and only up to the first section that cannot be parsed (the blocks after it are fetched again)."""
    data = path.read_bytes()
    rows: list[BlockRow] = []
    try:
        for cid, offset, length in car_sections(data):
            if cid.matches(data[offset : offset + length]):
                rows.append((bytes(cid), name, offset, length))
            else:
                log.warning("a block in pack %s no longer hashes to its CID %s: left out", path, cid)
    except CarInvalid as exc:
        log.warning("pack %s is damaged after %d blocks (%s): the rest is left out", path, len(rows), exc)
    return len(data), rows


def _older_than(path: Path, seconds: float) -> bool:
    try:
        return time.time() - path.stat().st_mtime > seconds
    except FileNotFoundError:
        return False
