"""What the repositories need of a database, whichever backend holds it (SQLite file or PostgreSQL)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Protocol


class StoreDatabase(Protocol):
    """A database the repositories run their SQL on: a connection per thread, write transactions that commit
    or roll back as a whole, and the index that can be dropped and rebuilt from the chain."""

    def connection(self) -> Any: ...

    def relax_durability_for_this_thread(self) -> None: ...

    def transaction(self) -> AbstractContextManager[Any]: ...

    def read(self) -> Any: ...

    def drop_index(self) -> None: ...

    def ensure_tables(self, schema: str) -> None:
        """Creates a feature's own tables (SQLite's spelling, ``IF NOT EXISTS``) in this backend's dialect."""
        ...

    def close(self) -> None: ...
