"""Fixtures of the services' unit tests: a consortium of in-process nodes on the fake chain, each node's store
on SQLite and (the same tests again) on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fakenode_support import Consortium, new_consortium, sqlite_store
from origo_node.store.database import StoreDatabase
from origo_node.store.postgres import PostgresDatabase


@pytest.fixture(params=["sqlite", "postgres"])
def consortium(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Consortium]:
    if request.param == "sqlite":
        network = new_consortium(tmp_path, open_store=sqlite_store)
    else:

        def postgres_store(data: Path, code: str) -> StoreDatabase:
            return PostgresDatabase(request.getfixturevalue("pg_cluster").new_database())

        network = new_consortium(tmp_path, open_store=postgres_store)
    yield network
    for node in network.nodes.values():
        node.db.close()
