"""Does a certificate agree with the manifest of the ship that carries its goods?

The node flags, it does not judge: each discrepancy is a sentence for the importing officer, who decides.
"""

from __future__ import annotations

import re
from typing import Any

from origo_node.documents.model import DocumentFacts, TransportFacts
from origo_node.documents.type_names import ACDD, CARGO_MANIFEST, FORM_D

MANIFEST_TYPE = CARGO_MANIFEST

# Prefixes of ship names that some writers use and others leave out (motor vessel, motor tanker, steamship).
_SHIP_PREFIXES = re.compile(r"^(?:M ?V|M ?T|M ?S|S ?S) ")


def compare_with_manifest(cert_facts: DocumentFacts, manifest_facts: DocumentFacts) -> list[str]:
    """Every way the certificate's transport details disagree with the manifest; empty when they agree."""
    if manifest_facts.doc_type != MANIFEST_TYPE:
        raise ValueError(f"expected the facts of a {MANIFEST_TYPE}, got {manifest_facts.doc_type}")
    if cert_facts.doc_type == MANIFEST_TYPE:
        raise ValueError("the first argument must be a certificate's facts, not a manifest's")
    discrepancies: list[str] = []
    for leg in cert_facts.transport:
        discrepancies.extend(_compare_leg(leg, manifest_facts))
    return discrepancies


def _compare_leg(leg: TransportFacts, manifest: DocumentFacts) -> list[str]:
    if not leg.transport_documents:
        return ["the certificate names no transport document, so it cannot be found in the manifest"]
    found: list[str] = []
    for document in leg.transport_documents:
        consignment = _consignment(manifest, document)
        if consignment is None:
            found.append(f"transport document {document!r} is not in manifest {manifest.reference!r}")
        else:
            found.extend(_compare_consignment(leg, consignment))
    return found


def _consignment(manifest: DocumentFacts, document: str) -> TransportFacts | None:
    wanted = _document_key(document)
    for consignment in manifest.transport:
        if any(_document_key(d) == wanted for d in consignment.transport_documents):
            return consignment
    return None


def _compare_consignment(leg: TransportFacts, consignment: TransportFacts) -> list[str]:
    found: list[str] = []
    if not vessel_matches(leg.vessel_or_flight, consignment.vessel_or_flight):
        found.append(
            f"vessel: the certificate says {leg.vessel_or_flight!r}, "
            f"the manifest {consignment.vessel_or_flight!r}"
        )
    if leg.port_of_loading != consignment.port_of_loading:
        found.append(
            f"port of loading: the certificate says {leg.port_of_loading}, "
            f"the manifest {consignment.port_of_loading}"
        )
    if leg.port_of_discharge != consignment.port_of_discharge:
        found.append(
            f"port of discharge: the certificate says {leg.port_of_discharge}, "
            f"the manifest {consignment.port_of_discharge}"
        )
    if leg.departure_date != consignment.departure_date:
        found.append(
            f"departure date: the certificate says {leg.departure_date.isoformat()}, "
            f"the manifest {consignment.departure_date.isoformat()}"
        )
    # A bill of lading often summarises its goods under one HS code; only a complete mismatch is telling.
    shared_goods = set(leg.hs_subheadings) & set(consignment.hs_subheadings)
    if leg.hs_subheadings and consignment.hs_subheadings and not shared_goods:
        found.append(
            f"goods: the certificate's HS subheadings {', '.join(leg.hs_subheadings)} are not the "
            f"manifest's {', '.join(consignment.hs_subheadings)}"
        )
    return found


def vessel_matches(certificate_text: str, manifest_name: str) -> bool:
    """Whether the manifest's vessel name appears, as whole words, in the certificate's box 3 text.

    Box 3 is free text ("MSC ISABELLA V.2647S"); the manifest has the bare name ("MSC ISABELLA"). Case,
    punctuation and a leading MV/MT/SS are ignored.
    """
    name = _words(manifest_name)
    text = _words(certificate_text)
    if not name:
        return False
    return f" {name} " in f" {text} "


def _words(text: str) -> str:
    words = " ".join(re.sub(r"[^A-Z0-9]+", " ", text.upper()).split())
    return _SHIP_PREFIXES.sub("", words + " ").strip()


def _document_key(document: str) -> str:
    return document.strip().upper()


# ---------------------------------------------------------------- export declarations (ACDD)

DECLARATION_TYPE = ACDD
#: The types that are certificates of origin: what consignments and declarations are linked to.
CERTIFICATE_TYPES = frozenset({FORM_D})


def is_certificate(facts: DocumentFacts) -> bool:
    return facts.doc_type in CERTIFICATE_TYPES


def normalise_reference(text: str) -> str:
    """A reference, declaration, invoice or transport document number as compared.

    People type them with stray spaces and in either case: blanks go, letters are capitals ("vn-hcm 2026" is
    "VN-HCM2026").
    """
    return "".join(text.split()).upper()


def normalise_name(name: str) -> str:
    """A company name as compared, in capitals and words: "Straits Roasters Pte. Ltd." is
    "STRAITS ROASTERS PTE LTD"."""
    return " ".join(re.sub(r"[^A-Z0-9]+", " ", name.upper()).split())


def declaration_links(declaration: dict[str, Any], other: dict[str, Any]) -> list[str]:
    """What ties an export declaration to a certificate or a manifest (both valid documents), in words.

    A certificate: its reference cited by an item (with its issuing member), an invoice number of the same
    exporter (invoice numbers are the exporter's, not unique across exporters), or the transport document. A
    manifest: a consignment under the declaration's transport document. Only documents of the declaring member
    are linked (it certifies the exports it declares, back-to-back ones included, and files the manifests of
    the ships leaving its ports): a member cannot tie its declarations to another member's documents and so
    raise their risk.
    """
    issuer_field = "filedIn" if other.get("type") == MANIFEST_TYPE else "issuedIn"
    if other.get(issuer_field) != declaration["declaredIn"]:
        return []
    transport = normalise_reference(str(declaration["transport"]["transportDocument"]))
    if other.get("type") == MANIFEST_TYPE:
        found = [c for c in other["consignments"] if normalise_reference(c["transportDocument"]) == transport]
        return ["transport document"] if found else []
    if other.get("type") not in CERTIFICATE_TYPES:
        return []
    by: list[str] = []
    reference = (other["issuedIn"], normalise_reference(other["referenceNumber"]))
    cited = {
        (
            item["certificateOfOrigin"]["issuedIn"],
            normalise_reference(item["certificateOfOrigin"]["referenceNumber"]),
        )
        for item in declaration["items"]
        if "certificateOfOrigin" in item
    }
    if reference in cited:
        by.append("certificate of origin reference")
    invoices = {normalise_reference(item["invoice"]["number"]) for item in other["items"]}
    same_exporter = normalise_name(declaration["exporter"]["name"]) == normalise_name(
        other["exporter"]["name"]
    )
    if same_exporter and normalise_reference(declaration["invoice"]["number"]) in invoices:
        by.append("invoice")
    certificate_document = other["transport"].get("transportDocument")
    if certificate_document and normalise_reference(certificate_document) == transport:
        by.append("transport document")
    return by
