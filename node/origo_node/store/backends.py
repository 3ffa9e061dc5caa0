"""The store backend the settings choose: SQLite in the data directory (the default), or PostgreSQL."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from origo_node.store.database import StoreDatabase

if TYPE_CHECKING:
    from origo_node.settings import NodeSettings


class LoopOwnerLock(Protocol):
    """Held by the one process (of every host sharing the store) that runs the background loops."""

    @property
    def held(self) -> bool: ...

    def try_acquire(self) -> bool: ...

    def release(self) -> None: ...


_NO_DSN = "store_backend is postgres but no store_dsn is set (in node.toml or ORIGO_STORE_DSN)"


def _dsn(settings: NodeSettings) -> str:
    if settings.store_dsn is None:
        raise ValueError(_NO_DSN)
    return settings.store_dsn.get_secret_value()


def open_store(settings: NodeSettings) -> StoreDatabase:
    if settings.store_backend == "postgres":
        from origo_node.store.postgres import PostgresDatabase

        return PostgresDatabase(_dsn(settings))
    from origo_node.store.db import Database

    return Database(settings.database_path)


def open_store_in(data_dir: Path) -> StoreDatabase:
    """The store of the node whose ``node.toml`` is in ``data_dir``, for operator commands run before the
    node's full settings exist (``init``, ``api-key``): the environment's ORIGO_STORE_* over the file's."""
    config = data_dir / "node.toml"
    file = tomllib.loads(config.read_text(encoding="utf-8")) if config.exists() else {}
    backend = os.environ.get("ORIGO_STORE_BACKEND") or file.get("store_backend", "sqlite")
    if backend == "postgres":
        from origo_node.store.postgres import PostgresDatabase

        dsn = os.environ.get("ORIGO_STORE_DSN") or file.get("store_dsn")
        if not dsn:
            raise ValueError(_NO_DSN)
        return PostgresDatabase(str(dsn))
    from origo_node.store.db import Database

    return Database(data_dir / "node.db")


def open_background_lock(settings: NodeSettings) -> LoopOwnerLock:
    """A file lock in the data directory for SQLite (one host); an advisory lock in the database for
    PostgreSQL, so that of several hosts sharing it only one runs the batcher, indexer and senders."""
    if settings.store_backend == "postgres":
        from origo_node.store.postgres import AdvisoryBackgroundLock

        return AdvisoryBackgroundLock(_dsn(settings))
    from origo_node.background import BackgroundLock

    return BackgroundLock(settings.data_dir / "background.lock")
