"""Blocks as files in a directory, named by CID: ``<directory>/<cid>``.

Files are written to a temporary name, fsynced and renamed, so that a crash leaves either the whole
block or nothing under its CID; blocks are checked against their CID again on every read, so a disk
that rots is reported rather than believed.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from origo_node.errors import NotFound, PayloadError
from origo_node.payload.cid import Cid, codec_from_name


def write_atomically(path: Path, data: bytes, mode: int = 0o644, *, durable: bool = True) -> None:
    """Write ``data`` to ``path`` so that readers see the old file, or all of the new one, never a part.

    ``durable=False`` skips the two fsyncs; the caller then owes one ``os.sync()`` for the whole lot (writing
    thousands of blocks with two fsyncs each costs seconds).
    """
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            if durable:
                os.fsync(file.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if durable:
        sync_directory(path.parent)  # the rename itself is durable only once the directory entry is


def sync_directory(directory: Path) -> None:
    """Makes the entries of ``directory`` (a file renamed or a directory made in it) durable."""
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


class FileBlockStore:
    """Only ever looks at its own directory: the gateway serves from this, so it never fans out to peers."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    def __repr__(self) -> str:
        return f"FileBlockStore({str(self.directory)!r})"

    def _path(self, cid: Cid) -> Path:
        # str(Cid) is canonical base32, so it can never contain a path separator or "..".
        return self.directory / str(cid)

    def put_block(self, block: bytes, codec: str = "raw") -> str:
        cid = Cid.of_block(codec_from_name(codec), block)
        self.put_verified(cid, block)
        return str(cid)

    def put_verified(
        self, cid: Cid, block: bytes, *, durable: bool = True, replace_damaged: bool = False
    ) -> None:
        """Stores ``block`` under ``cid`` unless it is there already (or, with ``replace_damaged``, unless a
        copy that still hashes to ``cid`` is there)."""
        if not cid.matches(block):
            raise PayloadError("refusing to store a block under a CID it does not hash to", cid=str(cid))
        path = self._path(cid)
        if path.exists() and not (replace_damaged and not cid.matches(path.read_bytes())):
            return
        write_atomically(path, block, durable=durable)

    def has_block(self, cid: str) -> bool:
        return self._path(Cid.parse(cid)).exists()

    def get_block(self, cid: str) -> bytes:
        return self.read(Cid.parse(cid))

    def read(self, cid: Cid) -> bytes:
        try:
            block = self._path(cid).read_bytes()
        except FileNotFoundError:
            raise NotFound("block not held here", cid=str(cid)) from None
        except OSError as exc:
            raise PayloadError(f"cannot read block: {exc}", cid=str(cid)) from exc
        if not cid.matches(block):
            raise PayloadError("stored block is corrupt: it no longer hashes to its CID", cid=str(cid))
        return block
