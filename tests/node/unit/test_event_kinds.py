"""Event kinds and document type names have one definition each, and everything that names them agrees."""

from __future__ import annotations

from origo_node.chain.artifacts import load_abi
from origo_node.chain.events import DOCUMENT_EVENTS, event_entitled
from origo_node.documents import all_types
from origo_node.documents.consignment_match import MANIFEST_TYPE
from origo_node.documents.event_kinds import CAUSED_BY, EventKind
from origo_node.documents.type_names import ACDD, CARGO_MANIFEST, FORM_D
from origo_node.notify.collect import _KINDS, EVENT_TYPES


def _document_events_of_the_registry() -> set[str]:
    abi = load_abi("DocumentRegistry")
    return {
        item["name"]
        for item in abi
        if item.get("type") == "event" and {i["name"] for i in item["inputs"]} >= {"documentId", "issuer"}
    }


def test_every_document_event_of_the_registry_has_a_kind_and_the_member_who_may_cause_it() -> None:
    assert set(DOCUMENT_EVENTS) == _document_events_of_the_registry()
    for kind, role in DOCUMENT_EVENTS.values():
        assert isinstance(kind, EventKind)
        assert role == CAUSED_BY[kind]
    assert {kind for kind, _ in DOCUMENT_EVENTS.values()} == set(EventKind) - {EventKind.ANCHORED}


def test_a_kind_equals_its_stored_text_so_string_comparisons_keep_working() -> None:
    assert EventKind.REVOKED == "revoked" and f"{EventKind.VERIFICATION_ANSWERED}" == "verification_answered"
    assert CAUSED_BY["revoked"] == "issuer"  # a kind read back from a row as plain text
    assert event_entitled("accepted", "SG", issuer="VN", importer="SG")
    assert not event_entitled("accepted", "VN", issuer="VN", importer="SG")
    assert event_entitled(EventKind.VERIFICATION_ANSWERED, "VN", issuer="VN", importer="SG")
    assert not event_entitled("revoked", "SG", issuer="VN", importer="SG")


def test_webhooks_name_every_document_event_kind() -> None:
    assert set(_KINDS) == {kind for kind, _ in DOCUMENT_EVENTS.values()}
    assert len(EVENT_TYPES) == len(set(EVENT_TYPES)) == len(EventKind)


def test_the_built_in_types_take_their_names_from_one_place() -> None:
    assert {t.name for t in all_types()} == {FORM_D, CARGO_MANIFEST, ACDD}
    assert MANIFEST_TYPE == CARGO_MANIFEST
