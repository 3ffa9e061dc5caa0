"""The export declaration end to end on the fake chain: filed at VN for SG, read at SG, linked to its
certificate and manifest there, and the ranked work list of SG's importing officer."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakenode_support import SAMPLES, Consortium, FakeNode, _encryption_key, new_consortium
from origo_node.chain import eip712
from origo_node.documents.action_params import AnswerVerification, Reject, RequestVerification, Revoke
from origo_node.errors import ChainRuleViolated
from origo_node.services.claims import ClaimRequest
from origo_node.services.naming import DocumentKey
from origo_node.services.officer_desk import OfficerDesk
from origo_node.services.reading import PayloadReader
from origo_node.services.risk.service import RiskService
from origo_node.services.risk.settings import RiskSettings
from origo_node.store.facts import NodeFacts
from origo_node.store.index import IndexRepository


def sample(folder: str, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / folder / f"{name}.json").read_text(encoding="utf-8"))
    return data


def risk_of(node: FakeNode, settings: RiskSettings | None = None) -> RiskService:
    """The importing member's risk service over its own index and payload reader."""
    index = IndexRepository(node.db)
    domain = eip712.domain_separator(node.chain.chain_id, node.chain.registry_address)
    reader = PayloadReader(index, node.payloads, node.code, _encryption_key(node.code), domain)
    return RiskService(index, reader, node.status, NodeFacts(node.db), node.code, settings or RiskSettings())


@pytest.fixture
def network(tmp_path: Path) -> Iterator[Consortium]:
    consortium = new_consortium(tmp_path)
    yield consortium
    for node in consortium.nodes.values():
        node.db.close()


def key(node: FakeNode, typed: str) -> DocumentKey:
    return node.status.resolver.resolve(typed)


def test_a_declaration_filed_at_vn_is_linked_at_sg_to_its_certificate_and_manifest(
    network: Consortium,
) -> None:
    vn, sg = network.nodes["VN"], network.nodes["SG"]
    for document in (
        sample("form-d", "vn-sg-coffee"),
        sample("manifest", "vn-sg-vessel"),
        sample("acdd", "vn-sg-coffee"),
    ):
        vn.issuing.issue(document)
    network.settle()
    # Typed as a person types a declaration number: stray blanks, any case.
    declaration = key(sg, " VN:305871204330 ")
    assert sg.status.status(declaration).type == "asean-acdd"
    assessed = risk_of(sg).assess(declaration)
    assert assessed.kind == "declaration" and assessed.reference == "305871204330"
    assert assessed.links is not None
    links = {(link.kind, link.reference): list(link.by) for link in assessed.links}
    assert links == {
        ("certificate", "VN-HCM-2026-004512"): [
            "certificate of origin reference",
            "invoice",
            "transport document",
        ],
        ("manifest", "MSC-ISA-2647S-VNSGN"): ["transport document"],
    }
    # The three documents agree: nothing to flag.
    assert (assessed.score, assessed.signals) == (0, ())
    certificate = risk_of(sg).assess(key(sg, "VN:VN-HCM-2026-004512"))
    assert {link.kind for link in certificate.links or ()} == {"declaration", "manifest"}


