"""Flow 1 with every member's payloads on its own kubo daemon (a private swarm), and kubo's faults.

VN, SG and TH are node processes, each pointed at its own kubo daemon (``payload_backend = "kubo"``); the
daemons know only each other and exchange blocks over bitswap. The tests run in order on one network.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from origo_devnet.network import Network
from origo_node.chain.artifacts import load_artifact
from support.network import Client, anchored_ids, running_network, sample, wait_for, wait_state
from web3 import Web3

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.kubo,
    pytest.mark.xdist_group("kubo"),
]
SETTINGS = {"batch_interval_s": 0.3, "index_poll_s": 0.1}


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    with running_network(tmp_path_factory.mktemp("kubo-e2e"), node_settings=SETTINGS, ipfs="kubo") as network:
        yield network


def coffee(reference: str) -> dict[str, Any]:
    doc = sample("form-d/vn-sg-coffee.json")
    doc["referenceNumber"] = reference
    return doc


def issue(net: Network, doc: dict[str, Any], grant: str | None = None) -> str:
    params = {"grant": grant} if grant else None
    response = Client(net.members["VN"]).post("/api/v1/documents", json=doc, params=params)
    assert response.status_code == 202, response.text
    return str(response.json()["document_id"])


def payload_check(net: Network, code: str, doc_id: str) -> Any:
    response = Client(net.members[code], "auditor").get(f"/api/v1/documents/{doc_id}/trail")
    return response.json()["payload_check"] if response.status_code == 200 else None  # 404: not indexed yet


def checked_ok(net: Network, code: str, doc_id: str) -> None:
    wait_for(
        lambda: (check := payload_check(net, code, doc_id)) is not None and check["state"] == "ok",
        timeout=60,
        what=f"{code}'s node to fetch, decrypt and check the payload of {doc_id}",
    )


def health(net: Network, code: str) -> dict[str, Any]:
    body: dict[str, Any] = httpx.get(f"{net.members[code].url}/healthz", timeout=10).json()
    return body


def manifest_cids(net: Network) -> set[str]:
    w3 = Web3(Web3.HTTPProvider(net.rpc_url))
    registry = w3.eth.contract(
        address=Web3.to_checksum_address(net.registry), abi=load_artifact("DocumentRegistry")[0]
    )
    events = registry.events.BatchAnchored().get_logs(from_block=net.deployment_block)
    return {str(event["args"]["manifestCid"]) for event in events}


def pins(net: Network, code: str) -> set[str]:
    assert net.kubo is not None
    return net.kubo.daemons[code].pins()


def test_flow_1_on_kubo_issue_fetch_decrypt_check_and_pin(net: Network) -> None:
    assert health(net, "SG")["payload_store"] == {"backend": "kubo", "problem": None}
    doc = sample("form-d/vn-sg-coffee.json")

    doc_id = issue(net, doc)

    payload_cid = wait_state(net.members["SG"], doc_id, {"valid"})["payload_cid"]
    checked_ok(net, "SG", doc_id)
    assert Client(net.members["SG"], "auditor").get(f"/api/v1/documents/{doc_id}/payload").json() == doc
    wait_state(net.members["TH"], doc_id, {"valid"})
    assert payload_check(net, "TH", doc_id) is None
    assert Client(net.members["TH"], "auditor").get(f"/api/v1/documents/{doc_id}/payload").status_code == 403
    # Every member pins every batch manifest; the issuer and the recipient pin the payload, TH does not.
    manifests = manifest_cids(net)
    assert manifests
    wait_for(lambda: all(manifests <= pins(net, code) for code in net.members), what="manifests pinned")
    assert payload_cid in pins(net, "VN")
    assert payload_cid in pins(net, "SG")
    assert payload_cid not in pins(net, "TH")


def test_a_payload_is_fetched_from_another_recipient_while_the_issuers_daemon_is_down(net: Network) -> None:
    assert net.kubo is not None
    net.stop_node("SG")  # SG will index the batch only after VN's daemon is gone
    doc_id = issue(net, coffee("VN-HCM-2026-400001"), grant="TH")
    checked_ok(net, "TH", doc_id)  # TH, a recipient too, has fetched and pinned the payload from VN
    net.kubo.daemons["VN"].stop()
    try:
        assert "kubo" in str(wait_for(lambda: health(net, "VN")["payload_store"]["problem"]))
        assert health(net, "VN")["status"] == "degraded"

        net.start_node("SG")

        # The manifest and the payload both come from TH's daemon: VN's is down.
        wait_state(net.members["SG"], doc_id, {"valid"})
        checked_ok(net, "SG", doc_id)
    finally:
        net.kubo.daemons["VN"].start()
        net.kubo.connect()
    wait_for(lambda: health(net, "VN")["payload_store"]["problem"] is None, what="VN's kubo back in health")


def test_documents_issued_while_kubo_is_down_or_hung_are_anchored_when_it_returns(net: Network) -> None:
    assert net.kubo is not None
    vn_daemon = net.kubo.daemons["VN"]
    pinned_before = pins(net, "VN")
    vn_daemon.stop()
    down = [issue(net, coffee(f"VN-HCM-2026-40010{i}")) for i in range(3)]
    problem = wait_for(lambda: health(net, "VN")["payload_store"]["problem"], what="health to name kubo")
    assert "cannot be reached" in problem
    wait_for(lambda: health(net, "VN")["outbox_pending"] >= 3, what="the outbox to hold the documents")
    assert {wait_state(net.members["VN"], i, {"pending"})["state"] for i in down} == {"pending"}

    vn_daemon.start()  # the same repository: what VN pinned before is still pinned
    net.kubo.connect()
    assert pinned_before <= pins(net, "VN")
    for doc_id in down:
        wait_state(net.members["SG"], doc_id, {"valid"}, timeout=60)
        checked_ok(net, "SG", doc_id)

    # A hung daemon (stopped, not gone): requests wait; health says so at once; it resumes where it was.
    assert vn_daemon.process is not None
    os.kill(vn_daemon.process.pid, signal.SIGSTOP)
    try:
        hung = issue(net, coffee("VN-HCM-2026-400110"))
        assert "did not answer" in str(health(net, "VN")["payload_store"]["problem"])
        assert wait_state(net.members["VN"], hung, {"pending"})["state"] == "pending"
    finally:
        os.kill(vn_daemon.process.pid, signal.SIGCONT)
    wait_state(net.members["SG"], hung, {"valid"}, timeout=60)
    # VN's batcher records the batch as mined on its own next round, which may follow SG's indexer.
    deadline = time.monotonic() + 30
    while health(net, "VN")["outbox_pending"] != 0 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert health(net, "VN")["outbox_pending"] == 0
    anchored = Counter(anchored_ids(net))
    assert all(anchored[doc_id] == 1 for doc_id in [*down, hung])
