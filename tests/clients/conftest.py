"""Fixtures for the client tests: the members of the session's real network."""

from __future__ import annotations

import pytest
from origo_devnet.network import MemberNode, Network


@pytest.fixture
def vn(network: Network) -> MemberNode:
    return network.members["VN"]


@pytest.fixture
def sg(network: Network) -> MemberNode:
    return network.members["SG"]


@pytest.fixture
def th(network: Network) -> MemberNode:
    return network.members["TH"]
