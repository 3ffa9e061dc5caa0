"""The SDK against real node processes on a real chain: every call, its model, and its errors."""

from __future__ import annotations

import copy
import time

import pytest
from client_support import VESSEL, coffee, sdk, settle, unique_reference
from origo_devnet.network import MemberNode, Network
from origo_sdk import (
    Action,
    AuthError,
    ChainRuleError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    OrigoClient,
    QuorumProposal,
    ValidationError,
)
from support.network import sample

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("network")]


def issued(origo: OrigoClient, doc: dict[str, object]) -> str:
    receipt = origo.issue(doc)
    assert receipt.state == "pending"
    assert receipt.reference == doc["referenceNumber"]
    assert origo.wait_until_anchored(receipt.document_id, timeout=30).state == "valid"
    return receipt.document_id


def test_public_reads(vn: MemberNode) -> None:
    with sdk(vn, None) as origo:
        health = origo.health()
        assert health.status == "ok" and health.member == "VN"
        members = {m.code: m for m in origo.members()}
        assert {"VN", "SG", "TH"} <= set(members)
        assert members["VN"].status == "active" and members["VN"].issuers
        types = {(t.type, t.version) for t in origo.types()}
        assert ("atiga-form-d", "1") in types
        schema = origo.schema("atiga-form-d", "1")
        assert schema["type"] == "object"
        with pytest.raises(NotFoundError):
            origo.status("VN:" + unique_reference("NEVER"))
        assert origo.verify("0x" + "00" * 32).verdict == "unknown"


def test_issue_verify_claim_and_revoke(vn: MemberNode, sg: MemberNode, th: MemberNode) -> None:
    doc = coffee()
    with sdk(vn) as issuer, sdk(sg) as importer, sdk(th, None) as anyone:
        doc_id = issued(issuer, doc)
        # TH's index follows the chain on its own clock: wait for it, by reference.
        status = settle(anyone, f"VN:{doc['referenceNumber']}", "valid")
        assert status.document_id == doc_id
        assert (status.issuer, status.importer, status.type) == ("VN", "SG", "atiga-form-d")
        assert status.anchor is not None and status.anchor.block > 0
        (coffee_item,) = status.items
        assert (coffee_item.item, coffee_item.unit, coffee_item.total) == (1, "KGM", "19200.000")

        result = anyone.verify_file(doc)
        assert result.verdict == "valid" and result.checks.integrity and result.checks.signature
        assert anyone.verify(doc["referenceNumber"]).verdict == "valid"  # a bare reference
        assert anyone.verify(doc_id, digest=status.digest).verdict == "valid"
        assert anyone.verify(doc_id, digest="0x" + "ab" * 32).verdict == "tampered"
        tampered = copy.deepcopy(doc)
        tampered["exporter"]["name"] += "."
        assert anyone.verify_file(tampered).verdict == "tampered"

        file = issuer.issued_file(doc_id)
        assert file.origo.document_id == doc_id and file.origo.leaf.digest == status.digest
        assert file.document["referenceNumber"] == doc["referenceNumber"]
        assert anyone.verify_file(file.model_dump_json(by_alias=True).encode()).verdict == "valid"

        settle(importer, doc_id, "valid")
        action = importer.accept(f"VN:{doc_id}", "SG-IMP-0001", "250.125")
        assert isinstance(action, Action) and action.state == "done" and action.tx
        assert importer.action(action.id).state == "done"
        after = settle(anyone, doc_id, "partially_accepted")
        assert after.items[0].remaining == "18949.875"
        (claimed,) = after.utilisations[0].claims
        assert (claimed.item, claimed.unit, claimed.quantity) == (1, "KGM", "250.125")
        assert anyone.verify_file(doc).verdict == "partially_accepted"

        with pytest.raises(ChainRuleError) as refused:
            importer.accept(f"VN:{doc_id}", "SG-IMP-0002", "100000")
        assert refused.value.rule == "RegistryQuantityExceeded"
        assert refused.value.status == 409 and refused.value.rule_args
        assert "Only 18,949.875 KGM remain on this certificate" in str(refused.value)

        with pytest.raises(ForbiddenError):
            importer.revoke(f"VN:{doc_id}", 3, "not ours to revoke")
        assert issuer.revoke(f"VN:{doc_id}", 3, "wrong HS code").state == "done"
        settle(anyone, doc_id, "revoked")
        revoked = anyone.verify_file(doc)
        assert revoked.verdict == "revoked"
        assert revoked.status is not None and revoked.status.revocation is not None
        assert revoked.status.revocation.reason == "wrong HS code"


