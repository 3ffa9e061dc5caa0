"""Reading a document's members as the kind each must be (``documents.json_value``)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from origo_node.documents.json_value import Fields, JsonObject, ShapeError
from origo_node.services.risk.views import view_of

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _sample(name: str) -> JsonObject:
    loaded: JsonObject = json.loads((SAMPLES / name).read_text(encoding="utf-8"))
    return loaded


def test_members_are_read_as_their_kind() -> None:
    doc = Fields(
        {
            "ref": "A-1",
            "n": 3,
            "none": None,
            "party": {"name": "X"},
            "items": [{"k": 1}],
            "flags": {"a": True, "b": False},
        }
    )
    assert doc.text("ref") == "A-1"
    assert doc.integer("n") == 3
    assert doc.optional_text("none") is None and doc.optional_text("absent") is None
    assert doc.fields("party").text("name") == "X"
    assert doc.optional_fields("absent") is None
    assert [item.integer("k") for item in doc.each("items")] == [1]
    assert doc.each("absent") == []
    assert doc.fields("flags").ticked() == frozenset({"a"})
    assert doc.value("absent") is None


@pytest.mark.parametrize(
    ("read", "where"),
    [
        (lambda d: d.text("n"), "/n"),
        (lambda d: d.integer("ref"), "/ref"),
        (lambda d: d.integer("yes"), "/yes"),  # a boolean is no integer, though Python says it is an int
        (lambda d: d.fields("ref"), "/ref"),
        (lambda d: d.fields("absent"), "/absent"),
        (lambda d: d.each("party"), "/party"),
        (lambda d: d.each("items")[0].text("k"), "/items/0/k"),
        (lambda d: d.each("mixed"), "/mixed/1"),
        (lambda d: d.fields("party").text("a/b"), "/party/a~1b"),
    ],
)
def test_a_member_of_another_kind_is_named_by_its_pointer(read, where: str) -> None:
    doc = Fields(
        {"ref": "A-1", "n": 3, "yes": True, "party": {"a/b": 1}, "items": [{"k": 1}], "mixed": [{}, 2]}
    )
    with pytest.raises(ShapeError) as caught:
        read(doc)
    assert caught.value.where == where
    assert isinstance(caught.value, ValueError)  # what the readers of documents already catch


@pytest.mark.parametrize(
    "sample", ["form-d/vn-sg-coffee.json", "manifest/vn-sg-vessel.json", "acdd/vn-sg-coffee.json"]
)
def test_a_risk_view_of_a_document_its_schema_refuses_is_a_shape_error(sample: str) -> None:
    doc = _sample(sample)
    assert view_of("VN:0x01", doc) is not None
    broken = copy.deepcopy(doc)
    broken["referenceNumber"] = (
        42  # signed and anchored so by a hostile issuer: no schema of its type allows it
    )
    with pytest.raises(ShapeError, match="/referenceNumber is not a string"):
        view_of("VN:0x01", broken)