def test_the_work_list_puts_the_riskiest_document_first(network: Consortium) -> None:
    vn, sg = network.nodes["VN"], network.nodes["SG"]
    vn.issuing.issue(sample("form-d", "vn-sg-coffee"))
    vn.issuing.issue(sample("manifest", "vn-sg-vessel"))
    vn.issuing.issue(sample("acdd", "vn-sg-coffee"))
    crafted = sample("acdd", "vn-sg-coffee")
    crafted["referenceNumber"] = "305871209999"
    crafted["transport"]["vesselOrFlight"] = "MAERSK KOWLOON 249S"
    crafted["items"][0]["grossWeightKg"] = 21500
    crafted["items"][0]["quantity"]["value"] = 21000
    vn.issuing.issue(crafted)
    network.settle()
    listed = risk_of(sg).work_list(limit=10).documents
    # The declaration that disagrees first; its certificate (which it contradicts) and the manifest next; the
    # declaration that agrees with both last, with nothing to say.
    assert [(d.reference, d.level) for d in listed] == [
        ("305871209999", "high"),
        ("VN-HCM-2026-004512", "high"),
        ("MSC-ISA-2647S-VNSGN", "medium"),
        ("305871204330", "none"),
    ]
    first = listed[0]
    assert first.score == 65  # quantity 25 + vessel 20 + weight 20: each rule counted once
    assert {s.rule for s in first.signals} == {
        "vessel_mismatch",
        "weight_mismatch",
        "quantity_mismatch",
    }
    assert (
        "21,000 KGM of HS 090111" in next(s for s in first.signals if s.rule == "quantity_mismatch").sentence
    )
    assert [d.score for d in listed] == sorted((d.score for d in listed), reverse=True)
    only = risk_of(sg).work_list(limit=10, kind="declaration").documents
    assert [d.reference for d in only] == ["305871209999", "305871204330"]


def test_a_switched_off_rule_and_a_wider_tolerance_change_the_ranking(network: Consortium) -> None:
    vn, sg = network.nodes["VN"], network.nodes["SG"]
    vn.issuing.issue(sample("form-d", "vn-sg-coffee"))
    crafted = sample("acdd", "vn-sg-coffee")
    crafted["items"][0]["quantity"]["value"] = 19800  # +3.1%: beyond the default 2%
    vn.issuing.issue(crafted)
    network.settle()
    declaration = key(sg, "VN:305871204330")
    assert [s.rule for s in risk_of(sg).assess(declaration).signals] == ["quantity_mismatch"]
    wider = RiskSettings.model_validate({"thresholds": {"quantity_tolerance_pct": 5}})
    assert risk_of(sg, wider).assess(declaration).signals == ()
    off = RiskSettings.model_validate({"rules": {"quantity_mismatch": {"enabled": False}}})
    assert risk_of(sg, off).assess(declaration).score == 0
    heavier = RiskSettings.model_validate({"rules": {"quantity_mismatch": {"weight": 70}}})
    assert risk_of(sg, heavier).assess(declaration).level == "high"


def desk_of(node: FakeNode, risk: RiskService | None = None) -> OfficerDesk:
    return OfficerDesk(
        node.code,
        node.status,
        node.issuing,
        node.actions,
        node.checker,
        None if risk is None else risk.record_fully_used_claim,
    )


def coffee(reference: str) -> dict[str, Any]:
    document = sample("form-d", "vn-sg-coffee")
    document["referenceNumber"] = reference
    return document


def test_the_exporters_history_comes_from_the_chain_and_refused_claims(network: Consortium) -> None:
    vn, sg = network.nodes["VN"], network.nodes["SG"]
    for reference in ("VN-H-1", "VN-H-2", "VN-H-3", "VN-H-4"):
        vn.issuing.issue(coffee(reference))
    other = sample("form-d", "vn-sg-coffee")
    other.update(referenceNumber="VN-H-OTHER")
    other["exporter"]["name"] = "Vinacafe Bien Hoa JSC"
    vn.issuing.issue(other)
    network.settle()
    risk = risk_of(sg)
    at_sg, at_vn = desk_of(sg, risk), desk_of(vn)
    at_vn.act("VN:VN-H-1", Revoke(reason_code=3, reason="HS 0901.21"), 0)
    at_sg.act("VN:VN-H-2", Reject(reason_code=1, reason="origin doubtful"), 0)
    at_sg.act("VN:VN-H-3", RequestVerification(reason="origin criterion doubtful"), 0)
    network.settle()
    at_vn.act("VN:VN-H-3", AnswerVerification(confirmed=False, reason="plant not visited"), 0)
    at_sg.act("VN:VN-H-4", ClaimRequest(declaration="SG-IMP-0001"), 0)
    network.settle()
    with pytest.raises(ChainRuleViolated):  # the certificate is used up: a second claim is refused, and noted
        at_sg.act("VN:VN-H-4", ClaimRequest(declaration=" sg-imp-0002"), 0)
    assessed = risk.assess(key(sg, "VN:VN-H-4"))
    signals = {s.rule: s.sentence for s in assessed.signals}
    assert set(signals) == {
        "exporter_revoked",
        "exporter_rejected",
        "exporter_not_confirmed",
        "fully_used_claim",
    }
    assert "VN-H-1" in signals["exporter_revoked"] and "VN-H-2" in signals["exporter_rejected"]
    assert "VN-H-3" in signals["exporter_not_confirmed"]
    assert "VN-H-4 (declaration SG-IMP-0002)" in signals["fully_used_claim"]
    # Another exporter's certificate has no such history.
    assert risk.assess(key(sg, "VN:VN-H-OTHER")).signals == ()
    # The work list gathers the exporter's history once for all its certificates: each still leaves out its
    # own state, and says what assessing it alone says.
    listed = {d.reference: d for d in risk.work_list(limit=10).documents}
    for reference in ("VN-H-1", "VN-H-2", "VN-H-3", "VN-H-4", "VN-H-OTHER"):
        alone = risk.assess(key(sg, f"VN:{reference}"))
        assert listed[reference] == dataclasses.replace(alone, links=None)
    assert "VN-H-1" not in next(s.sentence for s in listed["VN-H-1"].signals if s.rule == "exporter_rejected")
    assert not any(s.rule == "exporter_revoked" for s in listed["VN-H-1"].signals)


