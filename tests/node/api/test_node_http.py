"""The node over real HTTP: issue every sample, anchor, verify, tamper, revoke, act, and refuse bad input.

Runs against the session ``network`` (anvil + VN, SG, TH node processes).
"""

from __future__ import annotations

import copy
import json
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from origo_devnet.network import Network
from support.network import Client, sample, wait_for, wait_state

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("network")]

PROBLEM = "application/problem+json"


def variant(name: str, reference: str) -> dict[str, Any]:
    doc = sample(name)
    doc["referenceNumber"] = reference
    return doc


def issue(client: Client, doc: dict[str, Any], **params: Any) -> str:
    response = client.post("/api/v1/documents", json=doc, params=params)
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["state"] == "pending"
    assert response.headers["location"] == f"/api/v1/documents/{body['document_id']}"
    return str(body["document_id"])


def test_every_sample_is_accepted_anchored_and_verifies_valid(network: Network) -> None:
    samples = {
        "VN": ["form-d/vn-sg-coffee.json", "manifest/vn-sg-vessel.json"],
        "TH": ["form-d/th-my-autoparts.json"],
    }
    anvil_members = {"MY", "ID", "PH"} - set(network.members)
    assert anvil_members  # the importing members of some samples are not in this 3-member network
    issued = []
    for code, names in samples.items():
        officer = Client(network.members[code])
        for name in names:
            doc = sample(name)
            if doc.get("consignee", {}).get("country") in anvil_members:
                continue
            issued.append((doc, issue(officer, doc)))
    assert len(issued) == 2
    for doc, doc_id in issued:
        wait_state(network.members["SG"], doc_id, {"valid"})
        for node in network.members.values():
            verdict = httpx.post(f"{node.url}/api/v1/verify", json=doc).json()
            assert verdict["verdict"] == "valid", (node.code, verdict)
            assert verdict["checks"] == {
                "anchored": True,
                "integrity": True,
                "signature": True,
                "issuer_member_at_issue": True,
                "anchored_facts": True,  # the chain records the document's own figures
            }


def test_samples_for_members_outside_the_network_are_refused_with_a_pointer(network: Network) -> None:
    officer = Client(network.members["TH"])
    response = officer.post("/api/v1/documents", json=sample("form-d/th-my-autoparts.json"))
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)
    pointers = [error["pointer"] for error in response.json()["errors"]]
    assert pointers  # MY is not a member of this three-member network


def test_one_changed_character_is_tampered_everywhere(network: Network) -> None:
    doc = variant("form-d/vn-sg-coffee.json", "VN-HCM-2026-100001")
    doc_id = issue(Client(network.members["VN"]), doc)
    wait_state(network.members["TH"], doc_id, {"valid"})
    tampered = copy.deepcopy(doc)
    tampered["items"][0]["description"] = tampered["items"][0]["description"].replace("grade 1", "grade 2")
    for node in network.members.values():
        verdict = httpx.post(f"{node.url}/api/v1/verify", json=tampered).json()
        assert verdict["verdict"] == "tampered"
        assert verdict["checks"]["integrity"] is False
        assert verdict["document_id"] == doc_id


