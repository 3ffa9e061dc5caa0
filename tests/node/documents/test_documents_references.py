"""References and declaration numbers in one canonical form: what is compared, hashed and claimed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from origo_node.documents import document_id, references, validate_document
from origo_node.documents.references import canonical, canonical_declaration, canonical_reference
from origo_node.hashing import keccak256

from tests.node.documents._samples import context_for, sample


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("VN-HCM-2026 -W0104", "VN-HCM-2026-W0104"),
        ("vn-hcm-2026-w0104", "VN-HCM-2026-W0104"),
        ("  VN - HCM-2026-W0104\t", "VN-HCM-2026-W0104"),
        ("VN  HCM  2026", "VN HCM 2026"),  # a space inside stays one space: it is part of the reference
        ("vn/hcm . 2026", "VN/HCM.2026"),
    ],
)
def test_a_reference_typed_loosely_is_the_one_reference(typed: str, meant: str) -> None:
    assert canonical_reference(typed) == meant
    assert document_id("VN", typed) == document_id("VN", meant)


def test_declarations_compare_as_people_mean_them() -> None:
    assert {canonical_declaration(d) for d in ("SG-D1", " SG-D1", "sg-d1", "SG - D1 ")} == {"SG-D1"}


@pytest.mark.parametrize("name", ["vn-sg-coffee", "my-th-gloves", "th-my-autoparts", "id-ph-palm-oil"])
def test_the_samples_keep_their_ids(name: str) -> None:
    # The id every node computed before the canonical form was hashed: keccak256("origo:ISSUER:REFERENCE").
    doc = sample(name)
    before = keccak256(f"origo:{doc['issuedIn']}:{doc['referenceNumber'].strip().upper()}".encode())
    assert document_id(doc["issuedIn"], doc["referenceNumber"]) == before


def test_an_issued_reference_is_kept_in_its_canonical_form() -> None:
    doc = sample("vn-sg-coffee")
    doc["referenceNumber"] = " vn-hcm-2026 - 004512 "
    validated = validate_document(doc, context_for(doc))
    assert validated.facts.reference == "VN-HCM-2026-004512"


@given(st.text(alphabet="abcXYZ019 -/._\t", max_size=40))
def test_the_canonical_form_is_stable_and_ignores_case_and_blanks(text: str) -> None:
    once = canonical(text)
    assert canonical(once) == once
    assert canonical(text.lower()) == canonical(text.upper()) == once
    assert canonical(f"  {text}\t") == once
    assert "  " not in once and once == once.strip()
    for separator in "-/.":
        assert f" {separator}" not in once and f"{separator} " not in once


def test_a_long_text_is_put_in_canonical_form_the_same_way_without_being_kept() -> None:
    long = "vn-hcm-2026 - " + "w" * 500
    assert canonical(long) == "VN-HCM-2026-" + "W" * 500
    before = references._cached.cache_info().currsize
    canonical(long + " x")
    assert references._cached.cache_info().currsize == before  # what anyone may send is not cached
