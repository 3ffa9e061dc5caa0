"""The shared samples pass as they are, give the facts the chain needs, and match the published schemas."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from typing import Any

import pytest
from eth_utils.crypto import keccak
from jsonschema import Draft202012Validator
from origo_node.documents import (
    DocumentType,
    all_types,
    digest,
    get_type,
    register_type,
    type_id,
    validate_document,
)
from origo_node.documents.form_d import FormD
from origo_node.errors import NotFound, ValidationFailed

from ._samples import ACDD_SAMPLES, FORM_D_SAMPLES, MANIFEST_SAMPLES, SAMPLES, context_for, sample

ALL_SAMPLES = FORM_D_SAMPLES + MANIFEST_SAMPLES + ACDD_SAMPLES


def test_the_samples_are_where_the_tests_look() -> None:
    found = {
        f"acdd/{path.stem}" if path.parent.name == "acdd" else path.stem for path in SAMPLES.glob("*/*.json")
    }
    assert found == set(ALL_SAMPLES)


SHARED = SAMPLES.parents[2] / "shared" / "samples"


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/samples is not beside this clone")
def test_the_repository_copy_is_the_shared_samples() -> None:
    shared = {p.relative_to(SHARED): p.read_bytes() for p in SHARED.glob("*/*.json")}
    copied = {p.relative_to(SAMPLES): p.read_bytes() for p in SAMPLES.glob("*/*.json")}
    # Every shared sample, unchanged; the repository adds its own (tests/samples/README.md lists them).
    assert {path: copied.get(path) for path in shared} == shared


@pytest.mark.parametrize("name", ALL_SAMPLES)
def test_every_sample_is_accepted(name: str) -> None:
    doc = sample(name)
    validated = validate_document(doc, context_for(doc))
    assert validated.doc == doc
    assert validated.doc_type.name == doc["type"]
    assert validated.digest == digest(doc)


@pytest.mark.parametrize("name", ALL_SAMPLES)
def test_samples_are_accepted_without_knowing_the_consortium(name: str) -> None:
    doc = sample(name)
    validate_document(doc, context_for(doc, members=None))


def test_facts_of_the_coffee_certificate() -> None:
    doc = sample("vn-sg-coffee")
    facts = validate_document(doc, context_for(doc)).facts
    assert facts.doc_type == "atiga-form-d"
    assert facts.version == "1"
    assert facts.type_id == keccak(b"atiga-form-d/1") == type_id("atiga-form-d", "1")
    assert facts.reference == "VN-HCM-2026-004512"
    assert (facts.issuer, facts.importer) == ("VN", "SG")
    assert facts.issued_on == dt.date(2026, 11, 19)
    # Valid through 19 November 2027, i.e. until midnight UTC starting the 20th.
    assert facts.expires_at == int(dt.datetime(2027, 11, 20, tzinfo=dt.UTC).timestamp())
    assert (facts.quantities, facts.quantity_units) == ((19_200_000,), ("KGM",))
    (leg,) = facts.transport
    assert leg.vessel_or_flight == "MSC ISABELLA V.2647S"
    assert (leg.port_of_loading, leg.port_of_discharge) == ("VNSGN", "SGSIN")
    assert leg.departure_date == dt.date(2026, 11, 20)
    assert leg.transport_documents == ("MEDUVN264700123",)
    assert leg.hs_subheadings == ("090111",)


def test_facts_keep_each_item_apart_even_in_one_unit() -> None:
    # Claims name an item: 8,000 brake pads and 960 callipers are two quantities, not 8,960 of anything.
    doc = sample("th-my-autoparts")
    facts = validate_document(doc, context_for(doc)).facts
    assert (facts.quantities, facts.quantity_units) == ((8_000_000, 960_000), ("PCE", "PCE"))
    assert facts.transport[0].hs_subheadings == ("870830", "870880")


def test_decimal_quantities_are_counted_in_exact_thousandths() -> None:
    doc = sample("th-my-autoparts")
    doc["items"][0]["quantity"] = {"value": 0.1, "unit": "KGM"}
    doc["items"][1]["quantity"] = {"value": 1e12, "unit": "KGM"}  # the schema's largest
    facts = validate_document(doc, context_for(doc)).facts
    assert facts.quantities == (100, 10**15)


def test_facts_give_each_item_its_own_unit_and_none_where_it_has_no_quantity() -> None:
    doc = sample("th-my-autoparts")
    doc["items"][0]["quantity"] = {"value": 12000, "unit": "PR"}
    doc["items"].append({**doc["items"][1], "itemNumber": 3})
    doc["items"][1]["quantity"] = {"value": 9000.5, "unit": "PCE"}
    doc["items"][2].pop("quantity")  # the gross weight alone: claimed only with the whole certificate
    facts = validate_document(doc, context_for(doc)).facts
    assert facts.quantities == (12_000_000, 9_000_500, 0)
    assert facts.quantity_units == ("PR", "PCE", None)


def _with_items(count: int) -> dict[str, Any]:
    doc = sample("th-my-autoparts")
    first = doc["items"][0]
    doc["items"] = [{**first, "itemNumber": n} for n in range(1, count + 1)]
    return doc


def test_a_certificate_of_256_items_is_accepted_with_a_quantity_for_each() -> None:
    doc = _with_items(256)
    facts = validate_document(doc, context_for(doc)).facts
    assert len(facts.quantities) == len(facts.quantity_units) == 256


def test_a_certificate_of_257_items_is_refused_in_words() -> None:
    doc = _with_items(257)
    with pytest.raises(ValidationFailed) as refused:
        validate_document(doc, context_for(doc))
    assert refused.value.errors == [
        {
            "pointer": "/items",
            "message": "must have at most 256 entries (it has 257): a certificate lists at most 256 items,"
            " the most an import claim can name one by one; split the goods over several certificates",
        }
    ]


def test_validity_follows_the_context_and_clamps_to_month_end() -> None:
    doc = sample("id-ph-palm-oil")
    doc["certification"]["date"] = doc["declaration"]["date"] = "2024-02-29"
    doc["items"][0]["invoice"]["date"] = "2024-02-28"
    doc["transport"]["departureDate"] = "2024-03-01"
    facts = validate_document(doc, context_for(doc, validity_months=12)).facts
    assert facts.expires_at == int(dt.datetime(2025, 3, 1, tzinfo=dt.UTC).timestamp())  # through 28 Feb 2025
    facts = validate_document(doc, context_for(doc, validity_months=6)).facts
    assert facts.expires_at == int(dt.datetime(2024, 8, 30, tzinfo=dt.UTC).timestamp())


def test_reference_is_stripped_in_the_facts() -> None:
    doc = sample("vn-sg-coffee")
    doc["referenceNumber"] = "  VN-HCM-2026-004512 "
    assert validate_document(doc, context_for(doc)).facts.reference == "VN-HCM-2026-004512"


def test_facts_of_the_manifest() -> None:
    doc = sample("vn-sg-vessel")
    facts = validate_document(doc, context_for(doc)).facts
    assert (facts.doc_type, facts.version) == ("fal-cargo-manifest", "1")
    assert facts.type_id == keccak(b"fal-cargo-manifest/1")
    assert facts.reference == "MSC-ISA-2647S-VNSGN"
    assert (facts.issuer, facts.importer) == ("VN", "SG")
    assert facts.issued_on == dt.date(2026, 11, 20)
    # A manifest is claimed whole: no item quantities at all.
    assert (facts.expires_at, facts.quantities, facts.quantity_units) == (0, (), ())
    assert [leg.transport_documents for leg in facts.transport] == [
        ("MEDUVN264700123",),
        ("MEDUVN264700188",),
    ]
    assert {leg.vessel_or_flight for leg in facts.transport} == {"MSC ISABELLA"}
    assert [leg.hs_subheadings for leg in facts.transport] == [("090111",), ("620520",)]


# --- the published schemas --------------------------------------------------------------------------------


def _validator(doc_type: DocumentType) -> Draft202012Validator:
    schema = doc_type.json_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_the_three_types_are_registered() -> None:
    assert [(t.name, t.version) for t in all_types()] == [
        ("asean-acdd", "1"),
        ("atiga-form-d", "1"),
        ("fal-cargo-manifest", "1"),
    ]
    assert get_type("atiga-form-d", "1").name == "atiga-form-d"
    with pytest.raises(NotFound):
        get_type("atiga-form-d", "9")


def test_a_name_and_version_register_once() -> None:
    with pytest.raises(ValueError, match="registered already"):
        register_type(FormD())


@pytest.mark.parametrize("name", ALL_SAMPLES)
def test_the_published_schema_accepts_the_samples(name: str) -> None:
    doc = sample(name)
    schema = get_type(doc["type"], doc["version"]).json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert list(_validator(get_type(doc["type"], doc["version"])).iter_errors(doc)) == []


def _every_key(value: Any, at: str = "") -> set[str]:
    """Every object member's path, with array indexes folded: "/items/*/hsCode"."""
    keys: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            keys.add(f"{at}/{key}")
            keys |= _every_key(item, f"{at}/{key}")
    elif isinstance(value, list):
        for item in value:
            keys |= _every_key(item, f"{at}/*")
    return keys


