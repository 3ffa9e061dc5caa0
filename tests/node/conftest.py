"""A throw-away PostgreSQL cluster for the suites that run on both store backends (store, services)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from origo_devnet.pg_cluster import PgCluster


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """Started on first use (initdb takes seconds), stopped by its pid at the end of the session."""
    cluster = PgCluster().start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def pg_dsn(pg_cluster: PgCluster) -> str:
    """A fresh, empty database on the session's cluster."""
    return pg_cluster.new_database()
