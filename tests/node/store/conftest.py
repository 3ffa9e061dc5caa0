"""One store suite, two backends: every test taking ``store`` runs on an SQLite file and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from origo_node.store.database import StoreDatabase
from origo_node.store.db import Database
from origo_node.store.postgres import PostgresDatabase


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreDatabase]:
    db: StoreDatabase
    if request.param == "sqlite":
        db = Database(tmp_path / "node.db")
    else:
        db = PostgresDatabase(request.getfixturevalue("pg_dsn"))
    try:
        yield db
    finally:
        db.close()
