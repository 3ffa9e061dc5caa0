"""Per-item quantities from the document to every member's status: issued by VN, claimed by SG item by item
on the fake chain, indexed from the manifests and the chain's events by both nodes (no anvil).

The claims are sent as the importer's node would send them (``calls.accept``), so this checks the data path
whatever the officers' desk makes of a request.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from typing import Any

import pytest
from fakenode_support import Consortium, form_d
from origo_node.anchoring import batch_manifest
from origo_node.anchoring.batch_manifest import ManifestEntry
from origo_node.chain import calls
from origo_node.chain.merkle import MerkleTree
from origo_node.hashing import keccak256
from origo_node.services.naming import DocumentKey
from origo_node.services.reading import leaf_of

GLOVES, COTS, CRATES = 0, 1, 2  # chain item indexes; the status numbers them 1, 2, 3


def gloves_and_cots(reference: str) -> dict[str, Any]:
    """A VN → SG certificate of three items: gloves in pairs, finger cots in pieces, crates by weight only."""
    doc = form_d(reference)
    first = doc["items"][0]
    gloves = {**copy.deepcopy(first), "itemNumber": 1, "quantity": {"value": 12000, "unit": "PR"}}
    cots = {**copy.deepcopy(first), "itemNumber": 2, "quantity": {"value": 9000, "unit": "PCE"}}
    crates = {**copy.deepcopy(first), "itemNumber": 3, "grossWeightKg": 800}
    crates.pop("quantity")
    doc["items"] = [gloves, cots, crates]
    return doc


def claim(consortium: Consortium, doc: str, declaration: str, *claims: tuple[int, int]) -> None:
    """SG's node claims ``claims`` ((0-based item, thousandths) each; none: the whole certificate)."""
    sg = consortium.nodes["SG"]
    row, root, proof = sg.proofs.proof(DocumentKey("VN", doc))
    call = calls.accept(
        leaf_of(row).to_abi_tuple(), root, proof, declaration.encode().ljust(32, b"\0"), claims
    )
    sg.sender.send_and_wait(call, timeout=5)
    consortium.settle()


def items(consortium: Consortium, doc: str) -> list[tuple[Any, ...]]:
    """(item, unit, total, claimed, remaining) per item, the same on both members' nodes."""
    seen = [
        [
            tuple(i[k] for k in ("item", "unit", "total", "claimed", "remaining"))
            for i in node.status.status(doc).answer().model_dump(mode="json")["items"]
        ]
        for node in consortium.nodes.values()
    ]
    assert seen[0] == seen[1]
    return seen[0]


def test_a_certificate_is_claimed_item_by_item_in_each_items_unit(consortium: Consortium) -> None:
    vn, sg = consortium.nodes["VN"], consortium.nodes["SG"]
    doc = vn.issuing.issue(gloves_and_cots("VN-HCM-2026-Q0001")).document_id
    assert vn.status.status(doc).answer().model_dump(mode="json")["items"] == []  # pending: no leaf data
    consortium.settle()
    assert items(consortium, doc) == [
        (1, "PR", "12000.000", "0.000", "12000.000"),
        (2, "PCE", "9000.000", "0.000", "9000.000"),
        (3, None, None, None, None),
    ]

    claim(consortium, doc, "SG-IMP-1", (COTS, 40_000), (GLOVES, 3_000_000))
    assert items(consortium, doc)[:2] == [
        (1, "PR", "12000.000", "3000.000", "9000.000"),
        (2, "PCE", "9000.000", "40.000", "8960.000"),
    ]
    status = vn.status.status(doc).answer().model_dump(mode="json")
    assert status["state"] == "partially_accepted"
    [first] = status["utilisations"]
    assert (first["declaration"], first["whole_certificate"], first["fully_utilised"]) == (
        "SG-IMP-1",
        False,
        False,
    )
    assert first["claims"] == [
        {"item": 2, "unit": "PCE", "quantity": "40.000", "remaining": "8960.000"},
        {"item": 1, "unit": "PR", "quantity": "3000.000", "remaining": "9000.000"},
    ]

    # Quantity 0 takes what remains on the item; the chain's event says how much that was.
    claim(consortium, doc, "SG-IMP-2", (COTS, 0))
    second = sg.status.status(doc).answer().model_dump(mode="json")["utilisations"][1]
    assert second["claims"] == [{"item": 2, "unit": "PCE", "quantity": "8960.000", "remaining": "0.000"}]
    assert sg.status.status(doc).state == "partially_accepted"  # the gloves and the crates are left

    # The whole certificate: what remained on the gloves; nothing was left on the cots; crates count nothing.
    claim(consortium, doc, "SG-IMP-3")
    status = sg.status.status(doc).answer().model_dump(mode="json")
    assert status["state"] == "accepted"
    whole = status["utilisations"][2]
    assert (whole["whole_certificate"], whole["fully_utilised"]) == (True, True)
    assert whole["claims"] == [{"item": 1, "unit": "PR", "quantity": "9000.000", "remaining": "0.000"}]
    assert items(consortium, doc) == [
        (1, "PR", "12000.000", "12000.000", "0.000"),
        (2, "PCE", "9000.000", "9000.000", "0.000"),
        (3, None, None, None, None),
    ]
    # The trail keeps the chain's own words: 0-based items, thousandths.
    accepted = [
        e for e in sg.status.trail(doc).answer().model_dump(mode="json")["events"] if e["kind"] == "accepted"
    ]
    assert [e["fields"]["claims"] for e in accepted] == [
        [{"item": 1, "quantity": 40_000}, {"item": 0, "quantity": 3_000_000}],
        [{"item": 1, "quantity": 8_960_000}],
        [],
    ]


