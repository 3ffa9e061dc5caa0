"""A consistent copy of the node's SQLite database while it runs (the online backup API)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from origo_node.errors import StoreError

#: Errors of the store's engine, for callers that count failures by kind without importing the engine.
ENGINE_ERRORS: tuple[type[BaseException], ...] = (sqlite3.Error,)


def copy_database(source: Path, target: Path) -> None:
    """Copies ``source`` into ``target`` page by page under SQLite's own locking, so a node writing
    meanwhile still yields a consistent snapshot."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    except sqlite3.Error as exc:
        raise StoreError(f"could not read the node database {source}: {exc}") from None
    finally:
        dst.close()
        src.close()
