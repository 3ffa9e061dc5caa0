"""Each rule of Form D, broken on its own, is reported with its pointer; several broken rules, all at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from origo_node.documents import validate_document

from ._samples import context_for, errors_of, pointers_of, sample

Change = Callable[[dict[str, Any]], None]


def _set(pointer: str, value: Any) -> Change:
    *parents, last = pointer.strip("/").split("/")

    def change(doc: dict[str, Any]) -> None:
        target: Any = doc
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        target[int(last) if isinstance(target, list) else last] = value

    return change


def _both(*changes: Change) -> Change:
    def change(doc: dict[str, Any]) -> None:
        for one in changes:
            one(doc)

    return change


def _delete(pointer: str) -> Change:
    *parents, last = pointer.strip("/").split("/")

    def change(doc: dict[str, Any]) -> None:
        target: Any = doc
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        del target[last]

    return change


# (sample, change, pointer reported, words of the message)
SINGLE_RULES: list[tuple[str, Change, str, str]] = [
    # schema: missing, unknown, wrongly typed or shaped fields
    ("vn-sg-coffee", _delete("/exporter"), "/exporter", "required"),
    ("vn-sg-coffee", _delete("/items/0/hsCode"), "/items/0/hsCode", "required"),
    ("vn-sg-coffee", _set("/items/0/colour", "brown"), "/items/0/colour", "unknown field"),
    ("vn-sg-coffee", _set("/flags/exhibition", "no"), "/flags/exhibition", "boolean"),
    ("vn-sg-coffee", _set("/items/0/packages/count", 0), "/items/0/packages/count", "at least 1"),
    ("vn-sg-coffee", _set("/items/0/packages/count", 2.5), "/items/0/packages/count", "integer"),
    ("vn-sg-coffee", _set("/items/0/quantity/value", 0), "/items/0/quantity/value", "greater than 0"),
    (
        "vn-sg-coffee",
        _set("/items/0/quantity/value", 1e300),
        "/items/0/quantity/value",
        "at most 1000000000000",
    ),
    ("vn-sg-coffee", _set("/items/0/grossWeightKg", -1), "/items/0/grossWeightKg", "greater than 0"),
    ("vn-sg-coffee", _set("/items", []), "/items", "at least 1"),
    ("vn-sg-coffee", _set("/consignee/name", "   "), "/consignee/name", "not blank"),
    ("vn-sg-coffee", _set("/importingCountry", "sg"), "/importingCountry", "ISO 3166-1"),
    ("vn-sg-coffee", _set("/transport/portOfLoading", "Saigon"), "/transport/portOfLoading", "UN/LOCODE"),
    ("vn-sg-coffee", _set("/items/0/hsCode", "0901"), "/items/0/hsCode", "6 digits at least"),
    (
        "vn-sg-coffee",
        _set("/items/0/originCriterion", "ORIGIN"),
        "/items/0/originCriterion",
        "origin criterion",
    ),
    ("vn-sg-coffee", _set("/items/0/quantity/unit", "kilo"), "/items/0/quantity/unit", "Rec. 20"),
    ("vn-sg-coffee", _set("/items/0/packages/kind", "BAG"), "/items/0/packages/kind", "Rec. 21"),
    ("vn-sg-coffee", _set("/declaration/date", "18/11/2026"), "/declaration/date", "YYYY-MM-DD"),
    ("vn-sg-coffee", _set("/referenceNumber", "VN#1"), "/referenceNumber", "reference"),
    ("th-my-autoparts", _set("/items/0/fobValue/currency", "usd"), "/items/0/fobValue/currency", "ISO 4217"),
    ("th-my-autoparts", _set("/items/0/fobValue/amount", 61200), "/items/0/fobValue/amount", "string"),
    ("th-my-autoparts", _set("/items/0/fobValue/amount", "61,200"), "/items/0/fobValue/amount", "decimal"),
    # domain: members and countries
    (
        "vn-sg-coffee",
        _both(
            _set("/issuedIn", "TH"),
            _set("/exporter/country", "TH"),
            _set("/referenceNumber", "TH-BKK-2026-1"),
        ),
        "/issuedIn",
        "this node's member 'VN'",
    ),
    # a certificate's reference is of its issuer's series: a look-alike of another member's is refused
    ("vn-sg-coffee", _set("/referenceNumber", "MY-PEN-2026-070215"), "/referenceNumber", "begins with VN-"),
    ("vn-sg-coffee", _set("/referenceNumber", "VNHCM-2026-1"), "/referenceNumber", "begins with VN-"),
    (
        "vn-sg-coffee",
        _both(_set("/importingCountry", "CN"), _set("/consignee/country", "CN")),
        "/importingCountry",
        "ASEAN member",
    ),
    (
        "vn-sg-coffee",
        _both(_set("/importingCountry", "VN"), _set("/consignee/country", "VN")),
        "/importingCountry",
        "differ from the issuing",
    ),
    ("vn-sg-coffee", _set("/importingCountry", "XK"), "/importingCountry", "ASEAN member"),
    ("vn-sg-coffee", _set("/producingCountry", "CN"), "/producingCountry", "not an ASEAN member"),
    ("vn-sg-coffee", _set("/exporter/country", "XX"), "/exporter/country", "ISO 3166-1"),
    ("vn-sg-coffee", _set("/exporter/country", "TH"), "/exporter/country", "issuing member 'VN'"),
    ("vn-sg-coffee", _set("/consignee/country", "MY"), "/consignee/country", "importing country 'SG'"),
    ("vn-sg-coffee", _set("/transport/portOfDischarge", "XXSIN"), "/transport/portOfDischarge", "UN/LOCODE"),
    # domain: goods
    ("vn-sg-coffee", _set("/items/0/hsCode", "9901.11"), "/items/0/hsCode", "HS chapter"),
    (
        "vn-sg-coffee",
        _set("/items/0/originCriterion", "WO + CTH"),
        "/items/0/originCriterion",
        "cannot be combined",
    ),
    (
        "vn-sg-coffee",
        _set("/items/0/originCriterion", "RVC 0%"),
        "/items/0/originCriterion",
        "between 1% and 100%",
    ),
    ("vn-sg-coffee", _set("/items/0/originCriterion", "CTH + CTH"), "/items/0/originCriterion", "twice"),
    ("vn-sg-coffee", _set("/items/0/originCriterion", "RVC 40% + CTSH"), "/items/0/fobValue", "RVC"),
    ("th-my-autoparts", _delete("/items/0/fobValue"), "/items/0/fobValue", "RVC"),
    (
        "th-my-autoparts",
        _set("/items/0/fobValue/amount", "0.00"),
        "/items/0/fobValue/amount",
        "greater than zero",
    ),
    ("th-my-autoparts", _set("/items/1/itemNumber", 3), "/items/1/itemNumber", "must be 2"),
    ("th-my-autoparts", _set("/items/0/itemNumber", 2), "/items/0/itemNumber", "must be 1"),
    ("vn-sg-coffee", _set("/items/0/quantity/value", 1.0005), "/items/0/quantity/value", "three decimals"),
    (
        "vn-sg-coffee",
        _both(_delete("/items/0/quantity"), _delete("/items/0/grossWeightKg")),
        "/items/0/quantity",
        "gross weight",
    ),
    # domain: dates
    ("vn-sg-coffee", _set("/declaration/date", "2026-02-30"), "/declaration/date", "not a calendar date"),
    ("vn-sg-coffee", _set("/items/0/invoice/date", "2026-11-18T00"), "/items/0/invoice/date", "YYYY-MM-DD"),
    (
        "vn-sg-coffee",
        _set("/items/0/invoice/date", "2026-11-19"),
        "/items/0/invoice/date",
        "declaration date",
    ),
    ("vn-sg-coffee", _set("/declaration/date", "2026-11-20"), "/declaration/date", "certification date"),
    # domain: box 13 against its details
    ("vn-sg-coffee", _set("/flags/thirdCountryInvoicing", True), "/thirdCountryInvoice", "required when"),
    ("th-my-autoparts", _set("/flags/thirdCountryInvoicing", False), "/thirdCountryInvoice", "only allowed"),
    (
        "th-my-autoparts",
        _set("/thirdCountryInvoice/country", "QQ"),
        "/thirdCountryInvoice/country",
        "ISO 3166-1",
    ),
    ("id-ph-palm-oil", _set("/flags/backToBack", False), "/backToBackOf", "only allowed"),
    ("id-ph-palm-oil", _delete("/backToBackOf"), "/backToBackOf", "required when"),
    ("id-ph-palm-oil", _set("/backToBackOf/issuedIn", "ID"), "/backToBackOf/issuedIn", "another member"),
    ("id-ph-palm-oil", _set("/backToBackOf/issuedIn", "AU"), "/backToBackOf/issuedIn", "not an ASEAN member"),
]


@pytest.mark.parametrize(
    ("name", "change", "pointer", "words"),
    SINGLE_RULES,
    ids=[f"{pointer} {words}" for _, _, pointer, words in SINGLE_RULES],
)
def test_one_broken_rule_gives_one_error_at_its_pointer(
    name: str, change: Change, pointer: str, words: str
) -> None:
    doc = sample(name)
    change(doc)
    errors = errors_of(doc, context_for(sample(name)))
    assert [error["pointer"] for error in errors] == [pointer]
    assert words in errors[0]["message"]


def test_importing_country_must_be_in_the_consortium_when_known() -> None:
    doc = sample("vn-sg-coffee")
    ctx = context_for(doc, members=frozenset({"VN", "TH"}))
    errors = errors_of(doc, ctx)
    assert errors == [
        {
            "pointer": "/importingCountry",
            "message": "the importing country 'SG' is not a current member of the consortium",
        }
    ]


def test_certification_in_the_future_is_refused() -> None:
    doc = sample("th-my-autoparts")
    assert pointers_of(doc, context_for(doc, today=dt.date(2026, 11, 19))) == ["/certification/date"]


# --- retroactive issue ------------------------------------------------------------------------------------


def _certified_after_departure(days: int, retroactive: bool) -> dict[str, Any]:
    doc = sample("vn-sg-coffee")
    departed = dt.date(2025, 11, 1)
    doc["transport"]["departureDate"] = departed.isoformat()
    certified = (departed + dt.timedelta(days=days)).isoformat()
    doc["certification"]["date"] = doc["declaration"]["date"] = doc["items"][0]["invoice"]["date"] = certified
    doc["flags"]["issuedRetroactively"] = retroactive
    return doc


def test_certified_after_departure_must_be_flagged_retroactive() -> None:
    doc = _certified_after_departure(days=3, retroactive=False)
    errors = errors_of(doc)
    assert [error["pointer"] for error in errors] == ["/flags/issuedRetroactively"]
    assert "must be true" in errors[0]["message"]


def test_retroactive_issue_within_the_window_is_accepted() -> None:
    doc = _certified_after_departure(days=365, retroactive=True)
    validate_document(doc, context_for(doc))


def test_retroactive_issue_beyond_the_window_is_refused() -> None:
    doc = _certified_after_departure(days=366, retroactive=True)
    errors = errors_of(doc)
    assert [error["pointer"] for error in errors] == ["/certification/date"]
    assert "within 365 days" in errors[0]["message"]
    validate_document(doc, context_for(doc, retroactive_days=400))


def test_retroactive_flag_without_late_certification_is_refused() -> None:
    doc = sample("vn-sg-coffee")
    doc["flags"]["issuedRetroactively"] = True
    errors = errors_of(doc)
    assert [error["pointer"] for error in errors] == ["/flags/issuedRetroactively"]
    assert "must be false" in errors[0]["message"]


# --- many at once -----------------------------------------------------------------------------------------


def test_every_problem_is_reported_at_once_in_pointer_order() -> None:
    doc = sample("th-my-autoparts")
    doc["issuedIn"] = "VN"  # not this node's member (and then not the exporter's country either)
    doc["surplus"] = 1  # unknown field
    del doc["consignee"]["address"]  # missing field
    doc["items"][0]["hsCode"] = "9901.11"  # not an HS chapter
    del doc["items"][0]["fobValue"]  # RVC without FOB value
    doc["items"][1]["itemNumber"] = 7  # out of sequence
    doc["items"][1]["packages"]["count"] = -3  # not positive
    doc["certification"]["date"] = "2026-12-01"  # future, and after departure without the flag
    ctx = context_for(sample("th-my-autoparts"))
    assert pointers_of(doc, ctx) == [
        "/certification/date",
        "/consignee/address",
        "/exporter/country",
        "/flags/issuedRetroactively",
        "/issuedIn",
        "/items/0/fobValue",
        "/items/0/hsCode",
        "/items/1/itemNumber",
        "/items/1/packages/count",
        "/referenceNumber",  # TH-BKK-... is not in VN's series
        "/surplus",
    ]


def test_indexes_sort_as_numbers() -> None:
    doc = sample("th-my-autoparts")
    item = doc["items"][1]
    doc["items"] = [{**item, "itemNumber": n} for n in range(1, 12)]
    doc["items"][10]["hsCode"] = "9901.11"
    doc["items"][2]["hsCode"] = "9901.11"
    assert pointers_of(doc) == ["/items/2/hsCode", "/items/10/hsCode"]


def test_a_field_the_schema_refused_is_not_reported_twice() -> None:
    doc = sample("vn-sg-coffee")
    doc["importingCountry"] = "sg"  # wrong shape: the schema says so, the membership rule stays quiet
    errors = errors_of(doc)
    assert len(errors) == 1
    assert "ISO 3166-1" in errors[0]["message"]


def test_rules_read_defensively_when_whole_sections_have_the_wrong_type() -> None:
    doc = sample("vn-sg-coffee")
    doc["transport"] = "by sea"
    doc["items"] = [5, None]
    doc["flags"] = []
    doc["certification"] = {"date": 20261119}
    assert pointers_of(doc) == [
        "/certification/authority",
        "/certification/date",
        "/certification/place",
        "/flags",
        "/items/0",
        "/items/1",
        "/transport",
    ]
