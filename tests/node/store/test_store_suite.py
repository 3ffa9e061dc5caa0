"""The store's behaviour, the same on every backend (each test runs on SQLite and on PostgreSQL): what the
outbox accepts and batches, actions, API keys, idempotency answers, node facts and the index, with the
guarantees the services rely on (atomic writes, first anchoring wins, replays harmless)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

import psycopg
import pytest
from origo_node.documents.action_failure import ActionFailure
from origo_node.documents.action_params import Accept, ItemClaim, Revoke, params_json
from origo_node.documents.event_fields import Claimed, ItemTaken, Superseded
from origo_node.documents.leaf import Leaf
from origo_node.errors import StoreError
from origo_node.membership_fields import IssuerChanged
from origo_node.store import apikeys, idempotency
from origo_node.store.action_rows import ActionRepository
from origo_node.store.database import StoreDatabase
from origo_node.store.db import Database
from origo_node.store.facts import NodeFacts
from origo_node.store.index import IndexRepository
from origo_node.store.outbox import OutboxRepository
from origo_node.store.postgres import PostgresDatabase
from origo_node.store.rows import (
    DocumentEvent,
    IndexedBatch,
    IndexedDocument,
    MembershipEvent,
    OutboxEntry,
    OutboxLeaf,
    PayloadCheck,
)
from origo_node.store.schema import SCHEMA_VERSION
from support.anchored import store_anchored

VN = "0x" + "11" * 20
SG = "0x" + "22" * 20


def entry(n: int, issuer: str = VN, received_at: float | None = None) -> OutboxEntry:
    return OutboxEntry(
        document_id=f"0x{n:064x}",
        reference=f"REF-{n}",
        doc_type="form-d",
        version="1",
        issuer=issuer,
        importer=SG,
        leaf=OutboxLeaf(
            leaf=Leaf(
                document_id=n.to_bytes(32, "big"),
                document_type=b"\x01" * 32,
                digest=b"\xd1" * 32,
                issuer="VN",
                importer="SG",
                issued_at=n,
                expires_at=n + 1,
                quantities=(n,),
                payload_cid=b"\xc1" * 32,
            ),
            type_name="form-d",
            type_version="1",
            quantity_units=("KGM",),
            recipients=("VN", "SG"),
        ),
        payload_cid=f"bafy{n}",
        envelope=b"\x00\xffsealed" + bytes([n % 256]),
        signature="0xsig",
        signer=issuer,
        supersedes=None,
        received_at=float(n) if received_at is None else received_at,
    )


def indexed(
    n: int,
    issuer: str = VN,
    root: str = "0xroot",
    digest: str = "0x" + "d1" * 32,
    block: int = 10,
    items: tuple[tuple[int, str | None], ...] = ((2**62, "PR"), (0, None)),
) -> IndexedDocument:
    return IndexedDocument(
        document_id=f"0x{n:064x}",
        document_type="0x" + "7e" * 32,
        digest=digest,
        issuer=issuer,
        importer=SG,
        issued_at=1_700_000_000,
        expires_at=1_800_000_000,
        quantities=tuple(q for q, _ in items),
        payload_cid=f"bafy{n}",
        signature="0x" + "5a" * 64 + "1b",
        signer=issuer,
        root=root,
        block=block,
        tx_hash="0xtx",
        timestamp=1_700_000_100,
        type_name="form-d",
        type_version="1",
        quantity_units=tuple(u for _, u in items),
        recipients=(VN, SG),
    )


# ------------------------------------------------------------------ outbox


def test_outbox_round_trip_keeps_every_field(store: StoreDatabase) -> None:
    outbox = OutboxRepository(store)
    assert outbox.add([entry(1)], all_or_nothing=True) == set()
    assert outbox.get(entry(1).document_id) == entry(1)
    assert outbox.reference(entry(1).document_id) == "REF-1"
    assert outbox.get("0xmissing") is None


def test_outbox_refuses_taken_ids_all_or_nothing_or_one_by_one(store: StoreDatabase) -> None:
    outbox = OutboxRepository(store)
    outbox.add([entry(1)], all_or_nothing=True)
    assert outbox.add([entry(1), entry(2)], all_or_nothing=True) == {entry(1).document_id}
    assert outbox.get(entry(2).document_id) is None  # nothing added
    assert outbox.add([entry(1), entry(2)], all_or_nothing=False) == {entry(1).document_id}
    assert outbox.get(entry(2).document_id) is not None
    assert outbox.unbatched_count() == 2


def test_an_id_its_issuer_anchored_is_taken_another_members_squat_takes_nothing(store: StoreDatabase) -> None:
    index = IndexRepository(store)
    store_anchored(index, indexed(5, issuer=VN))
    store_anchored(index, indexed(6, issuer=SG))
    outbox = OutboxRepository(store)
    assert outbox.add([entry(5)], all_or_nothing=True) == {entry(5).document_id}
    assert outbox.add([entry(6)], all_or_nothing=True) == set()


def test_batching_assigns_each_document_once_and_anchoring_forgets_envelopes(store: StoreDatabase) -> None:
    outbox = OutboxRepository(store)
    outbox.add([entry(n) for n in (3, 1, 2)], all_or_nothing=True)
    assert outbox.oldest_unbatched() == (3, 1.0)
    first = outbox.unbatched(2)
    assert [e.reference for e in first] == ["REF-1", "REF-2"]
    outbox.record_batch("0xr1", "bafyman", [e.document_id for e in first], "0xtx1", b"\x02raw")
    # A second batch naming an already batched document does not take it over.
    outbox.record_batch("0xr2", "bafyman2", [entry(1).document_id, entry(3).document_id], None, None)
    assert outbox.get(entry(1).document_id).batch_root == "0xr1"  # type: ignore[union-attr]
    assert outbox.get(entry(3).document_id).batch_root == "0xr2"  # type: ignore[union-attr]
    assert outbox.unbatched_count() == 0 and outbox.oldest_unbatched() == (0, None)
    batch = outbox.batch("0xr1")
    assert batch is not None and batch.raw_tx == b"\x02raw" and batch.count == 2 and batch.refusal is None
    assert [b.root for b in outbox.open_batches()] == ["0xr1", "0xr2"]
    assert outbox.not_anchored_count() == 3
    assert outbox.mark_anchored("0xr1", 42) == 2
    assert outbox.not_anchored_count() == 1
    assert outbox.get(entry(1).document_id).envelope is None  # type: ignore[union-attr]
    assert outbox.get(entry(3).document_id).envelope is not None  # type: ignore[union-attr]
    assert [b.root for b in outbox.open_batches()] == ["0xr2"]


def test_a_batch_whose_root_exists_is_refused_whole(store: StoreDatabase) -> None:
    outbox = OutboxRepository(store)
    outbox.add([entry(1), entry(2)], all_or_nothing=True)
    outbox.record_batch("0xr1", "bafy", [entry(1).document_id], "0xtx", b"raw")
    with pytest.raises(Exception):  # noqa: B017 - each backend raises its own integrity error
        outbox.record_batch("0xr1", "bafy", [entry(2).document_id], "0xtx", b"raw")
    assert outbox.get(entry(2).document_id).batch_root is None  # type: ignore[union-attr]
    assert outbox.add([entry(7)], all_or_nothing=True) == set()  # the store still writes


def test_refusals_are_recorded_refreshed_and_lifted(store: StoreDatabase) -> None:
    outbox = OutboxRepository(store)
    outbox.add([entry(1), entry(2)], all_or_nothing=True)
    outbox.record_batch("0xr1", "bafy", [entry(1).document_id], None, None)
    assert outbox.record_refusal("0xr1", "RegistryNotIssuer", "VN is suspended") is None
    assert outbox.record_refusal("0xr1", "RegistryNotIssuer", "VN is still suspended") == "VN is suspended"
    assert outbox.refused_documents() == (1, "VN is still suspended")
    assert outbox.not_anchored_count() == 1  # the unbatched one; the refused batch's are counted apart
    refusal = outbox.batch("0xr1").refusal  # type: ignore[union-attr]
    assert refusal is not None and refusal.rule == "RegistryNotIssuer"
    assert outbox.unanchored_ids(refused=True, limit=10, offset=0) == [entry(1).document_id]
    assert outbox.unanchored_ids(refused=False, limit=10, offset=0) == [entry(2).document_id]
    assert outbox.replace_batch_tx("0xr1", "0xtx2", b"again") is True
    assert outbox.replace_batch_tx("0xr1", "0xtx3", b"again") is False
    assert outbox.refused_documents() == (0, None)


# ------------------------------------------------------------------ actions, keys, idempotency, facts


def test_actions_move_from_pending_to_done_or_failed(store: StoreDatabase) -> None:
    actions = ActionRepository(store)
    first = actions.add("0xdoc", "VN", Revoke(reason_code=5, reason="fraud"))
    second = actions.add("0xdoc2", "VN", Accept(declaration="SG-1", claims=(ItemClaim(2, 40_500),)))
    assert second > first and actions.count() == 2
    actions.mark_sent(first, "0xtx", b"\x01signed")
    record = actions.get(first)
    assert record is not None and record.state == "sent" and record.raw_tx == b"\x01signed"
    assert (record.kind, record.issuer, record.params) == (
        "revoke",
        "VN",
        Revoke(reason_code=5, reason="fraud"),
    )
    accept = actions.get(second)
    assert accept is not None and accept.params == Accept(declaration="SG-1", claims=(ItemClaim(2, 40_500),))
    actions.requeue(first)
    assert actions.get(first).raw_tx is None  # type: ignore[union-attr]
    actions.mark_done(first, 99)
    actions.mark_failed(second, ActionFailure(title="refused"))
    assert actions.open() == []
    assert actions.get(first).block == 99  # type: ignore[union-attr]
    assert actions.get(second).error == ActionFailure(title="refused")  # type: ignore[union-attr]


def _stored_as_json(store: StoreDatabase, kind: str, params: str) -> int:
    with store.transaction() as conn:
        cursor = conn.execute(
            "INSERT INTO actions (kind, document_id, params, state, created_at)"
            " VALUES (?, '0xdoc', ?, 'pending', 0) RETURNING id",
            (kind, params),
        )
        return int(cursor.fetchone()[0])


#: Parameters of every kind as the node has written them (the API answers them as they are stored).
STORED_PARAMS = [
    ("revoke", '{"reason_code": 1, "reason": "typo", "issuer": "VN"}'),
    ("reject", '{"reason_code": 8, "reason": "not confirmed", "issuer": "VN"}'),
    (
        "accept",
        '{"declaration": "SG-1", "claims": [{"item": 1, "quantity": null}, '
        '{"item": 2, "quantity": "0.125"}], "issuer": "VN"}',
    ),
    ("verification_request", '{"reason": "origin doubtful", "issuer": "VN"}'),
    ("verification_answer", '{"confirmed": false, "reason": "plant not visited", "issuer": "VN"}'),
    ("supersede", '{"replacement_id": "0xnew", "issuer": "VN"}'),
    ("revoke", '{"reason_code": 2, "reason": ""}'),  # before documents were named by their issuer
]


@pytest.mark.parametrize(("kind", "params"), STORED_PARAMS)
def test_actions_stored_as_json_load_typed_and_write_the_same_json(
    store: StoreDatabase, kind: str, params: str
) -> None:
    actions = ActionRepository(store)
    record = actions.get(_stored_as_json(store, kind, params))
    assert record is not None and record.kind == kind and record.document_id == "0xdoc"
    # the same keys in the same order: the JSON the API answers is the JSON stored
    assert list(params_json(record.params, record.issuer).items()) == list(json.loads(params).items())
    again = actions.get(actions.add("0xdoc", record.issuer or "VN", record.params))
    assert again is not None and again.params == record.params


#: Failures as the node has written them: a refusal by rule (its arguments as JSON), a refusal without a
#: custom error, a mined transaction the chain reverted, and words alone.
STORED_FAILURES = [
    '{"title": "the chain refused: RegistryQuantityExceeded", "rule": "RegistryQuantityExceeded", '
    '"args": ["0x' + "ab" * 32 + '", 1, 9000000, 8960000]}',
    '{"title": "the chain refused: execution reverted", "rule": "Revert", "args": []}',
    '{"title": "the chain reverted the transaction", "rule": "Reverted", "tx": "0x' + "7e" * 32 + '"}',
    '{"title": "refused"}',
]


@pytest.mark.parametrize("error", STORED_FAILURES)
def test_failures_stored_as_json_load_typed_and_write_the_same_json(store: StoreDatabase, error: str) -> None:
    actions = ActionRepository(store)
    stored = _stored_as_json(store, "revoke", '{"reason_code": 1, "reason": "typo", "issuer": "VN"}')
    with store.transaction() as conn:
        conn.execute("UPDATE actions SET state = 'failed', error = ? WHERE id = ?", (error, stored))
    record = actions.get(stored)
    assert record is not None and isinstance(record.error, ActionFailure)
    # the same keys in the same order, values and all: the problem the API answers is the one stored
    assert json.dumps(record.error.as_json()) == json.dumps(json.loads(error))
    again = actions.add("0xdoc", "VN", record.params)
    actions.mark_failed(again, record.error)
    assert actions.get(again).error == record.error  # type: ignore[union-attr]
    row = store.read().execute("SELECT error FROM actions WHERE id = ?", (again,)).fetchone()
    assert json.loads(row["error"]) == json.loads(error)


def test_an_accept_stored_before_claims_named_items_loads_as_its_claim(store: StoreDatabase) -> None:
    actions = ActionRepository(store)
    old = actions.get(_stored_as_json(store, "accept", '{"declaration": "SG-1", "quantity": "250"}'))
    assert old is not None and old.issuer is None
    assert old.params == Accept(declaration="SG-1", claims=(ItemClaim(1, 250_000),))
    whole = actions.get(_stored_as_json(store, "accept", '{"declaration": "SG-2", "quantity": null}'))
    assert whole is not None and whole.params == Accept(declaration="SG-2")


def test_api_keys_are_found_by_key_and_revoked_once(store: StoreDatabase) -> None:
    key = apikeys.create_key(store, "officer", "desk 1")
    apikeys.import_key(store, "admin", "demo", "origo_demo")
    apikeys.import_key(store, "admin", "demo", "origo_demo")  # idempotent
    found = apikeys.find_key(store, key)
    assert found is not None and found.role == "officer" and found.name == "desk 1"
    assert [(k.name, k.role, k.live) for k in apikeys.list_keys(store)] == [
        ("desk 1", "officer", True),
        ("demo", "admin", True),
    ]
    assert apikeys.revoke_key(store, found.id) is True
    assert apikeys.revoke_key(store, found.id) is False
    revoked, demo = apikeys.list_keys(store)
    assert not revoked.live and revoked.revoked_at is not None and revoked.revoked_at >= revoked.created_at
    assert demo.live and demo.revoked_at is None
    assert apikeys.find_key(store, key) is None
    with pytest.raises(ValueError):
        apikeys.create_key(store, "emperor", "x")  # type: ignore[arg-type]


def test_an_idempotency_key_is_claimed_once_and_answers_the_same(store: StoreDatabase) -> None:
    assert idempotency.claim(store, "scope", "k1", "h1") is None
    running = idempotency.claim(store, "scope", "k1", "h1")
    assert running is not None and running.state == "running"
    idempotency.finish(store, "scope", "k1", 202, b'{"ok":true}', "application/json")
    done = idempotency.claim(store, "scope", "k1", "h1")
    assert done is not None and (done.status_code, done.response) == (202, b'{"ok":true}')
    assert idempotency.claim(store, "other scope", "k1", "h1") is None
    idempotency.release(store, "other scope", "k1")
    assert idempotency.claim(store, "other scope", "k1", "h2") is None


def test_node_facts_are_json_and_overwritten(store: StoreDatabase) -> None:
    facts = NodeFacts(store)
    assert facts.get("chain_id") is None
    facts.put("members", {"VN": [1, 2]})
    facts.put("members", {"SG": None})
    assert facts.get("members") == {"SG": None}


# ------------------------------------------------------------------ index


REPLACED = Superseded(replacement_id="0xnew")
CLAIMED = Claimed(declaration="SG-IMP-1", claims=(ItemTaken(item=0, quantity=5000),), fully_utilised=False)


def _chunk(index: IndexRepository, end: int) -> None:
    batch = IndexedBatch("0xroot", VN, VN, 1, "bafyman", 10, "0xtx", 0, 1_700_000_000)
    events = [
        DocumentEvent(11, 0, "0xtx", indexed(1).document_id, VN, "superseded", VN, VN, 1, REPLACED),
        DocumentEvent(12, 1, "0xtx", indexed(1).document_id, VN, "accepted", SG, SG, 2, CLAIMED),
    ]
    membership = [MembershipEvent(9, 0, "0xtx", "IssuerAdded", VN, 1, IssuerChanged(code="VN", account=VN))]
    index.store_chunk([batch], events, membership, end, f"0xhash{end}")


def test_index_chunks_are_replayable_and_checkpointed(store: StoreDatabase) -> None:
    index = IndexRepository(store)
    assert index.checkpoint() is None
    _chunk(index, 12)
    _chunk(index, 13)  # a replay adds nothing twice
    assert index.checkpoint() == (13, "0xhash13")
    events = index.events(VN, indexed(1).document_id)
    assert [e.kind for e in events] == ["superseded", "accepted"]
    # Each event's fields read back typed, as they were stored.
    assert [e.fields for e in events] == [REPLACED, CLAIMED]
    assert index.predecessor_of(VN, "0xnew") == indexed(1).document_id
    assert index.predecessor_of(SG, "0xnew") is None
    assert [(e.kind, e.fields) for e in index.issuer_history(VN, 9)] == [
        ("IssuerAdded", IssuerChanged(code="VN", account=VN))
    ]
    assert index.issuer_history(VN, 8) == []
    assert index.has_untried_manifest()
    assert [b.root for b in index.manifests_due(10)] == ["0xroot"]
    index.manifest_failed(VN, "0xroot", "pending", "gateway down", 60.0)
    assert index.manifests_due(10) == [] and not index.has_untried_manifest()
    assert index.batch(VN, "0xroot").attempts == 1  # type: ignore[union-attr]
    index.drop()
    assert index.checkpoint() is None and index.batch(VN, "0xroot") is None


def test_first_anchoring_by_the_same_issuer_wins(store: StoreDatabase) -> None:
    index = IndexRepository(store)
    store_anchored(index, indexed(1, digest="0x" + "f1" * 32))
    store_anchored(index, indexed(1, root="0xroot2", digest="0x" + "1a" * 32))
    store_anchored(index, indexed(1, issuer=SG, root="0xroot3", digest="0x" + "5e" * 32))
    assert index.document(VN, indexed(1).document_id) == indexed(1, digest="0x" + "f1" * 32)
    assert index.issuers_of_id(indexed(1).document_id) == {VN, SG}
    assert index.has_document(SG, indexed(1).document_id)
    # In one query: a pair counts only with its own issuer; an id not indexed, or no id at all, finds none.
    assert index.issuers_holding(
        [(VN, indexed(1).document_id), (SG, indexed(1).document_id), ("TH", indexed(2).document_id)]
    ) == {VN, SG}
    assert (
        index.issuers_holding([("TH", indexed(1).document_id), (VN, "0xzz"), (SG, indexed(3).document_id)])
        == set()
    )
    assert index.issuers_holding([]) == set()
    store_anchored(index, indexed(2, root="0xroot4", block=11))
    assert index.document_keys_of(VN, "issuer", 0, 10) == [
        (VN, indexed(2).document_id),
        (VN, indexed(1).document_id),
    ]
    assert len(index.document_keys_of(SG, "importer", 0, 10)) == 3


def test_item_quantities_and_units_round_trip_exactly(store: StoreDatabase) -> None:
    index = IndexRepository(store)
    every_item = tuple((2**64 - 1 - n, ("PR", "PCE", None, "KGM")[n % 4]) for n in range(256))
    shapes = {
        1: every_item,  # the most items a certificate may list, the largest uint64
        2: (),  # a manifest: claimed whole
        3: ((12_000_000, "PR"), (9_000_000, "PCE"), (0, None)),
        4: ((12_000_000, "PR"), (9_000_000, "PCE"), (0, None)),  # the same lists again in one batch
    }
    store_anchored(index, *(indexed(n, items=items) for n, items in shapes.items()))
    for n, items in shapes.items():
        found = index.document(VN, indexed(n).document_id)
        assert found == indexed(n, items=items)
        assert found is not None and all(type(q) is int for q in found.quantities)


def _reopen_at_layout(store: StoreDatabase, version: int) -> Callable[[], StoreDatabase]:
    """Marks ``store`` as written by a node of store layout ``version``, closes it, and gives a way to open it
    again (as a node starting would), and one to run raw SQL on it behind the node's back."""
    if isinstance(store, Database):
        store.read().execute(f"PRAGMA user_version = {version}")
        store.close()
        return lambda: Database(store.path)
    assert isinstance(store, PostgresDatabase)
    with store.transaction() as conn:
        conn.execute("UPDATE origo_schema SET version = ?", (version,))
    store.close()
    return lambda: PostgresDatabase(store.dsn)


