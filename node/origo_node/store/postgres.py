"""The node's store on PostgreSQL: the same repositories, the same SQL, over a psycopg connection per thread.

The repositories speak SQLite's dialect (``?`` placeholders, ``INSERT OR IGNORE``, ``json_extract``); the few
spellings that differ are rewritten here, once per statement, so that one set of repositories serves both
backends and one store suite proves they behave alike.

Several API hosts may share one database. Every write transaction first takes one transaction-scoped advisory
lock, so writers queue across hosts exactly as they queue on SQLite's single writer: "check, then insert"
(ids already taken, first anchoring wins) stays atomic without relying on unique-violation retries.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import psycopg
from psycopg import errors as pg_errors

from origo_node.errors import StorageFull, StoreError
from origo_node.store.schema import (
    INDEX_TABLES,
    SCHEMA,
    SCHEMA_VERSION,
    UNANCHORED_DOCUMENTS,
    check_upgrade,
)

#: Advisory lock keys (64-bit numbers of Origo's own): the writers' queue, the background loops' owner.
WRITE_LOCK_KEY = 0x4F52_4947_4F01
BACKGROUND_LOCK_KEY = 0x4F52_4947_4F02

_JSON_EXTRACT = re.compile(r"json_extract\((\w+), '\$\.(\w+)'\)")
#: ``id_bytes(column)``: a spelled document id as ``idx_documents`` keys it (store/document_ids.py); NULL for
#: a text that is no id, as SQLite's function answers, rather than an error from ``decode``.
_ID_BYTES = re.compile(r"id_bytes\(([\w.]+)\)")
_ID_BYTES_PG = r"(CASE WHEN \1 ~ '^0x[0-9a-fA-F]{64}$' THEN decode(substr(\1, 3), 'hex') END)"


#: Index tables that other parts of the node follow in insertion order by SQLite's implicit ``rowid`` (the
#: webhook collector): on PostgreSQL they get a ``rowid`` column of their own, filled from a sequence. Writers
#: queue on one advisory lock, so the sequence's order is the commit order, as SQLite's rowid is.
_ROWID_TABLES = ("idx_documents", "idx_events")
_ROWID_TABLE = re.compile(r"(CREATE TABLE IF NOT EXISTS (" + "|".join(_ROWID_TABLES) + r") \()")


@lru_cache(maxsize=512)
def translate(sql: str) -> str:
    """SQLite's spelling of a statement → PostgreSQL's."""
    out = _JSON_EXTRACT.sub(r"(\1::jsonb ->> '\2')", sql)
    out = _ID_BYTES.sub(_ID_BYTES_PG, out)
    if "INSERT OR IGNORE INTO" in out:
        out = out.replace("INSERT OR IGNORE INTO", "INSERT INTO")
        # The conflict clause comes before RETURNING in PostgreSQL.
        head, returning, tail = out.partition(" RETURNING ")
        out = head + " ON CONFLICT DO NOTHING" + (returning + tail if returning else "")
    return out.replace("%", "%%").replace("?", "%s")


def postgres_schema(sqlite_schema: str = SCHEMA) -> str:
    """The SQLite schema with PostgreSQL's column types (same tables, keys, checks and partial indexes)."""
    schema = sqlite_schema.replace("INTEGER PRIMARY KEY AUTOINCREMENT", "BIGSERIAL PRIMARY KEY")
    schema = _ROWID_TABLE.sub(r"\1\n    rowid BIGSERIAL NOT NULL UNIQUE,", schema)
    schema = re.sub(r"\bINTEGER\b", "BIGINT", schema)
    schema = re.sub(r"\bREAL\b", "DOUBLE PRECISION", schema)
    return re.sub(r"\bBLOB\b", "BYTEA", schema)


class Row(tuple[Any, ...]):
    """A row read by position or by column name, like ``sqlite3.Row``."""

    names: dict[str, int]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self.names[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self.names)


@lru_cache(maxsize=256)
def _row_type(columns: tuple[str, ...]) -> type[Row]:
    return type("Row", (Row,), {"names": {name: i for i, name in enumerate(columns)}})


def _row_factory(cursor: Any) -> Any:
    row_type = _row_type(tuple(column.name for column in cursor.description or ()))
    return row_type


class _Cursor:
    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount)

    def fetchone(self) -> Any:
        return self._cursor.fetchone() if self._cursor.description else None

    def fetchall(self) -> list[Any]:
        return list(self._cursor.fetchall()) if self._cursor.description else []

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())