def test_the_readme_walk_through_ranks_the_second_declaration_first(network: Consortium) -> None:
    vn, sg = network.nodes["VN"], network.nodes["SG"]
    for folder, name in (
        ("form-d", "vn-sg-coffee"),
        ("manifest", "vn-sg-vessel"),
        ("acdd", "vn-sg-coffee"),
        ("acdd", "vn-sg-coffee-second"),
    ):
        vn.issuing.issue(sample(folder, name))
        network.settle()  # one after the other, as in the README: among equal scores the newest comes first
    listed = risk_of(sg).work_list(limit=10).documents
    assert [(d.kind, d.reference, d.score) for d in listed] == [
        ("declaration", "305871209127", 80),
        ("certificate", "VN-HCM-2026-004512", 80),
        ("declaration", "305871204330", 0),
        ("manifest", "MSC-ISA-2647S-VNSGN", 0),
    ]
    assert [s.rule for s in listed[0].signals] == [
        "quantity_mismatch",
        "port_mismatch",
        "vessel_mismatch",
        "date_mismatch",
    ]


def test_one_service_kept_across_answers_reads_each_payload_once_and_sees_later_documents(
    network: Consortium, monkeypatch: pytest.MonkeyPatch
) -> None:
    vn, sg = network.nodes["VN"], network.nodes["SG"]
    vn.issuing.issue(sample("form-d", "vn-sg-coffee"))
    network.settle()
    kept = risk_of(sg)
    certificate = key(sg, "VN:VN-HCM-2026-004512")
    assert kept.assess(certificate).links == ()
    # Filed after the first answer: the kept service adds them, as a service made now would see them.
    vn.issuing.issue(sample("manifest", "vn-sg-vessel"))
    crafted = sample("acdd", "vn-sg-coffee")
    crafted["items"][0]["grossWeightKg"] = 21500
    vn.issuing.issue(crafted)
    network.settle()
    read: list[str] = []
    original = PayloadReader.read

    def counted(self: PayloadReader, document: DocumentKey) -> dict[str, Any]:
        read.append(document.qualified)
        doc: dict[str, Any] = original(self, document)
        return doc

    monkeypatch.setattr(PayloadReader, "read", counted)
    fresh = risk_of(sg)
    assert kept.assess(certificate) == fresh.assess(certificate)
    assert kept.work_list(limit=10) == fresh.work_list(limit=10)
    assert {link.kind for link in kept.assess(certificate).links or ()} == {"declaration", "manifest"}
    # The kept service read only the two new payloads, the fresh one all three, and neither read any again.
    assert len(read) == 2 + 3 and len(set(read)) == 3
