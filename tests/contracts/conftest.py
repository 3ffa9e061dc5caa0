"""One anvil per test process, with the consortium deployed once; each test runs in a snapshot."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from contracts_support import Consortium, new_consortium
from origo_network.anvil import Anvil
from web3 import Web3


@pytest.fixture(scope="session")
def anvil_node() -> Iterator[Anvil]:
    # Automine: every transaction is mined at once, which keeps the suite fast.
    with Anvil(accounts=30) as node:
        yield node


@pytest.fixture(scope="session")
def consortium_deployed(anvil_node: Anvil) -> Consortium:
    return new_consortium(Web3(Web3.HTTPProvider(anvil_node.url)))


@pytest.fixture
def chain(consortium_deployed: Consortium) -> Iterator[Consortium]:
    """The deployed consortium; whatever the test does is undone afterwards."""
    with consortium_deployed.isolated():
        yield consortium_deployed
