"""The ASEAN Customs Declaration Document (ACDD): the export declaration data, version 1.

What the exporter declared to the customs of the exporting member, filed by that member for the importing
member, so that the importing customs can use it without the trader typing it again. The reference is the
declaration number; each item may name the certificate of origin that covers it, which is how the importing
member links the declaration to its certificate (and, by transport document, to the manifest).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from origo_node.documents import checks, common_rules
from origo_node.documents import schema_parts as s
from origo_node.documents.base import SchemaDocumentType
from origo_node.documents.canonical import type_id
from origo_node.documents.codes import NAMED_CARRIER_MODES, TRANSPORT_MODES
from origo_node.documents.dates import parse_date
from origo_node.documents.leaf import MAX_ITEMS
from origo_node.documents.model import DocumentFacts, Problem, TransportFacts, ValidationContext
from origo_node.documents.pointer import resolve
from origo_node.documents.references import canonical_reference
from origo_node.documents.type_names import ACDD

ACDD_TYPE = ACDD
_MODES = "|".join(sorted(TRANSPORT_MODES))


class ExportDeclaration(SchemaDocumentType):
    name = ACDD_TYPE
    version = "1"

    def build_schema(self) -> dict[str, Any]:
        money = s.obj(
            {
                "amount": s.coded(checks.AMOUNT_PATTERN, "an amount as a decimal string, e.g. 61200.00"),
                "currency": s.coded(checks.CURRENCY_PATTERN, "an ISO 4217 currency code, e.g. USD"),
            }
        )
        certificate = s.obj(
            {
                "referenceNumber": s.reference(),
                "issuedIn": s.coded(checks.COUNTRY_PATTERN, "the ISO 3166-1 alpha-2 code of a member"),
            }
        )
        item = s.obj(
            {
                "itemNumber": s.positive_integer(),
                "hsCode": s.hs_code(),
                "description": s.text(1000),
                "packages": s.packages(),
                "quantity": s.obj(
                    {
                        "value": s.positive_number(maximum=10**12),
                        "unit": s.coded(checks.UNIT_CODE_PATTERN, "a UN/ECE Rec. 20 unit code, e.g. KGM"),
                    }
                ),
                "grossWeightKg": s.positive_number(),
                "netWeightKg": s.positive_number(),
                "fobValue": money,
                "originCountry": s.country(),
            },
            # The certificate of origin covering this item, where a preference is claimed with one.
            {"certificateOfOrigin": certificate},
        )
        body = s.obj(
            {
                **s.document_header(self.name, self.version, "declaredIn"),
                "declarationDate": s.date(),
                "exportCustomsOffice": s.obj(
                    {
                        "code": s.coded(
                            r"^[A-Z0-9]{2,8}$", "the customs office's code, 2 to 8 letters or digits"
                        ),
                        "name": s.text(200),
                    }
                ),
                "exporter": s.party(with_address=True),
                "consignee": s.party(with_address=True),
                "destinationCountry": s.country(),
                "transport": s.obj(
                    {
                        "mode": s.coded(f"^({_MODES})$", "a UN/ECE Rec. 19 transport mode, 1 (sea) to 9"),
                        "portOfLoading": s.locode(),
                        "portOfDischarge": s.locode(),
                        "departureDate": s.date(),
                        "transportDocument": s.reference(),
                    },
                    {"vesselOrFlight": s.text(200)},
                ),
                "invoice": s.obj(
                    {
                        "number": s.text(64),
                        "date": s.date(),
                        "currency": s.coded(checks.CURRENCY_PATTERN, "an ISO 4217 currency code, e.g. USD"),
                    },
                    {"totalAmount": s.coded(checks.AMOUNT_PATTERN, "an amount as a decimal string")},
                ),
                "items": s.array(item, max_items=MAX_ITEMS),
            },
        )
        return s.root(
            f"urn:origo:document-type:{ACDD_TYPE}:1", "ASEAN Customs Declaration Document (export)", body
        )

    def domain_problems(self, doc: dict[str, Any], ctx: ValidationContext) -> list[Problem]:
        return [*_parties(doc, ctx), *_transport(doc), *_dates(doc, ctx), *_items(doc)]

    def facts(self, doc: dict[str, Any], ctx: ValidationContext) -> DocumentFacts:
        declared_on = parse_date(doc["declarationDate"])
        departed = parse_date(doc["transport"]["departureDate"])
        if declared_on is None or departed is None:  # validate() rules this out
            raise ValueError("the declaration's dates are not dates")
        transport = doc["transport"]
        return DocumentFacts(
            doc_type=self.name,
            version=self.version,
            type_id=type_id(self.name, self.version),
            reference=canonical_reference(doc["referenceNumber"]),
            issuer=doc["declaredIn"],
            importer=doc["destinationCountry"],
            issued_on=declared_on,
            expires_at=0,  # a declaration records an export; it does not lapse
            quantities=(),  # nothing is claimed on a declaration
            quantity_units=(),
            transport=(
                TransportFacts(
                    vessel_or_flight=str(transport.get("vesselOrFlight") or "").strip(),
                    port_of_loading=transport["portOfLoading"],
                    port_of_discharge=transport["portOfDischarge"],
                    departure_date=departed,
                    transport_documents=(transport["transportDocument"].strip(),),
                    hs_subheadings=tuple(
                        dict.fromkeys(checks.hs_subheading(i["hsCode"]) for i in doc["items"])
                    ),
                ),
            ),
        )


def _parties(doc: dict[str, Any], ctx: ValidationContext) -> Iterator[Problem]:
    issuer = resolve(doc, "/declaredIn")
    yield from common_rules.country(doc, "/declaredIn")
    yield from common_rules.issuing_member(doc, "/declaredIn", ctx)
    yield from common_rules.importing_member(
        resolve(doc, "/destinationCountry"),
        "/destinationCountry",
        issuer,
        ctx,
        what="the destination country",
    )
    yield from common_rules.country(doc, "/exporter/country")
    yield from common_rules.country(doc, "/consignee/country")
    exporter = resolve(doc, "/exporter/country")
    if checks.is_country(exporter) and checks.is_country(issuer) and exporter != issuer:
        yield Problem(
            "/exporter/country",
            f"must be the declaring member {issuer!r}: exports are declared where the exporter is",
        )


def _transport(doc: dict[str, Any]) -> Iterator[Problem]:
    yield from common_rules.locode(doc, "/transport/portOfLoading")
    yield from common_rules.locode(doc, "/transport/portOfDischarge")
    mode = resolve(doc, "/transport/mode")
    if mode in NAMED_CARRIER_MODES and resolve(doc, "/transport/vesselOrFlight") is None:
        yield Problem(
            "/transport/vesselOrFlight",
            f"required for {TRANSPORT_MODES[str(mode)]} transport: name the vessel or the flight",
        )


def _dates(doc: dict[str, Any], ctx: ValidationContext) -> Iterator[Problem]:
    yield from common_rules.real_date(doc, "/declarationDate")
    yield from common_rules.real_date(doc, "/transport/departureDate")
    yield from common_rules.real_date(doc, "/invoice/date")
    yield from common_rules.not_after(doc, "/invoice/date", "/declarationDate", "declaration date")
    declared = common_rules.date_at(doc, "/declarationDate")
    if declared is not None and declared > ctx.today:
        yield Problem("/declarationDate", f"must not be in the future (today is {ctx.today.isoformat()})")


def _items(doc: dict[str, Any]) -> Iterator[Problem]:
    currency = resolve(doc, "/invoice/currency")
    for index, (at, item) in enumerate(common_rules.items_of(doc, "/items")):
        number = item.get("itemNumber")
        if isinstance(number, int) and not isinstance(number, bool) and number != index + 1:
            yield Problem(f"{at}/itemNumber", f"must be {index + 1}: items are numbered 1 to n in order")
        yield from common_rules.hs_code(doc, f"{at}/hsCode")
        yield from common_rules.country(doc, f"{at}/originCountry")
        yield from common_rules.asean_member(doc, f"{at}/certificateOfOrigin/issuedIn")
        value = resolve(item, "/quantity/value")
        if checks.exact_decimal(value) is not None and checks.thousandths(value) is None:
            yield Problem(f"{at}/quantity/value", "must have at most three decimals")
        gross, net = (
            checks.exact_decimal(item.get("grossWeightKg")),
            checks.exact_decimal(item.get("netWeightKg")),
        )
        if gross is not None and net is not None and net > gross:
            yield Problem(f"{at}/netWeightKg", f"must not exceed the gross weight ({gross} kg)")
        amount = resolve(item, "/fobValue/amount")
        if isinstance(amount, str) and checks.positive_amount(amount) is None:
            yield Problem(f"{at}/fobValue/amount", "must be greater than zero")
        fob_currency = resolve(item, "/fobValue/currency")
        if isinstance(fob_currency, str) and isinstance(currency, str) and fob_currency != currency:
            yield Problem(f"{at}/fobValue/currency", f"must be the invoice's currency {currency!r}")
