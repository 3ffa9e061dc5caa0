"""The typed status (services/document_status.py): frozen, shown otherwise only by a changed copy, and its
JSON the API's answer (the bytes themselves are pinned by tests/node/api/test_answers_golden.py)."""

from __future__ import annotations

import dataclasses
import json

import pytest
from origo_api.answers import DocumentStatus as DocumentStatusAnswer
from origo_api.states import Verdict
from origo_node.documents import document_id
from origo_node.services.document_status import Replacement
from origo_node.services.lifecycle import derive_status
from origo_node.services.status import reveal_reference
from origo_node.services.status_answers import ListedDocument, PayloadCheck
from origo_node.services.verdict import Checks, VerificationOutcome
from pydantic import BaseModel
from test_lifecycle import NOW, accepted, doc, event


def full_status() -> object:
    """A certificate with every part a status can have: claims, a verification answered, a rejection."""
    events = [
        accepted((0, 4_000), declaration="SG-IMP-1"),
        event("verification_requested", reason="origin?"),
        event("verification_answered", confirmed=False, reason="no such producer"),
        event("rejected", reasonCode=3, reason="other goods"),
    ]
    return derive_status(doc(19_200), events, "0x" + "77" * 32, NOW)


def test_a_status_is_frozen() -> None:
    status = derive_status(doc(19_200), [], None, NOW)
    with pytest.raises(dataclasses.FrozenInstanceError):
        status.state = "revoked"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        status.anchor.block = 1  # type: ignore[misc,union-attr]


def test_revealing_to_someone_holding_only_the_id_leaves_the_services_status_as_it_was() -> None:
    reference = "VN-HCM-2026-000001"
    row = dataclasses.replace(doc(19_200), document_id="0x" + document_id("VN", reference).hex())
    status = dataclasses.replace(derive_status(row, [], None, NOW), reference=reference)
    shown = reveal_reference(status, status.document_id, insider=False)
    assert shown.reference is None
    assert status.reference == "VN-HCM-2026-000001"  # the status service's answer is untouched
    assert reveal_reference(status, status.document_id, insider=True) is status
    by_reference = reveal_reference(status, "VN:VN-HCM-2026-000001", insider=False)
    assert by_reference.reference == "VN-HCM-2026-000001"


def test_the_json_is_the_apis_answer_with_every_part_in_place() -> None:
    shown = full_status().answer().model_dump(mode="json")  # type: ignore[attr-defined]
    answer = DocumentStatusAnswer.model_validate(shown)
    assert list(shown)[:3] == ["document_id", "reference", "shared_reference"]
    assert answer.state == "rejected" and shown["supersedes"] == "0x" + "77" * 32
    assert shown["rejection"] == {
        "reason_code": 3,
        "label": "goods do not match the certificate",
        "reason": "other goods",
        "block": shown["rejection"]["block"],
        "tx": "0x" + "66" * 32,
        "at": "2027-01-15T07:59:00Z",
    }
    assert shown["verification"]["state"] == "not_confirmed"
    assert shown["verification"]["request_reason"] == "origin?"
    assert shown["utilisations"][0]["claims"] == [
        {"item": 1, "unit": "KGM", "quantity": "4.000", "remaining": "15.200"}
    ]
    assert "superseded_by_reference" not in shown  # only a verification that carried the reference shows it


def _json(answer: BaseModel) -> str:
    return answer.model_dump_json()


def test_a_member_sent_only_sometimes_is_absent_until_set_and_then_sent_even_as_null() -> None:
    status = derive_status(doc(19_200), [], None, NOW)
    assert "superseded_by_reference" not in _json(status.answer())
    for known in ("VN-HCM-2026-000002", None):
        shown = json.loads(_json(dataclasses.replace(status, replacement=Replacement(known)).answer()))
        assert list(shown)[-1] == "superseded_by_reference" and shown["superseded_by_reference"] == known
    # A work list shows the payload check of an anchored document (null: not read yet), none for the others.
    checked = PayloadCheck(state="ok", detail=None, checked_at=None)
    listed = [
        ListedDocument(status=status, payload_check=checked),
        ListedDocument(status=status, payload_check=None),
        ListedDocument(status=status, with_payload_check=False),
    ]
    shown = [json.loads(_json(one.answer())) for one in listed]
    assert shown[0]["payload_check"] == {"state": "ok", "detail": None, "checked_at": None}
    assert "payload_check" in shown[1] and shown[1]["payload_check"] is None
    assert "payload_check" not in shown[2]
    assert [list(one)[-1] for one in shown[:2]] == ["payload_check", "payload_check"]


def test_a_verification_says_why_nothing_was_found_only_when_nothing_was() -> None:
    found = VerificationOutcome(
        verdict=Verdict.VALID,
        document_id="0x" + "ab" * 32,
        reference=None,
        issuer="VN",
        importer="SG",
        checks=Checks(anchored=False, anchored_facts=True),
        status=None,
        message="",
    )
    shown = json.loads(_json(found.answer()))
    assert "unknown_reason" not in shown
    assert shown["checks"]["anchored_facts"] is None  # only an anchored document's file is compared
    unknown = dataclasses.replace(found, verdict=Verdict.UNKNOWN, unknown_reason="no_such_id")
    assert json.loads(_json(unknown.answer()))["unknown_reason"] == "no_such_id"


def test_a_document_of_a_type_this_node_does_not_know_has_a_status_without_type_or_version() -> None:
    # Another member's newer document type: the manifest gave no type this node knows of, so neither is shown.
    row = dataclasses.replace(doc(19_200), type_name=None, type_version=None)
    shown = derive_status(row, [], None, NOW).answer().model_dump(mode="json")
    assert (shown["type"], shown["version"]) == (None, None)
    assert DocumentStatusAnswer.model_validate(shown).state == "valid"