def _raw(store: StoreDatabase, sql: str) -> None:
    if isinstance(store, Database):
        with sqlite3.connect(store.path) as conn:
            conn.execute(sql)
    else:
        assert isinstance(store, PostgresDatabase)
        with psycopg.connect(store.dsn, autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]


def test_a_store_of_the_single_quantity_layout_is_refused_while_it_holds_unanchored_documents(
    store: StoreDatabase, caplog: pytest.LogCaptureFixture
) -> None:
    outbox = OutboxRepository(store)
    outbox.add([entry(1), entry(2)], all_or_nothing=True)
    outbox.record_batch("0xr1", "bafyman", [entry(1).document_id], "0xtx1", b"raw")
    outbox.mark_anchored("0xr1", 40)
    outbox.record_batch("0xr2", "bafyman2", [entry(2).document_id], "0xtx2", b"raw")  # sent, not mined
    store_anchored(IndexRepository(store), indexed(9))
    reopen = _reopen_at_layout(store, 3)

    # Its leaves were signed with one quantity per certificate: this version cannot anchor them.
    with pytest.raises(StoreError, match=r"layout 3\) and holds 1 accepted document\(s\) not anchored yet"):
        reopen()
    with pytest.raises(StoreError):  # refused again: the refusal changed nothing
        reopen()

    # Once the earlier version has anchored them, the store opens: the index is rebuilt, the outbox kept.
    _raw(store, "UPDATE batches SET state = 'mined' WHERE root = '0xr2'")
    upgraded = reopen()
    assert (
        f"written with store layout 3; this version uses layout {SCHEMA_VERSION}: its index is dropped"
        in (caplog.text)
    )
    try:
        assert IndexRepository(upgraded).document(VN, indexed(9).document_id) is None
        assert IndexRepository(upgraded).checkpoint() is None
        assert OutboxRepository(upgraded).get(entry(2).document_id) is not None
        store_anchored(IndexRepository(upgraded), indexed(9))
        assert IndexRepository(upgraded).document(VN, indexed(9).document_id) == indexed(9)
    finally:
        upgraded.close()