def test_revoked_certificate_says_revoked_with_its_reason_at_every_node(network: Network) -> None:
    vn = Client(network.members["VN"])
    doc = variant("form-d/vn-sg-coffee.json", "VN-HCM-2026-100002")
    doc_id = issue(vn, doc)
    wait_state(network.members["VN"], doc_id, {"valid"})
    response = vn.post(
        f"/api/v1/documents/VN:{doc_id}/revoke", json={"reason_code": 3, "reason": "wrong HS code"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "done"
    for node in network.members.values():
        status = wait_state(node, doc_id, {"revoked"})
        assert status["revocation"]["reason_code"] == 3
        assert status["revocation"]["reason"] == "wrong HS code"
        assert httpx.post(f"{node.url}/api/v1/verify", json=doc).json()["verdict"] == "revoked"
    again = vn.post(f"/api/v1/documents/VN:{doc_id}/revoke", json={"reason_code": 3, "reason": "again"})
    assert again.status_code == 409
    assert again.json()["rule"] == "RegistryRevoked"


def test_partial_then_full_claims_and_refusals_come_from_the_chain(network: Network) -> None:
    doc = variant("form-d/vn-sg-coffee.json", "VN-HCM-2026-100003")
    doc_id = issue(Client(network.members["VN"]), doc)
    sg = Client(network.members["SG"])
    wait_state(network.members["SG"], doc_id, {"valid"})
    partial = sg.post(
        f"/api/v1/documents/VN:{doc_id}/accept", json={"declaration": "SG-IMP-1", "quantity": "5000"}
    )
    assert partial.status_code == 200, partial.text
    status = wait_state(network.members["VN"], doc_id, {"partially_accepted"})
    assert status["items"][0]["remaining"] == "14200.000"
    too_much = sg.post(
        f"/api/v1/documents/VN:{doc_id}/accept", json={"declaration": "SG-IMP-2", "quantity": "15000"}
    )
    assert too_much.status_code == 409
    assert too_much.json()["rule"] == "RegistryQuantityExceeded"
    assert too_much.json()["args"][1:] == [0, 15_000_000, 14_200_000]  # item 0 as the chain counts
    rest = sg.post(f"/api/v1/documents/VN:{doc_id}/accept", json={"declaration": "SG-IMP-3"})
    assert rest.status_code == 200, rest.text
    second = sg.post(f"/api/v1/documents/VN:{doc_id}/accept", json={"declaration": "SG-IMP-4"})
    assert second.status_code == 409
    assert second.json()["rule"] == "RegistryFullyUtilised"
    at_th = Client(network.members["TH"]).post(
        f"/api/v1/documents/VN:{doc_id}/accept", json={"declaration": "TH-1"}
    )
    assert at_th.status_code == 403
    assert "importing member (SG)" in at_th.json()["detail"]
    assert wait_state(network.members["TH"], doc_id, {"accepted"})["items"][0]["remaining"] == "0.000"


def test_reference_cannot_be_issued_twice(network: Network) -> None:
    vn = Client(network.members["VN"])
    doc = variant("form-d/vn-sg-coffee.json", "VN-HCM-2026-100004")
    issue(vn, doc)
    again = vn.post("/api/v1/documents", json=doc)
    assert again.status_code == 409
    assert again.headers["content-type"].startswith(PROBLEM)


def test_a_member_issues_only_as_itself(network: Network) -> None:
    response = Client(network.members["SG"]).post(
        "/api/v1/documents", json=sample("form-d/vn-sg-coffee.json")
    )
    assert response.status_code == 422
    assert any(e["pointer"] == "/issuedIn" for e in response.json()["errors"]), response.json()


def test_keys_and_roles(network: Network) -> None:
    node = network.members["VN"]
    doc = sample("form-d/vn-sg-coffee.json")
    assert httpx.post(f"{node.url}/api/v1/documents", json=doc).status_code == 401
    wrong = httpx.post(f"{node.url}/api/v1/documents", json=doc, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert wrong.headers["content-type"].startswith(PROBLEM)
    auditor = Client(node, "auditor").post("/api/v1/documents", json=doc)
    assert auditor.status_code == 403
    officer_on_governance = Client(node).post("/api/v1/consortium/proposals", json={"kind": "change_quorum"})
    assert officer_on_governance.status_code == 403


@pytest.mark.parametrize(
    ("body", "status", "slug"),
    [
        (b"{not json", 400, "bad-request"),
        (b"", 400, "bad-request"),
        (b"[1, 2]", 422, "validation-failed"),
        (json.dumps({"type": "atiga-form-d", "version": "9"}).encode(), 422, "validation-failed"),
        (json.dumps({"type": "phyto", "version": "1"}).encode(), 422, "validation-failed"),
        (b"x" * (5 * 1024 * 1024), 413, "request-too-large"),
    ],
)
def test_bad_input_gets_a_problem_and_changes_nothing(
    network: Network, body: bytes, status: int, slug: str
) -> None:
    vn = Client(network.members["VN"])
    before = vn.get("/healthz").json()["outbox_pending"]
    response = vn.post("/api/v1/documents", content=body, headers={"content-type": "application/json"})
    assert response.status_code == status
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["type"].endswith("/" + slug)
    assert vn.get("/healthz").json()["outbox_pending"] <= before


def test_invalid_document_lists_every_problem_with_its_pointer(network: Network) -> None:
    doc = sample("form-d/vn-sg-coffee.json")
    doc["referenceNumber"] = "VN-HCM-2026-100005"
    doc["consignee"]["country"] = "VN"
    doc["transport"]["portOfLoading"] = "nope"
    doc["items"][0]["hsCode"] = "09"
    response = Client(network.members["VN"]).post("/api/v1/documents", json=doc)
    assert response.status_code == 422
    pointers = {e["pointer"] for e in response.json()["errors"]}
    assert {"/transport/portOfLoading", "/items/0/hsCode"} <= pointers
    assert any(p.startswith("/consignee") for p in pointers)
    assert httpx.get(f"{network.members['VN'].url}/api/v1/documents/VN:VN-HCM-2026-100005").status_code == 404


def test_status_by_reference_and_unknown(network: Network) -> None:
    doc = variant("form-d/vn-sg-coffee.json", "VN-HCM-2026-100006")
    doc_id = issue(Client(network.members["VN"]), doc)
    node = network.members["SG"]
    wait_state(node, doc_id, {"valid"})
    by_reference = httpx.get(f"{node.url}/api/v1/documents/VN-HCM-2026-100006").json()
    assert by_reference["document_id"] == doc_id
    assert httpx.get(f"{node.url}/api/v1/documents/VN:VN-HCM-2026-100006").json()["document_id"] == doc_id
    # An id named with its issuer, the code typed in lower case.
    assert httpx.get(f"{node.url}/api/v1/documents/vn:{doc_id}").json()["document_id"] == doc_id
    unknown = httpx.get(f"{node.url}/api/v1/documents/0x" + "ab" * 32)
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith(PROBLEM)
    # Each miss is told in the terms it was asked in: the reference typed, never an id derived from it.
    words = {
        "VN:VN-HCM-2026-NOPE": "VN issued no document with reference VN-HCM-2026-NOPE that this node",
        "VN-HCM-2026-NOPE": "no member issued a document with reference VN-HCM-2026-NOPE",
        "0x" + "ab" * 32: f"document 0x{'ab' * 32} is unknown to this node",
        "coffee!!": "'coffee!!': this is not a certificate reference or id",
        "VN:caf\u00e9!": "'VN:caf\u00e9!': this is not a certificate reference or id",
    }
    for key, expected in words.items():
        answer = httpx.get(f"{node.url}/api/v1/documents/{quote(key)}")
        assert answer.status_code == 404 and expected in answer.json()["detail"], (key, answer.text)
        if "HCM" in key:
            assert "0x" not in answer.json()["detail"]  # no id the person never saw
    assert httpx.get(f"{node.url}/api/v1/verify/0x" + "ab" * 32).json()["verdict"] == "unknown"


def test_bulk_accepts_good_documents_and_reports_bad_ones(network: Network) -> None:
    good = [variant("form-d/vn-sg-coffee.json", f"VN-HCM-2026-2000{i:02d}") for i in range(20)]
    bad = copy.deepcopy(good[0])
    bad["referenceNumber"] = "VN-HCM-2026-299999"
    bad["items"][0]["hsCode"] = "x"
    response = Client(network.members["VN"]).post("/api/v1/documents/bulk", json={"documents": [*good, bad]})
    assert response.status_code == 200
    body = response.json()
    assert (body["accepted"], body["refused"]) == (20, 1)
    assert body["results"][20]["problem"]["status"] == 422
    last = body["results"][19]["document_id"]
    wait_state(network.members["SG"], last, {"valid"})


def test_schemas_types_members_and_openapi_are_published(network: Network) -> None:
    url = network.members["TH"].url
    types = httpx.get(f"{url}/api/v1/types").json()
    assert {(t["type"], t["version"]) for t in types} >= {("atiga-form-d", "1"), ("fal-cargo-manifest", "1")}
    schema = httpx.get(f"{url}{types[0]['schema_url']}").json()
    assert schema["type"] == "object"
    members = httpx.get(f"{url}/api/v1/members").json()
    assert [m["code"] for m in members] == ["SG", "TH", "VN"]
    assert all(m["status"] == "active" and m["encryption_suite"] for m in members)
    assert "/api/v1/verify" in httpx.get(f"{url}/openapi.json").json()["paths"]


def test_worklist_declarations_and_references(network: Network) -> None:
    doc = variant("form-d/vn-sg-coffee.json", "VN-HCM-2026-100007")
    doc_id = issue(Client(network.members["VN"]), doc)
    sg = Client(network.members["SG"])
    wait_state(network.members["SG"], doc_id, {"valid"})
    opened = sg.post(
        f"/api/v1/documents/VN:{doc_id}/verification-request", json={"reason": "check the origin"}
    )
    assert opened.status_code == 200
    vn = Client(network.members["VN"])
    params = {"role": "issuer", "state": "under_verification"}
    queue = wait_for(
        lambda: (r := vn.get("/api/v1/documents", params=params)).json()["documents"] and r,
        what="the request in VN's work list",
    )
    assert doc_id in [d["document_id"] for d in queue.json()["documents"]]
    assert all(d["state"] == "under_verification" for d in queue.json()["documents"])
    Client(network.members["VN"]).post(
        f"/api/v1/documents/VN:{doc_id}/verification-answer", json={"confirmed": True}
    )
    wait_state(network.members["SG"], doc_id, {"valid"})
    assert (
        sg.post(f"/api/v1/documents/VN:{doc_id}/accept", json={"declaration": "SG-IMP-777"}).status_code
        == 200
    )
    status = wait_state(network.members["SG"], doc_id, {"accepted"})
    assert status["utilisations"][0]["declaration"] == "SG-IMP-777"
    # The importing member read the payload, so its own staff see the reference; a member not concerned does
    # not know it, and someone holding only the id learns nothing more than the chain shows.
    sg_staff = Client(network.members["SG"], "auditor")
    wait_for(lambda: sg_staff.get(f"/api/v1/documents/{doc_id}").json()["reference"])
    assert sg_staff.get(f"/api/v1/documents/{doc_id}").json()["reference"] == "VN-HCM-2026-100007"
    assert httpx.get(f"{network.members['SG'].url}/api/v1/documents/{doc_id}").json()["reference"] is None
    by_reference = httpx.get(f"{network.members['SG'].url}/api/v1/documents/VN:VN-HCM-2026-100007").json()
    assert by_reference["document_id"] == doc_id and by_reference["reference"] == "VN-HCM-2026-100007"
    th_staff = Client(network.members["TH"], "auditor")
    assert th_staff.get(f"/api/v1/documents/{doc_id}").json()["reference"] is None
    wrong = Client(network.members["TH"]).post(
        f"/api/v1/documents/VN:{doc_id}/accept", json={"declaration": "X"}
    )
    assert wrong.status_code == 403 and wrong.json()["type"].endswith("/wrong-member")
