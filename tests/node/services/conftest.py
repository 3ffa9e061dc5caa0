"""Fixtures of the services' unit tests: a consortium of in-process nodes on the fake chain."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fakenode_support import Consortium, new_consortium


@pytest.fixture
def consortium(tmp_path: Path) -> Iterator[Consortium]:
    network = new_consortium(tmp_path)
    yield network
    for node in network.nodes.values():
        node.db.close()
