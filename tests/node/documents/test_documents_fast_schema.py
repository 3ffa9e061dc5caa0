"""The compiled schema check in front of jsonschema never lets through what jsonschema refuses.

Every document type gets the fast check; a schema using anything the two could read differently gets none;
and for documents broken at random (hypothesis), validation with the fast check gives exactly the problems
it gives without it.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from origo_node.documents import all_types, get_type
from origo_node.documents.fast_schema import compile_fast_check

from ._samples import FORM_D_SAMPLES, MANIFEST_SAMPLES, context_for, sample

JSON_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=80),
    st.sampled_from(["", " ", "VN", "SG", "1", "WO", "RVC 40%", "2026-11-20", "ABCU1234560", "9074729"]),
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def test_every_document_type_has_the_fast_check() -> None:
    for doc_type in all_types():
        _, passes_fast = doc_type._validators()  # type: ignore[attr-defined]
        assert passes_fast is not None, doc_type.name


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "prefixItems": [{"type": "string"}]},
        {"type": "object", "properties": {"a": {"format": "date"}}},
        {"const": 1},
        {"enum": ["a", True]},
        {"type": "array", "uniqueItems": True, "items": {"type": "number"}},
        {"type": "array", "items": [{"type": "string"}]},
        {"type": "object", "properties": {"a": {"$ref": "#/$defs/x"}}, "$defs": {"x": {"type": "string"}}},
    ],
)
def test_a_schema_the_two_could_read_differently_gets_no_fast_check(schema: dict[str, Any]) -> None:
    assert compile_fast_check(schema) is None


def test_the_fast_check_refuses_what_it_should() -> None:
    schema = get_type("atiga-form-d", "1").json_schema()
    passes = compile_fast_check(schema)
    assert passes is not None
    doc = sample("vn-sg-coffee")
    assert passes(doc)
    doc["exporter"]["name"] = True
    assert not passes(doc)


def _paths(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [at]
    if isinstance(value, dict):
        for key, sub in value.items():
            found += _paths(sub, (*at, key))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            found += _paths(sub, (*at, index))
    return found


@st.composite
def broken_documents(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A sample's type name and the sample, broken in one to three places."""
    name = draw(st.sampled_from(FORM_D_SAMPLES + MANIFEST_SAMPLES))
    doc = sample(name)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(doc)[1:]))
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=8))] = draw(JSON_VALUES)
        else:
            parent[path[-1]] = draw(JSON_VALUES)
    return ("fal-cargo-manifest" if name in MANIFEST_SAMPLES else "atiga-form-d"), doc


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(broken_documents())
def test_with_or_without_the_fast_check_validation_finds_the_same_problems(
    broken: tuple[str, dict[str, Any]],
) -> None:
    type_name, doc = broken
    doc_type = get_type(type_name, "1")
    schema = doc_type.json_schema()
    passes = compile_fast_check(schema)
    assert passes is not None
    if passes(doc):
        assert list(Draft202012Validator(schema).iter_errors(doc)) == []
    ctx = context_for(doc if isinstance(doc.get("issuedIn", doc.get("filedIn")), str) else {"issuedIn": "VN"})
    with_fast = doc_type.validate(doc, ctx)
    slow = _without_fast_check(doc_type)
    assert with_fast == slow.validate(doc, ctx)


def _without_fast_check(doc_type: Any) -> Any:
    clone = object.__new__(type(doc_type))
    clone.__dict__.update(doc_type.__dict__)
    validator, _ = doc_type._validators()
    clone._compiled = (validator, None)
    return clone


def test_the_validators_are_compiled_at_the_first_validation_not_at_import() -> None:
    """A node's background process imports every type and never validates: it must not pay for compiling."""
    fresh = type(get_type("atiga-form-d", "1"))()
    assert fresh._compiled is None
    problems = fresh.validate({}, context_for({"issuedIn": "VN"}))
    assert problems, "an empty document has problems"
    assert fresh._compiled is not None
    validator = fresh._compiled[0]
    fresh.validate({}, context_for({"issuedIn": "VN"}))
    assert fresh._compiled[0] is validator, "compiled once"
