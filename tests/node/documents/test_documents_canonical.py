"""Canonical bytes, digest and ids: the values every node must compute alike."""

from __future__ import annotations

import hashlib
import json
import math
import random
from typing import Any

import pytest
import rfc8785
from eth_utils.crypto import keccak
from hypothesis import given, settings
from hypothesis import strategies as st
from origo_node.documents import canonical_bytes, digest, document_id, type_id
from origo_node.errors import ValidationFailed

from ._samples import sample


def test_canonical_form_sorts_keys_and_drops_whitespace() -> None:
    assert canonical_bytes({"b": [1, 2.50, "é"], "a": {"y": None, "x": True}}) == (
        b'{"a":{"x":true,"y":null},"b":[1,2.5,"\xc3\xa9"]}'
    )


def test_digest_is_sha256_of_the_canonical_bytes() -> None:
    doc = sample("vn-sg-coffee")
    assert digest(doc) == hashlib.sha256(canonical_bytes(doc)).digest()
    assert len(digest(doc)) == 32


def test_document_id_ignores_case_and_surrounding_blanks_of_the_reference() -> None:
    expected = keccak(b"origo:VN:VN-HCM-2026-004512")
    assert document_id("VN", "VN-HCM-2026-004512") == expected
    assert document_id("VN", "  vn-hcm-2026-004512 ") == expected
    assert document_id("SG", "VN-HCM-2026-004512") != expected
    assert len(expected) == 32


def test_type_id_is_keccak_of_name_and_version() -> None:
    assert type_id("atiga-form-d", "1") == keccak(b"atiga-form-d/1")
    assert type_id("atiga-form-d", "2") != type_id("atiga-form-d", "1")


json_scalars = st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(max_size=8)
json_values = st.recursive(
    json_scalars | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)


def _shuffled(value: Any, rng: random.Random) -> Any:
    if isinstance(value, dict):
        keys = list(value)
        rng.shuffle(keys)
        return {key: _shuffled(value[key], rng) for key in keys}
    if isinstance(value, list):
        return [_shuffled(item, rng) for item in value]
    return value


@settings(max_examples=60)
@given(
    st.dictionaries(st.text(max_size=6), json_values, max_size=6), st.randoms(), st.sampled_from([None, 1, 4])
)
def test_digest_ignores_key_order_and_whitespace(
    doc: dict[str, Any], rng: random.Random, indent: int | None
) -> None:
    rewritten = json.dumps(_shuffled(doc, rng), indent=indent, separators=None if indent else (" , ", " : "))
    assert digest(json.loads(rewritten)) == digest(doc)


def test_digest_of_a_sample_survives_reformatting() -> None:
    doc = sample("th-my-autoparts")
    reordered = dict(reversed(list(doc.items())))
    assert digest(json.loads(json.dumps(reordered, indent=3))) == digest(doc)


@pytest.mark.parametrize(
    ("doc", "pointer"),
    [
        ({"a": math.nan}, "/a"),
        ({"a": [1, math.inf]}, "/a/1"),
        ({"n": 2**53}, "/n"),
        ({"n": -(2**60)}, "/n"),
        ({"s": "\ud800"}, "/s"),
        ({"a/b": {"~": object()}}, "/a~1b/~0"),
        ({1: "x"}, ""),
        ({"d": {1, 2}}, "/d"),
    ],
)
def test_values_outside_i_json_are_refused_with_their_pointer(doc: Any, pointer: str) -> None:
    with pytest.raises(ValidationFailed) as raised:
        canonical_bytes(doc)
    assert [error["pointer"] for error in raised.value.errors] == [pointer]


def test_every_non_json_value_is_reported() -> None:
    with pytest.raises(ValidationFailed) as raised:
        canonical_bytes({"a": math.nan, "b": [2**64], "c": "fine"})
    assert [error["pointer"] for error in raised.value.errors] == ["/a", "/b/0"]


def test_deep_nesting_is_refused_without_exhausting_the_stack() -> None:
    deep: Any = "bottom"
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(ValidationFailed) as raised:
        canonical_bytes({"deep": deep})
    assert "nested deeper" in raised.value.errors[0]["message"]


# Values of every kind the walk must judge, the hostile ones included: huge integers, NaN, lone surrogates,
# non-string keys, other Python types, and nesting around the depth limit.
_any_scalars = (
    json_scalars
    | st.integers()
    | st.floats()
    | st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=2)
    | st.just(b"bytes")
)
_any_values = st.recursive(
    _any_scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=4) | st.integers(0, 3), inner, max_size=3)
    ),
    max_leaves=12,
)


def _nested(value: Any, depth: int) -> Any:
    for _ in range(depth):
        value = [value]
    return value


@settings(max_examples=500)
@given(_any_values, st.sampled_from([0, 30, 31, 32, 33]))
def test_the_quick_test_never_passes_what_the_full_walk_refuses(value: Any, depth: int) -> None:
    from origo_node.documents.canonical import _UNSURE, _non_ijson_values, _scan

    doc = _nested(value, depth)
    problems = list(_non_ijson_values(doc, "", 0))
    if _scan(doc, 0) != _UNSURE:
        assert problems == []
    elif depth < 30:
        assert problems, "below the depth limit the quick test refuses only what the walk refuses"


# Strings of every kind (control characters, quotes, non-BMP, U+2028) under ASCII keys: what orjson writes.
_plain_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=6), inner, max_size=4)
    ),
    max_leaves=25,
)


_fractions = st.floats(allow_nan=False, allow_infinity=False) | st.floats(min_value=1e-7, max_value=1e-4)


@settings(max_examples=400)
@given(_plain_values | json_values | st.lists(_fractions | st.integers(-5, 5).map(float), max_size=6))
def test_the_fast_canonical_form_is_the_reference_one(doc: Any) -> None:
    """canonical_bytes writes most documents with orjson; every node must still hash what RFC 8785's reference
    implementation writes, for any document, whichever way it was written."""
    assert canonical_bytes(doc) == rfc8785.dumps(doc)


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        # UTF-16 order puts U+1F600 (a surrogate pair, D83D...) before U+FFFF; UTF-8 bytes put it after.
        ({"\uffff": 1, "\U0001f600": 2}, '{"\U0001f600":2,"\uffff":1}'),
        (
            {"n": [1.0, 1e21, 0.1, -0.0, 1e-7, 4e-6, 1e16]},
            '{"n":[1,1e+21,0.1,0,1e-7,0.000004,10000000000000000]}',
        ),
        ({"b": "\x7f\u2028\x1f", "a": '"\\/'}, '{"a":"\\"\\\\/","b":"\x7f\u2028\\u001f"}'),
    ],
)
def test_what_only_the_reference_writes_right_is_written_by_it(doc: Any, expected: str) -> None:
    assert canonical_bytes(doc) == expected.encode() == rfc8785.dumps(doc)