class PgConnection:
    """The part of ``sqlite3.Connection`` the repositories use, over one psycopg connection."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.raw = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> _Cursor:
        return _Cursor(self.raw.execute(translate(sql), tuple(params)))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> _Cursor:
        cursor = self.raw.cursor()
        if rows:
            cursor.executemany(translate(sql), [tuple(r) for r in rows])
        return _Cursor(cursor)


def _connect(dsn: str) -> psycopg.Connection[Any]:
    return psycopg.connect(dsn, autocommit=True, row_factory=_row_factory)


class PostgresDatabase:
    """A PostgreSQL database shared by the node's threads (and by other hosts' nodes of the same member)."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._local = threading.local()
        self._opened: list[PgConnection] = []  # every thread's, so that close() ends them all
        self._opened_lock = threading.Lock()
        try:
            self._create_or_upgrade(self.connection().raw)
        except StoreError:
            self.close()
            raise

    def _create_or_upgrade(self, conn: psycopg.Connection[Any]) -> None:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))
            conn.execute("CREATE TABLE IF NOT EXISTS origo_schema (version BIGINT NOT NULL)")
            row = conn.execute("SELECT version FROM origo_schema").fetchone()
            version = 0 if row is None else int(row[0])
            if 0 < version < SCHEMA_VERSION:
                # Refused before anything changes (the transaction is rolled back).
                counted = conn.execute(UNANCHORED_DOCUMENTS).fetchone()
                check_upgrade(version, int(counted[0]) if counted else 0, self.description)
                # An older index layout: drop the index only; the node rebuilds it from the chain.
                for table in INDEX_TABLES:
                    conn.execute(f"DROP TABLE IF EXISTS {table}")
            conn.execute(postgres_schema())
            conn.execute("DELETE FROM origo_schema")
            conn.execute("INSERT INTO origo_schema (version) VALUES (%s)", (SCHEMA_VERSION,))

    @property
    def description(self) -> str:
        """Where the store is, for messages (the DSN without its password)."""
        info = psycopg.conninfo.conninfo_to_dict(self.dsn)
        return f"PostgreSQL database {info.get('dbname', '?')} on {info.get('host', 'localhost')}"

    def connection(self) -> PgConnection:
        """This thread's connection (opened on first use, reopened if the server closed it)."""
        conn: PgConnection | None = getattr(self._local, "conn", None)
        if conn is None or conn.raw.closed:
            conn = PgConnection(_connect(self.dsn))
            self._local.conn = conn
            with self._opened_lock:
                self._opened.append(conn)
        return conn

    def relax_durability_for_this_thread(self) -> None:
        """``synchronous_commit = off`` for this thread: for writers of what the chain can give again."""
        self.connection().raw.execute("SET synchronous_commit = off")

    @contextmanager
    def transaction(self) -> Iterator[PgConnection]:
        """A write transaction, committed when the block ends, rolled back if it raises; writers of every host
        queue on one advisory lock, released at commit or rollback."""
        conn = self.connection()
        try:
            with conn.raw.transaction():
                conn.raw.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))
                yield conn
        except pg_errors.DiskFull as exc:
            raise StorageFull(
                "the node's PostgreSQL database has no space left; nothing was written"
            ) from exc

    def read(self) -> PgConnection:
        """A connection for reads (autocommit: each statement sees the latest committed state)."""
        return self.connection()

    def ensure_tables(self, schema: str) -> None:
        with self.transaction() as conn:
            conn.raw.execute(postgres_schema(schema))

    def drop_index(self) -> None:
        """Forget everything the indexer learnt, so that it replays the chain from the deployment block."""
        with self.transaction() as conn:
            for table in INDEX_TABLES:
                conn.execute(f"DELETE FROM {table}")

    def close(self) -> None:
        """Closes every thread's connection (a thread that uses the store again opens a new one)."""
        with self._opened_lock:
            opened, self._opened = self._opened, []
        for conn in opened:
            conn.raw.close()
        self._local.conn = None


class AdvisoryBackgroundLock:
    """The background loops' owner among every host sharing the database: a session advisory lock, which the
    server releases when the holder's connection ends, however its process ends."""

    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._conn: psycopg.Connection[Any] | None = None

    @property
    def held(self) -> bool:
        return self._conn is not None and not self._conn.closed

    def try_acquire(self) -> bool:
        if self.held:
            return True
        conn = psycopg.connect(self._dsn, autocommit=True)
        row = conn.execute("SELECT pg_try_advisory_lock(%s)", (BACKGROUND_LOCK_KEY,)).fetchone()
        if row is None or not row[0]:
            conn.close()
            return False
        self._conn = conn
        return True

    def release(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