def test_reject_and_verification_round_trip(vn: MemberNode, sg: MemberNode) -> None:
    with sdk(vn) as issuer, sdk(sg) as importer:
        asked = issued(issuer, coffee())
        settle(importer, asked, "valid")
        importer.request_verification(f"VN:{asked}", "invoice does not match")
        settle(importer, asked, "under_verification")
        settle(issuer, asked, "under_verification")
        issuer.answer_verification(f"VN:{asked}", True, "checked at the factory")
        answered = settle(importer, asked, "valid")
        assert answered.verification is not None and answered.verification.state == "confirmed"

        refused = issued(issuer, coffee())
        settle(importer, refused, "valid")
        importer.reject(f"VN:{refused}", 2, "origin criterion not met")
        status = settle(importer, refused, "rejected")
        assert status.rejection is not None and status.rejection.reason_code == 2


def test_supersede_points_old_to_new(vn: MemberNode) -> None:
    with sdk(vn) as issuer:
        old = issued(issuer, coffee())
        receipt = issuer.supersede(f"VN:{old}", coffee())
        assert receipt.supersedes == old
        issuer.wait_until_anchored(receipt.document_id, timeout=30)
        status = settle(issuer, old, "superseded")
        assert status.superseded_by == receipt.document_id
        assert issuer.status(receipt.document_id).supersedes == old


def test_bulk_accepts_and_refuses_each_on_its_own(vn: MemberNode) -> None:
    bad = coffee()
    bad["exporter"]["country"] = "ZZ"
    with sdk(vn) as issuer:
        receipt = issuer.issue_bulk([coffee(), bad, coffee()])
    assert [item.accepted for item in receipt.results] == [True, False, True]
    assert receipt.accepted == 2 and receipt.refused == 1
    problem = receipt.results[1].problem
    assert problem is not None and any(e["pointer"] == "/exporter/country" for e in problem.errors)


def test_errors_from_the_node(vn: MemberNode) -> None:
    doc = coffee()
    with sdk(vn, None) as anonymous, pytest.raises(AuthError) as caught:
        anonymous.issue(doc)
    assert caught.value.status == 401 and not isinstance(caught.value, ForbiddenError)
    with OrigoClient(vn.url, api_key="origo_not-a-key") as stranger, pytest.raises(AuthError):
        stranger.trail("VN:" + unique_reference())
    with sdk(vn, "auditor") as auditor, pytest.raises(ForbiddenError):
        auditor.issue(doc)
    invalid = copy.deepcopy(doc)
    del invalid["exporter"]["name"]
    invalid["items"][0]["hsCode"] = "09"
    with sdk(vn) as officer:
        with pytest.raises(ValidationError) as caught_invalid:
            officer.issue(invalid)
        pointers = {e["pointer"] for e in caught_invalid.value.errors}
        assert {"/exporter/name", "/items/0/hsCode"} <= pointers
        officer.issue(doc)
        with pytest.raises(ConflictError):
            officer.issue(doc)


def test_trail_export_payload_and_links(vn: MemberNode, sg: MemberNode) -> None:
    cert = coffee()
    manifest = copy.deepcopy(sample(VESSEL))
    manifest["referenceNumber"] = unique_reference("MSC-CLI")
    with sdk(vn) as issuer, sdk(sg, "auditor") as auditor, sdk(sg) as importer:
        cert_id = issued(issuer, cert)
        manifest_id = issued(issuer, manifest)
        settle(importer, cert_id, "valid")
        importer.accept(f"VN:{cert_id}", "SG-IMP-0003", "1")
        settle(auditor, cert_id, "partially_accepted")
        trail = auditor.trail(cert_id)
        assert [e.kind for e in trail.events] == ["anchored", "accepted"]
        assert all(e.tx.startswith("0x") and e.block > 0 for e in trail.events)
        export = auditor.export(cert_id)
        assert export.format == "origo-trail/1" and export.document_id == cert_id
        assert export.eip712 is not None and len(export.events) == 2
        assert auditor.payload(cert_id)["referenceNumber"] == cert["referenceNumber"]
        for _ in range(100):  # SG reads both payloads once its node has fetched and checked them
            links = importer.links(manifest_id)
            found = [c.reference for c in links.consignments[0].certificates]
            if cert["referenceNumber"] in found:
                break
            time.sleep(0.2)
        assert cert["referenceNumber"] in found
        assert links.reference == manifest["referenceNumber"]


def test_governance_round_trip(network: Network) -> None:
    admins = [sdk(network.members[code], "admin") for code in ("VN", "SG")]
    try:
        current = admins[0].proposals()
        proposal = admins[0].propose(QuorumProposal(quorum_bps=5001))
        assert proposal.kind == "change_quorum" and proposal.quorum_bps == 5001
        assert proposal.id == (current[0].id + 1 if current else 1)
        voted = admins[1].vote(proposal.id)
        assert voted.yes_votes >= 2 and voted.executed
        assert admins[1].proposal(proposal.id).executed
        with sdk(network.members["VN"]) as officer, pytest.raises(ForbiddenError):
            officer.propose({"kind": "change_quorum", "quorum_bps": 6000})
    finally:
        for admin in admins:
            admin.close()
