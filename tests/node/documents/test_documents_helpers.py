"""Small helpers: JSON pointers and calendar arithmetic."""

from __future__ import annotations

import datetime as dt

import pytest
from origo_node.documents import pointer
from origo_node.documents.dates import add_months, end_of_day_utc, parse_date


def test_pointers_are_built_and_split_per_rfc_6901() -> None:
    assert pointer.join("", "items", 0, "hsCode") == "/items/0/hsCode"
    assert pointer.join("", "a/b", "m~n") == "/a~1b/m~0n"
    assert pointer.split("/a~1b/m~0n") == ["a/b", "m~n"]
    assert pointer.split("/~01") == ["~1"]  # "~0" first would wrongly give "/"
    assert pointer.split("") == []
    with pytest.raises(ValueError):
        pointer.split("items")


def test_resolve_never_raises() -> None:
    doc = {"items": [{"hsCode": "0901.11"}], "a/b": 1}
    assert pointer.resolve(doc, "/items/0/hsCode") == "0901.11"
    assert pointer.resolve(doc, "/a~1b") == 1
    assert pointer.resolve(doc, "") is doc
    for missing in ("/items/1/hsCode", "/items/x", "/items/0/hsCode/deeper", "/nothing", "/items/²"):
        assert pointer.resolve(doc, missing) is None


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (dt.date(2026, 11, 19), 12, dt.date(2027, 11, 19)),
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)),
        (dt.date(2026, 12, 15), 1, dt.date(2027, 1, 15)),
        (dt.date(2026, 3, 31), 6, dt.date(2026, 9, 30)),
    ],
)
def test_add_months(start: dt.date, months: int, end: dt.date) -> None:
    assert add_months(start, months) == end


def test_end_of_day_is_the_next_midnight_utc() -> None:
    assert end_of_day_utc(dt.date(1970, 1, 1)) == 86_400


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-11-19", dt.date(2026, 11, 19)),
        ("2026-02-30", None),
        ("20261119", None),
        ("2026-W47-4", None),
        ("2026-11-19T00:00", None),
        (20261119, None),
    ],
)
def test_parse_date_takes_only_calendar_dates(text: object, day: dt.date | None) -> None:
    assert parse_date(text) == day
