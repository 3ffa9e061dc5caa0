"""The officer's desk resolves claims on items against the index's per-item status, and the chain (fake here,
anvil in tests/e2e/test_item_claims.py) takes exactly what was resolved: on SQLite and on PostgreSQL."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from fakenode_support import SAMPLES, Consortium
from origo_api.answers import Action
from origo_node.errors import ChainRuleViolated, Conflict, ValidationFailed
from origo_node.services.claims import ClaimRequest, ItemAsked
from origo_node.services.officer_desk import OfficerDesk


def certificate(reference: str, sample: str) -> dict[str, Any]:
    """A sample Form D as VN issues it for SG (the consortium's two members)."""
    doc: dict[str, Any] = json.loads((SAMPLES / "form-d" / f"{sample}.json").read_text(encoding="utf-8"))
    doc = copy.deepcopy(doc)
    doc.update(referenceNumber=reference, issuedIn="VN", producingCountry="VN", importingCountry="SG")
    doc["exporter"]["country"], doc["consignee"]["country"] = "VN", "SG"
    doc.pop("thirdCountryInvoice", None)
    doc["flags"]["thirdCountryInvoicing"] = False
    return doc


def desk(consortium: Consortium, code: str) -> OfficerDesk:
    node = consortium.nodes[code]
    return OfficerDesk(code, node.status, node.issuing, node.actions, node.checker)


def claim(consortium: Consortium, doc_id: str, body: dict[str, Any]) -> Action:
    action = desk(consortium, "SG").act(f"VN:{doc_id}", ClaimRequest(**body), 0)
    consortium.settle()
    done = consortium.nodes["SG"].actions.get(action.id)
    assert done.state == "done", done
    return done


def remaining(consortium: Consortium, doc_id: str) -> list[str | None]:
    return [
        item["remaining"]
        for item in consortium.nodes["VN"].status.status(doc_id).answer().model_dump(mode="json")["items"]
    ]


def test_a_quantity_alone_is_spread_over_items_of_one_unit_in_order(consortium: Consortium) -> None:
    # 8,000 brake pads and 960 shock absorbers, both in pieces (PCE)
    doc_id = (
        consortium.nodes["VN"].issuing.issue(certificate("VN-FAKE-ITEMS-1", "th-my-autoparts")).document_id
    )
    consortium.settle()
    first = claim(consortium, doc_id, {"declaration": "SG-1", "quantity": "7999.5"})
    assert first.params["claims"] == [{"item": 1, "quantity": "7999.500"}]
    spread = claim(consortium, doc_id, {"declaration": "SG-2", "quantity": "10"})
    assert spread.params["claims"] == [{"item": 1, "quantity": "0.500"}, {"item": 2, "quantity": "9.500"}]
    assert remaining(consortium, doc_id) == ["0.000", "950.500"]
    with pytest.raises(Conflict) as beyond:
        desk(consortium, "SG").act(f"VN:{doc_id}", ClaimRequest(declaration="SG-3", quantity="951"), 0)
    assert "only 950.500 PCE remain on this certificate (all its items together)" in beyond.value.message
    claim(consortium, doc_id, {"declaration": "SG-3", "quantity": "950.5"})
    status = consortium.nodes["VN"].status.status(doc_id).answer().model_dump(mode="json")
    assert status["state"] == "accepted" and remaining(consortium, doc_id) == ["0.000", "0.000"]


def test_items_in_two_units_are_claimed_by_name_and_the_chain_keeps_each_apart(
    consortium: Consortium,
) -> None:
    doc_id = consortium.nodes["VN"].issuing.issue(certificate("VN-FAKE-ITEMS-2", "my-th-gloves")).document_id
    consortium.settle()
    sg = desk(consortium, "SG")
    with pytest.raises(ValidationFailed) as unnamed:
        sg.act(f"VN:{doc_id}", ClaimRequest(declaration="SG-1", quantity="40"), 0)
    assert unnamed.value.errors[0]["pointer"] == "/item"
    claim(consortium, doc_id, {"declaration": "SG-1", "item": 2, "quantity": "40"})
    with pytest.raises(ChainRuleViolated) as over:
        sg.act(
            f"VN:{doc_id}",
            ClaimRequest(declaration="SG-2", claims=(ItemAsked(1, None), ItemAsked(2, "9000"))),
            0,
        )
    assert over.value.details["rule"] == "RegistryQuantityExceeded"
    assert over.value.details["args"][1:] == [1, 9_000_000, 8_960_000]
    assert remaining(consortium, doc_id) == ["12000.000", "8960.000"]  # the refused claim took nothing
    both = claim(consortium, doc_id, {"declaration": "SG-2", "claims": (ItemAsked(1), ItemAsked(2, "60"))})
    assert both.params["claims"] == [{"item": 1, "quantity": None}, {"item": 2, "quantity": "60.000"}]
    assert remaining(consortium, doc_id) == ["0.000", "8900.000"]
    with pytest.raises(ChainRuleViolated) as empty:
        sg.act(f"VN:{doc_id}", ClaimRequest(declaration="SG-3", item=1), 0)
    assert empty.value.details["rule"] == "RegistryItemFullyUtilised"
    claim(consortium, doc_id, {"declaration": "SG-3"})  # the whole certificate: what remains of item 2
    status = consortium.nodes["VN"].status.status(doc_id).answer().model_dump(mode="json")
    assert status["state"] == "accepted"
    assert status["utilisations"][-1]["claims"] == [
        {"item": 2, "unit": "PCE", "quantity": "8900.000", "remaining": "0.000"}
    ]
