"""Issue 14 between separate node processes: a certificate of gloves in pairs and finger cots in pieces,
issued by MY for TH, claimed item by item at TH's node; the chain keeps what remains on each item, refusals
come in words, and MY's and SG's nodes show the same per-item status as TH's. Over HTTP only.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from origo_devnet.network import Network
from support.network import Client, running_network, sample, wait_for, wait_state

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.xdist_group("e2e-items")]
SETTINGS = {"batch_interval_s": 0.3, "index_poll_s": 0.1}
DECLARED = {"TH-IMP-0001", "TH-IMP-0002", "TH-IMP-0003"}


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    with running_network(
        tmp_path_factory.mktemp("items"), ("MY", "TH", "SG"), node_settings=SETTINGS
    ) as network:
        yield network


def gloves() -> dict[str, Any]:
    doc = copy.deepcopy(sample("form-d/my-th-gloves.json"))
    doc["referenceNumber"] = f"MY-PEN-2026-{uuid.uuid4().hex[:8].upper()}"
    return doc


def item(number: int, unit: str, total: str, claimed: str, remaining: str) -> dict[str, Any]:
    return {"item": number, "unit": unit, "total": total, "claimed": claimed, "remaining": remaining}


def settled(net: Network, doc_id: str, state: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every member's status once its index shows ``state`` and ``items`` (each node follows the chain on its
    own clock)."""
    statuses = []
    for node in net.members.values():

        def shown(node: Any = node) -> dict[str, Any] | None:
            status = wait_state(node, doc_id, {state})
            return status if status["items"] == items else None

        statuses.append(wait_for(shown, 30, f"{node.code} to show {items}"))
    return statuses


def refusal(response: Any) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    assert response.status_code == 409, body
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "Registry" not in body["detail"] and "0x" not in body["detail"]  # words, the facts, no rule
    return body


def test_a_two_unit_certificate_is_claimed_item_by_item_across_members(net: Network) -> None:
    doc = gloves()
    issued = Client(net.members["MY"]).post("/api/v1/documents", json=doc)
    assert issued.status_code == 202, issued.text
    doc_id = issued.json()["document_id"]
    for node in net.members.values():
        wait_state(node, doc_id, {"valid"})
    th = Client(net.members["TH"])
    accept = f"/api/v1/documents/MY:{doc['referenceNumber']}/accept"

    # 1. 40 finger cots (item 2, in pieces) under the first declaration.
    first = th.post(accept, json={"declaration": "TH-IMP-0001", "item": 2, "quantity": "40"})
    assert first.status_code == 200 and first.json()["state"] == "done", first.text
    assert first.json()["params"]["claims"] == [{"item": 2, "quantity": "40.000"}]
    settled(
        net,
        doc_id,
        "partially_accepted",
        [item(1, "PR", "12000.000", "0.000", "12000.000"), item(2, "PCE", "9000.000", "40.000", "8960.000")],
    )

    # 2. More finger cots than remain: refused by the chain, in words with the item, its unit and amounts.
    over = refusal(th.post(accept, json={"declaration": "TH-IMP-0002", "item": 2, "quantity": "9000"}))
    assert over["detail"] == (
        "Only 8,960.000 PCE remain on item 2 of this certificate; the claim asked for 9,000.000 PCE."
    )
    assert over["rule"] == "RegistryQuantityExceeded" and over["args"][1:] == [1, 9_000_000, 8_960_000]
    # A quantity alone cannot say which unit it is in; an item the certificate does not list is named.
    unnamed = th.post(accept, json={"declaration": "TH-IMP-0002", "quantity": "10"})
    assert unnamed.status_code == 422 and unnamed.json()["errors"] == [
        {
            "pointer": "/item",
            "message": "this certificate lists items in several units (1: PR, 2: PCE): name the item",
        }
    ]
    unknown = th.post(accept, json={"declaration": "TH-IMP-0002", "claims": [{"item": 3, "quantity": "1"}]})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["pointer"] == "/claims/0/item"
    assert "lists 2 items" in unknown.json()["errors"][0]["message"]

    # 3. The rest of item 1 (all 12,000 pairs of gloves) under another declaration.
    rest = th.post(accept, json={"declaration": "TH-IMP-0002", "item": 1})
    assert rest.status_code == 200 and rest.json()["state"] == "done", rest.text
    settled(
        net,
        doc_id,
        "partially_accepted",
        [item(1, "PR", "12000.000", "12000.000", "0.000"), item(2, "PCE", "9000.000", "40.000", "8960.000")],
    )

    # 4. The same declaration again, and an item with nothing left: refused, in words.
    again = refusal(th.post(accept, json={"declaration": "TH-IMP-0002", "item": 2, "quantity": "10"}))
    assert again["rule"] == "RegistryDeclarationUsed"
    assert again["detail"] == "This declaration (TH-IMP-0002) already claimed this certificate."
    empty = refusal(th.post(accept, json={"declaration": "TH-IMP-0003", "item": 1}))
    assert empty["rule"] == "RegistryItemFullyUtilised" and empty["args"][1] == 0
    assert empty["detail"] == (
        "Nothing remains to claim on item 1 of this certificate: all 12,000.000 PR were claimed."
    )

    # 5. What remains of the finger cots: nothing remains on any item, so the certificate is fully utilised.
    last = th.post(accept, json={"declaration": "TH-IMP-0003", "claims": [{"item": 2}]})
    assert last.status_code == 200 and last.json()["state"] == "done", last.text
    statuses = settled(
        net,
        doc_id,
        "accepted",
        [item(1, "PR", "12000.000", "12000.000", "0.000"), item(2, "PCE", "9000.000", "9000.000", "0.000")],
    )
    after = refusal(th.post(accept, json={"declaration": "TH-IMP-0004"}))
    assert after["rule"] == "RegistryFullyUtilised"
    assert after["detail"] == "This certificate is fully used: nothing remains to claim on it."

    # The issuer's node (MY), the importer's (TH) and a third member's (SG): the same claims, item by item.
    by_member = dict(zip(net.members, statuses, strict=True))
    claims = [
        (u["declaration"], u["claims"], u["whole_certificate"], u["fully_utilised"])
        for u in by_member["TH"]["utilisations"]
    ]
    assert claims == [
        (
            "TH-IMP-0001",
            [{"item": 2, "unit": "PCE", "quantity": "40.000", "remaining": "8960.000"}],
            False,
            False,
        ),
        (
            "TH-IMP-0002",
            [{"item": 1, "unit": "PR", "quantity": "12000.000", "remaining": "0.000"}],
            False,
            False,
        ),
        (
            "TH-IMP-0003",
            [{"item": 2, "unit": "PCE", "quantity": "8960.000", "remaining": "0.000"}],
            False,
            True,
        ),
    ]
    assert {u["declaration"] for u in by_member["TH"]["utilisations"]} == DECLARED
    for member in ("MY", "SG"):
        assert by_member[member]["utilisations"] == by_member["TH"]["utilisations"], member
        assert by_member[member]["items"] == by_member["TH"]["items"], member
