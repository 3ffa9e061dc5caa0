"""A hostile issuer anchors its own, correctly signed certificate with other figures than the certificate
gives (a hundred times the quantities, ten more years of validity). The chain cannot tell: it never sees the
document. The importing member reads the payload and can: its node flags the certificate, refuses to claim it,
still lets it be rejected; and a trader checking the file at any node is told the record is not the
certificate's. On SQLite and on PostgreSQL, on the fake chain.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from fakenode_support import Consortium, FakeNode, form_d
from origo_node.documents import ValidatedDocument, ValidationContext, canonical_bytes, find_type
from origo_node.documents.action_params import Reject
from origo_node.errors import Conflict
from origo_node.services import issuing
from origo_node.services.claims import ClaimRequest
from origo_node.services.officer_desk import OfficerDesk
from origo_node.store.index import IndexRepository
from origo_node.store.rows import PayloadCheck

TEN_YEARS_S = 10 * 365 * 24 * 3600


@pytest.fixture
def hostile_issuing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """VN's node, modified: it signs and anchors leaves whose figures are not the document's."""
    honest = issuing.validate_document

    def inflated(doc: object, ctx: ValidationContext) -> Any:
        validated = honest(doc, ctx)
        facts = dataclasses.replace(
            validated.facts,
            quantities=tuple(q * 100 for q in validated.facts.quantities),
            expires_at=validated.facts.expires_at + TEN_YEARS_S,
        )
        return dataclasses.replace(validated, facts=facts)

    monkeypatch.setattr(issuing, "validate_document", inflated)
    yield


def desk(consortium: Consortium, code: str) -> OfficerDesk:
    node = consortium.nodes[code]
    return OfficerDesk(code, node.status, node.issuing, node.actions, node.checker)


def accepted_on_chain(consortium: Consortium) -> int:
    chain = consortium.chain
    return sum(1 for e in chain.events(0, chain.head()) if e.name == "DocumentAccepted")


def test_the_importer_flags_refuses_to_claim_and_may_reject_a_certificate_anchored_with_other_figures(
    consortium: Consortium, hostile_issuing: None
) -> None:
    vn, sg = consortium.nodes["VN"], consortium.nodes["SG"]
    doc = form_d("VN-HOSTILE-FACTS-1")
    doc_id = vn.issuing.issue(doc).document_id
    consortium.settle()

    # The chain enforces the anchored figures: 1,920,000 KGM where the certificate gives 19,200 KGM.
    assert sg.status.status(doc_id).answer().model_dump(mode="json")["items"][0]["total"] == "1920000.000"
    found = recorded(sg, doc_id)  # by the background check, which read the payload
    assert found is not None and found.state == "facts_mismatch"
    item = "the chain records 1,920,000.000 KGM for item 1; the document gives 19,200.000 KGM"
    assert item in str(found.detail)
    assert "the chain records validity until 2037-" in str(found.detail)
    # It stands out in the importing officers' queue too.
    [queued] = [
        d
        for d in sg.status.worklist("SG", "importer", None, 50, 0)
        .answer()
        .model_dump(mode="json")["documents"]
        if d["document_id"] == doc_id
    ]
    assert queued["payload_check"]["state"] == "facts_mismatch"

    with pytest.raises(Conflict) as refused:
        desk(consortium, "SG").act(f"VN:{doc_id}", ClaimRequest(declaration="SG-IMP-HOSTILE"), 0)
    assert refused.value.details["rule"] == "CertificateDisagreesWithChain"
    assert "cannot be claimed" in refused.value.message and "19,200.000 KGM" in refused.value.message
    consortium.settle()
    assert accepted_on_chain(consortium) == 0  # nothing was sent

    # Rejecting it is what the importing member does with such a certificate.
    action = desk(consortium, "SG").act(f"VN:{doc_id}", Reject(reason_code=99, reason="figures differ"), 0)
    consortium.settle()
    assert sg.actions.get(action.id).state == "done"
    assert sg.status.status(doc_id).state == "rejected"


def test_a_trader_checking_the_file_is_told_the_record_is_not_the_certificates(
    consortium: Consortium, hostile_issuing: None
) -> None:
    vn = consortium.nodes["VN"]
    doc = form_d("VN-HOSTILE-FACTS-2")
    vn.issuing.issue(doc)
    consortium.settle()
    for node in consortium.nodes.values():  # the issuer's own node, and the importer's
        verdict = node.verify.verify_file(doc).answer().model_dump(mode="json")
        assert verdict["verdict"] == "tampered", verdict
        assert verdict["checks"]["integrity"] is True and verdict["checks"]["anchored_facts"] is False
        assert "not what the certificate says" in verdict["message"]
        assert "19,200.000 KGM" in verdict["message"]


def test_a_claim_made_before_the_background_check_reads_the_payload_first(
    consortium: Consortium, hostile_issuing: None
) -> None:
    vn, sg = consortium.nodes["VN"], consortium.nodes["SG"]
    doc_id = vn.issuing.issue(form_d("VN-HOSTILE-FACTS-3")).document_id
    vn.batcher.run_once(force=True)
    sg.indexer.run_once()  # indexed, its payload check queued but not run
    before = recorded(sg, doc_id)
    assert before is None or before.state == "pending"
    with pytest.raises(Conflict):
        desk(consortium, "SG").act(f"VN:{doc_id}", ClaimRequest(declaration="SG-IMP-EARLY"), 0)
    after = recorded(sg, doc_id)
    assert after is not None and after.state == "facts_mismatch"  # read at the claim, and kept


def test_an_honest_certificate_agrees_with_its_record_and_is_claimed(consortium: Consortium) -> None:
    vn, sg = consortium.nodes["VN"], consortium.nodes["SG"]
    doc = form_d("VN-HONEST-FACTS-1")
    doc_id = vn.issuing.issue(doc).document_id
    consortium.settle()
    assert sg.checker.check_now(sg.status.resolver.resolve(doc_id)).state == "ok"
    assert sg.verify.verify_file(doc).answer().model_dump(mode="json")["checks"]["anchored_facts"] is True
    desk(consortium, "SG").act(f"VN:{doc_id}", ClaimRequest(declaration="SG-IMP-HONEST"), 0)
    consortium.settle()
    assert accepted_on_chain(consortium) == 1


def recorded(node: FakeNode, doc_id: str) -> PayloadCheck | None:
    """What the node has recorded of reading the payload, without reading it now."""
    key = node.status.resolver.resolve(doc_id)
    return IndexRepository(node.db).payload_check(key.issuer, key)


def test_a_payload_that_breaks_its_types_rules_is_flagged_and_the_round_goes_on(
    consortium: Consortium, monkeypatch: pytest.MonkeyPatch
) -> None:
    """VN's node skips the rules: it anchors a certificate dated next century beside an honest one."""

    def unchecked(doc: dict[str, Any], ctx: ValidationContext) -> ValidatedDocument:
        doc_type = find_type(doc["type"], doc["version"])
        assert doc_type is not None
        return ValidatedDocument(doc, doc_type, doc_type.facts(doc, ctx), canonical_bytes(doc))

    monkeypatch.setattr(issuing, "validate_document", unchecked)
    vn, sg = consortium.nodes["VN"], consortium.nodes["SG"]
    broken = form_d("VN-HOSTILE-RULES-1")
    broken["certification"] = {**broken["certification"], "date": "2099-01-01"}
    broken_id = vn.issuing.issue(broken).document_id
    honest_id = vn.issuing.issue(form_d("VN-HOSTILE-RULES-2")).document_id
    consortium.settle()
    flagged, fine = recorded(sg, broken_id), recorded(sg, honest_id)
    assert flagged is not None and flagged.state == "facts_mismatch"
    assert "breaks its type's rules (/certification/date: must not be in the future" in str(flagged.detail)
    assert fine is not None and fine.state == "ok"
