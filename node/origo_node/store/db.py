"""One SQLite database file, one connection per thread, WAL journal, schema created on open.

``synchronous=FULL`` makes a committed transaction survive a power loss too, not only a killed process: what
the outbox has answered 202 for must not be lost.
"""

from __future__ import annotations

import errno
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from origo_node.errors import StorageFull, StoreError
from origo_node.store.document_ids import register_sql_functions
from origo_node.store.schema import (
    INDEX_TABLES,
    SCHEMA,
    SCHEMA_VERSION,
    UNANCHORED_DOCUMENTS,
    check_upgrade,
)


def _disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError):
        return exc.errno == errno.ENOSPC
    return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL


#: The page cache of a connection that writes the index in bulk, in KiB (relax_durability_for_this_thread).
_BULK_WRITER_CACHE_KIB = 256 * 1024


class Database:
    """A SQLite file shared by the node's threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Owner-only before SQLite creates it: the outbox and the API keys' hashes are the member's.
        if not path.exists():
            path.touch(mode=0o600)
        self._local = threading.local()
        self._write_lock = threading.Lock()
        conn = self.connection()
        with self._write_lock:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if 0 < version < SCHEMA_VERSION:
                unanchored = int(conn.execute(UNANCHORED_DOCUMENTS).fetchone()[0])
                try:
                    check_upgrade(version, unanchored, f"the node's database {path}")
                except StoreError:
                    self.close()
                    raise
                # An older index layout: drop the index (never the outbox, keys or actions); the node rebuilds
                # it from the chain.
                for table in INDEX_TABLES:
                    conn.execute(f"DROP TABLE IF EXISTS {table}")
            # executescript commits on its own; every statement in SCHEMA is idempotent.
            conn.executescript(SCHEMA)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (created on first use)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            register_sql_functions(conn)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            self._local.conn = conn
        return conn

    def relax_durability_for_this_thread(self) -> None:
        """``synchronous = NORMAL`` for this thread's connection: a commit is then safe from a killed process
        but not from a power cut. For threads that write only what the chain can give again (the indexer),
        and whose every commit would otherwise wait for an fsync.

        Such a thread (the indexer) also writes in bulk into B-trees keyed by random ids: its connection gets
        a page cache of up to 256 MiB instead of SQLite's 2 MiB (the cache grows only as pages are touched,
        so a small node's stays small). Inserting 737,280 documents took 30.5 s with the default, 22.7 with
        64 MiB; 5,242,880 took 159 s of CPU with 64 MiB and 136 s with 256 (40 and 32 s for the fifth
        million: the id key outgrows a smaller cache, and a commit's dirty pages no longer fit in it).
        """
        connection = self.connection()
        connection.execute("PRAGMA synchronous = NORMAL")
        connection.execute(f"PRAGMA cache_size = -{_BULK_WRITER_CACHE_KIB}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: committed when the block ends, rolled back if it raises.

        Writers in this process queue on a lock (``BEGIN IMMEDIATE`` would make them spin on SQLITE_BUSY).
        """
        conn = self.connection()
        with self._write_lock:
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                    conn.execute("COMMIT")
                except BaseException:
                    # SQLite may have rolled back already (a full disk does): then there is nothing to undo.
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
            except (sqlite3.Error, OSError) as exc:
                if _disk_full(exc):
                    raise StorageFull(
                        f"the node's database ({self.path.name}) has no space left; nothing was written",
                    ) from exc
                raise

    def read(self) -> sqlite3.Connection:
        """A connection for reads (autocommit: each statement sees the latest committed state)."""
        return self.connection()

    def ensure_tables(self, schema: str) -> None:
        with self._write_lock:
            self.connection().executescript(schema)  # commits on its own; every statement is idempotent

    def drop_index(self) -> None:
        """Forget everything the indexer learnt, so that it replays the chain from the deployment block."""
        with self.transaction() as conn:
            for table in INDEX_TABLES:
                conn.execute(f"DELETE FROM {table}")

    def close(self) -> None:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
