"""What the chain records of a document, held against the document itself (services/agreement.py)."""

from __future__ import annotations

import dataclasses

import pytest
from origo_node.documents.dates import start_of_day_utc
from origo_node.services.agreement import NotAValidDocument, disagreements, facts_of
from origo_node.store.rows import IndexedDocument
from support.network import sample


def record_of(document: dict[str, object]) -> IndexedDocument:
    """The index row an honest issuer's leaf gives (the fields that are not facts are placeholders)."""
    facts = facts_of(document)
    assert facts is not None
    return IndexedDocument(
        document_id="0x01",
        document_type="0x" + facts.type_id.hex(),
        digest="0xd",
        issuer=facts.issuer,
        importer=facts.importer,
        issued_at=start_of_day_utc(facts.issued_on),
        expires_at=facts.expires_at,
        quantities=facts.quantities,
        payload_cid="bafy",
        signature="0xs",
        signer="0xa",
        root="0xr",
        block=1,
        tx_hash="0xt",
        timestamp=1,
        type_name=facts.doc_type,
        type_version=facts.version,
        quantity_units=facts.quantity_units,
        recipients=(facts.issuer, facts.importer),
    )


def test_every_sample_agrees_with_the_record_its_issuer_makes() -> None:
    for name in (
        "form-d/vn-sg-coffee",
        "form-d/my-th-gloves",
        "form-d/id-ph-palm-oil",
        "manifest/vn-sg-vessel",
    ):
        document = sample(f"{name}.json")
        facts = facts_of(document)
        assert facts is not None and disagreements(facts, record_of(document)) == [], name


def test_each_fact_recorded_otherwise_is_told_with_both_figures() -> None:
    document = sample("form-d/my-th-gloves.json")
    facts = facts_of(document)
    assert facts is not None
    honest = record_of(document)
    other = dataclasses.replace(
        honest,
        importer="SG",
        issued_at=honest.issued_at - 86_400,
        quantities=(12_000_000, 90_000_000),
        quantity_units=("PR", "KGM"),
    )
    assert disagreements(facts, other) == [
        "the chain records importer SG; the document names TH",
        "the chain records issue on 2026-11-18; the document was issued on 2026-11-19",
        "the chain records 90,000.000 KGM for item 2; the document gives 9,000.000 PCE",
    ]
    fewer = dataclasses.replace(honest, quantities=(12_000_000,), quantity_units=("PR",))
    assert disagreements(facts, fewer) == [
        "the chain records 1 item(s) with quantities; the document lists 2"
    ]
    forever = dataclasses.replace(honest, expires_at=0)
    [said] = disagreements(facts, forever)
    assert said.startswith("the chain records validity until no end; the document is valid until 2027-")


def test_a_document_its_type_refuses_has_no_facts_to_compare_and_never_crashes_the_reader() -> None:
    assert facts_of({"type": "no-such-type", "version": "1"}) is None
    for hostile in (
        {"type": "atiga-form-d", "version": "1"},
        {"type": "atiga-form-d", "version": "1", "issuedIn": "VN", "referenceNumber": "R-1", "items": "x"},
        {**sample("form-d/vn-sg-coffee.json"), "items": [{"quantity": {"value": "1e400", "unit": "KGM"}}]},
    ):
        with pytest.raises(NotAValidDocument):
            facts_of(hostile)
    future = sample("form-d/vn-sg-coffee.json")
    future["certification"] = {**future["certification"], "date": "2099-01-01"}
    with pytest.raises(NotAValidDocument, match="/certification/date"):
        facts_of(future)