def test_using_up_every_item_fully_utilises_a_certificate_without_untracked_items(
    consortium: Consortium,
) -> None:
    vn, sg = consortium.nodes["VN"], consortium.nodes["SG"]
    certificate = gloves_and_cots("VN-HCM-2026-Q0002")
    certificate["items"].pop()  # no crates: every item has a quantity
    doc = vn.issuing.issue(certificate).document_id
    consortium.settle()
    claim(consortium, doc, "SG-IMP-10", (GLOVES, 12_000_000))
    assert sg.status.status(doc).state == "partially_accepted"
    claim(consortium, doc, "SG-IMP-11", (COTS, 9_000_000))
    status = vn.status.status(doc).answer().model_dump(mode="json")
    assert status["state"] == "accepted" and status["utilisations"][1]["fully_utilised"] is True
    assert status["utilisations"][1]["whole_certificate"] is False
    assert [i["remaining"] for i in status["items"]] == ["0.000", "0.000"]


def _hostile_batch(consortium: Consortium, units: Any) -> str:
    """VN's issuing account anchors a batch of one leaf of two items whose manifest gives ``units``."""
    vn = consortium.nodes["VN"]
    certificate = gloves_and_cots("VN-HCM-2026-Q0003")
    certificate["items"].pop()
    vn.issuing.issue(certificate)
    consortium.settle()
    raw = next(
        vn.payloads.get(e.args["manifestCid"])
        for e in consortium.chain.events(0, consortium.chain.head())
        if e.name == "BatchAnchored"
    )
    honest = ManifestEntry.from_json(json.loads(raw)["leaves"][0])
    # Another document of the same two items, so that the batch is a new one.
    leaf = replace(honest.leaf, document_id=keccak256(b"VN-HCM-2026-Q0003-bis"))
    entry = replace(honest, leaf=leaf)  # its signature no longer fits: no node gets as far as checking it
    root = MerkleTree([leaf]).root
    body = json.loads(batch_manifest.encode("VN", root, [entry]))
    body["leaves"][0]["quantityUnits"] = units
    cid = vn.payloads.put_many([json.dumps(body).encode()])[-1]
    vn.sender.send_and_wait(calls.anchor_batch(root, 1, cid), timeout=5)
    consortium.settle()
    return "0x" + root.hex()


@pytest.mark.parametrize("units", [["PR"], ["PR", "PCE", None], ["PR", "a very long unit"], "PR"])
def test_every_node_refuses_a_manifest_whose_units_do_not_fit_its_leaf(
    consortium: Consortium, units: Any
) -> None:
    # The units are not in the leaf, so the root cannot catch them: every reader checks them itself, and a
    # batch that lies about them is indexed by nobody.
    root = _hostile_batch(consortium, units)
    for node in consortium.nodes.values():
        state, error = (
            node.db.read()
            .execute("SELECT manifest_state, manifest_error FROM idx_batches WHERE root = ?", (root,))
            .fetchone()
        )
        assert state == "invalid" and "unit" in error.lower()
        assert (
            not node.db.read()
            .execute(
                "SELECT count(*) FROM idx_documents d JOIN idx_batches b ON b.issuer = d.issuer"
                " AND b.block = d.block AND b.log_index = d.batch_log_index WHERE b.root = ?",
                (root,),
            )
            .fetchone()[0]
        )
