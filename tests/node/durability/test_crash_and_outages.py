"""What a node answered 202 for is anchored exactly once: across kill -9 at random instants, and outages.

Exactly-once is checked from the chain alone: every BatchAnchored event's manifest is read and no document id
may appear in two batches, while every accepted id must appear in one.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from origo_devnet.network import MemberNode, Network
from origo_node.documents import document_id
from support.network import anchored_ids, running_network, sample, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.xdist_group("durability")]


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    settings = {"batch_interval_s": 0.3, "index_poll_s": 0.2, "batch_max_documents": 64}
    with running_network(
        tmp_path_factory.mktemp("durability"), ("VN", "SG"), block_time=1.0, node_settings=settings
    ) as network:
        yield network


def documents(prefix: str, count: int) -> list[dict[str, Any]]:
    docs = []
    for i in range(count):
        doc = sample("form-d/vn-sg-coffee.json")
        doc["referenceNumber"] = f"VN-HCM-2026-{prefix}{i:04d}"
        docs.append(doc)
    return docs


class Issuer(threading.Thread):
    """Keeps sending bulk requests; remembers only what the node said it accepted."""

    def __init__(self, node: MemberNode, prefix: str, rounds: int, size: int) -> None:
        super().__init__(daemon=True)
        self.node, self.prefix, self.rounds, self.size = node, prefix, rounds, size
        self.accepted: set[str] = set()
        # Answered 409 on a retry: the node had committed them before a kill cut its answer off.
        self.committed_unanswered: set[str] = set()

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.node.officer_key}"}
        for r in range(self.rounds):
            batch = documents(f"{self.prefix}{r:02d}", self.size)
            while True:
                try:
                    response = httpx.post(
                        f"{self.node.url}/api/v1/documents/bulk",
                        json={"documents": batch},
                        headers=headers,
                        timeout=10,
                    )
                except httpx.HTTPError:
                    time.sleep(0.2)  # the node is down (killed); try the same documents again
                    continue
                for result, doc in zip(response.json()["results"], batch, strict=True):
                    if result["accepted"]:
                        self.accepted.add(result["document_id"])
                    else:
                        assert result["problem"]["status"] == 409, result
                        self.committed_unanswered.add("0x" + document_id("VN", doc["referenceNumber"]).hex())
                break


def outbox_empty(node: MemberNode) -> bool:
    try:
        return bool(httpx.get(f"{node.url}/healthz", timeout=2).json()["outbox_pending"] == 0)
    except httpx.HTTPError:
        return False


def test_kill_9_at_random_instants_loses_nothing_and_anchors_nothing_twice(net: Network) -> None:
    vn = net.members["VN"]
    rng = random.Random(20261123)
    issuer = Issuer(vn, "4", rounds=12, size=40)
    issuer.start()
    for _ in range(4):
        time.sleep(rng.uniform(0.3, 2.5))
        net.stop_node("VN", kill=True)  # SIGKILL: no shutdown code runs
        time.sleep(rng.uniform(0.0, 1.0))
        net.start_node("VN")
    issuer.join(120)
    assert not issuer.is_alive()
    assert len(issuer.accepted | issuer.committed_unanswered) == 12 * 40
    wait_for(lambda: outbox_empty(vn), timeout=90, what="VN's outbox to drain")
    ids = anchored_ids(net)
    assert len(ids) == len(set(ids)), "a document was anchored twice"
    assert issuer.accepted <= set(ids), "an accepted document was never anchored"
    assert issuer.committed_unanswered <= set(ids)

    def sg_has_all() -> bool:
        states = [
            httpx.get(f"{net.members['SG'].url}/api/v1/documents/{i}").json().get("state")
            for i in sorted(issuer.accepted)[:50]
        ]
        return all(state == "valid" for state in states)

    wait_for(sg_has_all, timeout=60, what="SG to index the accepted documents")


def test_chain_outage_accepts_then_anchors_when_it_returns(net: Network) -> None:
    vn = net.members["VN"]
    anvil = net.anvil
    assert anvil is not None and anvil.pid is not None
    os.kill(anvil.pid, signal.SIGSTOP)  # the chain stops answering (a hung RPC endpoint)
    try:
        headers = {"Authorization": f"Bearer {vn.officer_key}"}
        docs = documents("59", 5)
        accepted = []
        for doc in docs:
            response = httpx.post(f"{vn.url}/api/v1/documents", json=doc, headers=headers, timeout=10)
            assert response.status_code == 202, response.text
            accepted.append(response.json()["document_id"])
        status = httpx.get(f"{vn.url}/api/v1/documents/{accepted[0]}", timeout=10).json()
        assert status["state"] == "pending"
        time.sleep(3)
    finally:
        os.kill(anvil.pid, signal.SIGCONT)
    wait_for(lambda: outbox_empty(vn), timeout=90, what="VN to anchor after the outage")
    for doc_id in accepted:
        wait_for(
            lambda d=doc_id: (
                httpx.get(f"{net.members['SG'].url}/api/v1/documents/{d}").json().get("state") == "valid"
            ),
            timeout=60,
            what=f"{doc_id} valid at SG",
        )
    ids = anchored_ids(net)
    assert len(ids) == len(set(ids))
    assert json.dumps(sorted(set(accepted) - set(ids))) == "[]"


def test_the_index_rebuilds_from_the_chain_alone(net: Network) -> None:
    sg = net.members["SG"]
    ids = sorted(set(anchored_ids(net)))[:40]
    # Everything SG can learn first (the references it reads in the payloads), so that "before" is complete.
    wait_for(
        lambda: (
            (h := httpx.get(f"{sg.url}/healthz").json())["payloads_to_read"] == 0
            and h["indexed_block"] >= h["chain_head"] - 1
        ),
        timeout=60,
        what="SG to have indexed and read everything",
    )
    before = {i: httpx.get(f"{sg.url}/api/v1/documents/{i}").json() for i in ids}
    net.stop_node("SG")
    subprocess.run(
        [sys.executable, "-m", "origo_node", "reindex", "--data-dir", str(sg.data_dir)],
        check=True,
        timeout=60,
    )
    net.start_node("SG")
    # A rebuilt document shows first as the chain tells it, then with what SG learns by decrypting the payload
    # again (its reference): wait for the whole status to come back, then compare it field by field.
    after: dict[str, object] = {}
    for doc_id in ids:
        wait_for(
            lambda d=doc_id: (
                (r := httpx.get(f"{sg.url}/api/v1/documents/{d}")).status_code == 200
                and after.update({d: r.json()}) is None
                and after[d] == before[d]
            ),
            timeout=60,
            what=f"{doc_id} back in SG's rebuilt index",
        )
    assert after == before


def test_a_node_restarted_while_the_chain_is_down_accepts_and_anchors_later(net: Network) -> None:
    vn = net.members["VN"]
    anvil = net.anvil
    assert anvil is not None and anvil.pid is not None
    net.stop_node("VN")
    os.kill(anvil.pid, signal.SIGSTOP)
    try:
        net.start_node("VN", timeout=90)
        headers = {"Authorization": f"Bearer {vn.officer_key}"}
        doc = documents("69", 1)[0]
        response = httpx.post(f"{vn.url}/api/v1/documents", json=doc, headers=headers, timeout=30)
        assert response.status_code == 202, response.text
        doc_id = response.json()["document_id"]
    finally:
        os.kill(anvil.pid, signal.SIGCONT)
    wait_for(
        lambda: (
            httpx.get(f"{net.members['SG'].url}/api/v1/documents/{doc_id}").json().get("state") == "valid"
        ),
        timeout=90,
        what="the document accepted during the outage to be anchored and indexed",
    )
