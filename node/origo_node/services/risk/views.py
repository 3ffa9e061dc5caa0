"""What the risk rules read of a document: certificates, manifests and declarations in one typed shape.

Built only from documents their type's rules accepted (the payload checker read them and found them good), so
the fields the schema requires are there; optional ones are ``None`` where the document leaves them out.
Numbers are ``Decimal`` as written, names and numbers people type are normalised for comparison.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from origo_node.documents import checks
from origo_node.documents.consignment_match import (
    CERTIFICATE_TYPES,
    DECLARATION_TYPE,
    MANIFEST_TYPE,
    normalise_name,
    normalise_reference,
)
from origo_node.documents.dates import parse_date

Kind = Literal["certificate", "manifest", "declaration"]


@dataclass(frozen=True)
class Line:
    """An item of a certificate or a declaration."""

    number: int
    hs6: str
    hs_code: str  # as written, for sentences
    quantity: Decimal | None
    unit: str | None
    gross_kg: Decimal | None
    fob: Decimal | None
    currency: str | None
    invoice: str | None  # normalised
    invoice_date: dt.date | None
    certificate: tuple[str, str] | None  # (issuer, normalised reference) of the C/O that covers it
    rvc_percent: int | None


@dataclass(frozen=True)
class Leg:
    vessel: str
    port_of_loading: str
    port_of_discharge: str
    departure: dt.date
    transport_document: str | None  # normalised


@dataclass(frozen=True)
class Consignment:
    """A manifest's row: one bill of lading."""

    transport_document: str  # normalised
    shown: str  # as written
    hs6: str
    gross_kg: Decimal
    consignee: str  # normalised name
    consignee_shown: str


@dataclass(frozen=True)
class DocView:
    key: str  # ISSUER:0x<id>
    kind: Kind
    reference: str
    issuer: str
    importer: str
    issued_on: dt.date
    leg: Leg
    exporter: tuple[str, str] | None = None  # (country, normalised name)
    exporter_shown: str | None = None
    consignee: str | None = None  # normalised name
    consignee_shown: str | None = None
    lines: tuple[Line, ...] = ()
    consignments: tuple[Consignment, ...] = ()
    flags: frozenset[str] = frozenset()
    invoice: str | None = None  # a declaration's invoice number, normalised

    @property
    def label(self) -> str:
        """How a sentence names the document: "certificate VN-HCM-2026-004512"."""
        return f"{self.kind} {self.reference}"


def party_name(name: str) -> str:
    """A company name as compared (``documents.consignment_match.normalise_name``)."""
    return normalise_name(name)


def view_of(key: str, doc: dict[str, Any]) -> DocView | None:
    """The view of a valid document of a known type; None for any other type."""
    doc_type = doc.get("type")
    if doc_type in CERTIFICATE_TYPES:
        return _certificate(key, doc)
    if doc_type == MANIFEST_TYPE:
        return _manifest(key, doc)
    if doc_type == DECLARATION_TYPE:
        return _declaration(key, doc)
    return None


def _date(text: str) -> dt.date:
    parsed = parse_date(text)
    if parsed is None:
        raise ValueError(f"not a date: {text!r}")
    return parsed


def _decimal(value: object) -> Decimal | None:
    return checks.exact_decimal(value)


def _leg(transport: dict[str, Any], vessel_field: str = "vesselOrFlight") -> Leg:
    document = transport.get("transportDocument")
    return Leg(
        vessel=str(transport.get(vessel_field) or "").strip(),
        port_of_loading=transport["portOfLoading"],
        port_of_discharge=transport["portOfDischarge"],
        departure=_date(transport["departureDate"]),
        transport_document=normalise_reference(document) if document else None,
    )