def test_payload_checks_are_queued_once_and_recorded(store: StoreDatabase) -> None:
    index = IndexRepository(store)
    store_anchored(index, indexed(1))
    key = (VN, indexed(1).document_id)
    index.queue_payload_checks([key, key])
    assert index.payload_checks_waiting() == 1
    assert index.payload_checks_due(60.0, 10) == [key]
    index.record_payload_checks([(VN, key[1], PayloadCheck("ok", None, "REF-1", 5.0))])
    assert index.payload_check(*key) == PayloadCheck("ok", None, "REF-1", 5.0)
    assert index.issuers_with_check(key[1], "ok") == {VN}
    assert index.readable_document_keys("other-type") == [key]
    assert index.readable_document_keys("form-d") == []


def test_a_text_that_is_no_document_id_finds_nothing_and_breaks_no_join(store: StoreDatabase) -> None:
    # The index keys a document by its id's 32 bytes; whatever text reaches a lookup, no id is no document,
    # and a spelled id that is no id (here in the payload checks) joins nothing, on either backend.
    index = IndexRepository(store)
    store_anchored(index, indexed(1))
    spelled = indexed(1).document_id
    for text in ("0xzz", spelled[:-1], spelled + "0", spelled[2:], "", "0x" + "g" * 64):
        assert index.document(VN, text) is None and not index.has_document(VN, text)
        assert index.issuers_of_id(text) == set()
    store_anchored(index, indexed(0xABCDEF, root="0xroot5"))
    assert index.document(VN, f"0x{0xABCDEF:064X}") == indexed(0xABCDEF, root="0xroot5")  # either case
    index.queue_payload_checks([(VN, "0xnot-an-id"), (VN, spelled)])
    index.record_payload_checks(
        [(VN, d, PayloadCheck("ok", None, "REF", 5.0)) for d in ("0xnot-an-id", spelled)]
    )
    assert index.readable_document_keys("other-type") == [(VN, spelled)]