def _schema_keys(schema: dict[str, Any], at: str = "") -> set[str]:
    keys: set[str] = set()
    for key, sub in schema.get("properties", {}).items():
        keys.add(f"{at}/{key}")
        keys |= _schema_keys(sub, f"{at}/{key}")
    if "items" in schema:
        keys |= _schema_keys(schema["items"], f"{at}/*")
    return keys


@pytest.mark.parametrize("name", ALL_SAMPLES)
def test_every_field_of_the_samples_is_in_the_schema(name: str) -> None:
    doc = sample(name)
    assert _every_key(doc) <= _schema_keys(get_type(doc["type"], doc["version"]).json_schema())


def test_the_published_schema_rejects_a_broken_document() -> None:
    doc = sample("vn-sg-coffee")
    del doc["items"][0]["hsCode"]
    doc["transport"]["portOfLoading"] = "Saigon"
    doc["surprise"] = True
    errors = list(_validator(get_type("atiga-form-d", "1")).iter_errors(doc))
    assert {error.validator for error in errors} == {"required", "pattern", "additionalProperties"}


def test_the_published_schema_is_a_copy() -> None:
    doc_type = get_type("fal-cargo-manifest", "1")
    doc_type.json_schema()["properties"].clear()
    assert "vessel" in doc_type.json_schema()["properties"]


def test_the_published_schema_does_not_depend_on_the_process() -> None:
    script = (
        "import json; from origo_node.documents import all_types; "
        "print(json.dumps([t.json_schema() for t in all_types()], sort_keys=True))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={"PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1
    assert json.loads(outputs.pop())
