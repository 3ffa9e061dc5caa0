"""A hostile member's copies of another member's reference never make a lookup or a claim land on them.

Written as the hostile member: its own node (with the honest node's checks taken out, as a member running
modified software would), its own keys, a certificate carrying VN's reference, anchored before or after VN's
own; by every member code that sorts before VN's (a bare reference used to resolve to the first in code
order). Every other member's node is honest: the importer SG and a third member TH.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from origo_node.documents import form_d as form_d_rules
from origo_node.documents.action_params import Revoke
from origo_node.errors import ChainRuleViolated, Conflict, ValidationFailed
from origo_node.services.claims import ClaimRequest
from origo_node.services.officer_desk import OfficerDesk

from tests.node.services.fakenode_support import BEFORE_VN, SAMPLES, Consortium, FakeNode, new_consortium

CODES = ("VN", "SG", "TH", *BEFORE_VN)


@pytest.fixture
def consortium(tmp_path: Path) -> Iterator[Consortium]:
    world = new_consortium(tmp_path, ("VN", "SG", "TH", *BEFORE_VN), members=CODES)
    yield world
    for node in world.nodes.values():
        node.db.close()


def certificate(reference: str, issuer: str = "VN") -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((SAMPLES / "form-d" / "vn-sg-coffee.json").read_text(encoding="utf-8"))
    doc.update(referenceNumber=reference, issuedIn=issuer, producingCountry=issuer)
    doc["exporter"]["country"] = issuer
    return doc


def hostile_issue(node: FakeNode, reference: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The hostile member's node issues a copy under VN's reference: its own checks are taken out."""
    with monkeypatch.context() as patched:
        patched.setattr(form_d_rules, "_reference_of_issuer", lambda doc: iter(()))
        patched.setattr(node.issuing, "_require_own_reference", lambda reference: None)
        return node.issuing.issue(certificate(reference, node.code)).document_id


def desk(node: FakeNode) -> OfficerDesk:
    return OfficerDesk(node.code, node.status, node.issuing, node.actions, node.checker)


@pytest.mark.parametrize("hostile", BEFORE_VN)
@pytest.mark.parametrize("copy_first", [False, True], ids=["copy-after", "copy-before"])
def test_a_copy_of_vns_reference_never_takes_its_place(
    consortium: Consortium, monkeypatch: pytest.MonkeyPatch, hostile: str, copy_first: bool
) -> None:
    reference = f"VN-HCM-2026-{hostile}{int(copy_first)}"
    vn, sg, th = consortium.nodes["VN"], consortium.nodes["SG"], consortium.nodes["TH"]
    if copy_first:
        hostile_issue(consortium.nodes[hostile], reference, monkeypatch)
        consortium.settle()
        # The copy breaks the numbering rule: it blocks nothing; and no bare lookup lands on it meanwhile.
        with pytest.raises(Conflict) as alone:
            th.status.resolver.resolve(reference)
        assert alone.value.details["candidates"] == [
            {"issuer": hostile, "key": f"{hostile}:{reference}", "name": f"Customs {hostile}"}
        ]
        assert "only if you mean that one" in alone.value.message
    real = vn.issuing.issue(certificate(reference)).document_id
    if not copy_first:
        consortium.settle()
        hostile_issue(consortium.nodes[hostile], reference, monkeypatch)
    consortium.settle()

    for node in (vn, sg, th):
        for typed in (reference, reference.lower(), f" {reference[:11]} {reference[11:]}"):
            with pytest.raises(Conflict) as ambiguous:
                node.verify.verify_id(typed)
            assert ambiguous.value.details["rule"] == "AmbiguousReference"
            assert [c["key"] for c in ambiguous.value.details["candidates"]] == [
                f"{hostile}:{reference}",
                f"VN:{reference}",
            ]
            assert f"Customs {hostile}" in ambiguous.value.message and "Customs VN" in ambiguous.value.message
        named = node.verify.verify_id(f"vn:{reference.lower()}").answer().model_dump(mode="json")
        assert (named["issuer"], named["document_id"], named["verdict"]) == ("VN", real, "valid")
        assert named["status"]["shared_reference"]["also_issued_by"][0]["key"] == f"{hostile}:{reference}"
        assert reference in named["status"]["shared_reference"]["message"]

    # A claim on the bare reference is refused, saying what to type; named, it lands on VN's certificate.
    with pytest.raises(ValidationFailed) as bare:
        desk(sg).act(reference, ClaimRequest(declaration="SG-D1"), 0)
    assert bare.value.details["rule"] == "IssuerNotNamed"
    assert f"{hostile}:{reference} or VN:{reference}" in bare.value.message
    desk(sg).act(f"VN:{reference}", ClaimRequest(declaration=" sg-d1", item=1, quantity="1"), 0)
    consortium.settle()
    used = sg.status.status(sg.status.resolver.resolve(f"VN:{reference}")).answer().model_dump(mode="json")
    assert used["state"] == "partially_accepted" and used["utilisations"][0]["declaration"] == "SG-D1"
    copy = (
        sg.status.status(sg.status.resolver.resolve(f"{hostile}:{reference}"))
        .answer()
        .model_dump(mode="json")
    )
    assert copy["utilisations"] == [] and copy["state"] == "valid"
    # The same declaration typed another way does not claim VN's certificate again.
    with pytest.raises(ChainRuleViolated) as again:
        desk(sg).act(f"VN:{reference}", ClaimRequest(declaration="SG - D1", item=1, quantity="1"), 0)
    assert again.value.details["rule"] == "RegistryDeclarationUsed"


def test_the_honest_node_refuses_a_reference_another_member_used_in_its_own_series(
    consortium: Consortium,
) -> None:
    my = consortium.nodes["MY"]
    my.issuing.issue(certificate("MY-PEN-2026-000001", "MY"))
    consortium.settle()
    # VN's officer cannot give a certificate a reference of MY's series (the rule)...
    with pytest.raises(ValidationFailed) as series:
        consortium.nodes["VN"].issuing.issue(certificate("MY-PEN-2026-000001"))
    assert series.value.errors[0]["pointer"] == "/referenceNumber"
    assert "begins with VN-" in series.value.errors[0]["message"]


def test_a_reference_typed_another_way_is_already_issued(consortium: Consortium) -> None:
    vn = consortium.nodes["VN"]
    first = vn.issuing.issue(certificate("VN-HCM-2026-W0104"))
    for typed in ("VN-HCM-2026 -W0104", "vn-hcm-2026-w0104", "  VN - HCM-2026-W0104 "):
        with pytest.raises(Conflict) as again:
            vn.issuing.issue(certificate(typed))
        assert again.value.details["rule"] == "DuplicateReference"
    assert first.reference == "VN-HCM-2026-W0104"


def test_an_officer_action_on_a_bare_key_says_what_to_type(consortium: Consortium) -> None:
    vn = consortium.nodes["VN"]
    doc_id = vn.issuing.issue(certificate("VN-HCM-2026-B1")).document_id
    consortium.settle()
    for typed, expected in (("vn-hcm-2026-b1", "VN:VN-HCM-2026-B1"), (doc_id, f"VN:{doc_id}")):
        with pytest.raises(ValidationFailed) as bare:
            desk(vn).act(typed, Revoke(reason_code=1, reason="typo"), 0)
        assert bare.value.message.endswith(f"type {expected}")
    assert vn.status.status(vn.status.resolver.resolve(doc_id)).state == "valid"  # nothing happened
