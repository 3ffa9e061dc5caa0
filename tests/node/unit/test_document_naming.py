"""A document is named by issuer and id: lookups, status and the index never mix two members' leaves."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from origo_node.chain.events import event_entitled
from origo_node.chain.fake import FakeChain
from origo_node.documents import document_id as derive_id
from origo_node.documents.event_fields import Claimed
from origo_node.errors import Conflict, NotFound
from origo_node.indexer.indexer import Indexer
from origo_node.members import MemberDirectory
from origo_node.payload import LocalPayloadStore
from origo_node.services.naming import DocumentKey
from origo_node.services.resolver import Resolver, parse
from origo_node.services.status import StatusService
from origo_node.store.db import Database
from origo_node.store.facts import NodeFacts
from origo_node.store.index import IndexRepository
from origo_node.store.outbox import OutboxRepository
from origo_node.store.rows import DocumentEvent, IndexedDocument
from support.anchored import store_anchored

REFERENCE = "VN-HCM-2026-000777"
DOC_ID = "0x" + derive_id("VN", REFERENCE).hex()
#: An outbox row's leaf as the node stores it (the leaf's JSON, the manifest's facts under "meta").
OUTBOX_LEAF = json.dumps(
    {
        "documentId": DOC_ID,
        "documentType": "0x" + "01" * 32,
        "digest": "0x" + "d1" * 32,
        "issuer": "VN",
        "importer": "SG",
        "issuedAt": 1,
        "expiresAt": 2,
        "quantities": ["1000"],
        "payloadCid": "0x" + "c1" * 32,
        "meta": {
            "type": "atiga-form-d",
            "version": "1",
            "quantity_units": ["KGM"],
            "recipients": ["VN", "SG"],
        },
    }
)
ZERO_ADDRESS = "0x" + "00" * 20


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return Database(tmp_path / "node.db")


def _document(db: Database, issuer: str, importer: str = "SG", block: int = 5) -> None:
    store_anchored(
        IndexRepository(db),
        IndexedDocument(
            document_id=DOC_ID,
            document_type="0x01",
            digest="0x02",
            issuer=issuer,
            importer=importer,
            issued_at=1,
            expires_at=0,
            quantities=(0,),
            payload_cid="bafy",
            signature="0x",
            signer="0x",
            root=f"0xroot{block}",
            block=block,
            tx_hash="0xtx",
            timestamp=1,
            type_name="atiga-form-d",
            type_version="1",
            quantity_units=(None,),
            recipients=(),
        ),
    )


def _event(
    db: Database, issuer: str, kind: str, member: str, log_index: int, fields: dict[str, object]
) -> None:
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO idx_events (block, log_index, tx_hash, document_id, issuer, kind, member, account,"
            " timestamp, fields) VALUES (7, ?, '0xtx', ?, ?, ?, ?, '0xacc', 2, ?)",
            (log_index, DOC_ID, issuer, kind, member, json.dumps(fields)),
        )


def _payload_check(db: Database, issuer: str, state: str, reference: str | None) -> None:
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO idx_payload_checks (issuer, document_id, state, reference) VALUES (?, ?, ?, ?)",
            (issuer, DOC_ID, state, reference),
        )


def _status_service(db: Database, member: str) -> StatusService:
    directory = MemberDirectory(FakeChain([]), NodeFacts(db))
    return StatusService(IndexRepository(db), OutboxRepository(db), directory, member)


def resolve(db: Database, document_id: str, own_member: str) -> DocumentKey:
    directory = MemberDirectory(FakeChain([]), NodeFacts(db))
    return Resolver(IndexRepository(db), OutboxRepository(db), directory, own_member).resolve(document_id)


def test_keys_that_name_the_issuer_are_taken_exactly() -> None:
    assert parse(f"TH:{DOC_ID.upper().replace('0X', '0x')}").key() == DOC_ID
    key = parse(f"th : {DOC_ID}").key()
    assert key.issuer == "TH" and key.qualified == f"TH:{DOC_ID}"
    by_reference = parse(f"VN:{REFERENCE}").key()
    assert (by_reference.issuer, str(by_reference)) == ("VN", DOC_ID)
    assert not parse(DOC_ID).named  # a bare id is looked up
    # A key keeps the reference it was given as, to be named back in those terms.
    assert (by_reference.named, key.named) == (f"VN:{REFERENCE}", f"TH:{DOC_ID}")
    assert (
        by_reference.unknown() == f"VN issued no document with reference {REFERENCE} that this node knows of"
    )
    assert key.unknown() == f"document TH:{DOC_ID} is unknown to this node"


def test_a_bare_id_two_issuers_share_names_neither_unless_one_is_proven(db: Database) -> None:
    _document(db, "TH", block=4)  # the squatter anchored first
    _document(db, "VN", block=5)
    with pytest.raises(Conflict) as info:
        resolve(db, DOC_ID, "SG")
    assert info.value.details["rule"] == "AmbiguousDocumentId"
    assert f"TH:{DOC_ID}" in info.value.message and f"VN:{DOC_ID}" in info.value.message
    # SG read VN's payload, whose reference gives the id: VN's leaf is the document.
    _payload_check(db, "VN", "ok", REFERENCE)
    assert resolve(db, DOC_ID, "SG").issuer == "VN"


def test_a_leaf_whose_payload_shows_another_issuers_reference_is_never_the_document(db: Database) -> None:
    _document(db, "TH")
    _payload_check(db, "TH", "id_mismatch", None)
    with pytest.raises(NotFound):
        resolve(db, DOC_ID, "SG")
    _document(db, "VN")
    assert resolve(db, DOC_ID, "SG").issuer == "VN"


def test_the_issuing_node_knows_its_own_document(db: Database) -> None:
    _document(db, "TH")
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO outbox (document_id, reference, doc_type, version, issuer, importer, leaf,"
            " payload_cid, signature, signer, received_at)"
            " VALUES (?, ?, 'atiga-form-d', '1', 'VN', 'SG', ?, 'bafy', '0x', '0x', 1)",
            (DOC_ID, REFERENCE, OUTBOX_LEAF),
        )
    assert resolve(db, DOC_ID, "VN").issuer == "VN"


def test_status_shows_each_issuers_own_events_and_never_an_unentitled_one(db: Database) -> None:
    _document(db, "VN")
    _document(db, "TH", importer="TH")
    _event(db, "TH", "revoked", "TH", 0, {"reasonCode": 9, "reason": "squatted"})
    # An acceptance by a member that is not the importer (a faulty contract would have let it through).
    _event(
        db,
        "VN",
        "accepted",
        "TH",
        1,
        {"declaration": "X", "claims": [], "fullyUtilised": True},
    )
    status = _status_service(db, "SG")
    vn = status.status(DocumentKey("VN", DOC_ID)).answer().model_dump(mode="json")
    assert (vn["issuer"], vn["state"], vn["revocation"], vn["utilisations"]) == ("VN", "valid", None, [])
    assert [
        e["kind"] for e in status.trail(DocumentKey("VN", DOC_ID)).answer().model_dump(mode="json")["events"]
    ] == ["anchored"]
    th = status.status(DocumentKey("TH", DOC_ID)).answer().model_dump(mode="json")
    assert (th["issuer"], th["state"]) == ("TH", "revoked")


def test_who_may_cause_which_event() -> None:
    for kind in ("revoked", "superseded", "verification_answered"):
        assert event_entitled(kind, "VN", "VN", "SG") and not event_entitled(kind, "SG", "VN", "SG")
    for kind in ("accepted", "rejected", "verification_requested"):
        assert event_entitled(kind, "SG", "VN", "SG") and not event_entitled(kind, "TH", "VN", "SG")


def test_the_indexer_drops_and_logs_an_event_its_member_had_no_right_to_cause(
    db: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _document(db, "VN")
    indexer = Indexer(
        IndexRepository(db),
        NodeFacts(db),
        FakeChain([]),  # never called here
        LocalPayloadStore(tmp_path / "payloads"),
        deployment_block=0,
        confirmations=0,
        on_membership_change=lambda: None,
    )
    claim = Claimed(declaration="D-1", claims=(), fully_utilised=True)
    row = DocumentEvent(7, 3, "0xtx", DOC_ID, "VN", "accepted", "TH", "0xacc", 2, claim)
    with caplog.at_level(logging.WARNING):
        assert indexer._entitled(row) is False
    assert "ignored accepted event on VN:" + DOC_ID in caplog.text and "member TH" in caplog.text
    allowed = DocumentEvent(7, 4, "0xtx", DOC_ID, "VN", "accepted", "SG", "0xacc", 2, claim)
    assert indexer._entitled(allowed) is True
