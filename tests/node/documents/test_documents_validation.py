"""The entry point: what stops validation early, and what ``ValidationFailed`` carries."""

from __future__ import annotations

import math
from typing import Any

import pytest
from origo_node.documents import ValidatedDocument, canonical_bytes, validate_document
from origo_node.errors import ValidationFailed

from ._samples import context_for, errors_of, sample


@pytest.mark.parametrize("doc", [[], "text", 42, None, 1.5, True])
def test_anything_but_an_object_is_refused(doc: Any) -> None:
    assert errors_of(doc) == [{"pointer": "", "message": "must be a JSON object"}]


def test_validation_failed_is_a_422_with_a_message() -> None:
    with pytest.raises(ValidationFailed) as raised:
        validate_document([], context_for({"issuedIn": "VN"}))
    assert raised.value.status == 422
    assert raised.value.message


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"type": "phyto-certificate"}, [("/type", "unknown type 'phyto-certificate'")]),
        ({"version": "2"}, [("/version", "atiga-form-d has versions 1")]),
        ({"version": 1}, [("/version", "as a string")]),
        ({"type": None, "version": None}, [("/type", "required"), ("/version", "required")]),
    ],
)
def test_type_and_version_must_be_known(changes: dict[str, Any], errors: list[tuple[str, str]]) -> None:
    doc = sample("vn-sg-coffee")
    doc.update(changes)
    found = errors_of({key: value for key, value in doc.items() if value is not None})
    assert [error["pointer"] for error in found] == [pointer for pointer, _ in errors]
    for error, (_, words) in zip(found, errors, strict=True):
        assert words in error["message"]


def test_values_outside_i_json_are_reported_before_anything_else() -> None:
    doc = sample("vn-sg-coffee")
    doc["items"][0]["grossWeightKg"] = math.nan
    doc["items"][0]["packages"]["count"] = 2**70
    assert sorted(error["pointer"] for error in errors_of(doc)) == [
        "/items/0/grossWeightKg",
        "/items/0/packages/count",
    ]


def test_a_document_over_the_size_limit_gives_a_single_error() -> None:
    doc = sample("vn-sg-coffee")
    size = len(canonical_bytes(doc))
    validate_document(doc, context_for(doc, max_bytes=size))
    doc["items"][0]["description"] = "x" * 5000  # also too long for the schema: the size is reported alone
    errors = errors_of(doc, context_for(doc, max_bytes=size))
    assert len(errors) == 1
    assert errors[0]["pointer"] == ""
    assert f"at most {size}" in errors[0]["message"]


def test_the_default_size_limit_is_256_kib() -> None:
    doc = sample("vn-sg-coffee")
    doc["padding"] = "x" * (256 * 1024)
    errors = errors_of(doc)
    assert [error["pointer"] for error in errors] == [""]


def test_a_validated_document_carries_its_type_facts_and_canonical_bytes() -> None:
    doc = sample("th-my-autoparts")
    validated = validate_document(doc, context_for(doc))
    assert isinstance(validated, ValidatedDocument)
    assert validated.doc_type.version == "1"
    assert validated.facts.reference == "TH-BKK-2026-118240"
    assert validated.canonical == canonical_bytes(doc)


def test_pointers_escape_slashes_and_tildes() -> None:
    doc = sample("vn-sg-coffee")
    doc["a/b~c"] = 1
    assert errors_of(doc) == [{"pointer": "/a~1b~0c", "message": "unknown field"}]
