"""Other members' blocks fetched a round at a time: a file a round (``packs/<name>.car``), an index on disk.

A prefetch round's blocks (each checked against its CID on receipt) are written as one CAR v1 to a temporary
name, fsynced once and renamed, so that a crash leaves the whole round or none of it: making one file per
block cost more than everything else the store did for a payload. ``packs/index.sqlite`` says where each
block lies, for every process of the node (the gateway answers from the API's workers, the checker writes
from the background process), without growing in memory with the years. The index is only a cache of the
packs: a process that finds it missing, unreadable or behind (a pack renamed, then a crash before its rows
were committed; a restore, which does not copy it) rebuilds what it lacks from the packs, so that a backup
copies plain files. Every block read from a pack is checked against its CID again.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from origo_node.errors import PayloadError
from origo_node.payload.blocks import write_atomically
from origo_node.payload.car import CarInvalid, car_sections, write_car
from origo_node.payload.cid import Cid

log = logging.getLogger(__name__)

INDEX_FILE = "index.sqlite"
_SUFFIX = ".car"
_NAME = re.compile(r"[0-9a-f]{16}-[0-9a-f]{12}")
#: A temporary pack older than this is what a crash left mid-write (a write takes milliseconds).
_STALE_TEMPORARY_S = 600.0
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS packs (name TEXT PRIMARY KEY, size INTEGER NOT NULL) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS blocks (cid BLOB PRIMARY KEY, pack TEXT NOT NULL,"
    " offset INTEGER NOT NULL, length INTEGER NOT NULL) WITHOUT ROWID",
)
_Row = tuple[bytes, str, int, int]
_ASKED_AT_ONCE = 500  # under SQLite's bound on a statement's parameters (999 in older builds)


def is_index_file(path: Path) -> bool:
    """Whether ``path`` is the packs' index (or its journal): derived data, which a backup leaves out."""
    return path.parent.name == "packs" and path.name.startswith(INDEX_FILE)


class PackStore:
    """Only ever looks at its own directory, like ``FileBlockStore``: it never fans out to peers."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._pid = 0  # the process that opened ``_conn``: a forked child opens its own
        self._inherited: list[sqlite3.Connection] = []  # a parent's, never used nor closed in the child

    def __repr__(self) -> str:
        return f"PackStore({str(self.directory)!r})"

    def write(self, roots: Sequence[Cid], blocks: Sequence[tuple[Cid, bytes]]) -> None:
        """Stores ``blocks`` (each already checked against its CID) as one pack, durable when it returns."""
        if not blocks:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns():016x}-{secrets.token_hex(6)}"  # in the order written, and unique
        chunks = list(write_car(roots, blocks))
        rows: list[_Row] = []
        position = len(chunks[0])
        for (cid, block), chunk in zip(blocks, chunks[1:], strict=True):
            position += len(chunk)
            rows.append((bytes(cid), name, position - len(block), len(block)))
        write_atomically(self.directory / f"{name}{_SUFFIX}", b"".join(chunks))
        # A crash here leaves a pack the index does not know: the next process to open the index adds it.
        with self._index() as conn:
            _record(conn, name, position, rows)

    def read(self, cid: Cid) -> bytes | None:
        """The block, checked against ``cid``; None if no pack holds it; PayloadError if it is damaged."""
        with self._index() as conn:
            row = conn.execute(
                "SELECT pack, offset, length FROM blocks WHERE cid = ?", (bytes(cid),)
            ).fetchone()
        if row is None:
            return None
        pack, offset, length = row
        if not isinstance(pack, str) or not _NAME.fullmatch(pack):
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
        with self._index() as conn:
            return conn.execute("SELECT 1 FROM blocks WHERE cid = ?", (bytes(cid),)).fetchone() is not None

    def held(self, cids: Sequence[Cid]) -> set[Cid]:
        """Which of ``cids`` a pack holds, asked of the index a few hundred at a time, not one by one."""
        found: set[bytes] = set()
        keys = list(dict.fromkeys(bytes(cid) for cid in cids))
        with self._index() as conn:
            for start in range(0, len(keys), _ASKED_AT_ONCE):
                part = keys[start : start + _ASKED_AT_ONCE]
                marks = ",".join("?" * len(part))
                found.update(
                    key for (key,) in conn.execute(f"SELECT cid FROM blocks WHERE cid IN ({marks})", part)
                )
        return {cid for cid in cids if bytes(cid) in found}

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None

    @contextmanager
    def _index(self) -> Iterator[sqlite3.Connection]:
        """The index, opened at first use (not when the node starts) and again in a forked child; its
        engine's errors (a lock held too long, a full disk) are a PayloadError: the caller fetches again."""
        with self._lock:
            try:
                if self._conn is None or self._pid != os.getpid():
                    if self._conn is not None:
                        self._inherited.append(self._conn)
                        self._conn = None
                    self._conn, self._pid = self._open(), os.getpid()
                yield self._conn
            except sqlite3.Error as exc:
                log.warning("the packs' index in %s failed: %s", self, exc)
                raise PayloadError("this node's index of fetched payloads cannot be used just now") from exc

    def _open(self) -> sqlite3.Connection:
        """The index, brought up to date with the packs on disk; made again from them if it is unreadable."""
        self.directory.mkdir(parents=True, exist_ok=True)
        try:
            return self._open_and_catch_up()
        except sqlite3.DatabaseError as exc:
            log.warning(
                "the packs' index in %s is unreadable (%s): making it again from the packs", self, exc
            )
            for path in self.directory.glob(f"{INDEX_FILE}*"):
                if path.is_file():
                    path.unlink(missing_ok=True)
            return self._open_and_catch_up()

    def _open_and_catch_up(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.directory / INDEX_FILE, timeout=30, isolation_level=None, check_same_thread=False
        )
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")  # a lost row is found again in its pack
            for statement in _SCHEMA:
                conn.execute(statement)
            known = {name for (name,) in conn.execute("SELECT name FROM packs")}
            for path in sorted(self.directory.iterdir()):
                name = path.name.removesuffix(_SUFFIX)
                if path.name.endswith(_SUFFIX) and _NAME.fullmatch(name) and name not in known:
                    if not _indexed(conn, name):  # by another process catching up beside this one
                        _record(conn, name, *_rows_of(path, name))
                elif path.name.endswith(".tmp") and _older_than(path, _STALE_TEMPORARY_S):
                    path.unlink(missing_ok=True)  # what a crash left mid-write: that round is fetched again
        except BaseException:
            conn.close()
            raise
        return conn


def _record(conn: sqlite3.Connection, name: str, size: int, rows: list[_Row]) -> None:
    # The first copy of a block indexed is the one read; two processes catching up one pack is harmless.
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.executemany("INSERT OR IGNORE INTO blocks VALUES (?, ?, ?, ?)", rows)
        conn.execute("INSERT OR IGNORE INTO packs VALUES (?, ?)", (name, size))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _indexed(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM packs WHERE name = ?", (name,)).fetchone() is not None


def _rows_of(path: Path, name: str) -> tuple[int, list[_Row]]:
    """The size of the pack at ``path`` and where its blocks lie: only blocks that still hash to their CID,
    and only up to the first section that cannot be parsed (the blocks after it are fetched again)."""
    data = path.read_bytes()
    rows: list[_Row] = []
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
