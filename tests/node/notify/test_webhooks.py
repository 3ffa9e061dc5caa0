"""Webhook deliveries to a real HTTP receiver on a loopback port, from a real store: every test runs on an
SQLite file and on PostgreSQL.

The index rows the collector follows are written as the indexer writes them (same tables, same columns);
everything after that (collecting, queueing, signing, posting, retrying) is the code the node runs.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from origo_api.desk_answers import Delivery
from origo_node.notify import EVENT_TYPES, Collector, Deliverer, NotifyStore, SubscriptionInvalid, verify
from origo_node.store.database import StoreDatabase
from origo_node.store.db import Database
from origo_node.store.index import IndexRepository
from origo_node.store.postgres import PostgresDatabase
from origo_node.store.rows import IndexedDocument
from support.anchored import store_anchored
from webhook_receiver import Receiver

DOC_A = "0x" + "aa" * 32
DOC_B = "0x" + "bb" * 32
DOC_OTHER = "0x" + "cc" * 32


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.close()


@pytest.fixture(params=["sqlite", "postgres"])
def reopen(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], StoreDatabase]:
    """Opens the same store again each call, as a restarted node does."""
    if request.param == "sqlite":
        return lambda: Database(tmp_path / "node.sqlite")
    dsn = request.getfixturevalue("pg_dsn")
    return lambda: PostgresDatabase(dsn)


@pytest.fixture
def db(reopen: Callable[[], StoreDatabase]) -> Iterator[StoreDatabase]:
    database = reopen()
    yield database
    database.close()


def index_document(
    db: StoreDatabase,
    document_id: str,
    issuer: str = "VN",
    importer: str = "SG",
    units: tuple[str, ...] = ("KGM",),
) -> None:
    store_anchored(IndexRepository(db), anchored_document(document_id, issuer, importer, units))


def anchored_document(
    document_id: str, issuer: str = "VN", importer: str = "SG", units: tuple[str, ...] = ("KGM",)
) -> IndexedDocument:
    return IndexedDocument(
        document_id=document_id,
        document_type="0x" + "01" * 32,
        digest="0x" + "02" * 32,
        issuer=issuer,
        importer=importer,
        issued_at=0,
        expires_at=0,
        quantities=(1_000_000,) * len(units),
        payload_cid="bafk",
        signature="0x" + "03" * 65,
        signer="0x",
        root="0xroot",
        block=5,
        tx_hash="0xt1",
        timestamp=int(time.time()),
        type_name="atiga-form-d",
        type_version="1",
        quantity_units=units,
        recipients=(),
    )


def index_event(db: StoreDatabase, document_id: str, kind: str, block: int, fields: dict[str, Any]) -> None:
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO idx_events (block, log_index, tx_hash, document_id, issuer, kind, member, account,"
            " timestamp, fields) VALUES (?, 0, ?, ?, 'VN', ?, 'VN', '0xacc', ?, ?)",
            (block, f"0xtx{block}", document_id, kind, int(time.time()), json.dumps(fields)),
        )


class Clock:
    """The deliverer's schedule clock, moved by the test: a backoff is passed without sleeping through it,
    and a loaded machine cannot make a retry due early. It starts a minute ahead of the real time, which
    the collector stamps on new deliveries, so those are due at once."""

    def __init__(self) -> None:
        self.now = time.time() + 60

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def pump(collector: Collector, deliverer: Deliverer, rounds: int = 1) -> None:
    for _ in range(rounds):
        collector.run_once()
        deliverer.run_once()


def test_deliveries_are_signed_with_the_subscriptions_secret(db: StoreDatabase, receiver: Receiver) -> None:
    store = NotifyStore(db)
    created = store.create(receiver.url, None, "NSW", EVENT_TYPES)
    secret = created.secret
    assert secret.startswith("whsec_") and "secret" not in store.get(created.id).answer().model_dump(
        mode="json"
    )
    collector, deliverer = Collector(store, "VN"), Deliverer(store)
    index_document(db, DOC_A)
    index_document(db, DOC_OTHER, issuer="TH", importer="MY")  # concerns neither VN as issuer nor importer
    pump(collector, deliverer)
    deliverer.close()
    assert len(receiver.received) == 1
    request = receiver.received[0]
    headers, body = request["headers"], request["body"]
    assert verify(secret, body, headers["Origo-Timestamp"], headers["Origo-Signature"])
    assert not verify(secret, body + b" ", headers["Origo-Timestamp"], headers["Origo-Signature"])
    assert not verify("whsec_other", body, headers["Origo-Timestamp"], headers["Origo-Signature"])
    # The timestamp is signed too: replaying the body under a new timestamp, or an old one, fails.
    later = str(int(headers["Origo-Timestamp"]) + 1)
    assert not verify(secret, body, later, headers["Origo-Signature"])
    stale_now = int(headers["Origo-Timestamp"]) + 3600
    assert not verify(secret, body, headers["Origo-Timestamp"], headers["Origo-Signature"], now=stale_now)
    event = json.loads(body)
    assert event["type"] == headers["Origo-Event"] == "document.anchored"
    assert event["document_id"] == DOC_A and event["role"] == "issuer" and event["importer"] == "SG"


def test_with_no_subscription_the_collector_passes_a_catch_up_at_once_and_a_later_one_hears_what_follows(
    db: StoreDatabase, receiver: Receiver
) -> None:
    store = NotifyStore(db)
    collector, deliverer = Collector(store, "VN"), Deliverer(store)
    store_anchored(IndexRepository(db), *(anchored_document(f"0x{n:064x}") for n in range(1, 1_201)))
    assert collector.run_once() == 0
    # Past all 1,200 in one round (500 a round before): nothing is left for the collector to read.
    assert store.repository.new_documents(10) == []
    store.create(receiver.url, ["document.anchored"], None, EVENT_TYPES)
    index_document(db, DOC_A)
    pump(collector, deliverer, rounds=2)
    deliverer.close()
    assert [e["document_id"] for e in receiver.ok_bodies()] == [DOC_A]


def test_a_failed_delivery_is_retried_with_backoff_and_logged(db: StoreDatabase, receiver: Receiver) -> None:
    store = NotifyStore(db)
    sub = store.create(receiver.url, ["document.anchored"], None, EVENT_TYPES)
    receiver.statuses = [500]
    clock = Clock()
    collector, deliverer = Collector(store, "SG"), Deliverer(store, base_backoff_s=0.3, clock=clock)
    index_document(db, DOC_A)
    pump(collector, deliverer)
    [pending] = store.deliveries(sub.id, state=None, limit=10)
    assert pending.state == "pending" and pending.attempts == 1 and pending.last_status == 500
    assert "HTTP 500" in (pending.last_error or "")
    clock.advance(0.29)
    deliverer.run_once()  # not due yet: backoff
    assert len(receiver.received) == 1
    clock.advance(0.02)
    deliverer.run_once()
    deliverer.close()
    [delivered] = store.deliveries(sub.id, state="delivered", limit=10)
    assert delivered.attempts == 2 and delivered.last_error is None
    # The API's JSON, in the answer's key order: a delivered one is due no more and says when it arrived.
    shown = delivered.model_dump(mode="json")
    assert list(shown) == list(Delivery.model_fields)
    assert shown["next_attempt_at"] is None and shown["last_status"] == 200
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", shown["delivered_at"])
    assert receiver.received[0]["body"] == receiver.received[1]["body"]  # the same event, byte for byte
    assert (
        receiver.received[0]["headers"]["Origo-Delivery"] == receiver.received[1]["headers"]["Origo-Delivery"]
    )
    assert store.get(sub.id).deliveries.delivered == 1


def test_events_of_one_document_arrive_in_chain_order_across_retries(
    db: StoreDatabase, receiver: Receiver
) -> None:
    store = NotifyStore(db)
    store.create(receiver.url, None, None, EVENT_TYPES)
    clock = Clock()
    collector, deliverer = Collector(store, "VN"), Deliverer(store, base_backoff_s=0.2, clock=clock)
    # The revocation is indexed before the batch's manifest: it waits for the document.
    index_event(db, DOC_A, "revoked", 7, {"reasonCode": 3, "reason": "wrong HS code"})
    pump(collector, deliverer)
    assert receiver.received == []
    index_document(db, DOC_A)
    index_document(db, DOC_B)
    index_event(db, DOC_A, "verification_requested", 8, {"reason": "doubtful"})
    receiver.statuses = [503]  # the first delivery (DOC_A anchored) fails once
    pump(collector, deliverer)
    clock.advance(0.25)
    pump(collector, deliverer, rounds=3)
    deliverer.close()
    for_a = [e["type"] for e in receiver.ok_bodies() if e["document_id"] == DOC_A]
    assert for_a == ["document.anchored", "document.revoked", "verification.requested"]
    assert [e["type"] for e in receiver.ok_bodies() if e["document_id"] == DOC_B] == ["document.anchored"]
    revoked = next(e for e in receiver.ok_bodies() if e["type"] == "document.revoked")
    assert revoked["details"]["reason"] == "wrong HS code" and revoked["tx"] == "0xtx7"
    assert revoked["details"]["label"] == "wrong HS code or description of the goods"  # code 3's label


def test_a_verification_says_what_it_means_for_the_certificate(db: StoreDatabase, receiver: Receiver) -> None:
    store = NotifyStore(db)
    store.create(receiver.url, ["verification.requested", "verification.answered"], None, EVENT_TYPES)
    collector, deliverer = Collector(store, "SG"), Deliverer(store)
    index_document(db, DOC_A)
    index_event(db, DOC_A, "verification_requested", 7, {"reason": "producer unknown"})
    index_event(db, DOC_A, "verification_answered", 8, {"confirmed": False, "reason": "no such producer"})
    pump(collector, deliverer, rounds=2)
    deliverer.close()
    asked, answered = receiver.ok_bodies()
    assert asked["type"] == "verification.requested"
    assert asked["details"]["outcome"]["verification"] == "open"
    assert asked["details"]["outcome"]["claimable"] is False
    assert answered["type"] == "verification.answered" and answered["details"]["reason"] == "no such producer"
    assert answered["details"]["outcome"] == {
        "verification": "not_confirmed",
        "claimable": False,
        "meaning": "the issuing authority did not confirm the origin: not usable for the preference",
    }


def test_a_claim_names_its_items_and_units_as_the_api_does(db: StoreDatabase, receiver: Receiver) -> None:
    """The chain counts items from 0 in thousandths; the single window reads item 2, 40.000 PCE."""
    store = NotifyStore(db)
    store.create(receiver.url, ["document.claimed"], None, EVENT_TYPES)
    collector, deliverer = Collector(store, "SG"), Deliverer(store)
    index_document(db, DOC_A, units=("PR", "PCE"))
    declaration = "SG-IMP-0001"
    index_event(
        db,
        DOC_A,
        "accepted",
        7,
        {"declaration": declaration, "claims": [{"item": 1, "quantity": 40_000}], "fullyUtilised": False},
    )
    index_event(db, DOC_A, "accepted", 8, {"declaration": "SG-IMP-0002", "claims": [], "fullyUtilised": True})
    pump(collector, deliverer, rounds=2)
    deliverer.close()
    partial, whole = (e["details"] for e in receiver.ok_bodies())
    assert partial["claims"] == [{"item": 2, "quantity": "40.000", "unit": "PCE"}]
    assert (partial["declaration"], partial["whole_certificate"], partial["fullyUtilised"]) == (
        declaration,
        False,
        False,
    )
    assert (whole["claims"], whole["whole_certificate"], whole["fullyUtilised"]) == ([], True, True)


def test_a_restart_delivers_what_was_not_acknowledged(
    reopen: Callable[[], StoreDatabase], receiver: Receiver
) -> None:
    first_db = reopen()
    store = NotifyStore(first_db)
    sub = store.create(receiver.url, None, None, EVENT_TYPES)
    receiver.statuses = [500]  # the first fails; the rest wait for the next round
    index_document(first_db, DOC_A)
    index_document(first_db, DOC_B)
    deliverer = Deliverer(store, base_backoff_s=0.01)
    pump(Collector(store, "VN"), deliverer)
    deliverer.close()
    first_db.close()  # the node stops with two deliveries unacknowledged
    assert receiver.ok_bodies() == []

    second_db = reopen()
    store = NotifyStore(second_db)
    deliverer = Deliverer(store, base_backoff_s=0.01)
    time.sleep(0.05)
    pump(Collector(store, "VN"), deliverer)
    deliverer.close()
    assert sorted(e["document_id"] for e in receiver.ok_bodies()) == [DOC_A, DOC_B]
    counts = store.get(sub.id).deliveries
    assert (counts.pending, counts.delivered, counts.failed, counts.cancelled) == (0, 2, 0, 0)
    second_db.close()


def test_a_rebuilt_index_sends_nothing_twice_and_no_history_to_new_subscribers(
    db: StoreDatabase, receiver: Receiver
) -> None:
    store = NotifyStore(db)
    collector, deliverer = Collector(store, "VN"), Deliverer(store)
    index_document(db, DOC_OTHER)  # happened before anyone subscribed
    pump(collector, deliverer)
    store.create(receiver.url, None, None, EVENT_TYPES)
    index_document(db, DOC_A)
    pump(collector, deliverer)
    db.drop_index()  # `origo node reindex`, or a reorganisation: the indexer replays the chain
    with db.transaction() as conn:
        conn.execute("UPDATE notify_subscriptions SET created_at = created_at + 3600")  # history is older
    for doc in (DOC_OTHER, DOC_A, DOC_B):
        index_document(db, doc)
    pump(collector, deliverer, rounds=2)
    deliverer.close()
    sent = [e["document_id"] for e in receiver.ok_bodies()]
    assert sent.count(DOC_A) == 1 and DOC_OTHER not in sent


def test_deleting_a_subscription_cancels_what_it_had_pending(db: StoreDatabase, receiver: Receiver) -> None:
    store = NotifyStore(db)
    sub = store.create(receiver.url, None, None, EVENT_TYPES)
    receiver.statuses = [500]
    collector, deliverer = Collector(store, "VN"), Deliverer(store, base_backoff_s=0.01)
    index_document(db, DOC_A)
    pump(collector, deliverer)
    store.delete(sub.id)
    time.sleep(0.02)
    deliverer.run_once()
    deliverer.close()
    assert len(receiver.received) == 1 and store.subscriptions() == []


def test_a_receiver_that_never_answers_is_given_up_after_the_last_attempt(db: StoreDatabase) -> None:
    store = NotifyStore(db)
    sub = store.create("http://127.0.0.1:9/nobody", None, None, EVENT_TYPES)  # discard port: refused
    collector = Collector(store, "VN")
    deliverer = Deliverer(store, base_backoff_s=0.0, max_attempts=3, timeout_s=1.0)
    index_document(db, DOC_A)
    pump(collector, deliverer, rounds=4)
    deliverer.close()
    [failed] = store.deliveries(sub.id, state=None, limit=5)
    assert failed.state == "failed" and failed.attempts == 3
    assert (failed.last_error or "").startswith("could not reach the receiver")


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("ftp://nsw.example/hook", "only http:// and https://"),
        ("file:///etc/passwd", "only http:// and https://"),
        ("javascript:alert(1)", "only http:// and https://"),
        ("https://", "names no host"),
        ("https://user:pw@nsw.example/", "no user name or password"),
        ("https://nsw.example:99999/", "not well formed"),
        ("", "give the receiver's URL"),
        (42, "give the receiver's URL"),
        ("https://nsw.example/" + "a" * 3000, "longer than"),
        ("https://nsw.example/a b", "spaces"),
    ],
)
def test_subscription_urls_are_checked(db: StoreDatabase, url: Any, words: str) -> None:
    store = NotifyStore(db)
    with pytest.raises(SubscriptionInvalid) as caught:
        store.create(url, None, None, EVENT_TYPES)
    assert words in caught.value.message and caught.value.errors[0]["pointer"] == "/url"
    assert store.subscriptions() == []


def test_unknown_event_types_are_refused_with_the_valid_ones(db: StoreDatabase) -> None:
    store = NotifyStore(db)
    with pytest.raises(SubscriptionInvalid) as caught:
        store.create("https://nsw.example/hook", ["document.exploded"], None, EVENT_TYPES)
    assert "document.revoked" in caught.value.message
