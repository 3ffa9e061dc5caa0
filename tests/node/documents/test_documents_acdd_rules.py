"""Each rule of the export declaration (ACDD), broken on its own, is reported with its pointer and words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from origo_node.documents import validate_document
from origo_node.documents.consignment_match import declaration_links, normalise_reference

from ._samples import context_for, errors_of, sample

Change = Callable[[dict[str, Any]], None]
COFFEE = "acdd/vn-sg-coffee"


def _set(path: str, value: Any) -> Change:
    *parents, last = path.strip("/").split("/")

    def change(doc: dict[str, Any]) -> None:
        target: Any = doc
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        target[int(last) if isinstance(target, list) else last] = value

    return change


def _delete(path: str) -> Change:
    *parents, last = path.strip("/").split("/")

    def change(doc: dict[str, Any]) -> None:
        target: Any = doc
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        del target[last]

    return change


RULES: list[tuple[Change, str, str]] = [
    (_set("/declaredIn", "SG"), "/declaredIn", "must be this node's member 'VN'"),
    (_set("/destinationCountry", "VN"), "/destinationCountry", "must differ from the issuing member"),
    (_set("/destinationCountry", "CN"), "/destinationCountry", "must be an ASEAN member state"),
    (_set("/exporter/country", "TH"), "/exporter/country", "must be the declaring member 'VN'"),
    (_set("/consignee/country", "XX"), "/consignee/country", "not an assigned ISO 3166-1"),
    (_set("/transport/mode", "A"), "/transport/mode", "UN/ECE Rec. 19"),
    (_delete("/transport/vesselOrFlight"), "/transport/vesselOrFlight", "required for maritime transport"),
    (_set("/transport/portOfLoading", "XXSGN"), "/transport/portOfLoading", "not a UN/LOCODE"),
    (_set("/transport/departureDate", "2026-02-30"), "/transport/departureDate", "not a calendar date"),
    (_set("/declarationDate", "2026-11-30"), "/declarationDate", "must not be in the future"),
    (_set("/invoice/date", "2026-11-19"), "/invoice/date", "must not be after the declaration date"),
    (_set("/items/0/itemNumber", 2), "/items/0/itemNumber", "must be 1"),
    (_set("/items/0/hsCode", "7701.10"), "/items/0/hsCode", "not in an HS chapter"),
    (_set("/items/0/hsCode", "0901"), "/items/0/hsCode", "6 digits at least"),
    (_set("/items/0/netWeightKg", 19400), "/items/0/netWeightKg", "must not exceed the gross weight"),
    (_set("/items/0/quantity/value", 1.0005), "/items/0/quantity/value", "at most three decimals"),
    (_set("/items/0/fobValue/amount", "0.00"), "/items/0/fobValue/amount", "greater than zero"),
    (_set("/items/0/fobValue/currency", "EUR"), "/items/0/fobValue/currency", "the invoice's currency"),
    (_set("/items/0/originCountry", "QQ"), "/items/0/originCountry", "not an assigned ISO 3166-1"),
    (_set("/items/0/certificateOfOrigin/issuedIn", "CN"), "/items/0/certificateOfOrigin/issuedIn", "ASEAN"),
    (_set("/exportCustomsOffice/code", "hcm 1"), "/exportCustomsOffice/code", "customs office's code"),
    (_delete("/invoice"), "/invoice", "required field is missing"),
]


@pytest.mark.parametrize(("change", "pointer", "words"), RULES, ids=[r[1] + ":" + r[2] for r in RULES])
def test_each_rule_is_reported_where_it_is_broken(change: Change, pointer: str, words: str) -> None:
    doc = sample(COFFEE)
    change(doc)
    errors = errors_of(doc, context_for(doc, own_member="VN"))
    assert any(e["pointer"] == pointer and words in e["message"] for e in errors), errors


def test_road_transport_needs_no_vessel_and_an_item_needs_no_certificate() -> None:
    doc = sample("acdd/th-my-autoparts")
    del doc["transport"]["vesselOrFlight"]
    del doc["items"][1]["certificateOfOrigin"]  # goods declared without claiming a preference
    validate_document(doc, context_for(doc))


def test_the_facts_of_the_declaration() -> None:
    doc = sample(COFFEE)
    doc["referenceNumber"] = " 305871204330 "
    facts = validate_document(doc, context_for(doc)).facts
    assert (facts.doc_type, facts.reference, facts.issuer, facts.importer) == (
        "asean-acdd",
        "305871204330",
        "VN",
        "SG",
    )
    assert facts.issued_on == dt.date(2026, 11, 18)
    assert (facts.expires_at, facts.quantities) == (0, ())  # nothing is claimed on a declaration
    (leg,) = facts.transport
    assert leg.transport_documents == ("MEDUVN264700123",)
    assert leg.hs_subheadings == ("090111",)


def test_declaration_numbers_and_references_compare_without_blanks_or_case() -> None:
    assert normalise_reference("  305 871 204330 ") == normalise_reference("305871204330")
    assert normalise_reference("vn-hcm-2026-004512") == "VN-HCM-2026-004512"


def test_the_declaration_is_linked_by_reference_invoice_and_transport_document() -> None:
    declaration, certificate, manifest = sample(COFFEE), sample("vn-sg-coffee"), sample("vn-sg-vessel")
    declaration["items"][0]["certificateOfOrigin"]["referenceNumber"] = " vn-hcm-2026-004512"
    declaration["invoice"]["number"] = "tn-ex-2026-0931 "
    assert declaration_links(declaration, certificate) == [
        "certificate of origin reference",
        "invoice",
        "transport document",
    ]
    assert declaration_links(declaration, manifest) == ["transport document"]
    declaration["transport"]["transportDocument"] = "MEDUVN264700999"
    assert declaration_links(declaration, manifest) == []


def test_another_members_declaration_is_linked_to_nothing_of_ours() -> None:
    # A hostile member files a declaration citing VN's certificate, invoice and B/L: it links to none of them.
    declaration, certificate, manifest = sample(COFFEE), sample("vn-sg-coffee"), sample("vn-sg-vessel")
    declaration["declaredIn"] = declaration["exporter"]["country"] = "TH"
    assert declaration_links(declaration, certificate) == []
    assert declaration_links(declaration, manifest) == []


def test_an_invoice_number_ties_documents_of_the_same_exporter_only() -> None:
    declaration, certificate = sample(COFFEE), sample("vn-sg-coffee")
    del declaration["items"][0]["certificateOfOrigin"]
    declaration["transport"]["transportDocument"] = "MEDUVN264799999"
    assert declaration_links(declaration, certificate) == ["invoice"]
    declaration["exporter"]["name"] = "Vinacafe Bien Hoa JSC"  # another exporter's invoice TN-EX-2026-0931
    assert declaration_links(declaration, certificate) == []