def test_text_with_placeholders_quotes_and_any_script_round_trips(store: StoreDatabase) -> None:
    name = "desk ? 100% 'x' \"y\" -- ; Hà Nội 河内 🚢"
    apikeys.import_key(store, "officer", name, "origo_odd")
    assert [k.name for k in apikeys.list_keys(store)] == [name]
    NodeFacts(store).put(name, {name: name})
    assert NodeFacts(store).get(name) == {name: name}


def test_a_manifest_leaf_with_a_nul_character_is_invalid_on_every_backend() -> None:
    # PostgreSQL's text cannot hold NUL: such a leaf is refused before any store sees it (the batch is marked
    # invalid, as any unreadable manifest), rather than stalling the index on one backend only.
    from origo_node.anchoring.batch_manifest import ManifestEntry

    good = {
        "documentId": "0x" + "01" * 32,
        "documentType": "0x" + "02" * 32,
        "digest": "0x" + "03" * 32,
        "issuer": "VN",
        "importer": "SG",
        "issuedAt": 1,
        "expiresAt": 2,
        "quantities": ["3", "0"],
        "payloadCid": "0x" + "04" * 32,
        "payloadCidString": "bafy",
        "signature": "0x00",
        "signer": VN,
        "type": "form-d",
        "version": "1",
        "quantityUnits": ["KGM", None],
        "recipients": ["VN", "SG"],
    }
    ManifestEntry.from_json(good)
    with pytest.raises(ValueError, match="NUL"):
        ManifestEntry.from_json({**good, "type": "form-d\x00"})