def _certificate(key: str, doc: dict[str, Any]) -> DocView:
    lines = []
    for item in doc["items"]:
        quantity = item.get("quantity") or {}
        fob = item.get("fobValue") or {}
        criterion = checks.parse_origin_criterion(item["originCriterion"])
        lines.append(
            Line(
                number=item["itemNumber"],
                hs6=checks.hs_subheading(item["hsCode"]),
                hs_code=item["hsCode"],
                quantity=_decimal(quantity.get("value")),
                unit=quantity.get("unit"),
                gross_kg=_decimal(item.get("grossWeightKg")),
                fob=checks.positive_amount(fob.get("amount")),
                currency=fob.get("currency"),
                invoice=normalise_reference(item["invoice"]["number"]),
                invoice_date=parse_date(item["invoice"]["date"]),
                certificate=None,
                rvc_percent=None if isinstance(criterion, str) else criterion.rvc_percent,
            )
        )
    return DocView(
        key=key,
        kind="certificate",
        reference=doc["referenceNumber"].strip(),
        issuer=doc["issuedIn"],
        importer=doc["importingCountry"],
        issued_on=_date(doc["certification"]["date"]),
        leg=_leg(doc["transport"]),
        exporter=(doc["exporter"]["country"], party_name(doc["exporter"]["name"])),
        exporter_shown=doc["exporter"]["name"],
        consignee=party_name(doc["consignee"]["name"]),
        consignee_shown=doc["consignee"]["name"],
        lines=tuple(lines),
        flags=frozenset(flag for flag, ticked in doc["flags"].items() if ticked),
    )


def _manifest(key: str, doc: dict[str, Any]) -> DocView:
    voyage = {**doc, "transportDocument": None}
    return DocView(
        key=key,
        kind="manifest",
        reference=doc["referenceNumber"].strip(),
        issuer=doc["filedIn"],
        importer=checks.locode_country(doc["portOfDischarge"]),
        issued_on=_date(doc["departureDate"]),
        leg=Leg(
            vessel=doc["vessel"]["name"].strip(),
            port_of_loading=voyage["portOfLoading"],
            port_of_discharge=voyage["portOfDischarge"],
            departure=_date(doc["departureDate"]),
            transport_document=None,
        ),
        consignments=tuple(
            Consignment(
                transport_document=normalise_reference(c["transportDocument"]),
                shown=c["transportDocument"].strip(),
                hs6=checks.hs_subheading(c["hsCode"]),
                gross_kg=Decimal(repr(c["grossWeightKg"]))
                if isinstance(c["grossWeightKg"], float)
                else Decimal(c["grossWeightKg"]),
                consignee=party_name(c["consignee"]["name"]),
                consignee_shown=c["consignee"]["name"],
            )
            for c in doc["consignments"]
        ),
    )


def _declaration(key: str, doc: dict[str, Any]) -> DocView:
    invoice = doc["invoice"]
    lines = []
    for item in doc["items"]:
        cited = item.get("certificateOfOrigin")
        lines.append(
            Line(
                number=item["itemNumber"],
                hs6=checks.hs_subheading(item["hsCode"]),
                hs_code=item["hsCode"],
                quantity=_decimal(item["quantity"]["value"]),
                unit=item["quantity"]["unit"],
                gross_kg=_decimal(item["grossWeightKg"]),
                fob=checks.positive_amount(item["fobValue"]["amount"]),
                currency=item["fobValue"]["currency"],
                invoice=normalise_reference(invoice["number"]),
                invoice_date=parse_date(invoice["date"]),
                certificate=(cited["issuedIn"], normalise_reference(cited["referenceNumber"]))
                if cited
                else None,
                rvc_percent=None,
            )
        )
    return DocView(
        key=key,
        kind="declaration",
        reference=doc["referenceNumber"].strip(),
        issuer=doc["declaredIn"],
        importer=doc["destinationCountry"],
        issued_on=_date(doc["declarationDate"]),
        leg=_leg(doc["transport"]),
        exporter=(doc["exporter"]["country"], party_name(doc["exporter"]["name"])),
        exporter_shown=doc["exporter"]["name"],
        consignee=party_name(doc["consignee"]["name"]),
        consignee_shown=doc["consignee"]["name"],
        lines=tuple(lines),
        invoice=normalise_reference(invoice["number"]),
    )
