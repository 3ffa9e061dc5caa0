"""Issue 4's flows between separate node processes on one chain with 1-second blocks, over HTTP only.

VN, SG and TH start as the genesis members; MY joins by a vote during the test (flow 8). The flows run
in order in one module because they share the network, as a real consortium would.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from origo_devnet.network import Network, fund, prepare_member
from origo_network.anvil import free_port
from origo_node.settings import CONFIG_FILE
from support.network import Client, running_network, sample, wait_for, wait_state
from web3 import Web3

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.xdist_group("e2e")]
SETTINGS = {"batch_interval_s": 0.5, "index_poll_s": 0.2}


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    with running_network(tmp_path_factory.mktemp("e2e"), block_time=1.0, node_settings=SETTINGS) as network:
        yield network


def coffee(reference: str, **transport: str) -> dict[str, Any]:
    doc = sample("form-d/vn-sg-coffee.json")
    doc["referenceNumber"] = reference
    doc["transport"].update(transport)
    return doc


def issued_by(code: str, reference: str, port: str) -> dict[str, Any]:
    doc = coffee(reference)
    doc.update(issuedIn=code, producingCountry=code)
    doc["exporter"].update(country=code, address=f"Export zone 1, {code}")
    doc["transport"].update(portOfLoading=port, transportDocument=f"MEDU{code}264700777")
    return doc


def issue(net: Network, code: str, doc: dict[str, Any]) -> str:
    response = Client(net.members[code]).post("/api/v1/documents", json=doc)
    assert response.status_code == 202, response.text
    return str(response.json()["document_id"])


def everywhere(net: Network, doc_id: str, states: set[str]) -> list[dict[str, Any]]:
    return [wait_state(node, doc_id, states) for node in net.members.values() if node.process is not None]


def test_flow_1_issue_index_fetch_decrypt_and_check(net: Network) -> None:
    doc = sample("form-d/vn-sg-coffee.json")
    doc_id = issue(net, "VN", doc)
    everywhere(net, doc_id, {"valid"})
    sg_auditor = Client(net.members["SG"], "auditor")
    trail = wait_for(
        lambda: (
            (t := sg_auditor.get(f"/api/v1/documents/{doc_id}/trail").json())["payload_check"]
            and t["payload_check"]["state"] == "ok"
            and t
        ),
        what="SG's node to fetch, decrypt and check the payload",
    )
    assert trail["events"][0]["kind"] == "anchored"
    assert sg_auditor.get(f"/api/v1/documents/{doc_id}/payload").json() == doc
    wait_for(
        lambda: sg_auditor.get("/healthz").json()["payloads_to_read"] == 0,
        what="SG's health to show no payload left to read",
    )
    th = Client(net.members["TH"], "auditor")
    assert th.get(f"/api/v1/documents/{doc_id}/trail").json()["payload_check"] is None
    assert th.get("/healthz").json()["payloads_to_read"] == 0  # TH is not concerned: nothing queued
    refused = th.get(f"/api/v1/documents/{doc_id}/payload")
    assert refused.status_code == 403


def test_flow_2_accept_at_import_and_refusals(net: Network) -> None:
    doc_id = issue(net, "VN", coffee("VN-HCM-2026-300001"))
    wait_state(net.members["SG"], doc_id, {"valid"})
    sg = Client(net.members["SG"])
    partial = sg.post(
        f"/api/v1/documents/VN:{doc_id}/accept", json={"declaration": "SGIMP-1", "quantity": "19000"}
    )
    assert partial.status_code == 200 and partial.json()["state"] == "done", partial.text
    statuses = everywhere(net, doc_id, {"partially_accepted"})
    assert {s["items"][0]["remaining"] for s in statuses} == {"200.000"}
    full = sg.post(f"/api/v1/documents/VN:{doc_id}/accept", json={"declaration": "SGIMP-2"})
    assert full.status_code == 200
    second = sg.post(f"/api/v1/documents/VN:{doc_id}/accept", json={"declaration": "SGIMP-3"})
    assert second.status_code == 409 and second.json()["rule"] == "RegistryFullyUtilised"
    at_th = Client(net.members["TH"]).post(
        f"/api/v1/documents/VN:{doc_id}/accept", json={"declaration": "TH-1"}
    )
    assert at_th.status_code == 403
    everywhere(net, doc_id, {"accepted"})


def test_flow_3_same_answer_at_every_node(net: Network) -> None:
    doc = coffee("VN-HCM-2026-300002")
    doc_id = issue(net, "VN", doc)
    everywhere(net, doc_id, {"valid"})
    answers = [httpx.post(f"{n.url}/api/v1/verify", json=doc).json() for n in net.members.values()]
    assert {a["verdict"] for a in answers} == {"valid"}
    assert all(a["status"] == answers[0]["status"] for a in answers)


def test_flow_4_revoke_and_supersede(net: Network) -> None:
    vn = Client(net.members["VN"])
    revoked = issue(net, "VN", coffee("VN-HCM-2026-300003"))
    old = issue(net, "VN", coffee("VN-HCM-2026-300004"))
    everywhere(net, old, {"valid"})
    response = vn.post(
        f"/api/v1/documents/VN:{revoked}/revoke", json={"reason_code": 2, "reason": "exporter error"}
    )
    assert response.status_code == 200, response.text
    for status in everywhere(net, revoked, {"revoked"}):
        assert status["revocation"]["reason"] == "exporter error"
    replacement = coffee("VN-HCM-2026-300005")
    replacement["items"][0]["description"] += " (corrected)"
    answer = vn.post(f"/api/v1/documents/VN:{old}/supersede", json=replacement)
    assert answer.status_code == 202, answer.text
    new_id = answer.json()["document_id"]
    for status in everywhere(net, old, {"superseded"}):
        assert status["superseded_by"] == new_id
    assert wait_state(net.members["SG"], new_id, {"valid"})["supersedes"] == old


def test_flow_5_verification_request_and_answer(net: Network) -> None:
    doc_id = issue(net, "VN", coffee("VN-HCM-2026-300006"))
    wait_state(net.members["SG"], doc_id, {"valid"})
    opened = Client(net.members["SG"]).post(
        f"/api/v1/documents/VN:{doc_id}/verification-request", json={"reason": "origin criterion doubtful"}
    )
    assert opened.status_code == 200, opened.text
    everywhere(net, doc_id, {"under_verification"})
    answered = Client(net.members["VN"]).post(
        f"/api/v1/documents/VN:{doc_id}/verification-answer",
        json={"confirmed": True, "reason": "checked at plant"},
    )
    assert answered.status_code == 200, answered.text
    statuses = everywhere(net, doc_id, {"valid"})
    assert {s["verification"]["state"] for s in statuses} == {"confirmed"}
    for code in ("VN", "SG"):
        kinds = [
            e["kind"]
            for e in Client(net.members[code], "auditor")
            .get(f"/api/v1/documents/{doc_id}/trail")
            .json()["events"]
        ]
        assert kinds == ["anchored", "verification_requested", "verification_answered"]


def test_flow_6_manifest_links_and_flags(net: Network) -> None:
    matching = issue(net, "VN", coffee("VN-HCM-2026-300007"))
    wrong_vessel = issue(net, "VN", coffee("VN-HCM-2026-300008", vesselOrFlight="EVER GIVEN V.12"))
    manifest_id = issue(net, "VN", sample("manifest/vn-sg-vessel.json"))
    for doc_id in (matching, wrong_vessel, manifest_id):
        wait_state(net.members["SG"], doc_id, {"valid"})
    sg = Client(net.members["SG"])

    def linked() -> dict[str, Any] | None:
        body: dict[str, Any] = sg.get(f"/api/v1/documents/{manifest_id}/links").json()
        ids = {c["document_id"] for cons in body.get("consignments", []) for c in cons["certificates"]}
        return body if {matching, wrong_vessel} <= ids else None

    links = wait_for(linked, what="SG to link both certificates to the manifest")
    by_id = {c["document_id"]: c for cons in links["consignments"] for c in cons["certificates"]}
    assert by_id[matching]["consistent"] is True and by_id[matching]["state"] == "valid"
    assert by_id[wrong_vessel]["consistent"] is False
    assert any("vessel" in d for d in by_id[wrong_vessel]["discrepancies"])
    assert Client(net.members["TH"]).get(f"/api/v1/documents/{manifest_id}/links").status_code == 403


def test_flow_7_auditors_see_the_same_trail(net: Network) -> None:
    doc_id = issue(net, "VN", coffee("VN-HCM-2026-300009"))
    wait_state(net.members["SG"], doc_id, {"valid"})
    assert (
        Client(net.members["SG"])
        .post(f"/api/v1/documents/VN:{doc_id}/reject", json={"reason_code": 4, "reason": "Box 4: not given"})
        .status_code
        == 200
    )
    everywhere(net, doc_id, {"rejected"})
    trails = [
        Client(net.members[c], "auditor").get(f"/api/v1/documents/{doc_id}/trail").json()
        for c in ("VN", "SG")
    ]
    assert trails[0]["events"] == trails[1]["events"]
    assert [e["kind"] for e in trails[0]["events"]] == ["anchored", "rejected"]
    assert all(e["tx"] and e["block"] for e in trails[0]["events"])


def test_flow_8_governance_adds_a_member_and_suspends_one(net: Network) -> None:
    th_before = issue(net, "TH", issued_by("TH", "TH-BKK-2026-000101", "THLCH"))
    wait_state(net.members["SG"], th_before, {"valid"})
    # A new member prepares its node; the genesis members vote it in.
    node, keys = prepare_member(
        net.root,
        "MY",
        free_port(),
        rpc_url=net.rpc_url,
        contracts=(net.membership, net.registry, net.deployment_block),
        node_settings={**SETTINGS, "chain_id": net.chain_id},
    )
    assert (node.data_dir / CONFIG_FILE).exists()
    fund(Web3(Web3.HTTPProvider(net.rpc_url)), keys["issuer_address"], keys["admin_address"])
    vn_admin, sg_admin = Client(net.members["VN"], "admin"), Client(net.members["SG"], "admin")
    proposal = vn_admin.post(
        "/api/v1/consortium/proposals",
        json={
            "kind": "add_member",
            "member": {
                "code": "MY",
                "name": "Royal Malaysian Customs Department",
                "admin": keys["admin_address"],
                "issuers": [keys["issuer_address"]],
                "encryption_key": keys["encryption_public_key"],
                "endpoint": node.url,
            },
        },
    )
    assert proposal.status_code == 201, proposal.text
    assert proposal.json()["executed"] is False  # one vote of three is not the quorum
    voted = sg_admin.post(f"/api/v1/consortium/proposals/{proposal.json()['id']}/vote")
    assert voted.status_code == 200 and voted.json()["executed"] is True
    net.members["MY"] = node
    net.start_node("MY")
    # It syncs the whole history from the chain, then issues.
    wait_state(node, th_before, {"valid"}, timeout=60)
    my_doc = issue(net, "MY", issued_by("MY", "MY-KUL-2026-000101", "MYPKG"))
    wait_state(net.members["SG"], my_doc, {"valid"})
    # Suspending TH takes three votes of four; its new documents are refused, its old ones stay valid.
    suspend = vn_admin.post(
        "/api/v1/consortium/proposals", json={"kind": "suspend_member", "target": "TH"}
    ).json()
    sg_admin.post(f"/api/v1/consortium/proposals/{suspend['id']}/vote")
    assert Client(node, "admin").post(f"/api/v1/consortium/proposals/{suspend['id']}/vote").json()["executed"]
    wait_for(
        lambda: (
            {m["code"]: m["status"] for m in httpx.get(f"{net.members['TH'].url}/api/v1/members").json()}[
                "TH"
            ]
            == "suspended"
        ),
        what="TH's node to see its suspension",
    )
    refused = Client(net.members["TH"]).post(
        "/api/v1/documents", json=issued_by("TH", "TH-BKK-2026-000102", "THLCH")
    )
    assert refused.status_code == 409
    doc = issued_by("TH", "TH-BKK-2026-000101", "THLCH")
    for member in net.members.values():
        verdict = httpx.post(f"{member.url}/api/v1/verify", json=doc).json()
        assert verdict["verdict"] == "valid" and verdict["checks"]["issuer_member_at_issue"] is True


def test_a_reference_is_issued_once_even_after_anchoring(net: Network) -> None:
    doc = coffee("VN-HCM-2026-300010")
    doc_id = issue(net, "VN", doc)
    wait_state(net.members["VN"], doc_id, {"valid"})
    again = Client(net.members["VN"]).post("/api/v1/documents", json=copy.deepcopy(doc))
    assert again.status_code == 409
    assert again.json()["rule"] == "DuplicateReference"
