"""A real consortium for tests: anvil on a free port, the contracts deployed, one node process per member.

Nothing is simulated: the nodes are ``python -m origo_node run`` processes speaking HTTP on free loopback
ports, exactly what ``make up`` starts. Use the session fixture ``network`` (VN, SG, TH) from
``tests/conftest.py`` and mark the tests ``@pytest.mark.xdist_group("network")`` so that one worker owns it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from origo_devnet.network import MemberNode, Network, create_network
from origo_node.anchoring import batch_manifest
from origo_node.chain.artifacts import load_artifact
from origo_node.payload import KuboPayloadStore, LocalPayloadStore, PayloadStore
from web3 import Web3

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
FAST_NODE_SETTINGS = {"batch_interval_s": 0.3, "index_poll_s": 0.1}


def sample(name: str) -> dict[str, Any]:
    """A sample document by its path under the shared samples, e.g. ``form-d/vn-sg-coffee.json``."""
    data: dict[str, Any] = json.loads((SAMPLES / name).read_text(encoding="utf-8"))
    return data


@contextmanager
def running_network(
    root: Path,
    codes: tuple[str, ...] = ("VN", "SG", "TH"),
    *,
    block_time: float | None = None,
    node_settings: dict[str, Any] | None = None,
    ipfs: str = "local",
) -> Iterator[Network]:
    """Creates the network under ``root`` and starts every member's node; stops everything on exit.
    ``ipfs="kubo"``: every member's payloads on its own kubo daemon, in a private swarm."""
    network = create_network(
        root,
        codes,
        block_time=block_time,
        persist_chain=False,
        node_settings=FAST_NODE_SETTINGS if node_settings is None else node_settings,
        ipfs=ipfs,
    )
    try:
        for code in codes:
            network.start_node(code)
        yield network
    finally:
        network.stop()


class Client:
    """A thin httpx client bound to one member's node and one of its keys."""

    def __init__(self, node: MemberNode, role: str = "officer") -> None:
        key = {"officer": node.officer_key, "auditor": node.auditor_key, "admin": node.admin_key}[role]
        self.node = node
        self.http = httpx.Client(base_url=node.url, headers={"Authorization": f"Bearer {key}"}, timeout=60.0)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.post(path, **kwargs)

    def close(self) -> None:
        self.http.close()


def wait_for(predicate: Callable[[], Any], timeout: float = 30.0, what: str = "condition") -> Any:
    """Polls ``predicate`` until it returns something truthy; fails the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}; last value: {last!r}")


def wait_state(node: MemberNode, document_id: str, states: set[str], timeout: float = 30.0) -> dict[str, Any]:
    """Waits until ``node`` reports the document in one of ``states``; returns the status."""

    def check() -> dict[str, Any] | None:
        response = httpx.get(f"{node.url}/api/v1/documents/{document_id}", timeout=10)
        if response.status_code == 200 and response.json()["state"] in states:
            body: dict[str, Any] = response.json()
            return body
        return None

    result: dict[str, Any] = wait_for(check, timeout, f"{document_id} in {states} at {node.code}")
    return result


def anchored_ids(net: Network, issuer: str = "VN") -> list[str]:
    """Every document id of every batch ``issuer`` anchored, read from the chain's events, duplicates kept."""
    w3 = Web3(Web3.HTTPProvider(net.rpc_url))
    registry = w3.eth.contract(
        address=Web3.to_checksum_address(net.registry), abi=load_artifact("DocumentRegistry")[0]
    )
    events = registry.events.BatchAnchored().get_logs(from_block=net.deployment_block)
    store: PayloadStore = (
        LocalPayloadStore(net.members[issuer].data_dir / "payloads")
        if net.kubo is None
        else KuboPayloadStore(net.kubo.daemons[issuer].api)
    )
    ids: list[str] = []
    for event in events:
        args = event["args"]
        if bytes(args["issuer"]) != issuer.encode():
            continue
        entries = batch_manifest.decode(
            store.get(args["manifestCid"]), issuer=issuer, root=bytes(args["root"]), count=args["count"]
        )
        ids.extend("0x" + e.leaf.document_id.hex() for e in entries)
    return ids
