"""Each rule of the cargo manifest, broken on its own, is reported with its pointer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from origo_node.documents import validate_document

from ._samples import context_for, errors_of, pointers_of, sample

Change = Callable[[dict[str, Any]], None]


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


SINGLE_RULES: list[tuple[Change, str, str]] = [
    (_delete("/vessel/imoNumber"), "/vessel/imoNumber", "required"),
    (_set("/vessel/imoNumber", "9321484"), "/vessel/imoNumber", "check digit"),
    (_set("/vessel/imoNumber", "IMO 9321483"), "/vessel/imoNumber", "7 digits"),
    (_set("/vessel/flag", "XX"), "/vessel/flag", "ISO 3166-1"),
    (_set("/vessel/tonnage", 1), "/vessel/tonnage", "unknown field"),
    (_set("/filedIn", "TH"), "/filedIn", "this node's member 'VN'"),
    (_set("/portOfLoading", "XXSGN"), "/portOfLoading", "UN/LOCODE"),
    (_set("/portOfDischarge", "CNSHA"), "/portOfDischarge", "ASEAN member"),
    (_set("/portOfDischarge", "VNHPH"), "/portOfDischarge", "differ from the issuing"),
    (_set("/arrivalDate", "2026-11-19"), "/arrivalDate", "before the departure date"),
    (_set("/departureDate", "2026-13-01"), "/departureDate", "calendar date"),
    (_set("/consignments", []), "/consignments", "at least 1"),
    (
        _set("/consignments/1/transportDocument", "meduvn264700123"),
        "/consignments/1/transportDocument",
        "another",
    ),
    (_set("/consignments/0/containers/0", "MSKU1234566"), "/consignments/0/containers/0", "ISO 6346"),
    (
        _set("/consignments/1/containers/1", "CMAU482913"),
        "/consignments/1/containers/1",
        "ISO 6346 container",
    ),
    (_set("/consignments/1/containers/1", "TGHU7654320"), "/consignments/1/containers", "same entry twice"),
    (_set("/consignments/0/shipper/country", "XX"), "/consignments/0/shipper/country", "ISO 3166-1"),
    (_set("/consignments/0/notifyParty/country", "XX"), "/consignments/0/notifyParty/country", "ISO 3166-1"),
    (_set("/consignments/0/hsCode", "9901.11"), "/consignments/0/hsCode", "HS chapter"),
    (_set("/consignments/0/grossWeightKg", 0), "/consignments/0/grossWeightKg", "greater than 0"),
    (_set("/consignments/0/packages/count", 0), "/consignments/0/packages/count", "at least 1"),
    (_set("/consignments/0/measurementM3", "28.5"), "/consignments/0/measurementM3", "number"),
]


@pytest.mark.parametrize(
    ("change", "pointer", "words"), SINGLE_RULES, ids=[f"{p} {w}" for _, p, w in SINGLE_RULES]
)
def test_one_broken_rule_gives_one_error_at_its_pointer(change: Change, pointer: str, words: str) -> None:
    doc = sample("vn-sg-vessel")
    change(doc)
    errors = errors_of(doc, context_for(sample("vn-sg-vessel")))
    assert [error["pointer"] for error in errors] == [pointer]
    assert words in errors[0]["message"]


def test_port_of_discharge_must_be_in_the_consortium_when_known() -> None:
    doc = sample("vn-sg-vessel")
    errors = errors_of(doc, context_for(doc, members=frozenset({"VN", "TH"})))
    assert [error["pointer"] for error in errors] == ["/portOfDischarge"]
    assert "not a current member" in errors[0]["message"]


def test_optional_parts_may_be_left_out() -> None:
    doc = sample("vn-sg-vessel")
    for part in ("master",):
        del doc[part]
    del doc["vessel"]["callSign"]
    del doc["carrier"]["code"]
    for consignment in doc["consignments"]:
        for key in ("notifyParty", "containers", "measurementM3"):
            del consignment[key]
    validate_document(doc, context_for(doc))


def test_departure_and_arrival_may_be_the_same_day_and_in_the_future() -> None:
    doc = sample("vn-sg-vessel")
    doc["departureDate"] = doc["arrivalDate"] = "2027-01-05"
    validate_document(doc, context_for(doc))


def test_several_problems_at_once() -> None:
    doc = sample("vn-sg-vessel")
    doc["vessel"]["imoNumber"] = "9321480"
    doc["consignments"][0]["containers"].append("MSKU1234560")
    doc["consignments"][1]["consignee"]["country"] = "XX"
    doc["arrivalDate"] = "2026-11-01"
    assert pointers_of(doc) == [
        "/arrivalDate",
        "/consignments/0/containers/1",
        "/consignments/1/consignee/country",
        "/vessel/imoNumber",
    ]
