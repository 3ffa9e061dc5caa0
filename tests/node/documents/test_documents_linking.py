"""Comparing a certificate's transport details with the manifest of the ship that carries it."""

from __future__ import annotations

from typing import Any

import pytest
from origo_node.documents import DocumentFacts, compare_with_manifest, validate_document
from origo_node.documents.consignment_match import vessel_matches

from ._samples import context_for, sample


def _facts(doc: dict[str, Any]) -> DocumentFacts:
    return validate_document(doc, context_for(doc)).facts


def test_the_coffee_certificate_matches_its_manifest() -> None:
    assert compare_with_manifest(_facts(sample("vn-sg-coffee")), _facts(sample("vn-sg-vessel"))) == []


def test_a_tampered_certificate_disagrees_on_every_count() -> None:
    cert = sample("vn-sg-coffee")
    cert["transport"]["vesselOrFlight"] = "MSC ISABEL V.2647S"
    cert["transport"]["portOfLoading"] = "VNCLI"
    cert["transport"]["portOfDischarge"] = "SGSIN"
    cert["transport"]["departureDate"] = "2026-11-21"
    cert["certification"]["date"] = "2026-11-20"
    cert["items"][0]["hsCode"] = "0901.21"
    found = compare_with_manifest(_facts(cert), _facts(sample("vn-sg-vessel")))
    assert [line.split(":")[0] for line in found] == ["vessel", "port of loading", "departure date", "goods"]
    assert "'MSC ISABEL V.2647S'" in found[0]
    assert "VNCLI" in found[1]


def test_a_different_port_of_discharge_is_flagged() -> None:
    manifest = sample("vn-sg-vessel")
    manifest["portOfDischarge"] = "MYPKG"
    found = compare_with_manifest(_facts(sample("vn-sg-coffee")), _facts(manifest))
    assert found == ["port of discharge: the certificate says SGSIN, the manifest MYPKG"]


def test_a_bill_of_lading_missing_from_the_manifest_is_flagged() -> None:
    cert = sample("vn-sg-coffee")
    cert["transport"]["transportDocument"] = "MEDUVN264700999"
    found = compare_with_manifest(_facts(cert), _facts(sample("vn-sg-vessel")))
    assert found == ["transport document 'MEDUVN264700999' is not in manifest 'MSC-ISA-2647S-VNSGN'"]


def test_transport_documents_match_regardless_of_case_and_blanks() -> None:
    cert = sample("vn-sg-coffee")
    cert["transport"]["transportDocument"] = " meduvn264700123"
    assert compare_with_manifest(_facts(cert), _facts(sample("vn-sg-vessel"))) == []


def test_a_certificate_without_transport_document_cannot_be_matched() -> None:
    cert = sample("vn-sg-coffee")
    del cert["transport"]["transportDocument"]
    found = compare_with_manifest(_facts(cert), _facts(sample("vn-sg-vessel")))
    assert found == ["the certificate names no transport document, so it cannot be found in the manifest"]


def test_arguments_must_be_a_certificate_and_a_manifest() -> None:
    cert, manifest = _facts(sample("vn-sg-coffee")), _facts(sample("vn-sg-vessel"))
    with pytest.raises(ValueError, match="expected the facts of a fal-cargo-manifest"):
        compare_with_manifest(cert, cert)
    with pytest.raises(ValueError, match="certificate's facts"):
        compare_with_manifest(manifest, manifest)


@pytest.mark.parametrize(
    ("box_3", "name", "same"),
    [
        ("MSC ISABELLA V.2647S", "MSC ISABELLA", True),
        ("msc isabella / voy 2647S", "MSC ISABELLA", True),
        ("M/V MSC ISABELLA 2647S", "MV MSC ISABELLA", True),
        ("MT BUNGA LAVENDER V.118", "BUNGA LAVENDER", True),
        ("MSC ISABELLA V.2647S", "MSC ISABEL", False),
        ("MSC ISABELLA II V.1", "MSC ISABELLA III", False),
        ("MSC ISABELLA", "", False),
    ],
)
def test_vessel_names_match_as_whole_words(box_3: str, name: str, same: bool) -> None:
    assert vessel_matches(box_3, name) is same
