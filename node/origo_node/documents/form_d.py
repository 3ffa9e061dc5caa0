"""ATIGA Form D, the certificate of origin of the ASEAN Trade in Goods Agreement (Annex 7), version 1.

Field names follow the samples in ``shared/samples/form-d``; the box numbers in comments are those of Annex 7.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from origo_node.documents import checks, common_rules
from origo_node.documents import schema_parts as s
from origo_node.documents.base import SchemaDocumentType
from origo_node.documents.canonical import type_id
from origo_node.documents.dates import add_months, end_of_day_utc, parse_date
from origo_node.documents.leaf import MAX_ITEMS  # claims name an item by a one-byte number on the chain
from origo_node.documents.model import DocumentFacts, Problem, TransportFacts, ValidationContext
from origo_node.documents.pointer import resolve
from origo_node.documents.references import canonical_reference, in_issuers_series
from origo_node.documents.type_names import FORM_D

_FLAGS = (
    "thirdCountryInvoicing",
    "exhibition",
    "accumulation",
    "partialCumulation",
    "deMinimis",
    "backToBack",
    "issuedRetroactively",
)


class FormD(SchemaDocumentType):
    name = FORM_D
    version = "1"

    def build_schema(self) -> dict[str, Any]:
        member_reference = s.obj(
            {
                "referenceNumber": s.reference(),
                "issuedIn": s.coded(checks.COUNTRY_PATTERN, "the ISO 3166-1 alpha-2 code of a member"),
            }
        )
        item = s.obj(
            {
                "itemNumber": s.positive_integer(),  # box 5
                "marksAndNumbers": s.text(500),  # box 6
                "packages": s.packages(),  # box 7
                "description": s.text(1000),
                "hsCode": s.hs_code(),
                "originCriterion": s.coded(  # box 8
                    checks.ORIGIN_CRITERION_PATTERN,
                    "an origin criterion: WO, PE, RVC nn%, CTH, CTSH, CTC, SP or PSR, combined with +",
                ),
                "invoice": s.obj({"number": s.text(64), "date": s.date()}),  # box 10
            },
            {
                # Box 9: gross weight or other quantity; at least one of the two (a domain rule).
                "quantity": s.obj(
                    {
                        # Capped so the total in thousandths stays far inside the chain's integers.
                        "value": s.positive_number(maximum=10**12),
                        "unit": s.coded(checks.UNIT_CODE_PATTERN, "a UN/ECE Rec. 20 unit code, e.g. KGM"),
                    }
                ),
                "grossWeightKg": s.positive_number(),
                "fobValue": s.obj(
                    {
                        "amount": s.coded(
                            checks.AMOUNT_PATTERN, "an amount as a decimal string, e.g. 61200.00"
                        ),
                        "currency": s.coded(checks.CURRENCY_PATTERN, "an ISO 4217 currency code, e.g. USD"),
                    }
                ),
            },
        )
        body = s.obj(
            {
                **s.document_header(self.name, self.version, "issuedIn"),
                "exporter": s.party(with_address=True),  # box 1
                "consignee": s.party(with_address=True),  # box 2
                "transport": s.obj(  # box 3
                    {
                        "departureDate": s.date(),
                        "vesselOrFlight": s.text(200),
                        "portOfLoading": s.locode(),
                        "portOfDischarge": s.locode(),
                    },
                    {"transportDocument": s.reference()},
                ),
                "items": s.array(
                    item,
                    max_items=MAX_ITEMS,
                    why=f"a certificate lists at most {MAX_ITEMS} items, the most an import claim can name"
                    " one by one; split the goods over several certificates",
                ),
                "importingCountry": s.country(),  # box 11
                "producingCountry": s.country(),
                "declaration": s.obj({"place": s.text(200), "date": s.date()}),
                "certification": s.obj(  # box 12
                    {"place": s.text(200), "date": s.date(), "authority": s.text(300)}
                ),
                "flags": s.obj({flag: s.boolean() for flag in _FLAGS}),  # box 13
            },
            {
                "thirdCountryInvoice": s.obj({"operator": s.text(200), "country": s.country()}),
                "backToBackOf": member_reference,
            },
        )
        return s.root(f"urn:origo:document-type:{FORM_D}:1", "ATIGA Form D certificate of origin", body)

    def domain_problems(self, doc: dict[str, Any], ctx: ValidationContext) -> list[Problem]:
        return [
            *_reference_of_issuer(doc),
            *_parties(doc, ctx),
            *_transport(doc),
            *_items(doc),
            *_dates(doc, ctx),
            *_flags(doc),
        ]

    def facts(self, doc: dict[str, Any], ctx: ValidationContext) -> DocumentFacts:
        certified_on = _date(doc["certification"]["date"])
        quantities, units = _item_quantities(doc["items"])
        transport = doc["transport"]
        document = transport.get("transportDocument")
        return DocumentFacts(
            doc_type=self.name,
            version=self.version,
            type_id=type_id(self.name, self.version),
            reference=canonical_reference(doc["referenceNumber"]),
            issuer=doc["issuedIn"],
            importer=doc["importingCountry"],
            issued_on=certified_on,
            # Valid for whole months from issue, through the end of the anniversary day (UTC).
            expires_at=end_of_day_utc(add_months(certified_on, ctx.validity_months)),
            quantities=quantities,
            quantity_units=units,
            transport=(
                TransportFacts(
                    vessel_or_flight=transport["vesselOrFlight"].strip(),
                    port_of_loading=transport["portOfLoading"],
                    port_of_discharge=transport["portOfDischarge"],
                    departure_date=_date(transport["departureDate"]),
                    transport_documents=(document.strip(),) if document else (),
                    hs_subheadings=tuple(
                        dict.fromkeys(checks.hs_subheading(i["hsCode"]) for i in doc["items"])
                    ),
                ),
            ),
        )


def _date(text: str) -> dt.date:
    parsed = parse_date(text)
    if parsed is None:  # validate() rules this out; facts() must not be called on an invalid document
        raise ValueError(f"not a date: {text!r}")
    return parsed


def _item_quantities(items: list[dict[str, Any]]) -> tuple[tuple[int, ...], tuple[str | None, ...]]:
    """Each item's quantity in thousandths of its own unit, and that unit, in the items' order (box 9).

    Every item is claimed on its own, in its own unit: gloves in pairs and finger cots in pieces never add up.
    An item that gives only a gross weight has quantity 0: it is claimed with the whole certificate.
    """
    quantities: list[int] = []
    units: list[str | None] = []
    for item in items:
        quantity = item.get("quantity")
        if quantity is None:
            quantities.append(0)
            units.append(None)
            continue
        scaled = checks.thousandths(quantity["value"])
        if scaled is None:  # validate() rules this out
            raise ValueError(f"quantity {quantity['value']!r} is not exact in thousandths")
        quantities.append(scaled)
        units.append(quantity["unit"])
    return tuple(quantities), tuple(units)


def _reference_of_issuer(doc: dict[str, Any]) -> Iterator[Problem]:
    """A certificate's reference begins with its issuing member's code and a dash (``VN-HCM-2026-004512``).

    A reference is unique only within its issuer, so a person holding the paper needs to see whose it is;
    and a member's node then never issues a number from another member's series (a look-alike of another
    member's certificate). Case and stray spaces do not matter: the rule reads the canonical form.
    """
    issuer, reference = resolve(doc, "/issuedIn"), resolve(doc, "/referenceNumber")
    if not (checks.is_country(issuer) and isinstance(reference, str)):
        return  # a missing or malformed one is reported where it is
    if not in_issuers_series(issuer, reference):
        yield Problem(
            "/referenceNumber",
            f"a certificate issued in {issuer} has a reference that begins with {issuer}- (for example"
            f" {issuer}-2026-000123): {reference.strip()!r} does not",
        )


def _parties(doc: dict[str, Any], ctx: ValidationContext) -> Iterator[Problem]:
    issuer = resolve(doc, "/issuedIn")
    yield from common_rules.country(doc, "/issuedIn")
    yield from common_rules.issuing_member(doc, "/issuedIn", ctx)
    yield from common_rules.importing_member(
        resolve(doc, "/importingCountry"), "/importingCountry", issuer, ctx
    )
    yield from common_rules.asean_member(doc, "/producingCountry")
    # Box 1 is the exporter in the issuing member; box 2 the consignee in the importing country.
    yield from common_rules.country(doc, "/exporter/country")
    yield from _same_country(doc, "/exporter/country", "/issuedIn", "the issuing member")
    yield from common_rules.country(doc, "/consignee/country")
    yield from _same_country(doc, "/consignee/country", "/importingCountry", "the importing country")


def _same_country(doc: dict[str, Any], at: str, other_at: str, what: str) -> Iterator[Problem]:
    code, other = resolve(doc, at), resolve(doc, other_at)
    # Only when both are real codes: a malformed one is reported where it is, not echoed here.
    if checks.is_country(code) and checks.is_country(other) and code != other:
        yield Problem(at, f"must be {what} {other!r}, not {code!r}")


def _transport(doc: dict[str, Any]) -> Iterator[Problem]:
    # No rule ties the ports to the two countries: goods for Laos, which has no sea port, are discharged in
    # Thailand or Viet Nam, and back-to-back shipments leave from the intermediate member.
    yield from common_rules.locode(doc, "/transport/portOfLoading")
    yield from common_rules.locode(doc, "/transport/portOfDischarge")
    yield from common_rules.real_date(doc, "/transport/departureDate")


def _items(doc: dict[str, Any]) -> Iterator[Problem]:
    for index, (at, item) in enumerate(common_rules.items_of(doc, "/items")):
        number = item.get("itemNumber")
        if isinstance(number, int) and not isinstance(number, bool) and number != index + 1:
            yield Problem(f"{at}/itemNumber", f"must be {index + 1}: items are numbered 1 to n in order")
        yield from common_rules.hs_code(doc, f"{at}/hsCode")
        yield from _origin_criterion(item, at)
        yield from _quantity(item, at)
        yield from _fob_value(item, at)
        yield from common_rules.real_date(doc, f"{at}/invoice/date")
        yield from common_rules.not_after(doc, f"{at}/invoice/date", "/declaration/date", "declaration date")


def _origin_criterion(item: dict[str, Any], at: str) -> Iterator[Problem]:
    text = item.get("originCriterion")
    if not isinstance(text, str):
        return
    criterion = checks.parse_origin_criterion(text)
    if isinstance(criterion, str):
        yield Problem(f"{at}/originCriterion", criterion)
    elif criterion.needs_fob_value and "fobValue" not in item:
        yield Problem(f"{at}/fobValue", "required when the origin criterion includes RVC")


def _quantity(item: dict[str, Any], at: str) -> Iterator[Problem]:
    if "quantity" not in item and "grossWeightKg" not in item:
        yield Problem(f"{at}/quantity", "give the quantity, the gross weight, or both (box 9)")
    value = resolve(item, "/quantity/value")
    if checks.exact_decimal(value) is not None and checks.thousandths(value) is None:
        # Partial claims are recorded on the chain in thousandths of the unit, which must be exact.
        yield Problem(f"{at}/quantity/value", "must have at most three decimals")


def _fob_value(item: dict[str, Any], at: str) -> Iterator[Problem]:
    amount = resolve(item, "/fobValue/amount")
    if isinstance(amount, str) and checks.positive_amount(amount) is None:
        yield Problem(f"{at}/fobValue/amount", "must be greater than zero")


def _dates(doc: dict[str, Any], ctx: ValidationContext) -> Iterator[Problem]:
    yield from common_rules.real_date(doc, "/declaration/date")
    yield from common_rules.real_date(doc, "/certification/date")
    yield from common_rules.not_after(doc, "/declaration/date", "/certification/date", "certification date")
    certified = common_rules.date_at(doc, "/certification/date")
    if certified is not None and certified > ctx.today:
        yield Problem("/certification/date", f"must not be in the future (today is {ctx.today.isoformat()})")
    departed = common_rules.date_at(doc, "/transport/departureDate")
    retroactive = resolve(doc, "/flags/issuedRetroactively")
    if certified is None or departed is None or not isinstance(retroactive, bool):
        return
    if certified > departed and not retroactive:
        yield Problem(
            "/flags/issuedRetroactively",
            f"must be true: certified on {certified.isoformat()}, after departure on {departed.isoformat()}",
        )
    elif certified > departed and (certified - departed).days > ctx.retroactive_days:
        yield Problem(
            "/certification/date",
            f"a retroactive certificate must be issued within {ctx.retroactive_days} days of departure "
            f"({departed.isoformat()})",
        )
    elif certified <= departed and retroactive:
        yield Problem("/flags/issuedRetroactively", "must be false: certified before departure")


def _flags(doc: dict[str, Any]) -> Iterator[Problem]:
    """Box 13 and the details it calls for agree: a ticked box needs its details, details need the box."""
    yield from _flag_matches_detail(doc, "thirdCountryInvoicing", "thirdCountryInvoice")
    yield from _flag_matches_detail(doc, "backToBack", "backToBackOf")
    yield from common_rules.country(doc, "/thirdCountryInvoice/country")
    yield from common_rules.asean_member(doc, "/backToBackOf/issuedIn")
    original_issuer = resolve(doc, "/backToBackOf/issuedIn")
    if isinstance(original_issuer, str) and original_issuer == resolve(doc, "/issuedIn"):
        yield Problem(
            "/backToBackOf/issuedIn",
            "a back-to-back certificate is issued by another member than the original",
        )


def _flag_matches_detail(doc: dict[str, Any], flag: str, detail: str) -> Iterator[Problem]:
    ticked = resolve(doc, f"/flags/{flag}")
    if ticked is True and detail not in doc:
        yield Problem(f"/{detail}", f"required when flags.{flag} is true")
    elif ticked is False and detail in doc:
        yield Problem(f"/{detail}", f"only allowed when flags.{flag} is true")
