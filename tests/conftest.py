"""Fixtures shared by every suite. The ``network`` fixture is a real consortium (see tests/support)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from origo_devnet.network import Network
from support.network import running_network


@pytest.fixture(scope="session")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    """VN, SG and TH, each a node process, on an anvil chain that mines every transaction at once."""
    with running_network(tmp_path_factory.mktemp("network")) as running:
        yield running
