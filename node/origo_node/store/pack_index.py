"""Where each block of the payload store's packs lies: one SQLite file beside the packs (``payload.packs``).

Not the node's database: a cache of the packs, which every process of the node opens for itself (the gateway
answers from the API's workers, the checker writes from the background process; WAL, so readers never wait
for the writer). It is made again from the packs whenever it is missing or unreadable, so a lost row costs a
scan, never a block: hence ``synchronous = NORMAL``. Engine errors are StoreError.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from origo_node.errors import StoreError

log = logging.getLogger(__name__)

#: A block's key (its CID's bytes), its pack's name, the offset of its bytes in the pack and their length.
BlockRow = tuple[bytes, str, int, int]
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS packs (name TEXT PRIMARY KEY, size INTEGER NOT NULL) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS blocks (cid BLOB PRIMARY KEY, pack TEXT NOT NULL,"
    " offset INTEGER NOT NULL, length INTEGER NOT NULL) WITHOUT ROWID",
)
_ASKED_AT_ONCE = 500  # under SQLite's bound on a statement's parameters (999 in older builds)


class PackIndex:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._pid = 0  # the process that opened ``_conn``: a forked child opens its own
        self._inherited: list[sqlite3.Connection] = []  # a parent's, never used nor closed in the child

    def __repr__(self) -> str:
        return f"PackIndex({str(self.path)!r})"

    def packs(self) -> set[str]:
        with self._connection() as conn:
            return {name for (name,) in conn.execute("SELECT name FROM packs")}

    def has_pack(self, name: str) -> bool:
        with self._connection() as conn:
            return conn.execute("SELECT 1 FROM packs WHERE name = ?", (name,)).fetchone() is not None

    def record(self, name: str, size: int, rows: Sequence[BlockRow]) -> None:
        """A pack and its blocks, in one transaction. The first copy of a block recorded is the one read; two
        processes recording one pack is harmless."""
        with self._connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany("INSERT OR IGNORE INTO blocks VALUES (?, ?, ?, ?)", rows)
                conn.execute("INSERT OR IGNORE INTO packs VALUES (?, ?)", (name, size))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def locate(self, key: bytes) -> tuple[str, int, int] | None:
        with self._connection() as conn:
            row = conn.execute("SELECT pack, offset, length FROM blocks WHERE cid = ?", (key,)).fetchone()
        return None if row is None else (str(row[0]), int(row[1]), int(row[2]))

    def held(self, keys: Sequence[bytes]) -> set[bytes]:
        """Which of ``keys`` are recorded, asked a few hundred at a time rather than one by one."""
        found: set[bytes] = set()
        unique = list(dict.fromkeys(keys))
        with self._connection() as conn:
            for start in range(0, len(unique), _ASKED_AT_ONCE):
                part = unique[start : start + _ASKED_AT_ONCE]
                asked = f"SELECT cid FROM blocks WHERE cid IN ({','.join('?' * len(part))})"
                found.update(key for (key,) in conn.execute(asked, part))
        return found

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                conn = self._conn
                if conn is None or self._pid != os.getpid():
                    if conn is not None:
                        self._inherited.append(conn)
                        self._conn = None
                    conn = self._open()
                    self._conn, self._pid = conn, os.getpid()
                yield conn
            except sqlite3.Error as exc:
                log.warning("the packs' index %s failed: %s", self.path, exc)
                raise StoreError("this node's index of fetched payloads cannot be used just now") from exc

    def _open(self) -> sqlite3.Connection:
        """The index; made empty again (for the caller to fill from the packs) if the file is unreadable."""
        try:
            return self._connect()
        except sqlite3.DatabaseError as exc:
            log.warning(
                "the packs' index %s is unreadable (%s): making it again from the packs", self.path, exc
            )
            for path in self.path.parent.glob(f"{self.path.name}*"):
                if path.is_file():
                    path.unlink(missing_ok=True)
            return self._connect()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            for statement in _SCHEMA:
                conn.execute(statement)
        except BaseException:
            conn.close()
            raise
        return conn
