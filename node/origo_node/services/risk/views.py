"""What the risk rules read of a document: certificates, manifests and declarations in one typed shape.

Built only from documents their type's rules accepted (the payload checker read them and found them good), so
the fields the schema requires are there; optional ones are ``None`` where the document leaves them out.
Numbers are ``Decimal`` as written, names and numbers people type are normalised for comparison.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from origo_node.documents import checks, pointer
from origo_node.documents.consignment_match import (
    CERTIFICATE_TYPES,
    DECLARATION_TYPE,
    MANIFEST_TYPE,
    normalise_name,
    normalise_reference,
)
from origo_node.documents.dates import parse_date
from origo_node.documents.json_value import Fields, JsonObject, ShapeError

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


def view_of(key: str, doc: JsonObject) -> DocView | None:
    """The view of a valid document of a known type; None for any other type. Raises ``ShapeError`` (a
    ``ValueError``) for a document its type's schema would refuse."""
    doc_type = doc.get("type")
    if doc_type in CERTIFICATE_TYPES:
        return _certificate(key, Fields(doc))
    if doc_type == MANIFEST_TYPE:
        return _manifest(key, Fields(doc))
    if doc_type == DECLARATION_TYPE:
        return _declaration(key, Fields(doc))
    return None


def _date(text: str) -> dt.date:
    parsed = parse_date(text)
    if parsed is None:
        raise ValueError(f"not a date: {text!r}")
    return parsed


def _decimal(value: object) -> Decimal | None:
    return checks.exact_decimal(value)


def _leg(transport: Fields, vessel_field: str = "vesselOrFlight") -> Leg:
    document = transport.optional_text("transportDocument")
    return Leg(
        vessel=(transport.optional_text(vessel_field) or "").strip(),
        port_of_loading=transport.text("portOfLoading"),
        port_of_discharge=transport.text("portOfDischarge"),
        departure=_date(transport.text("departureDate")),
        transport_document=normalise_reference(document) if document else None,
    )


def _party(doc: Fields, role: str) -> tuple[tuple[str, str], str]:
    """(country, normalised name) of a party, and its name as written."""
    party = doc.fields(role)
    name = party.text("name")
    return (party.text("country"), party_name(name)), name


def _certificate(key: str, doc: Fields) -> DocView:
    lines = []
    for item in doc.each("items"):
        quantity = item.optional_fields("quantity")
        fob = item.optional_fields("fobValue")
        invoice = item.fields("invoice")
        criterion = checks.parse_origin_criterion(item.text("originCriterion"))
        lines.append(
            Line(
                number=item.integer("itemNumber"),
                hs6=checks.hs_subheading(item.text("hsCode")),
                hs_code=item.text("hsCode"),
                quantity=_decimal(quantity.value("value")) if quantity else None,
                unit=quantity.optional_text("unit") if quantity else None,
                gross_kg=_decimal(item.value("grossWeightKg")),
                fob=checks.positive_amount(fob.value("amount")) if fob else None,
                currency=fob.optional_text("currency") if fob else None,
                invoice=normalise_reference(invoice.text("number")),
                invoice_date=parse_date(invoice.value("date")),
                certificate=None,
                rvc_percent=None if isinstance(criterion, str) else criterion.rvc_percent,
            )
        )
    exporter, exporter_shown = _party(doc, "exporter")
    consignee = doc.fields("consignee").text("name")
    return DocView(
        key=key,
        kind="certificate",
        reference=doc.text("referenceNumber").strip(),
        issuer=doc.text("issuedIn"),
        importer=doc.text("importingCountry"),
        issued_on=_date(doc.fields("certification").text("date")),
        leg=_leg(doc.fields("transport")),
        exporter=exporter,
        exporter_shown=exporter_shown,
        consignee=party_name(consignee),
        consignee_shown=consignee,
        lines=tuple(lines),
        flags=doc.fields("flags").ticked(),
    )


def _manifest(key: str, doc: Fields) -> DocView:
    departure = _date(doc.text("departureDate"))
    return DocView(
        key=key,
        kind="manifest",
        reference=doc.text("referenceNumber").strip(),
        issuer=doc.text("filedIn"),
        importer=checks.locode_country(doc.text("portOfDischarge")),
        issued_on=departure,
        leg=Leg(
            vessel=doc.fields("vessel").text("name").strip(),
            port_of_loading=doc.text("portOfLoading"),
            port_of_discharge=doc.text("portOfDischarge"),
            departure=departure,
            transport_document=None,
        ),
        consignments=tuple(_consignment(c) for c in doc.each("consignments")),
    )


def _consignment(row: Fields) -> Consignment:
    document = row.text("transportDocument")
    consignee = row.fields("consignee").text("name")
    return Consignment(
        transport_document=normalise_reference(document),
        shown=document.strip(),
        hs6=checks.hs_subheading(row.text("hsCode")),
        gross_kg=_weight(row, "grossWeightKg"),
        consignee=party_name(consignee),
        consignee_shown=consignee,
    )


def _weight(row: Fields, name: str) -> Decimal:
    """A weight as written: a float by its shortest repr (``4120.5``, not its binary fraction)."""
    value = row.value(name)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, int | str) and not isinstance(value, bool):
        return Decimal(value)
    raise ShapeError(pointer.join(row.where, name), "a number")


def _declaration(key: str, doc: Fields) -> DocView:
    invoice = doc.fields("invoice")
    invoice_number = normalise_reference(invoice.text("number"))
    lines = []
    for item in doc.each("items"):
        cited = item.optional_fields("certificateOfOrigin")
        quantity = item.fields("quantity")
        fob = item.fields("fobValue")
        lines.append(
            Line(
                number=item.integer("itemNumber"),
                hs6=checks.hs_subheading(item.text("hsCode")),
                hs_code=item.text("hsCode"),
                quantity=_decimal(quantity.value("value")),
                unit=quantity.optional_text("unit"),
                gross_kg=_decimal(item.value("grossWeightKg")),
                fob=checks.positive_amount(fob.value("amount")),
                currency=fob.optional_text("currency"),
                invoice=invoice_number,
                invoice_date=parse_date(invoice.value("date")),
                certificate=(cited.text("issuedIn"), normalise_reference(cited.text("referenceNumber")))
                if cited
                else None,
                rvc_percent=None,
            )
        )
    exporter, exporter_shown = _party(doc, "exporter")
    consignee = doc.fields("consignee").text("name")
    return DocView(
        key=key,
        kind="declaration",
        reference=doc.text("referenceNumber").strip(),
        issuer=doc.text("declaredIn"),
        importer=doc.text("destinationCountry"),
        issued_on=_date(doc.text("declarationDate")),
        leg=_leg(doc.fields("transport")),
        exporter=exporter,
        exporter_shown=exporter_shown,
        consignee=party_name(consignee),
        consignee_shown=consignee,
        lines=tuple(lines),
        invoice=invoice_number,
    )
