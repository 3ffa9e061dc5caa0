"""A lone node for hostile-input and fuzzing tests: VN on its own anvil chain, SG a member without a node.

Apart from the session ``network`` so that whatever the fuzzer does (revocations, proposals, votes) cannot
change what other tests see; one node process, to spare the CPU the session network already uses.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# Through support.network: it names the dev harness's module, wherever that lives.
from support.network import (
    FAST_NODE_SETTINGS,
    Client,
    MemberNode,
    Network,
    create_network,
    sample,
    wait_state,
)

#: Short deadlines, so that the stalled-client tests take seconds.
HEADER_TIMEOUT_S = 2.0
BODY_TIMEOUT_S = 2.0


@dataclass
class LoneNode:
    network: Network
    node: MemberNode
    #: A certificate VN issued to SG, anchored: real data for the routes that need a document.
    document_id: str
    reference: str


@pytest.fixture(scope="module")
def lone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoneNode]:
    root: Path = tmp_path_factory.mktemp("lone")
    settings = {**FAST_NODE_SETTINGS, "header_timeout_s": HEADER_TIMEOUT_S, "body_timeout_s": BODY_TIMEOUT_S}
    network = create_network(root, ("VN", "SG"), block_time=None, persist_chain=False, node_settings=settings)
    try:
        node = network.start_node("VN")
        officer = Client(node)
        doc = sample("form-d/vn-sg-coffee.json")
        response = officer.post("/api/v1/documents", json=doc)
        assert response.status_code == 202, response.text
        document_id = response.json()["document_id"]
        wait_state(node, document_id, {"valid"})
        officer.close()
        yield LoneNode(network, node, document_id, doc["referenceNumber"])
    finally:
        network.stop()
