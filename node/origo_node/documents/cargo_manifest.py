"""The cargo manifest after IMO FAL Form 2 (cargo declaration), version 1, for a ship's voyage leg.

Field names follow ``shared/samples/manifest``. One consignment per bill of lading.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from origo_node.documents import checks, common_rules
from origo_node.documents import schema_parts as s
from origo_node.documents.base import SchemaDocumentType
from origo_node.documents.canonical import type_id
from origo_node.documents.dates import parse_date
from origo_node.documents.model import DocumentFacts, Problem, TransportFacts, ValidationContext
from origo_node.documents.pointer import resolve
from origo_node.documents.references import canonical_reference
from origo_node.documents.type_names import CARGO_MANIFEST


class CargoManifest(SchemaDocumentType):
    name = CARGO_MANIFEST
    version = "1"
    claimed_at_import = False

    def build_schema(self) -> dict[str, Any]:
        named_party = s.party(with_address=False)
        consignment = s.obj(
            {
                "transportDocument": s.reference(),
                "shipper": named_party,
                "consignee": named_party,
                "marksAndNumbers": s.text(500),
                "packages": s.packages(),
                "description": s.text(1000),
                "hsCode": s.hs_code(),
                "grossWeightKg": s.positive_number(),
            },
            {
                "notifyParty": named_party,
                # Break-bulk and bulk cargo travel without containers.
                "containers": s.array(
                    s.coded(checks.CONTAINER_PATTERN, "an ISO 6346 container number, e.g. MSKU1234565"),
                    min_items=0,
                    unique=True,
                ),
                "measurementM3": s.positive_number(),
            },
        )
        body = s.obj(
            {
                **s.document_header(self.name, self.version, "filedIn"),
                "carrier": s.obj(
                    {"name": s.text(200)},
                    {"code": s.coded(r"^[A-Z0-9]{2,4}$", "a carrier code of 2 to 4 letters or digits")},
                ),
                "vessel": s.obj(
                    {
                        "name": s.text(100),
                        "imoNumber": s.coded(checks.IMO_PATTERN, "an IMO ship number of 7 digits"),
                        "flag": s.country(),
                    },
                    {"callSign": s.coded(r"^[A-Z0-9]{3,9}$", "a radio call sign of letters and digits")},
                ),
                "voyageNumber": s.text(20),
                "portOfLoading": s.locode(),
                "portOfDischarge": s.locode(),
                "departureDate": s.date(),
                "arrivalDate": s.date(),
                "consignments": s.array(consignment, max_items=9999),
            },
            {"master": s.text(200)},
        )
        return s.root(f"urn:origo:document-type:{CARGO_MANIFEST}:1", "Cargo manifest (IMO FAL Form 2)", body)

    def domain_problems(self, doc: dict[str, Any], ctx: ValidationContext) -> list[Problem]:
        return [*_voyage(doc, ctx), *_consignments(doc)]

    def facts(self, doc: dict[str, Any], ctx: ValidationContext) -> DocumentFacts:
        departed = parse_date(doc["departureDate"])
        if departed is None:  # validate() rules this out
            raise ValueError(f"not a date: {doc['departureDate']!r}")
        vessel = doc["vessel"]["name"].strip()
        return DocumentFacts(
            doc_type=self.name,
            version=self.version,
            type_id=type_id(self.name, self.version),
            reference=canonical_reference(doc["referenceNumber"]),
            issuer=doc["filedIn"],
            importer=checks.locode_country(doc["portOfDischarge"]),
            issued_on=departed,
            expires_at=0,  # a manifest records what was carried; it does not lapse
            quantities=(),  # a manifest is claimed whole, never item by item
            quantity_units=(),
            transport=tuple(
                TransportFacts(
                    vessel_or_flight=vessel,
                    port_of_loading=doc["portOfLoading"],
                    port_of_discharge=doc["portOfDischarge"],
                    departure_date=departed,
                    transport_documents=(consignment["transportDocument"].strip(),),
                    hs_subheadings=(checks.hs_subheading(consignment["hsCode"]),),
                )
                for consignment in doc["consignments"]
            ),
        )


def _voyage(doc: dict[str, Any], ctx: ValidationContext) -> Iterator[Problem]:
    yield from common_rules.country(doc, "/filedIn")
    yield from common_rules.issuing_member(doc, "/filedIn", ctx)
    yield from common_rules.locode(doc, "/portOfLoading")
    yield from common_rules.locode(doc, "/portOfDischarge")
    discharge = resolve(doc, "/portOfDischarge")
    if checks.is_locode(discharge):
        # The authority at the port of discharge is the one importing the cargo.
        yield from common_rules.importing_member(
            checks.locode_country(discharge),
            "/portOfDischarge",
            resolve(doc, "/filedIn"),
            ctx,
            what="the country of the port of discharge",
        )
    yield from common_rules.country(doc, "/vessel/flag")
    imo = resolve(doc, "/vessel/imoNumber")
    if isinstance(imo, str) and not checks.is_imo_number(imo):
        yield Problem("/vessel/imoNumber", f"{imo!r} fails the IMO number check digit")
    yield from common_rules.real_date(doc, "/departureDate")
    yield from common_rules.real_date(doc, "/arrivalDate")
    if (arrived := common_rules.date_at(doc, "/arrivalDate")) is not None:
        departed = common_rules.date_at(doc, "/departureDate")
        if departed is not None and arrived < departed:
            yield Problem("/arrivalDate", f"must not be before the departure date ({departed.isoformat()})")


def _consignments(doc: dict[str, Any]) -> Iterator[Problem]:
    seen: set[str] = set()
    for at, consignment in common_rules.items_of(doc, "/consignments"):
        document = consignment.get("transportDocument")
        if isinstance(document, str):
            key = document.strip().upper()
            if key in seen:
                yield Problem(
                    f"{at}/transportDocument", f"{document!r} appears in another consignment already"
                )
            seen.add(key)
        for party in ("shipper", "consignee", "notifyParty"):
            yield from common_rules.country(doc, f"{at}/{party}/country")
        yield from common_rules.hs_code(doc, f"{at}/hsCode")
        containers = consignment.get("containers")
        for index, container in enumerate(containers if isinstance(containers, list) else []):
            if isinstance(container, str) and not checks.is_container_number(container):
                yield Problem(f"{at}/containers/{index}", f"{container!r} fails the ISO 6346 check digit")
